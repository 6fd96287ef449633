using TransportBrain.Highway.Fusion;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.TravelTimes;

namespace TransportBrain.Highway.Incidents;

/// <summary>A section's predicted state some minutes ahead.</summary>
public sealed record SectionForecast(int Section, string SectionId, long IssuedTicks, int HorizonMinutes, double? SpeedKmh, CongestionLevel Level);

/// <summary>A congestion warning: a section predicted to reach light congestion or worse within the horizon.</summary>
public sealed record CongestionWarning(string Id, int Section, string SectionId, string Route, int Direction, long IssuedTicks, int HorizonMinutes, double PredictedSpeedKmh, CongestionLevel PredictedLevel, CongestionLevel CurrentLevel)
{
    public long? ClearedTicks { get; init; }
}

/// <summary>
/// Short-term prediction (15/30/60 minutes) per section: the usual speed for the target time plus
/// today's deviation from the usual, decaying with the horizon (time constant 30 minutes), so a
/// section that is slower than usual now is expected to stay so for a while and then recover. Without
/// history the current speed persists. Warnings open when a prediction reaches 轻度拥堵 or worse and
/// close when no horizon predicts it any more.
/// </summary>
public sealed class CongestionForecaster(RoadNetwork network, HistoricalProfile profile, CongestionLevels? levels = null, double decayMinutes = 30)
{
    public static readonly int[] Horizons = [15, 30, 60];
    private readonly CongestionLevels _levels = levels ?? CongestionLevels.Default;
    private readonly Dictionary<(int, int), CongestionWarning> _open = [];
    private int _sequence;

    public event Action<CongestionWarning>? Issued;
    public event Action<CongestionWarning>? Cleared;

    public IEnumerable<CongestionWarning> Active => _open.Values;

    public SectionForecast Predict(SectionState now, int horizonMinutes, long issuedTicks)
    {
        var section = network.Sections[now.Section];
        if (now.SpeedKmh is not { } v)
        {
            return new SectionForecast(now.Section, section.Id, issuedTicks, horizonMinutes, null, CongestionLevel.Unknown);
        }
        var target = now.IntervalTicks + horizonMinutes * TimeSpan.TicksPerMinute;
        var usualNow = profile.Get(now.Section, 0, now.IntervalTicks);
        var usualThen = profile.Get(now.Section, 0, target);
        double predicted = usualNow is { } a && usualThen is { } b
            ? b + (v - a) * Math.Exp(-horizonMinutes / decayMinutes)
            : v;
        predicted = Math.Clamp(predicted, 3, section.SpeedLimitKmh * 1.1);
        return new SectionForecast(now.Section, section.Id, issuedTicks, horizonMinutes, Math.Round(predicted, 1), _levels.Classify(section.RoadClass, predicted));
    }

    /// <summary>Takes one interval's fused states and issues or clears warnings.</summary>
    public IReadOnlyList<SectionForecast> Observe(IReadOnlyList<SectionState> states, long issuedTicks)
    {
        var forecasts = new List<SectionForecast>(states.Count * Horizons.Length);
        foreach (var st in states)
        {
            var section = network.Sections[st.Section];
            foreach (var h in Horizons)
            {
                var f = Predict(st, h, issuedTicks);
                forecasts.Add(f);
                var key = (st.Section, h);
                var congested = f.Level >= CongestionLevel.Light;
                if (congested && !_open.ContainsKey(key))
                {
                    var w = new CongestionWarning($"WRN-{new DateTime(issuedTicks, DateTimeKind.Utc):yyyyMMddHHmm}-{++_sequence:D5}", st.Section, section.Id, section.Route, section.Direction,
                        issuedTicks, h, f.SpeedKmh ?? 0, f.Level, st.Level);
                    _open[key] = w;
                    Issued?.Invoke(w);
                }
                else if (!congested && f.Level != CongestionLevel.Unknown && _open.Remove(key, out var open))
                {
                    Cleared?.Invoke(open with { ClearedTicks = issuedTicks });
                }
            }
        }
        return forecasts;
    }
}
