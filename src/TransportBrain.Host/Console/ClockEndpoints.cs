using TransportBrain.Twin.Province;

namespace TransportBrain.Host.OpsConsole;

/// <summary>
/// The platform clock as the console sees it: "now" in platform time and how fast it runs against wall
/// time. Under the twin (the demo) the platform runs at simulated time, faster than the wall clock.
/// </summary>
/// <param name="Now">The platform's now (UTC).</param>
/// <param name="Rate">Platform seconds per wall second: 1, or the twin's rate.</param>
/// <param name="Simulated">True when the platform runs on the twin's simulated clock.</param>
/// <param name="FastForward">True while the twin fast-forwards (its warm-up): the rate does not hold, ask again soon.</param>
public sealed record PlatformClockAnswer(DateTimeOffset Now, double Rate, bool Simulated, bool FastForward)
{
    public static PlatformClockAnswer Of(TimeProvider clock) => clock is TwinClock twin
        ? new PlatformClockAnswer(twin.GetUtcNow(), twin.Rate, true, twin.FastForward)
        : new PlatformClockAnswer(clock.GetUtcNow(), 1, false, false);
}

public static class ClockEndpoints
{
    /// <summary>Anonymous: platform time is not sensitive, and the console asks for it before anyone signs in.</summary>
    public static void MapPlatformClock(this RouteGroupBuilder api) =>
        api.MapGet("/console/clock", (HttpContext http, Platform p) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(PlatformClockAnswer.Of(p.Clock));
        }).WithSummary("The platform clock: now (ISO-8601, platform time), rate (platform seconds per wall second) and whether it is simulated (the demo's twin).");
}
