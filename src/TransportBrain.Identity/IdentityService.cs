using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using TransportBrain.Hub.Security;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Identity;

/// <summary>
/// Console users, logins with lockout, and sessions with idle and absolute expiry, kept as hub
/// documents so the same code runs on SQLite and PostgreSQL. Users are cached in memory (a handful);
/// a name not in the cache is looked up in the store, so users created by <c>brain users create</c>
/// while the server runs can log in at once.
/// </summary>
public sealed class IdentityService
{
    public const string UserCollection = "identity.user";
    public const string SessionCollection = "identity.session";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    // Verifying against this when the name is unknown keeps the answer time the same as for a real user.
    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash("not a password", PasswordHasher.DefaultIterations));

    private readonly IHubStore _store;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, ConsoleUser> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lock = new(1, 1);

    public IdentityService(IHubStore store, TimeProvider clock, IdentityOptions? options = null)
    {
        _store = store;
        _clock = clock;
        Options = options ?? new IdentityOptions();
    }

    public IdentityOptions Options { get; }

    public static string Normalise(string name) => name.Trim().ToLowerInvariant();

    public async Task<ConsoleUser> CreateUserAsync(string name, string password, ConsoleRole role, string organisation, string? displayName = null,
        string? createdBy = null, CancellationToken ct = default)
    {
        var key = Normalise(name);
        if (key.Length is < 2 or > 64 || key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new IdentityException("a user name has 2 to 64 characters and no spaces");
        }
        if (string.IsNullOrWhiteSpace(organisation))
        {
            throw new IdentityException("a user belongs to an organisation (--org)");
        }
        CheckPassword(password);
        await _lock.WaitAsync(ct);
        try
        {
            if (await LoadUserAsync(key, ct) is not null)
            {
                throw new IdentityException($"user '{key}' already exists");
            }
            var user = new ConsoleUser
            {
                Name = key,
                DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim(),
                Organisation = organisation.Trim(),
                Role = role,
                PasswordHash = PasswordHasher.Hash(password, Options.PasswordIterations),
                CreatedAt = _clock.GetUtcNow(),
                CreatedBy = createdBy,
            };
            await SaveUserAsync(user, ct);
            return user;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<ConsoleUser>> ListUsersAsync(CancellationToken ct = default)
    {
        var list = new List<ConsoleUser>();
        await foreach (var d in _store.AllDocumentsAsync(UserCollection, ct: ct))
        {
            if (JsonSerializer.Deserialize<ConsoleUser>(d.Json, Json) is { } u)
            {
                _users[u.Name] = u;
                list.Add(u);
            }
        }
        return list;
    }

    public async Task<ConsoleUser?> FindUserAsync(string name, CancellationToken ct = default) => await LoadUserAsync(Normalise(name), ct);

    /// <summary>Changes role, organisation, display name or the disabled flag; disabling or a role change ends the user's sessions.</summary>
    public async Task<ConsoleUser> UpdateUserAsync(string name, ConsoleRole? role, string? organisation, string? displayName, bool? disabled, CancellationToken ct = default)
    {
        var updated = await MutateUserAsync(name, u => u with
        {
            Role = role ?? u.Role,
            Organisation = string.IsNullOrWhiteSpace(organisation) ? u.Organisation : organisation.Trim(),
            DisplayName = displayName is null ? u.DisplayName : displayName.Trim(),
            Disabled = disabled ?? u.Disabled,
        }, ct);
        if (disabled == true || role is not null)
        {
            await EndSessionsOfAsync(updated.Name, ct);
        }
        return updated;
    }

    public async Task<ConsoleUser> SetPasswordAsync(string name, string password, CancellationToken ct = default)
    {
        CheckPassword(password);
        var hash = PasswordHasher.Hash(password, Options.PasswordIterations);
        var updated = await MutateUserAsync(name, u => u with { PasswordHash = hash, FailedAttempts = 0, LockedUntil = null }, ct);
        await EndSessionsOfAsync(updated.Name, ct);
        return updated;
    }

    /// <summary>Lifts a lockout before it runs out (an administrator's decision).</summary>
    public Task<ConsoleUser> UnlockAsync(string name, CancellationToken ct = default) =>
        MutateUserAsync(name, u => u with { FailedAttempts = 0, LockedUntil = null }, ct);

    /// <summary>
    /// Checks a name and password. After <see cref="IdentityOptions.MaxFailedAttempts"/> wrong passwords in a
    /// row the account locks for <see cref="IdentityOptions.LockoutDuration"/>; while locked even the right
    /// password is refused (so guessing gains nothing), and the lockout is not extended by further tries.
    /// </summary>
    public async Task<LoginResult> LoginAsync(string name, string password, string? client, CancellationToken ct = default)
    {
        var key = Normalise(name ?? "");
        if (key.Length == 0 || key.Length > 64 || password is null || password.Length > 1024)
        {
            return new LoginResult(LoginOutcome.BadCredentials);
        }
        await _lock.WaitAsync(ct);
        try
        {
            var now = _clock.GetUtcNow();
            var user = await LoadUserAsync(key, ct);
            if (user is null)
            {
                PasswordHasher.Verify(password, DummyHash.Value);
                return new LoginResult(LoginOutcome.BadCredentials);
            }
            if (user.IsLockedAt(now))
            {
                return new LoginResult(LoginOutcome.LockedOut, LockedUntil: user.LockedUntil);
            }
            if (!PasswordHasher.Verify(password, user.PasswordHash))
            {
                var failed = user.FailedAttempts + 1;
                var locked = failed >= Options.MaxFailedAttempts;
                user = user with
                {
                    FailedAttempts = locked ? 0 : failed,
                    LockedUntil = locked ? now + Options.LockoutDuration : null,
                };
                await SaveUserAsync(user, ct);
                return locked
                    ? new LoginResult(LoginOutcome.LockedOut, LockedUntil: user.LockedUntil)
                    : new LoginResult(LoginOutcome.BadCredentials, AttemptsLeft: Options.MaxFailedAttempts - failed);
            }
            if (user.Disabled)
            {
                return new LoginResult(LoginOutcome.Disabled);
            }
            user = user with { FailedAttempts = 0, LockedUntil = null, LastLoginAt = now };
            await SaveUserAsync(user, ct);
            var token = NewToken();
            var session = new ConsoleSession
            {
                Id = TokenId(token),
                UserName = user.Name,
                CreatedAt = now,
                LastSeenAt = now,
                ExpiresAt = now + Options.SessionLifetime,
                Client = client,
            };
            await _store.PutDocumentsAsync(SessionCollection, [(session.Id, JsonSerializer.Serialize(session, Json))], now, ct);
            _sessions[session.Id] = session;
            return new LoginResult(LoginOutcome.Success, user, token, session);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Resolves a session token, or null when unknown, expired (idle or absolute), or its user is disabled.</summary>
    public async Task<SignedIn?> ValidateAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128)
        {
            return null;
        }
        var id = TokenId(token);
        if (!_sessions.TryGetValue(id, out var session))
        {
            var doc = await _store.GetDocumentAsync(SessionCollection, id, ct);
            if (doc is null || JsonSerializer.Deserialize<ConsoleSession>(doc.Json, Json) is not { } loaded)
            {
                return null;
            }
            session = _sessions[id] = loaded;
        }
        var now = _clock.GetUtcNow();
        if (now >= session.ExpiresAt || now - session.LastSeenAt >= Options.SessionIdleTimeout)
        {
            await EndSessionAsync(id, ct);
            return null;
        }
        var user = await LoadUserAsync(session.UserName, ct);
        if (user is null || user.Disabled)
        {
            await EndSessionAsync(id, ct);
            return null;
        }
        // Idle expiry slides with activity; the stored copy is refreshed at most once a minute.
        if (now - session.LastSeenAt >= TimeSpan.FromMinutes(1))
        {
            session = session with { LastSeenAt = now };
            _sessions[id] = session;
            await _store.PutDocumentsAsync(SessionCollection, [(id, JsonSerializer.Serialize(session, Json))], now, ct);
        }
        else if (now > session.LastSeenAt)
        {
            _sessions[id] = session with { LastSeenAt = now };
            session = _sessions[id];
        }
        return new SignedIn(user, session);
    }

    public Task LogoutAsync(string token, CancellationToken ct = default) => EndSessionAsync(TokenId(token), ct);

    private async Task EndSessionAsync(string id, CancellationToken ct)
    {
        _sessions.TryRemove(id, out _);
        await _store.DeleteDocumentAsync(SessionCollection, id, ct);
    }

    private async Task EndSessionsOfAsync(string userName, CancellationToken ct)
    {
        var ids = new List<string>();
        await foreach (var d in _store.AllDocumentsAsync(SessionCollection, ct: ct))
        {
            if (JsonSerializer.Deserialize<ConsoleSession>(d.Json, Json) is { } s && s.UserName == userName)
            {
                ids.Add(d.Key);
            }
        }
        ids.AddRange(_sessions.Where(kv => kv.Value.UserName == userName).Select(kv => kv.Key));
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            await EndSessionAsync(id, ct);
        }
    }

    private async Task<ConsoleUser> MutateUserAsync(string name, Func<ConsoleUser, ConsoleUser> change, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            var user = await LoadUserAsync(Normalise(name), ct) ?? throw new IdentityException($"there is no user '{Normalise(name)}'");
            var updated = change(user);
            await SaveUserAsync(updated, ct);
            return updated;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<ConsoleUser?> LoadUserAsync(string key, CancellationToken ct)
    {
        if (_users.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var doc = await _store.GetDocumentAsync(UserCollection, key, ct);
        if (doc is null || JsonSerializer.Deserialize<ConsoleUser>(doc.Json, Json) is not { } user)
        {
            return null;
        }
        _users[key] = user;
        return user;
    }

    private async Task SaveUserAsync(ConsoleUser user, CancellationToken ct)
    {
        await _store.PutDocumentsAsync(UserCollection, [(user.Name, JsonSerializer.Serialize(user, Json))], _clock.GetUtcNow(), ct);
        _users[user.Name] = user;
    }

    private void CheckPassword(string password)
    {
        if (password is null || password.Length < Options.MinPasswordLength)
        {
            throw new IdentityException($"a password has at least {Options.MinPasswordLength} characters");
        }
        if (password.Length > 1024)
        {
            throw new IdentityException("a password has at most 1024 characters");
        }
    }

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string TokenId(string token) => Sm3.HashHex(token);
}
