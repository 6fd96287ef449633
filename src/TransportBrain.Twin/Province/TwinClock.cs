namespace TransportBrain.Twin.Province;

/// <summary>
/// The platform's clock while the twin feeds it: "now" is the simulated instant, so quality gates
/// (no event time in the future), supervision rules, offline checks and the highway watermark all follow
/// simulated time however fast the twin runs. The simulation driver moves it forward as it steps; it
/// never goes back. Timers and timestamps (<see cref="TimeProvider.GetTimestamp"/>) stay on wall time,
/// so network timeouts and login sessions are unaffected.
/// </summary>
public sealed class TwinClock(DateTimeOffset start, double rate) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    /// <summary>Simulated seconds per wall second the driver is aiming at (the demo's --speed).</summary>
    public double Rate { get; } = rate > 0 ? rate : throw new ArgumentOutOfRangeException(nameof(rate), "the rate must be positive");

    /// <summary>True while the driver fast-forwards (the warm-up) rather than running at <see cref="Rate"/>.</summary>
    public bool FastForward { get; set; }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Moves the clock to <paramref name="instant"/>; earlier instants are ignored (the clock is monotonic).</summary>
    public void AdvanceTo(DateTimeOffset instant)
    {
        var t = instant.UtcTicks;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _ticks);
            if (t <= seen)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _ticks, t, seen) != seen);
    }
}
