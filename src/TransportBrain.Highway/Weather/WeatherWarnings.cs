using System.Globalization;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Stations;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;

namespace TransportBrain.Highway.Weather;

/// <summary>
/// One version of a weather warning: version 1 is the raise, each level change adds one, and the clearance
/// is the last (with <see cref="ClearedAt"/>). The warning covers <see cref="SectionIds"/> of both carriageways
/// of <see cref="Route"/> between <see cref="FromStake"/> and <see cref="ToStake"/> (metres).
/// </summary>
public sealed record WeatherWarning(
    string WarningId,
    int Version,
    string StationId,
    WarningKind Kind,
    int Level,
    DateTimeOffset IssuedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClearedAt,
    IReadOnlyList<string> SectionIds,
    string Route,
    double FromStake,
    double ToStake,
    string AdviceZh,
    string AdviceEn,
    string Evidence)
{
    public string KindName => WeatherAdvice.KindName(Kind);
    public string LevelName => WeatherAdvice.LevelName(Level);
    public bool IsCleared => ClearedAt is not null;

    /// <summary>The row of <c>highway.weather_warning</c>, in schema order.</summary>
    public object?[] ToRow() =>
    [
        WarningId, (long)Version, StationId, KindName, LevelName, IssuedAt, UpdatedAt, ClearedAt,
        string.Join(",", SectionIds), Route, Stake.Format(FromStake), Stake.Format(ToStake), AdviceZh, AdviceEn, Evidence,
    ];
}

/// <summary>
/// Raises and clears fog, ice, heavy-rain and strong-wind warnings from road weather observations.
/// Observations may arrive out of order within <see cref="Lateness"/>: they wait in a per-station buffer and
/// are evaluated in time order once the station's newest observation is <see cref="Lateness"/> past them (or on
/// <see cref="Flush"/> / <see cref="AdvanceTo"/>). Per station and kind, a level is raised after it holds for
/// <see cref="WeatherThresholds.RaiseAfter"/> consecutive observations and stepped down or cleared after
/// <see cref="WeatherThresholds.ClearAfter"/> consecutive observations below it; an observation without the
/// measurement a kind needs neither raises nor clears it. Observations from stations the network does not
/// know, duplicated, later than the bound, from beyond the clock-skew bound or with contradictory values are
/// quarantined and counted. Thread-safe; never throws on bad input.
/// </summary>
public sealed class WeatherWarnings : IStoredRecordObserver
{
    private static readonly WarningKind[] Kinds = [WarningKind.Fog, WarningKind.Ice, WarningKind.HeavyRain, WarningKind.StrongWind];

