using System.Globalization;
using System.Text;
using System.Threading.Channels;
using TransportBrain.Highway.Fusion;
using TransportBrain.Highway.Incidents;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Processing;
using TransportBrain.Highway.TravelTimes;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Highway;

/// <summary>What a network import did.</summary>
public sealed record NetworkImport(int Features, int Routes, int Gantries, int Sections, int Facilities, IReadOnlyList<string> Problems, IReadOnlyList<QualityReport> Reports);

/// <summary>What a recompute of a time range produced.</summary>
public sealed record RecomputeResult(long Passes, long Rejected, int SectionIntervals, int Incidents, int Warnings, ProcessorCounters Counters);

/// <summary>
/// The highway context at run time: the road network (kept as a hub document and in the network
/// datasets), the live pipeline fed by the hub's record feed as transactions are stored, the derived
/// datasets it writes, and the queries the API serves. Batch recomputes of a time range read the
/// stored transactions in time order through a fresh pipeline.
/// </summary>
public sealed class HighwayService : IAsyncDisposable
{
    public const string NetworkCollection = "highway.network";
    private readonly IHubStore _store;
    private readonly DatasetRegistry _registry;
    private readonly IngestService _ingest;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly Channel<GantryPass> _passes = Channel.CreateBounded<GantryPass>(new BoundedChannelOptions(200_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IncidentCandidate> _recentIncidents = [];
    private readonly List<CongestionWarning> _recentWarnings = [];
    private readonly List<object?[]> _outTravel = [], _outState = [], _outFlow = [], _outOd = [], _outIncident = [], _outWarning = [];
    private IDisposable? _subscription, _stationSubscription, _weatherSubscription;
    private Task? _loop;
    private Task? _ticker;
    private GantryPassReader? _reader;
    private HighwayPipeline? _pipeline;
    private long _lastPassWallTicks;
    private long _rejected;

    private HighwayService(IHubStore store, DatasetRegistry registry, IngestService ingest, TimeProvider clock)
    {
        _store = store;
        _registry = registry;
        _ingest = ingest;
        _clock = clock;
    }

    public RoadNetwork? Network { get; private set; }
    /// <summary>Survey-station states and detector health (B3), fed by highway.survey_station_5min.</summary>
    public Stations.StationProcessor? Stations { get; private set; }
    /// <summary>Road weather warnings (B9), fed by highway.weather_observation.</summary>
    public Weather.WeatherWarnings? Weather { get; private set; }
    public HighwayPipeline? Pipeline => _pipeline;
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Passes taken by the live pipeline so far (accepted, late and repeated transactions together).</summary>
    public long Processed { get; private set; }

    /// <summary>Times the live pipeline failed to write its outputs (section states, incidents...); it went on.</summary>
    public long OutputWriteFailures { get; private set; }

    /// <summary>Why the latest failed write of <see cref="OutputWriteFailures"/> failed.</summary>
    public string? LastOutputError { get; private set; }

    public static async Task<HighwayService> StartAsync(IHubStore store, DatasetRegistry registry, IngestService ingest, TimeProvider clock, bool live = true, CancellationToken ct = default)
    {
        var service = new HighwayService(store, registry, ingest, clock);
        var doc = await store.GetDocumentAsync(NetworkCollection, "current", ct);
        if (doc is not null)
        {
            service.Use(NetworkFile.LoadGeoJson(doc.Json).Network);
            await service.RestoreStatesAsync(ct);
        }
        if (live)
        {
            service._subscription = ingest.Feed.Subscribe(HighwayDatasets.GantryTransaction.Id, new Observer(service));
            service._stationSubscription = ingest.Feed.Subscribe(HighwayDatasets.SurveyStation5Min.Id, new Forward(() => service.Stations));
            service._weatherSubscription = ingest.Feed.Subscribe(TransportBrain.Highway.Weather.HighwayWeatherDatasets.Observation.Id, new Forward(() => service.Weather));
            service._loop = Task.Run(service.RunAsync);
            service._ticker = Task.Run(service.TickAsync);
        }
        return service;
    }

    /// <summary>
    /// Restores each section's latest stored state of the last day (highway.section_state), so that after a
    /// restart, or after a batch import by another process, the map shows what is known instead of no data.
    /// </summary>
    private async Task RestoreStatesAsync(CancellationToken ct)
    {
        var network = Network!;
        var d = HighwayDerivedDatasets.SectionState;
        int F(string name) => d.Fields.Select((f, i) => (f.Name, i)).First(x => x.Name == name).i;
        int id = F("section_id"), start = F("interval_start"), speed = F("speed_kmh"), travel = F("travel_time_s"), flow = F("flow_vph"),
            level = F("level"), confidence = F("confidence"), sources = F("sources");
        var now = _clock.GetUtcNow();
        var latest = new Dictionary<int, SectionState>();
        string? cursor = null;
        do
        {
            var page = await _store.ReadRecordsAsync(d, new RecordQuery(now.AddDays(-1), now.AddMinutes(5), 10_000, cursor), ct);
            foreach (var r in page.Records)
            {
                if (r.Values[id] is not string sectionId || network.Section(sectionId) is not { } section || r.Values[start] is not DateTimeOffset at)
                {
                    continue;
                }
                if (latest.TryGetValue(section.Index, out var known) && known.IntervalTicks >= at.UtcTicks)
                {
                    continue;
                }
                latest[section.Index] = new SectionState(section.Index, sectionId, at.UtcTicks, AsDouble(r.Values[speed]), AsDouble(r.Values[travel]),
                    AsDouble(r.Values[flow]) ?? 0, (CongestionLevel)Convert.ToInt32(r.Values[level] ?? 0, CultureInfo.InvariantCulture),
                    AsDouble(r.Values[confidence]) ?? 0, 0, 0, 0, r.Values[sources] as string ?? "", Final: true);
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        lock (_gate)
        {
            foreach (var state in latest.Values)
            {
                _pipeline?.Restore(state);
            }
        }

        static double? AsDouble(object? v) => v is null ? null : Convert.ToDouble(v, CultureInfo.InvariantCulture);
    }

    /// <summary>Reads a network file, keeps it as the current network, and writes the network datasets through their quality gates.</summary>
    public async Task<NetworkImport> ImportNetworkAsync(string path, CancellationToken ct = default)
    {
        var load = NetworkFile.Load(path);
        var network = load.Network;
        var geojson = NetworkGeoJson.Write(network, null);
        await _store.PutDocumentsAsync(NetworkCollection, [("current", geojson)], _clock.GetUtcNow(), ct);
        var reports = new List<QualityReport>
        {
            await IngestCsvAsync(HighwayDerivedDatasets.Route, network.Routes.Select(r => Csv(r.Code, r.NameZh, r.NameEn, r.RoadClass, Stake.Format(r.StartStake), Stake.Format(r.EndStake), N(r.SpeedLimitKmh), r.LanesPerDirection.ToString(CultureInfo.InvariantCulture))), path, ct),
            await IngestCsvAsync(HighwayDatasets.Gantry, network.Gantries.Select(g => Csv(g.Id, g.Attribute("gantry_hex") ?? "", g.Name, g.Route, Stake.Format(g.Stake), g.Direction.ToString(CultureInfo.InvariantCulture), N(g.Location.Lon), N(g.Location.Lat))), path, ct),
            await IngestCsvAsync(HighwayDatasets.SurveyStation, network.OfKind(FacilityKind.SurveyStation).Select(s => Csv(s.Id, s.Name, s.Route, Stake.Format(s.Stake), s.Attribute("lanes_per_direction") ?? network.RouteByCode[s.Route].LanesPerDirection.ToString(CultureInfo.InvariantCulture), N(s.Location.Lon), N(s.Location.Lat))), path, ct),
            await IngestCsvAsync(HighwayDerivedDatasets.Facility, network.Facilities.Where(f => f.Kind is not (FacilityKind.Gantry or FacilityKind.SurveyStation)).Select(f => Csv(f.Id, NetworkFile.KindName(f.Kind), f.Name, f.Route, Stake.Format(f.Stake), f.EndStake is { } e ? Stake.Format(e) : "", f.Direction.ToString(CultureInfo.InvariantCulture), N(f.Location.Lon), N(f.Location.Lat))), path, ct),
            await IngestCsvAsync(HighwayDerivedDatasets.RoadSection, network.Sections.Select(s => Csv(s.Id, s.Route, s.Direction.ToString(CultureInfo.InvariantCulture), s.From.Id, s.To.Id, Stake.Format(s.FromStake), Stake.Format(s.ToStake), N(s.LengthM), N(s.SpeedLimitKmh))), path, ct),
        };
        Use(network);
        return new NetworkImport(load.FeaturesRead, network.Routes.Count, network.Gantries.Count, network.Sections.Count, network.Facilities.Count, load.Problems, reports);
    }

    /// <summary>
    /// Recomputes a time range from the stored transactions (in time order) through a fresh pipeline and
    /// writes the derived datasets. Rows already derived for the same keys (by the live pipeline) are
    /// counted as duplicates in the batch report.
    /// </summary>
    public async Task<RecomputeResult> RecomputeAsync(DateTimeOffset from, DateTimeOffset to, bool write = true, Action<SectionState>? onState = null, CancellationToken ct = default)
    {
        var network = Network ?? throw new InvalidOperationException("no road network yet: import one with `brain highway network import FILE`");
        var pipeline = new HighwayPipeline(network);
        var reader = new GantryPassReader(network);
        var collected = new Outputs();
        collected.Attach(pipeline);
        if (onState is not null)
        {
            pipeline.StatesFinal += states =>
            {
                foreach (var s in states)
                {
                    onState(s);
                }
            };
        }
        await using var writers = new WriterSet(_store, _clock, "recompute");
        long passes = 0, rejected = 0;
        string? cursor = null;
        do
        {
            var page = await _store.ReadRecordsAsync(HighwayDatasets.GantryTransaction, new RecordQuery(from, to, 10_000, cursor), ct);
            foreach (var record in page.Records)
            {
                if (reader.TryRead(record.Values, out var pass) == PassRejection.None)
                {
                    pipeline.Add(pass);
                    passes++;
                }
                else
                {
                    rejected++;
                }
            }
            cursor = page.NextCursor;
            if (write)
            {
                await writers.WriteAsync(collected, ct);
            }
        }
        while (cursor is not null);
        pipeline.Flush();
        var result = new RecomputeResult(passes, rejected, collected.StateCount, collected.IncidentCount, collected.WarningCount, pipeline.Traffic.Counters);
        if (write)
        {
            await writers.WriteAsync(collected, ct);
        }
        return result;
    }

    /// <summary>The freshest state of every section (provisional for the interval still filling when it has enough vehicles).</summary>
    public IReadOnlyList<SectionState?> LatestStates()
    {
        lock (_gate)
        {
            if (_pipeline is null)
            {
                return [];
            }
            var now = _clock.GetUtcNow().UtcTicks;
            return [.. Network!.Sections.Select(s => _pipeline.Latest(s.Index, now))];
        }
    }

    public IReadOnlyList<IncidentCandidate> Incidents(bool activeOnly)
    {
        lock (_gate)
        {
            return activeOnly ? [.. _pipeline?.Detector.Active ?? []] : [.. _recentIncidents];
        }
    }

    public IReadOnlyList<CongestionWarning> Warnings(bool activeOnly)
    {
        lock (_gate)
        {
            return activeOnly ? [.. _pipeline?.Forecaster.Active ?? []] : [.. _recentWarnings];
        }
    }

    /// <summary>Forecasts 15/30/60 minutes ahead from each section's latest state.</summary>
    public IReadOnlyList<SectionForecast> Forecasts(string sectionId)
    {
        lock (_gate)
        {
            if (_pipeline is null || Network?.Section(sectionId) is not { } s || _pipeline.Latest(s.Index, _clock.GetUtcNow().UtcTicks) is not { } st)
            {
                return [];
            }
            var issued = st.IntervalTicks + TimeSpan.TicksPerMinute * 5;
            return [.. CongestionForecaster.Horizons.Select(h => _pipeline.Forecaster.Predict(st, h, issued))];
        }
    }

    public ProcessorCounters? Counters => _pipeline?.Traffic.Counters;

    /// <summary>Every section's state each time the live pipeline finalises an interval (on the pipeline's loop: hand off, do not block).</summary>
    public event Action<IReadOnlyList<SectionState>>? StatesFinal;

    /// <summary>An incident candidate raised by the live detector.</summary>
    public event Action<IncidentCandidate>? IncidentRaised;

    private void Use(RoadNetwork network)
    {
        lock (_gate)
        {
            Network = network;
            _reader = new GantryPassReader(network);
            Stations = new Stations.StationProcessor(network, clock: _clock);
            Weather = new Weather.WeatherWarnings(network, clock: _clock);
            _pipeline = new HighwayPipeline(network, stations: Stations.States);
            new Outputs(this).Attach(_pipeline);
            _pipeline.StatesFinal += states => StatesFinal?.Invoke(states);
            _pipeline.Detector.Raised += c => IncidentRaised?.Invoke(c);
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        await using var writers = new WriterSet(_store, _clock, "live pipeline");
        try
        {
            while (await _passes.Reader.WaitToReadAsync(ct))
            {
                lock (_gate)
                {
                    while (_passes.Reader.TryRead(out var pass))
                    {
                        if (pass.Ticks != 0) // the ticker's wake-up call carries no pass
                        {
                            _pipeline?.Add(pass);
                            Processed++;
                        }
                    }
                }
                try
                {
                    await FlushOutputsAsync(writers, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failing store must not stop the pipeline: if this loop ended, nothing would read the pass
                    // queue and every gantry import would wait on it for ever. The outputs of this flush are lost
                    // (the batch pipeline can rebuild them from the stored transactions); the failure is counted.
                    OutputWriteFailures++;
                    LastOutputError = e.Message;
                    Console.Error.WriteLine($"highway live pipeline: writing its outputs failed: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        await FlushOutputsAsync(writers, CancellationToken.None);
    }

    private async Task TickAsync()
    {
        var ct = _stop.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(15), _clock, ct);
                var now = _clock.GetUtcNow();
                // A quiet stream: let the watermark follow the clock so the last intervals become final.
                if (now.UtcTicks - Interlocked.Read(ref _lastPassWallTicks) > TimeSpan.TicksPerMinute)
                {
                    lock (_gate)
                    {
                        if (_pipeline is { } p && p.Traffic.WatermarkTicks != long.MinValue && p.Traffic.WatermarkTicks < now.UtcTicks && p.Traffic.WatermarkTicks > now.UtcTicks - TimeSpan.TicksPerDay)
                        {
                            p.Traffic.AdvanceTo(now.UtcTicks);
                        }
                    }
                    _passes.Writer.TryWrite(default); // wake the loop to write what became final
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FlushOutputsAsync(WriterSet writers, CancellationToken ct)
    {
        Outputs batch;
        lock (_gate)
        {
            batch = new Outputs();
            batch.Take(_outTravel, _outState, _outFlow, _outOd, _outIncident, _outWarning);
        }
        await writers.WriteAsync(batch, ct);
        if (Stations is { } st && st.TakeHealthRows() is { Count: > 0 } health)
        {
            await writers.Health.WriteAsync(health, ct);
        }
        if (Weather is { } w && w.TakeNew() is { Count: > 0 } warnings)
        {
            await writers.WeatherWarning.WriteAsync([.. warnings.Select(x => x.ToRow())], ct);
        }
    }

    private async Task<QualityReport> IngestCsvAsync(DatasetDefinition dataset, IEnumerable<string> rows, string source, CancellationToken ct)
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", dataset.Fields.Select(f => f.Name)));
        foreach (var r in rows)
        {
            sb.AppendLine(r);
        }
        using var csv = new CsvRecordSource(new MemoryStream(Encoding.UTF8.GetBytes(sb.ToString())), dataset, Encoding.UTF8);
        return await _ingest.IngestAsync(dataset, csv, $"network file {Path.GetFileName(source)}", null, ct);
    }

    private static string Csv(params string[] cells) => string.Join(",", cells.Select(c => c.Contains(',') || c.Contains('"') ? "\"" + c.Replace("\"", "\"\"") + "\"" : c));

    private static string N(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        _stationSubscription?.Dispose();
        _weatherSubscription?.Dispose();
        _passes.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop;
        }
        await _stop.CancelAsync();
        if (_ticker is not null)
        {
            await _ticker;
        }
        _stop.Dispose();
    }

    private sealed class Forward(Func<IStoredRecordObserver?> target) : IStoredRecordObserver
    {
        public void OnStored(DatasetDefinition dataset, IReadOnlyList<object?[]> rows) => target()?.OnStored(dataset, rows);
    }

    private sealed class Observer(HighwayService service) : IStoredRecordObserver
    {
        public void OnStored(DatasetDefinition dataset, IReadOnlyList<object?[]> rows)
        {
            var reader = service._reader;
            if (reader is null)
            {
                return;
            }
            Interlocked.Exchange(ref service._lastPassWallTicks, service._clock.GetUtcNow().UtcTicks);
            foreach (var row in rows)
            {
                if (reader.TryRead(row, out var pass) == PassRejection.None)
                {
                    // Back-pressure: a full queue makes the import wait rather than lose passes.
                    while (!service._passes.Writer.TryWrite(pass))
                    {
                        if (service._passes.Reader.Completion.IsCompleted)
                        {
                            return;
                        }
                        Thread.Sleep(1);
                    }
                }
                else
                {
                    Interlocked.Increment(ref service._rejected);
                }
            }
        }
    }

    /// <summary>Collects a pipeline's outputs as dataset rows (for the live service, into its pending lists).</summary>
    private sealed class Outputs
    {
        private readonly HighwayService? _owner;
        public List<object?[]> Travel = [], State = [], Flow = [], Od = [], Incident = [], Warning = [];
        public int StateCount, IncidentCount, WarningCount;
        private RoadNetwork? _network;

        public Outputs(HighwayService? owner = null) => _owner = owner;

        public void Attach(HighwayPipeline p)
        {
            _network = p.Network;
            if (_owner is not null)
            {
                Travel = _owner._outTravel;
                State = _owner._outState;
                Flow = _owner._outFlow;
                Od = _owner._outOd;
                Incident = _owner._outIncident;
                Warning = _owner._outWarning;
            }
            p.Traffic.SectionFinal += i => Travel.Add(TravelRow(_network!, i));
            p.StatesFinal += states =>
            {
                foreach (var s in states)
                {
                    State.Add(StateRow(s));
                    StateCount++;
                }
            };
            p.Traffic.GantryFlowFinal += f => Flow.Add(FlowRow(_network!, f));
            p.Traffic.OdFinal += o => Od.Add([new DateTimeOffset(o.HourTicks, TimeSpan.Zero), o.EntryStation, o.ExitStation, (long)o.Trips, (long)o.CarTrips, (long)o.TruckTrips]);
            p.Detector.Raised += c =>
            {
                Incident.Add(IncidentRow(c, "raised"));
                IncidentCount++;
                if (_owner is not null)
                {
                    Remember(_owner._recentIncidents, c);
                }
            };
            p.Detector.Cleared += c =>
            {
                Incident.Add(IncidentRow(c, "cleared"));
                if (_owner is not null)
                {
                    _owner._recentIncidents.RemoveAll(x => x.Id == c.Id);
                    Remember(_owner._recentIncidents, c);
                }
            };
            p.Forecaster.Issued += w =>
            {
                Warning.Add([w.Id, w.SectionId, new DateTimeOffset(w.IssuedTicks, TimeSpan.Zero), (long)w.HorizonMinutes, w.PredictedSpeedKmh, (long)w.PredictedLevel, (long)w.CurrentLevel]);
                WarningCount++;
                if (_owner is not null)
                {
                    Remember(_owner._recentWarnings, w);
                }
            };
        }

        public void Take(params List<object?[]>[] lists)
        {
            Travel = [.. lists[0]];
            State = [.. lists[1]];
            Flow = [.. lists[2]];
            Od = [.. lists[3]];
            Incident = [.. lists[4]];
            Warning = [.. lists[5]];
            foreach (var l in lists)
            {
                l.Clear();
            }
        }

        private static void Remember<T>(List<T> list, T item)
        {
            list.Add(item);
            if (list.Count > 500)
            {
                list.RemoveAt(0);
            }
        }

        private static object?[] TravelRow(RoadNetwork n, SectionInterval i) =>
        [
            n.Sections[i.Section].Id, i.IntervalStart, (long)i.All.Samples, (long)i.All.Used, Round(i.All.TravelTimeS), Round(i.All.SpeedKmh), i.All.Confidence,
            GroupEstimate.SourceName(i.All.Source), (long)i.Car.Samples, Round(i.Car.SpeedKmh), (long)i.Truck.Samples, Round(i.Truck.SpeedKmh),
            (long)i.Flow, (long)i.CarFlow, (long)i.TruckFlow,
        ];

        private static object?[] StateRow(SectionState s) =>
        [
            s.SectionId, s.IntervalStart, s.SpeedKmh, s.TravelTimeS, Math.Round(s.FlowVph, 1), (long)s.Level, CongestionLevels.NameZh(s.Level), s.Confidence, s.Sources,
        ];

        private static object?[] FlowRow(RoadNetwork n, GantryFlow f)
        {
            var c = f.ByClass;
            return
            [
                n.Gantries[f.Gantry].Id, new DateTimeOffset(f.IntervalTicks, TimeSpan.Zero), (long)f.Total, (long)f.Passenger, (long)f.Truck,
                (long)c[1], (long)(c[2] + c[3] + c[4]), (long)(c[11] + c[12]), (long)(c[13] + c[14] + c[15] + c[16]), (long)(c[21] + c[22] + c[23] + c[24] + c[25] + c[26]),
            ];
        }

        private static object?[] IncidentRow(IncidentCandidate c, string status) =>
        [
            c.Id, status, c.Kind, c.SectionId, c.Route, (long)c.Direction, c.StakeText, new DateTimeOffset(c.OnsetTicks, TimeSpan.Zero),
            new DateTimeOffset(c.DetectedTicks, TimeSpan.Zero), c.ClearedTicks is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null, c.Evidence, c.EvidenceZh,
        ];

        private static double? Round(double? v) => v is { } x ? Math.Round(x, 2) : null;
    }

    private sealed class WriterSet(IHubStore store, TimeProvider clock, string source) : IAsyncDisposable
    {
        private readonly DerivedWriter _travel = new(store, HighwayDerivedDatasets.SectionTravelTime, source, clock);
        private readonly DerivedWriter _state = new(store, HighwayDerivedDatasets.SectionState, source, clock);
        private readonly DerivedWriter _flow = new(store, HighwayDerivedDatasets.GantryFlow, source, clock);
        private readonly DerivedWriter _od = new(store, HighwayDerivedDatasets.OdHourly, source, clock);
        private readonly DerivedWriter _incident = new(store, HighwayDerivedDatasets.Incident, source, clock);
        private readonly DerivedWriter _warning = new(store, HighwayDerivedDatasets.Warning, source, clock);
        public DerivedWriter Health { get; } = new(store, TransportBrain.Highway.Stations.HighwayStationDatasets.DetectorHealth, source, clock);
        public DerivedWriter WeatherWarning { get; } = new(store, TransportBrain.Highway.Weather.HighwayWeatherDatasets.Warning, source, clock);

        public async Task WriteAsync(Outputs o, CancellationToken ct)
        {
            await Drain(_travel, o.Travel, ct);
            await Drain(_state, o.State, ct);
            await Drain(_flow, o.Flow, ct);
            await Drain(_od, o.Od, ct);
            await Drain(_incident, o.Incident, ct);
            await Drain(_warning, o.Warning, ct);
        }

        private static async Task Drain(DerivedWriter w, List<object?[]> rows, CancellationToken ct)
        {
            for (var i = 0; i < rows.Count; i += 8192)
            {
                await w.WriteAsync(rows.GetRange(i, Math.Min(8192, rows.Count - i)), ct);
            }
            rows.Clear();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var w in new[] { _travel, _state, _flow, _od, _incident, _warning, Health, WeatherWarning })
            {
                await w.DisposeAsync();
            }
        }
    }
}
