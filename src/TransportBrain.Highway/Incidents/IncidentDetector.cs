using TransportBrain.Highway.Fusion;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Processing;
using TransportBrain.Highway.TravelTimes;

namespace TransportBrain.Highway.Incidents;

/// <summary>An incident candidate raised by the detector, with where, when and why.</summary>
public sealed record IncidentCandidate(
    string Id,
    int Section,
    string SectionId,
    string Route,
    int Direction,
    double Stake,
    long OnsetTicks,
    long DetectedTicks,
    string Kind,
    string Evidence)
{
    public long? ClearedTicks { get; init; }

    /// <summary>The evidence in Chinese, for the incident opened in emergency command (<see cref="Evidence"/> is English).</summary>
    public string? EvidenceZh { get; init; }

    public string StakeText => Network.Stake.Format(Stake);
}

/// <summary>Detector parameters; defaults in docs/highway-methods.md.</summary>
public sealed record IncidentDetectorOptions
{
    /// <summary>The section's speed must fall below this (km/h)...</summary>
    public double LowSpeedKmh { get; init; } = 50;
    /// <summary>...and below this share of its usual speed for the time of day (or of the limit without history)...</summary>
    public double DropRatio { get; init; } = 0.65;
    /// <summary>...with the next section downstream this much faster (the bottleneck's signature), or vehicles entering and not leaving.</summary>
    public double DownstreamGapKmh { get; init; } = 25;
    /// <summary>Out-flow over in-flow below this share of the section's usual ratio means vehicles are held inside.</summary>
    public double HeldRatio { get; init; } = 0.5;
    public int MinInFlow { get; init; } = 8;
    /// <summary>Consecutive intervals the condition must hold (PeMS uses persistence to reject noise).</summary>
    public int Persistence { get; init; } = 2;
    /// <summary>Consecutive clear intervals before a candidate is cleared.</summary>
    public int ClearAfter { get; init; } = 3;
    /// <summary>A usual speed below this at this time of day means the slowdown is recurrent congestion, not an incident.</summary>
    public double RecurrentBelowKmh { get; init; } = 60;
}

/// <summary>
/// Detects sudden breakdowns section by section (B4), in the spirit of PeMS bottleneck identification and
/// the California comparative algorithms: a section whose speed collapses against both its own usual
/// speed and its downstream neighbour's, or whose vehicles enter but stop coming out, for several
/// consecutive intervals. Recurring peak-hour slowdowns (the profile says it is usually slow now) are
/// raised as recurrent congestion, not as incidents. Works on final intervals in time order, so live and
/// batch agree.
/// </summary>
public sealed class IncidentDetector
{
    private readonly RoadNetwork _network;
    private readonly IncidentDetectorOptions _o;
    private readonly HistoricalProfile _profile;
    private readonly int[] _run;
    private readonly int[] _clearRun;
    private readonly long[] _onset;
    private readonly double[] _ratio;
    private readonly IncidentCandidate?[] _active;
    private int _sequence;

    public IncidentDetector(RoadNetwork network, HistoricalProfile profile, IncidentDetectorOptions? options = null)
    {
        _network = network;
        _profile = profile;
        _o = options ?? new IncidentDetectorOptions();
        var n = network.Sections.Count;
        _run = new int[n];
        _clearRun = new int[n];
        _onset = new long[n];
        _ratio = new double[n];
        Array.Fill(_ratio, 1.0);
        _active = new IncidentCandidate?[n];
    }

    public event Action<IncidentCandidate>? Raised;
    public event Action<IncidentCandidate>? Cleared;

    public IEnumerable<IncidentCandidate> Active => _active.Where(a => a is not null)!;

    /// <summary>
    /// Takes one interval: the fused states and the gantry figures of every section (indexed by section).
    /// <paramref name="intervalEndTicks"/> is when the interval's figures were complete.
    /// </summary>
    public void Observe(IReadOnlyList<SectionState> states, IReadOnlyList<SectionInterval> gantry, long intervalEndTicks)
    {
        for (var i = 0; i < states.Count; i++)
        {
            var st = states[i];
            var section = _network.Sections[st.Section];
            var usual = _profile.Get(st.Section, 0, st.IntervalTicks);
            var reference = usual ?? section.SpeedLimitKmh * 0.9;
            var down = section.Downstream is { } d ? states[d.Index] : null;
            var inFlow = gantry[st.Section].Flow;
            var outFlow = section.Downstream is { } d2 ? gantry[d2.Index].Flow : -1;
            var ratio = outFlow >= 0 && inFlow >= _o.MinInFlow ? (double)outFlow / inFlow : double.NaN;

            var slow = st.SpeedKmh is { } v && v < _o.LowSpeedKmh && v < _o.DropRatio * reference
                && (down?.SpeedKmh is not { } dv || dv - v >= _o.DownstreamGapKmh);
            var held = !double.IsNaN(ratio) && ratio < _o.HeldRatio * _ratio[st.Section];
            var condition = slow || held;
            if (!condition && !double.IsNaN(ratio) && _active[st.Section] is null)
            {
                _ratio[st.Section] = 0.9 * _ratio[st.Section] + 0.1 * Math.Min(ratio, 1.5);
            }

            if (condition)
            {
                _clearRun[st.Section] = 0;
                if (_run[st.Section]++ == 0)
                {
                    _onset[st.Section] = st.IntervalTicks;
                }
                if (_run[st.Section] >= _o.Persistence && _active[st.Section] is null && !AdjacentActive(section))
                {
                    var recurrent = usual is { } u && u < _o.RecurrentBelowKmh;
                    var inv = System.Globalization.CultureInfo.InvariantCulture;
                    var speed = st.SpeedKmh?.ToString("F0", inv) ?? "-";
                    var downstream = down?.SpeedKmh?.ToString("F0", inv) ?? "-";
                    var usualText = reference.ToString("F0", inv);
                    var outText = outFlow < 0 ? "-" : outFlow.ToString(inv);
                    var evidence = string.Create(inv,
                        $"speed {speed} km/h (usual {usualText}), downstream {downstream} km/h, in {inFlow} / out {outText} veh in 5 min, {_run[st.Section]} intervals");
                    var evidenceZh = string.Create(inv,
                        $"车速 {speed} km/h（平常 {usualText}），下游 {downstream} km/h，5 分钟驶入 {inFlow} 辆、驶出 {outText} 辆，已持续 {_run[st.Section]} 个周期");
                    var candidate = new IncidentCandidate(
                        $"INC-{new DateTime(intervalEndTicks, DateTimeKind.Utc):yyyyMMddHHmm}-{++_sequence:D4}", st.Section, section.Id, section.Route, section.Direction,
                        section.ToStake, _onset[st.Section], intervalEndTicks, recurrent ? "recurrent_congestion" : "incident", evidence)
                    {
                        EvidenceZh = evidenceZh,
                    };
                    _active[st.Section] = candidate;
                    Raised?.Invoke(candidate);
                }
            }
            else
            {
                _run[st.Section] = 0;
                if (_active[st.Section] is { } open && ++_clearRun[st.Section] >= _o.ClearAfter)
                {
                    _active[st.Section] = null;
                    _clearRun[st.Section] = 0;
                    Cleared?.Invoke(open with { ClearedTicks = intervalEndTicks });
                }
            }
        }
    }

    private bool AdjacentActive(Section s) =>
        (s.Upstream is { } u && _active[u.Index] is not null) || (s.Downstream is { } d && _active[d.Index] is not null);
}
