using TransportBrain.Highway.Network;
using TransportBrain.Highway.Processing;
using TransportBrain.Highway.Stations;
using TransportBrain.Highway.TravelTimes;

namespace TransportBrain.Highway.Fusion;

/// <summary>A probe: a tracked vehicle's speed reading on a section (from JT/T 808 positions).</summary>
public readonly record struct ProbeSpeed(int Section, long Ticks, double SpeedKmh);

/// <summary>One fused state per section and interval (B3, B4).</summary>
public sealed record SectionState(
    int Section,
    string SectionId,
    long IntervalTicks,
    double? SpeedKmh,
    double? TravelTimeS,
    double FlowVph,
    CongestionLevel Level,
    double Confidence,
    double GantryWeight,
    double StationWeight,
    double ProbeWeight,
    string Sources,
    bool Final)
{
    public DateTimeOffset IntervalStart => new(IntervalTicks, TimeSpan.Zero);
}

/// <summary>
/// Fuses the gantry travel time, the healthy survey stations on the section and probe vehicles into one
/// speed: a weighted mean where each source weighs by its sample size and trust (see
/// docs/highway-methods.md) and by freshness (halved every 10 minutes of age when live). Unhealthy
/// stations are left out. The flow is the gantry volume, or the stations' when no gantry counted.
/// </summary>
public sealed class SectionStateFuser(RoadNetwork network, CongestionLevels? levels = null)
{
    private readonly CongestionLevels _levels = levels ?? CongestionLevels.Default;
    private readonly IReadOnlyList<Facility>[] _stationsOf = [.. network.Sections.Select(s =>
        (IReadOnlyList<Facility>)network.OfKind(FacilityKind.SurveyStation).Where(f => f.Route == s.Route && s.Overlaps(f.Stake, f.Stake)).ToList())];

    public CongestionLevels Levels => _levels;

    /// <summary>Survey stations located on a section.</summary>
    public IReadOnlyList<Facility> StationsOn(int section) => _stationsOf[section];

    public SectionState Fuse(SectionInterval gantry, Func<string, int, StationInterval?> station, IReadOnlyList<ProbeSpeed> probes, double ageMinutes = 0)
    {
        var section = network.Sections[gantry.Section];
        double sum = 0, weights = 0, gw = 0, sw = 0, pw = 0;
        var sources = new List<string>(3);
        var g = gantry.All;
        if (g.SpeedKmh is { } gv)
        {
            gw = g.Source == EstimateSource.Observed ? Math.Min(g.Used, 30) * (0.5 + 0.5 * g.Confidence) : 0.5;
            sum += gw * gv;
            weights += gw;
            sources.Add(g.Source == EstimateSource.Observed ? "gantry" : "profile");
        }
        double stationFlow = 0;
        foreach (var f in _stationsOf[gantry.Section])
        {
            if (station(f.Id, section.Direction) is { Healthy: true } st)
            {
                stationFlow = Math.Max(stationFlow, st.FlowVph);
                if (st.SpeedKmh is { } sv && st.FlowVph > 0)
                {
                    // a spot speed at one point: trusted like ~8 matched vehicles at most
                    var w = Math.Min(8, st.FlowVph / 12 / 4);
                    sum += w * sv;
                    weights += w;
                    sw += w;
                }
            }
        }
        if (sw > 0)
        {
            sources.Add("station");
        }
        foreach (var p in probes)
        {
            if (p.Section == gantry.Section)
            {
                sum += 0.5 * p.SpeedKmh;
                weights += 0.5;
                pw += 0.5;
            }
        }
        if (pw > 0)
        {
            sources.Add("probe");
        }
        var freshness = Math.Pow(0.5, Math.Max(0, ageMinutes) / 10);
        double? speed = weights > 0 ? sum / weights : null;
        var flow = gantry.Flow > 0 ? gantry.Flow * 12.0 : stationFlow;
        var confidence = Math.Round(Math.Clamp((1 - Math.Exp(-weights / 8)) * freshness, 0, 1), 3);
        return new SectionState(gantry.Section, section.Id, gantry.IntervalTicks, speed is { } v ? Math.Round(v, 2) : null,
            speed is { } v2 && v2 > 0 ? Math.Round(section.LengthM / (v2 / 3.6), 1) : null, flow,
            _levels.Classify(section.RoadClass, speed), confidence, Math.Round(gw, 3), Math.Round(sw, 3), Math.Round(pw, 3),
            sources.Count == 0 ? "none" : string.Join("+", sources), gantry.Final);
    }
}
