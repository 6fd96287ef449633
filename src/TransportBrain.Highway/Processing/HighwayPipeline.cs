using TransportBrain.Highway.Fusion;
using TransportBrain.Highway.Incidents;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Stations;
using TransportBrain.Highway.TravelTimes;

namespace TransportBrain.Highway.Processing;

/// <summary>
/// The highway processors chained for one stream of passes: gantry traffic → fused section states →
/// incident detection and congestion forecasts. The same object serves live use (passes as they arrive)
/// and a batch recompute (a past day's passes in time order, then <see cref="Flush"/>).
/// </summary>
public sealed class HighwayPipeline
{
    private readonly SectionInterval[] _pending;
    private readonly SectionState?[] _latest;
    private readonly SectionState?[] _latestKnown;
    private int _collected;
    private long _collecting = long.MinValue;

    public HighwayPipeline(RoadNetwork network, TrafficOptions? options = null, HistoricalProfile? profile = null, CongestionLevels? levels = null,
        StationStates? stations = null, Func<long, IReadOnlyList<ProbeSpeed>>? probes = null, IncidentDetectorOptions? detector = null)
    {
        Network = network;
        Traffic = new TrafficProcessor(network, options, profile);
        Fuser = new SectionStateFuser(network, levels);
        Stations = stations;
        Probes = probes;
        Detector = new IncidentDetector(network, Traffic.Profile, detector);
        Forecaster = new CongestionForecaster(network, Traffic.Profile, levels);
        _pending = new SectionInterval[network.Sections.Count];
        _latest = new SectionState?[network.Sections.Count];
        _latestKnown = new SectionState?[network.Sections.Count];
        Traffic.LearnOnFinal = false;
        Traffic.SectionFinal += OnSectionFinal;
    }

    public RoadNetwork Network { get; }
    public TrafficProcessor Traffic { get; }
    public SectionStateFuser Fuser { get; }
    public StationStates? Stations { get; }
    public Func<long, IReadOnlyList<ProbeSpeed>>? Probes { get; set; }
    public IncidentDetector Detector { get; }
    public CongestionForecaster Forecaster { get; }

    /// <summary>Every section's fused state for an interval, once the interval is final.</summary>
    public event Action<IReadOnlyList<SectionState>>? StatesFinal;
    public event Action<IReadOnlyList<SectionForecast>>? Forecasts;

    public bool Add(in GantryPass pass) => Traffic.Add(pass);

    public void Flush() => Traffic.Flush();

    /// <summary>The last final state of a section.</summary>
    public SectionState? LatestFinal(int section) => _latest[section];

    /// <summary>
    /// Takes a section's last final state as stored before a restart, so the map is not empty until the next
    /// interval closes; a newer state (restored or computed) is never replaced by an older one.
    /// </summary>
    public void Restore(SectionState state)
    {
        if (_latest[state.Section] is { } current && current.IntervalTicks >= state.IntervalTicks)
        {
            return;
        }
        _latest[state.Section] = state;
        if (state.SpeedKmh is not null)
        {
            _latestKnown[state.Section] = state;
        }
    }

    /// <summary>
    /// The freshest view of a section: the interval still filling up when it already has enough vehicles
    /// (provisional), else the last final one, or when that one had too few vehicles to say anything, the
    /// last final one that did, if it is at most 30 minutes older (a quiet night is not a dead feed).
    /// </summary>
    public SectionState? Latest(int section, long nowTicks)
    {
        var final = _latest[section];
        foreach (var open in Traffic.OpenIntervals())
        {
            var current = Traffic.Current(section, open);
            if (current.All.Source == EstimateSource.Observed)
            {
                var age = (nowTicks - open) / (double)TimeSpan.TicksPerMinute - 5;
                return Fuse(current, Math.Max(0, age));
            }
            break;
        }
        if (final is { SpeedKmh: null } && _latestKnown[section] is { } known && final.IntervalTicks - known.IntervalTicks <= 30 * TimeSpan.TicksPerMinute)
        {
            return known;
        }
        return final;
    }

    private SectionState Fuse(SectionInterval gantry, double ageMinutes)
    {
        var probes = Probes?.Invoke(gantry.IntervalTicks) ?? [];
        var start = gantry.IntervalStart;
        return Fuser.Fuse(gantry, (id, dir) => Stations?.Get(id, dir, start), probes, ageMinutes);
    }

    private void OnSectionFinal(SectionInterval interval)
    {
        if (interval.IntervalTicks != _collecting)
        {
            _collecting = interval.IntervalTicks;
            _collected = 0;
        }
        _pending[interval.Section] = interval;
        if (++_collected < _pending.Length)
        {
            return;
        }
        var probes = Probes?.Invoke(interval.IntervalTicks) ?? [];
        var start = interval.IntervalStart;
        var states = new SectionState[_pending.Length];
        for (var i = 0; i < _pending.Length; i++)
        {
            states[i] = Fuser.Fuse(_pending[i], (id, dir) => Stations?.Get(id, dir, start), probes);
            _latest[i] = states[i];
            if (states[i].SpeedKmh is not null)
            {
                _latestKnown[i] = states[i];
            }
        }
        var end = interval.IntervalTicks + TimeSpan.TicksPerMinute * 5;
        StatesFinal?.Invoke(states);
        Detector.Observe(states, _pending, end);
        var forecasts = Forecaster.Observe(states, end);
        Forecasts?.Invoke(forecasts);
        // Learn what is usual only now that the detector has compared this interval with the past. Every
        // interval teaches, incidents included: a recurring slowdown first flagged as an incident must
        // still become usual; one incident moves next week's figure by a quarter of its depth at most.
        for (var i = 0; i < _pending.Length; i++)
        {
            Traffic.Learn(_pending[i]);
        }
    }
}
