using TransportBrain.Fleet;
using TransportBrain.Hub.Sharing;

namespace TransportBrain.Host.OpsConsole;

/// <summary>The live feed as Server-Sent Events, and the console's client settings.</summary>
public static class LiveEndpoints
{
    private static readonly byte[] Heartbeat = ": keep-alive\n\n"u8.ToArray();

    public static void MapLive(this RouteGroupBuilder api, ConsoleOptions options)
    {
        api.MapGet("/live", async (string? topics, HttpContext http, Platform p, LiveFeed feed, CancellationToken ct) =>
        {
            // Positions are personal-adjacent operational data: the same access as reading fleet.position.
            var (_, denied) = await TransportBrain.Host.Api.HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, FleetDatasets.Position), ct);
            if (denied is not null)
            {
                await denied.ExecuteAsync(http);
                return;
            }
            var wanted = string.IsNullOrWhiteSpace(topics) ? null : topics.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            http.Response.Headers.ContentType = "text/event-stream; charset=utf-8";
            http.Response.Headers.CacheControl = "no-cache, no-transform";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
            using var sub = feed.Subscribe(wanted);
            var reader = sub.Queue.Reader;
            await http.Response.Body.WriteAsync("retry: 3000\n\n"u8.ToArray(), ct);
            await http.Response.Body.FlushAsync(ct);
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    wait.CancelAfter(TimeSpan.FromSeconds(15));
                    bool more;
                    try
                    {
                        more = await reader.WaitToReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        await http.Response.Body.WriteAsync(Heartbeat, ct);
                        await http.Response.Body.FlushAsync(ct);
                        continue;
                    }
                    if (!more)
                    {
                        break;
                    }
                    while (reader.TryRead(out var message))
                    {
                        await http.Response.Body.WriteAsync(message.Frame, ct);
                    }
                    await http.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException)
            {
                // the browser went away or the server is stopping
            }
        }).WithSummary("Server-Sent Events: topics sections, vehicles, alarms, incidents, resources, control, warnings, notices (?topics=a,b).")
          .ExcludeFromDescription();

        api.MapGet("/console/config", () => TypedResults.Ok(new
        {
            tileUrl = options.TileUrl,
            tileAttribution = options.TileAttribution,
            networkUrl = options.NetworkUrl,
            mapCentre = options.MapCentre,
            mapZoom = options.MapZoom,
            sessionIdleTimeoutS = options.Identity.SessionIdleTimeout.TotalSeconds,
        })).WithSummary("The console's client settings: base-map tile URL, road network URL, initial view.");

        api.MapGet("/live/stats", (LiveFeed feed, ConsoleRuntime rt) => TypedResults.Ok(new
        {
            subscribers = feed.SubscriberCount,
            published = feed.Published,
            dropped = feed.Dropped,
            lastVehiclePushMs = rt.LastVehiclePushMs,
        })).WithSummary("Live feed counters: subscribers, messages published, messages dropped for slow subscribers.");
    }
}
