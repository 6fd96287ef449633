namespace TransportBrain.Hub.Sharing;

/// <summary>An API key's stored form: never the secret, only its SM3 hash.</summary>
public sealed record ApiKey
{
    /// <summary>The public part of the key ("tbk_xxxxxxxx"), shown in lists and audit entries.</summary>
    public required string Id { get; init; }
    public required string Organisation { get; init; }
    public required string Name { get; init; }
    public bool IsAdmin { get; init; }
    public required string SecretHash { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    public bool IsActive => RevokedAt is null;
}

/// <summary>What a key may do with one dataset. Unmasked lets personal fields through in clear.</summary>
public sealed record DatasetGrant(string KeyId, string DatasetId, bool CanRead, bool CanWrite, bool Unmasked);

/// <summary>One access to data: who, which dataset, what they asked, how many rows, when.</summary>
public sealed record AuditEntry
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string? KeyId { get; init; }
    public required string Organisation { get; init; }
    public required string DatasetId { get; init; }
    public required string Action { get; init; }
    public required string Query { get; init; }
    public long RowCount { get; init; }
    public string? Client { get; init; }
    /// <summary>SM3 over the previous entry's hash and this entry's content: the log is a hash chain.</summary>
    public string Hash { get; init; } = "";
}

public sealed record AuditQuery(string? DatasetId, string? Organisation, string? KeyId, DateTimeOffset? From, DateTimeOffset? To, int Limit);
