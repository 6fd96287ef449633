using Microsoft.AspNetCore.Diagnostics;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Host.Api;

/// <summary>
/// A request that failed because the store was busy for the moment (<see cref="StoreErrors.IsTransient"/>: SQLite
/// still locked by another writer after its 30 s wait, a PostgreSQL lock timeout, too many connections, a lost
/// connection) and stored nothing answers 503 with <c>Retry-After</c>, so a client that pushes data knows to send
/// it again rather than treat it as refused. Any other failure, and a batch that stopped after storing part of its
/// records (<see cref="PartiallyStoredException"/>), stays a 500. Either way the error is logged; a handled one
/// as a warning here, since the exception-handler middleware does not log what a handler took.
/// </summary>
internal sealed class StoreBusyHandler(ILogger<StoreBusyHandler> log) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait before it tries again.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!StoreErrors.IsTransient(exception) || http.Response.HasStarted)
        {
            return false;
        }
        log.LogWarning(exception, "{Method} {Path}: the store is busy, answered 503", http.Request.Method, http.Request.Path);
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await TypedResults.Problem($"the data store is busy; send the request again in {RetryAfterSeconds} s",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "Store busy").ExecuteAsync(http);
        return true;
    }
}
