using Microsoft.Data.Sqlite;
using Npgsql;

namespace TransportBrain.Hub.Storage;

/// <summary>
/// Tells a store failure that is worth trying again (the store was busy or out of reach for a moment) from one
/// that is not (a fault, or a request that already stored part of its records).
/// </summary>
public static class StoreErrors
{
    /// <summary>
    /// SQLite still locked by another writer after its wait; PostgreSQL: a lock timeout, a serialization failure,
    /// a deadlock, too many connections, a server starting up, a lost connection; a broken socket. Not a full disk
    /// or a missing table: trying again would not help, and the operator has to see those.
    /// </summary>
    public static bool IsTransient(Exception e) => e switch
    {
        PartiallyStoredException => false,
        SqliteException s => s.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        PostgresException p => p.SqlState is "55P03" or "40001" or "40P01" or "53300" or "57P03" || p.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException n => n.IsTransient,
        _ => e.InnerException is { } inner && IsTransient(inner),
    };
}

/// <summary>
/// A batch that failed after some of its records were already committed: sending it again whole would store
/// those twice (or quarantine them as repeats), so however passing the cause, this is not a failure to retry as is.
/// </summary>
public sealed class PartiallyStoredException(long batchId, long stored, long quarantined, Exception cause)
    : Exception($"batch {batchId} stopped after {stored} records were stored and {quarantined} quarantined: {cause.Message}", cause)
{
    public long BatchId { get; } = batchId;
    public long Stored { get; } = stored;
    public long Quarantined { get; } = quarantined;
}