    private readonly Lock _gate = new();
    private readonly RoadNetwork _network;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, StationCover> _stations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StationFeed> _feeds = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Station, WarningKind Kind), Track> _tracks = [];
    private readonly Dictionary<string, List<WeatherWarning>> _warnings = new(StringComparer.Ordinal);
    private readonly List<WeatherWarning> _pending = [];

    public WeatherWarnings(RoadNetwork network, WeatherThresholds? thresholds = null, TimeProvider? clock = null)
    {
        _network = network;
        _clock = clock ?? TimeProvider.System;
        Thresholds = thresholds ?? WeatherThresholds.Default;
        foreach (var f in network.OfKind(FacilityKind.WeatherStation))
        {
            _stations[f.Id] = Cover(f);
        }
    }

    public WeatherThresholds Thresholds { get; }
    public ProcessorQuarantine Quarantine { get; } = new();

    /// <summary>How long an observation waits for earlier ones that are still on their way.</summary>
    public TimeSpan Lateness { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How far ahead of the clock an observation may be before it is refused as clock skew.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Observations evaluated.</summary>
    public long Evaluated { get; private set; }

    /// <summary>The stretch and sections a station's warnings cover.</summary>
    public (string Route, double FromStake, double ToStake, IReadOnlyList<string> SectionIds)? Covers(string stationId) =>
        _stations.TryGetValue(stationId, out var c) ? (c.Route, c.From, c.To, c.Sections) : null;

    public void OnStored(DatasetDefinition dataset, IReadOnlyList<object?[]> rows)
    {
        if (dataset.Id == HighwayWeatherDatasets.Observation.Id)
        {
            foreach (var row in rows)
            {
                Add(row);
            }
        }
    }

    /// <summary>Adds one typed row of <c>highway.weather_observation</c> (schema order).</summary>
    public void Add(IReadOnlyList<object?> row)
    {
        if (WeatherObservation.FromRow(row) is not { } o)
        {
            Quarantine.Add(HighwayWeatherDatasets.Observation.Id, ProcessorQuarantine.Malformed, "station_id and obs_time are required", row);
            return;
        }
        Add(o, row);
    }

    public void Add(WeatherObservation o) => Add(o, o.ToRow());

    private void Add(WeatherObservation o, IReadOnlyList<object?> row)
    {
        o = o with { ObsTime = o.ObsTime.ToUniversalTime() };
        var ds = HighwayWeatherDatasets.Observation.Id;
        if (!_stations.ContainsKey(o.StationId))
        {
            Quarantine.Add(ds, ProcessorQuarantine.UnknownStation, $"weather station '{o.StationId}' is not in the road network", row);
            return;
        }
        if (o.ObsTime > _clock.GetUtcNow() + MaxFutureSkew)
        {
            Quarantine.Add(ds, ProcessorQuarantine.ClockSkew, $"obs_time {o.ObsTime:O} is more than {MaxFutureSkew.TotalMinutes:F0} min ahead of the clock", row);
            return;
        }
        if (WeatherThresholds.IsIcy(o.RoadSurfaceState) && o.RoadSurfaceTempC > Thresholds.IcyStateMaxSurfaceC)
        {
            Quarantine.Add(ds, ProcessorQuarantine.Implausible, F($"road surface reported {o.RoadSurfaceState} at {o.RoadSurfaceTempC:0.0} °C"), row);
            return;
        }
        if (o.VisibilityM < 0 || o.PrecipitationMmH < 0 || o.WindSpeedMs < 0 || o.RelativeHumidityPct is < 0 or > 100)
        {
            Quarantine.Add(ds, ProcessorQuarantine.Implausible, "negative visibility, precipitation or wind, or humidity outside 0-100 %", row);
            return;
        }
        lock (_gate)
        {
            if (!_feeds.TryGetValue(o.StationId, out var feed))
            {
                _feeds[o.StationId] = feed = new StationFeed();
            }
            if (feed.LastEvaluated is { } last && o.ObsTime <= last || feed.Newest is { } newest && o.ObsTime < newest - Lateness)
            {
                var duplicate = o.ObsTime == feed.LastEvaluated;
                Quarantine.Add(ds, duplicate ? ProcessorQuarantine.Duplicate : ProcessorQuarantine.TooLate,
                    duplicate ? "observation already evaluated" : $"observation more than {Lateness.TotalMinutes:F0} min older than the station's newest ({feed.Newest:O})", row);
                return;
            }
            if (!feed.Buffer.TryAdd(o.ObsTime.UtcTicks, o))
            {
                Quarantine.Add(ds, ProcessorQuarantine.Duplicate, "observation already received", row);
                return;
            }
            if (feed.Newest is null || o.ObsTime > feed.Newest)
            {
                feed.Newest = o.ObsTime;
            }
            Drain(feed, feed.Newest.Value - Lateness);
        }
    }

    /// <summary>Evaluates everything buffered up to <paramref name="until"/> (e.g. on a clock tick when a feed is quiet).</summary>
    public void AdvanceTo(DateTimeOffset until)
    {
        lock (_gate)
        {
            foreach (var feed in _feeds.Values)
            {
                Drain(feed, until);
            }
        }
    }

    /// <summary>Evaluates everything buffered (end of a batch or a replay).</summary>
    public void Flush() => AdvanceTo(DateTimeOffset.MaxValue);

    /// <summary>Warnings in force at an instant (their version current at that instant), by station and kind.</summary>
    public IReadOnlyList<WeatherWarning> Active(DateTimeOffset at)
    {
        lock (_gate)
        {
            var list = new List<WeatherWarning>();
            foreach (var versions in _warnings.Values)
            {
                WeatherWarning? current = null;
                foreach (var v in versions)
                {
                    if (v.UpdatedAt <= at)
                    {
                        current = v;
                    }
                }
                if (current is not null && current.IssuedAt <= at && current.ClearedAt is null)
                {
                    list.Add(current);
                }
            }
            list.Sort((a, b) => a.StationId == b.StationId ? a.Kind.CompareTo(b.Kind) : string.CompareOrdinal(a.StationId, b.StationId));
            return list;
        }
    }

    /// <summary>Every version of every warning still held, in the order they were produced.</summary>
    public IReadOnlyList<WeatherWarning> History()
    {
        lock (_gate)
        {
            return [.. _warnings.Values.SelectMany(v => v).OrderBy(w => w.UpdatedAt).ThenBy(w => w.WarningId, StringComparer.Ordinal).ThenBy(w => w.Version)];
        }
    }

    /// <summary>The warning versions produced since the last call, for the host to store in <c>highway.weather_warning</c>.</summary>
    public IReadOnlyList<WeatherWarning> TakeNew()
    {
        lock (_gate)
        {
            var taken = _pending.ToArray();
            _pending.Clear();
            return taken;
        }
    }

    /// <summary>Forgets warnings cleared before <paramref name="before"/> (bounded memory).</summary>
    public void Evict(DateTimeOffset before)
    {
        lock (_gate)
        {
            foreach (var (id, versions) in _warnings.ToList())
            {
                if (versions[^1].ClearedAt < before)
                {
                    _warnings.Remove(id);
                }
            }
        }
    }

    private void Drain(StationFeed feed, DateTimeOffset until)
    {
        while (feed.Buffer.Count > 0)
        {
            var (ticks, o) = feed.Buffer.First();
            if (o.ObsTime > until)
            {
                break;
            }
            feed.Buffer.Remove(ticks);
            feed.LastEvaluated = o.ObsTime;
            Evaluate(o);
        }
    }

    private void Evaluate(WeatherObservation o)
    {
        Evaluated++;
        var t = Thresholds;
        foreach (var kind in Kinds)
        {
            if (t.Level(kind, o) is not { } level)
            {
                continue; // not measured: neither raises nor clears
            }
            if (!_tracks.TryGetValue((o.StationId, kind), out var track))
            {
                _tracks[(o.StationId, kind)] = track = new Track(Math.Max(t.RaiseAfter, t.ClearAfter));
            }
            track.Push(o, level);
            var target = 0;
            for (var l = 4; l >= 1; l--)
            {
                if (track.HeldAtLeast[l] >= t.RaiseAfter)
                {
                    target = l;
                    break;
                }
            }
            if (target > track.Level)
            {
                Emit(track, o, kind, target, cleared: false, track.Evidence(kind, t.RaiseAfter, "raised", l => l >= target));
                track.Below = 0;
            }
            else if (track.Level > 0 && level < track.Level && ++track.Below >= t.ClearAfter)
            {
                var next = track.MaxOfLast(t.ClearAfter);
                Emit(track, o, kind, next, cleared: next == 0, track.Evidence(kind, t.ClearAfter, next == 0 ? "cleared" : "lowered", l => l < track.Level));
                track.Below = 0;
            }
            else if (level >= track.Level)
            {
                track.Below = 0;
            }
        }
    }

    private void Emit(Track track, WeatherObservation o, WarningKind kind, int level, bool cleared, string evidence)
    {
        var cover = _stations[o.StationId];
        WeatherWarning w;
        if (track.Current is null)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"{o.StationId}-{WeatherAdvice.KindName(kind)}-{o.ObsTime.ToUniversalTime():yyyyMMddHHmm}");
            var (zh, en) = WeatherAdvice.For(kind, level);
            w = new WeatherWarning(id, 1, o.StationId, kind, level, o.ObsTime, o.ObsTime, null, cover.Sections, cover.Route, cover.From, cover.To, zh, en, evidence);
        }
        else
        {
            var shown = cleared ? track.Current.Level : level;
            var (zh, en) = WeatherAdvice.For(kind, shown);
            if (cleared)
            {
                (zh, en) = ("预警解除：" + zh, "Cleared: " + en);
            }
            w = track.Current with
            {
                Version = track.Current.Version + 1,
                Level = shown,
                UpdatedAt = o.ObsTime,
                ClearedAt = cleared ? o.ObsTime : null,
                AdviceZh = zh,
                AdviceEn = en,
                Evidence = evidence,
            };
        }
        if (!_warnings.TryGetValue(w.WarningId, out var versions))
        {
            _warnings[w.WarningId] = versions = [];
        }
        versions.Add(w);
        _pending.Add(w);
        track.Current = cleared ? null : w;
        track.Level = cleared ? 0 : level;
    }

    private StationCover Cover(Facility f)
    {
        var covers = double.TryParse(f.Attribute("covers_m"), NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && c > 0 ? c : Thresholds.DefaultCoversM;
        var from = f.Stake - covers;
        var to = f.Stake + covers;
        if (_network.RouteByCode.TryGetValue(f.Route, out var route))
        {
            from = Math.Max(from, Math.Min(route.StartStake, route.EndStake));
            to = Math.Min(to, Math.Max(route.StartStake, route.EndStake));
        }
        var sections = new List<string>();
        foreach (var direction in (int[])[1, 2])
        {
            foreach (var s in _network.Carriageway(f.Route, direction))
            {
                if (s.Overlaps(from, to))
                {
                    sections.Add(s.Id);
                }
            }
        }
        return new StationCover(f.Route, from, to, sections);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>One station's observations waiting for stragglers, in time order.</summary>
    private sealed class StationFeed
    {
        public readonly SortedDictionary<long, WeatherObservation> Buffer = [];
        public DateTimeOffset? Newest;
        public DateTimeOffset? LastEvaluated;
    }

    private sealed record StationCover(string Route, double From, double To, IReadOnlyList<string> Sections);

    /// <summary>Hysteresis state of one station and kind.</summary>
    private sealed class Track(int memory)
    {
        private readonly Queue<(WeatherObservation Obs, int Level)> _recent = new();
        public readonly int[] HeldAtLeast = new int[5];
        public int Level;
        public int Below;
        public WeatherWarning? Current;

        public void Push(WeatherObservation o, int level)
        {
            for (var l = 1; l <= 4; l++)
            {
                HeldAtLeast[l] = level >= l ? HeldAtLeast[l] + 1 : 0;
            }
            if (_recent.Count == memory)
            {
                _recent.Dequeue();
            }
            _recent.Enqueue((o, level));
        }

        public int MaxOfLast(int n) => _recent.Reverse().Take(n).Max(r => r.Level);

        public string Evidence(WarningKind kind, int n, string verb, Func<int, bool> counts)
        {
            var last = _recent.Reverse().Take(n).Reverse().Where(r => counts(r.Level)).ToList();
            return $"{verb} after {last.Count} consecutive observations: "
                + string.Join("; ", last.Select(r => F($"{r.Obs.ObsTime.UtcDateTime:yyyy-MM-ddTHH:mm}Z {WeatherThresholds.Describe(kind, r.Obs)}")));
        }
    }
}
