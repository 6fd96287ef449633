using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace TransportBrain.Host.Api;

/// <summary>
/// A request that failed because the store was busy for the moment (SQLite still locked by another writer after
/// its 30 s wait; a PostgreSQL lock timeout, too many connections or a lost connection) answers 503 with <c>Retry-After</c>, so a client that pushes data knows to send it again
/// rather than treat it as refused. Any other failure stays a 500. The error is logged either way.
/// </summary>
internal sealed class StoreBusyHandler : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait before it tries again.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!IsTransient(exception) || http.Response.HasStarted)
        {
            return false;
        }
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await TypedResults.Problem($"the data store is busy; send the request again in {RetryAfterSeconds} s",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Store busy").ExecuteAsync(http);
        return true;
    }

    public static bool IsTransient(Exception e) => e switch
    {
        SqliteException s => s.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        // lock_not_available (a lock_timeout), serialization failure, deadlock, too many connections, starting up,
        // and the connection exceptions; or whatever else Npgsql itself calls transient (a broken socket).
        PostgresException p => p.SqlState is "55P03" or "40001" or "40P01" or "53300" or "57P03" || p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.IsTransient,
        NpgsqlException n => n.IsTransient,
        _ => e.InnerException is { } inner && IsTransient(inner),
    };
}
