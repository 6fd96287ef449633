namespace TransportBrain.Highway.Processing;

/// <summary>Parameters of the gantry processors; the defaults are explained in docs/highway-methods.md.</summary>
public sealed record TrafficOptions
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How late (in event time, behind the newest pass seen) a pass may arrive and still count.</summary>
    public TimeSpan AllowedLateness { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>A second read of the same vehicle at the same gantry within this window is a duplicate read.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>A pair of reads further apart than this is not a traversal (a stop, a parked vehicle).</summary>
    public TimeSpan MaxPairGap { get; init; } = TimeSpan.FromHours(1);
    /// <summary>Faster than this between two gantries is beyond physics (clock error or a cloned medium).</summary>
    public double MaxSpeedKmh { get; init; } = 200;
    /// <summary>Fewer vehicles than this in an interval: fall back to the historical profile.</summary>
    public int MinSamples { get; init; } = 3;
    /// <summary>An hour's OD matrix is final this long after the hour ends (trips still on the road by then count when they close but are reported late).</summary>
    public TimeSpan OdHold { get; init; } = TimeSpan.FromHours(3);
}
