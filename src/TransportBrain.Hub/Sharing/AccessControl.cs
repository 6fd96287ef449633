using System.Security.Cryptography;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Security;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Hub.Sharing;

/// <summary>Who is asking: a key with its grants, or the public (no key).</summary>
public sealed record Caller(ApiKey? Key, IReadOnlyList<DatasetGrant> Grants)
{
    public static readonly Caller Public = new(null, []);

    /// <summary>The operator at the server's own command line, an administrator; still masked unless asked.</summary>
    public static Caller LocalOperator(string datasetId, bool unmasked) => new(
        new ApiKey { Id = "local-cli", Organisation = "本地命令行 (local CLI, " + Environment.UserName + ")", Name = "cli", IsAdmin = true, SecretHash = "" },
        unmasked ? [new DatasetGrant("local-cli", datasetId, true, true, true)] : []);

    public string Organisation => Key?.Organisation ?? "public";
    public bool IsAdmin => Key?.IsAdmin == true;
    public DatasetGrant? GrantFor(string datasetId) => Grants.FirstOrDefault(g => g.DatasetId == datasetId);
}

public enum AccessDecision
{
    Allowed,
    /// <summary>No key was given and the dataset is not open.</summary>
    NeedsKey,
    Forbidden,
}

/// <summary>The sharing rules (A4): who may read or write which dataset, and whether masked.</summary>
public static class SharingPolicy
{
    /// <summary>
    /// Open datasets are readable by anyone. Unconditionally shared datasets are readable with any valid
    /// key; conditionally shared ones need a read grant; datasets that are not shared only by administrators.
    /// </summary>
    public static AccessDecision CanRead(Caller caller, DatasetDefinition d)
    {
        if (caller.IsAdmin || d.IsOpen)
        {
            return AccessDecision.Allowed;
        }
        if (caller.Key is null)
        {
            return AccessDecision.NeedsKey;
        }
        return d.Sharing switch
        {
            SharingType.Unconditional => AccessDecision.Allowed,
            SharingType.Conditional when caller.GrantFor(d.Id)?.CanRead == true => AccessDecision.Allowed,
            _ => AccessDecision.Forbidden,
        };
    }

    public static AccessDecision CanWrite(Caller caller, DatasetDefinition d) =>
        caller.Key is null ? AccessDecision.NeedsKey
        : caller.IsAdmin || caller.GrantFor(d.Id)?.CanWrite == true ? AccessDecision.Allowed
        : AccessDecision.Forbidden;

    /// <summary>Personal fields are masked unless the caller's grant says unmasked (administrators included: least privilege).</summary>
    public static bool MustMask(Caller caller, DatasetDefinition d) => caller.GrantFor(d.Id)?.Unmasked != true;
}

/// <summary>Issues and checks API keys. The secret is shown once; only its SM3 hash is stored.</summary>
public sealed class ApiKeys(IHubStore store, TimeProvider clock)
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    /// <summary>Creates a key and returns it with the full secret ("tbk_xxxxxxxx.yyyy..."), which is never stored.</summary>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(string organisation, string name, bool isAdmin, CancellationToken ct = default)
    {
        var id = "tbk_" + Random(8);
        var secret = id + "." + Random(32);
        var key = new ApiKey
        {
            Id = id,
            Organisation = organisation,
            Name = name,
            IsAdmin = isAdmin,
            SecretHash = Sm3.HashHex(secret),
            CreatedAt = clock.GetUtcNow(),
        };
        await store.CreateKeyAsync(key, ct);
        return (key, secret);
    }

    /// <summary>Resolves a presented secret to a caller, or null when the key is unknown, revoked or wrong.</summary>
    public async Task<Caller?> AuthenticateAsync(string secret, CancellationToken ct = default)
    {
        var dot = secret.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || secret.Length > 200)
        {
            return null;
        }
        var key = await store.FindKeyAsync(secret[..dot], ct);
        if (key is null || !key.IsActive)
        {
            return null;
        }
        var presented = Convert.FromHexString(Sm3.HashHex(secret));
        var expected = Convert.FromHexString(key.SecretHash);
        if (!CryptographicOperations.FixedTimeEquals(presented, expected))
        {
            return null;
        }
        return new Caller(key, await store.ListGrantsAsync(key.Id, ct));
    }

    private static string Random(int length)
    {
        Span<char> chars = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }
        return new string(chars);
    }
}
