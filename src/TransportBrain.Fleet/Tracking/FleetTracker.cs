using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using TransportBrain.Fleet.Gateway;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Fleet.Tracking;

/// <summary>A vehicle's latest stored fix and when the platform received it.</summary>
public sealed record LatestFix(VehicleFix Fix, DateTimeOffset ReceivedAt);

public sealed class FleetTrackerOptions
{
    /// <summary>How often time-driven rules (offline) are evaluated.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often rule state and latest positions are written to the store.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Follows every stored fix: keeps each vehicle's latest position, runs the supervision engine (one
/// thread owns it; API changes to fences and route plans take the same lock) and hands its alarm
/// signals to the <see cref="AlarmBook"/>. Rule state and latest positions are checkpointed to hub
/// documents, so a restart resumes mid-episode without raising an open alarm twice.
/// </summary>
public sealed class FleetTracker : IAsyncDisposable
{
    public const string LatestCollection = "fleet.latest";
    public const string SupervisionCollection = "fleet.supervision";
    public const string GeofenceCollection = "fleet.geofence";
    public const string RoutePlanCollection = "fleet.route_plan";

    private static readonly JsonSerializerOptions Json = TerminalRegistry.Json;
    private readonly ConcurrentDictionary<string, LatestFix> _latest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly IHubStore _store;
    private readonly SupervisionEngine _engine;
    private readonly TimeProvider _clock;
    private readonly FleetTrackerOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private ChannelReader<VehicleFix>? _fixes;
    private Func<Func<Task>, Task> _exclusive = work => work();
    private Task? _loop;
    private long _processed;

    private FleetTracker(IHubStore store, SupervisionEngine engine, AlarmBook alarms, TimeProvider clock, FleetTrackerOptions options)
    {
        _store = store;
        _engine = engine;
        Alarms = alarms;
        _clock = clock;
        _options = options;
    }

    public AlarmBook Alarms { get; }

    public long FixesProcessed => Interlocked.Read(ref _processed);

    public static async Task<FleetTracker> LoadAsync(IHubStore store, SupervisionEngine engine, AlarmBook alarms, TimeProvider clock, FleetTrackerOptions? options = null, CancellationToken ct = default)
    {
        var t = new FleetTracker(store, engine, alarms, clock, options ?? new FleetTrackerOptions());
        await foreach (var d in store.AllDocumentsAsync(LatestCollection, ct: ct))
        {
            if (JsonSerializer.Deserialize<LatestFix>(d.Json, Json) is { } latest)
            {
                t._latest[d.Key] = latest;
            }
        }
        await foreach (var d in store.AllDocumentsAsync(GeofenceCollection, ct: ct))
        {
            if (JsonSerializer.Deserialize<GeofenceSpec>(d.Json, Json) is { } spec)
            {
                engine.Geofences.AddOrReplace(spec.ToGeofence());
            }
        }
        await foreach (var d in store.AllDocumentsAsync(RoutePlanCollection, ct: ct))
        {
            if (JsonSerializer.Deserialize<RoutePlanSpec>(d.Json, Json) is { } spec)
            {
                engine.RoutePlans.Set(spec.ToRoutePlan());
            }
        }
        await foreach (var d in store.AllDocumentsAsync(SupervisionCollection, ct: ct))
        {
            try
            {
                engine.MergeState(d.Json);
            }
            catch (FormatException e)
            {
                // A vehicle whose checkpoint cannot be read starts afresh; supervision of the others goes on.
                Console.Error.WriteLine($"supervision state of {d.Key} ignored: {e.Message}");
            }
        }
        return t;
    }

    /// <summary>
    /// Starts following the writer's stored fixes. <paramref name="exclusive"/> runs the checkpoint's
    /// store writes where they do not compete with the position writer (its own loop).
    /// </summary>
    public void Start(ChannelReader<VehicleFix> fixes, Func<Func<Task>, Task>? exclusive = null)
    {
        _fixes = fixes;
        _exclusive = exclusive ?? _exclusive;
        _loop = Task.Run(RunAsync);
    }

    public LatestFix? Latest(string terminalId) => _latest.GetValueOrDefault(terminalId);

    public IReadOnlyDictionary<string, LatestFix> AllLatest => _latest;

    /// <summary>Runs one fix through the engine now (used by the loop, and by tests without a gateway).</summary>
    public async Task ProcessAsync(VehicleFix fix, DateTimeOffset receivedAt, CancellationToken ct = default)
    {
        IReadOnlyList<AlarmSignalEvent> signals;
        lock (_engine)
        {
            signals = _engine.Process(fix);
        }
        var previous = _latest.GetValueOrDefault(fix.TerminalId);
        if (previous is null || previous.Fix.Time <= fix.Time)
        {
            _latest[fix.TerminalId] = new LatestFix(fix, receivedAt);
            _dirty[fix.TerminalId] = 0;
        }
        Interlocked.Increment(ref _processed);
        if (signals.Count > 0)
        {
            await Alarms.ApplyAsync(signals, ct);
        }
    }

    /// <summary>Evaluates time-driven rules (offline) at <paramref name="now"/>.</summary>
    public async Task TickAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        IReadOnlyList<AlarmSignalEvent> signals;
        lock (_engine)
        {
            signals = _engine.Tick(now);
        }
        foreach (var s in signals)
        {
            _dirty[s.TerminalId] = 0;
        }
        if (signals.Count > 0)
        {
            await Alarms.ApplyAsync(signals, ct);
        }
    }

    /// <summary>
    /// Writes the rule state and latest position of every vehicle that had a fix since the last
    /// checkpoint, one small document each, in transactions of a few hundred so the position
    /// writer (which shares the store) never waits long.
    /// </summary>
    public async Task CheckpointAsync(CancellationToken ct = default)
    {
        var keys = _dirty.Keys.ToArray();
        foreach (var k in keys)
        {
            _dirty.TryRemove(k, out _);
        }
        const int Group = 100;
        for (var i = 0; i < keys.Length; i += Group)
        {
            var slice = keys.AsSpan(i, Math.Min(Group, keys.Length - i)).ToArray();
            List<(string, string)> states;
            lock (_engine)
            {
                states = [.. slice.Select(k => (k, _engine.ExportState([k])))];
            }
            var now = _clock.GetUtcNow();
            List<(string, string)> latest = [.. slice.Select(k => (Key: k, Latest: _latest.GetValueOrDefault(k))).Where(x => x.Latest is not null).Select(x => (x.Key, JsonSerializer.Serialize(x.Latest, Json)))];
            await _exclusive(async () =>
            {
                await _store.PutDocumentsAsync(SupervisionCollection, states, now, ct);
                await _store.PutDocumentsAsync(LatestCollection, latest, now, ct);
            });
        }
    }

    // ---- fences and route plans (kept as documents, applied to the engine under its lock) --------

    public IReadOnlyList<GeofenceSpec> Geofences()
    {
        lock (_engine)
        {
            return _engine.Geofences.Select(GeofenceSpec.From).ToList();
        }
    }

    public async Task PutGeofenceAsync(GeofenceSpec spec, CancellationToken ct = default)
    {
        var fence = spec.ToGeofence();
        await _store.PutDocumentsAsync(GeofenceCollection, [(spec.Id, JsonSerializer.Serialize(spec, Json))], _clock.GetUtcNow(), ct);
        lock (_engine)
        {
            _engine.Geofences.AddOrReplace(fence);
        }
    }

    public async Task<bool> RemoveGeofenceAsync(string id, CancellationToken ct = default)
    {
        await _store.DeleteDocumentAsync(GeofenceCollection, id, ct);
        lock (_engine)
        {
            return _engine.Geofences.Remove(id);
        }
    }

    public IReadOnlyList<RoutePlanSpec> RoutePlans(string terminalId)
    {
        lock (_engine)
        {
            return _engine.RoutePlans.For(terminalId).Select(RoutePlanSpec.From).ToList();
        }
    }

    /// <summary>Sets the terminal's planned route (one per terminal: a new plan replaces the old).</summary>
    public async Task SetRoutePlanAsync(RoutePlanSpec spec, CancellationToken ct = default)
    {
        var plan = spec.ToRoutePlan();
        await _store.PutDocumentsAsync(RoutePlanCollection, [(spec.TerminalId, JsonSerializer.Serialize(spec, Json))], _clock.GetUtcNow(), ct);
        lock (_engine)
        {
            _engine.RoutePlans.Set(plan);
        }
    }

    private async Task RunAsync()
    {
        var reader = _fixes!;
        var nextTick = _clock.GetUtcNow() + _options.TickInterval;
        var nextCheckpoint = _clock.GetUtcNow() + _options.CheckpointInterval;
        Task<bool>? waiting = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                waiting ??= reader.WaitToReadAsync(_stop.Token).AsTask();
                var delay = nextTick - _clock.GetUtcNow();
                if (delay > TimeSpan.Zero)
                {
                    await Task.WhenAny(waiting, Task.Delay(delay, _clock, _stop.Token));
                }
                if (waiting.IsCompleted)
                {
                    if (!await waiting)
                    {
                        break;
                    }
                    waiting = null;
                }
                while (reader.TryRead(out var fix))
                {
                    await ProcessAsync(fix, _clock.GetUtcNow(), _stop.Token);
                }
                var now = _clock.GetUtcNow();
                if (now >= nextTick)
                {
                    await TickAsync(now, _stop.Token);
                    nextTick = now + _options.TickInterval;
                }
                if (now >= nextCheckpoint)
                {
                    await CheckpointAsync(_stop.Token);
                    nextCheckpoint = now + _options.CheckpointInterval;
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failing store must not stop supervision: the next checkpoint retries.
                // With its type and where it came from: a bare message ("The channel has been closed.") has
                // been seen in test logs without anything to tell which write failed.
                Console.Error.WriteLine($"fleet tracker: {e.GetType().Name}: {e.Message}{Environment.NewLine}{e.StackTrace}");
                await Task.Delay(TimeSpan.FromSeconds(1), _clock);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _exclusive = work => work(); // the position writer stops before the tracker
        if (_loop is not null)
        {
            // Let the loop drain what the writer has already stored, then stop it.
            var deadline = _clock.GetUtcNow().AddSeconds(5);
            while (_fixes is { Count: > 0 } && _clock.GetUtcNow() < deadline)
            {
                await Task.Delay(20);
            }
            await _stop.CancelAsync();
            await _loop;
        }
        await CheckpointAsync();
        _stop.Dispose();
    }
}

/// <summary>A geofence as the API and the store spell it: a polygon ring or a circle, both WGS-84.</summary>
public sealed record GeofenceSpec
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    /// <summary>"allowed" or "prohibited".</summary>
    public required string Kind { get; init; }
    /// <summary>Ring of [longitude, latitude] pairs (GeoJSON order).</summary>
    public IReadOnlyList<double[]>? Polygon { get; init; }
    public double[]? CircleCentre { get; init; }
    public double? CircleRadiusM { get; init; }
    public IReadOnlyList<string>? Categories { get; init; }
    public IReadOnlyList<string>? Terminals { get; init; }

    public Geofence ToGeofence()
    {
        var kind = Kind.ToLowerInvariant() switch
        {
            "allowed" or "允许" => GeofenceKind.Allowed,
            "prohibited" or "禁入" => GeofenceKind.Prohibited,
            _ => throw new ArgumentException($"geofence kind must be 'allowed' or 'prohibited', not '{Kind}'"),
        };
        GeoArea area;
        if (Polygon is { Count: >= 3 } ring)
        {
            if (ring.Any(p => p.Length != 2))
            {
                throw new ArgumentException("each polygon point is [longitude, latitude]");
            }
            area = new GeoPolygon(ring.Select(p => (p[1], p[0])).ToList());
        }
        else if (CircleCentre is { Length: 2 } c && CircleRadiusM is > 0 and var r)
        {
            area = new GeoCircle(c[1], c[0], r);
        }
        else
        {
            throw new ArgumentException("a geofence needs a polygon of at least 3 [longitude, latitude] points, or circleCentre [longitude, latitude] with circleRadiusM > 0");
        }
        HashSet<VehicleCategory>? categories = null;
        if (Categories is { Count: > 0 })
        {
            categories = [];
            foreach (var name in Categories)
            {
                if (!TerminalRegistry.TryParseCategory(name, out var cat))
                {
                    throw new ArgumentException($"unknown vehicle category '{name}'");
                }
                categories.Add(cat);
            }
        }
        return new Geofence(Id, Name, kind, area, categories, Terminals is { Count: > 0 } t ? new HashSet<string>(t, StringComparer.Ordinal) : null);
    }

    public static GeofenceSpec From(Geofence g) => new()
    {
        Id = g.Id,
        Name = g.Name,
        Kind = g.Kind == GeofenceKind.Allowed ? "allowed" : "prohibited",
        Polygon = g.Area is GeoPolygon p ? p.Ring.Select(v => new[] { v.Lon, v.Lat }).ToList() : null,
        CircleCentre = g.Area is GeoCircle c ? [c.CentreLongitude, c.CentreLatitude] : null,
        CircleRadiusM = g.Area is GeoCircle c2 ? c2.RadiusM : null,
        Categories = g.Categories?.Select(TerminalRegistry.CategoryName).Order().ToList(),
        Terminals = g.Terminals?.Order().ToList(),
    };
}

/// <summary>A planned route as the API and the store spell it: [longitude, latitude] points and a corridor width.</summary>
public sealed record RoutePlanSpec
{
    public required string TerminalId { get; init; }
    public required IReadOnlyList<double[]> Line { get; init; }
    public double CorridorWidthM { get; init; } = 1000;
    public DateTimeOffset? ValidFrom { get; init; }
    public DateTimeOffset? ValidTo { get; init; }

    public RoutePlan ToRoutePlan()
    {
        if (Line.Count < 2 || Line.Any(p => p.Length != 2))
        {
            throw new ArgumentException("a route plan needs a line of at least 2 [longitude, latitude] points");
        }
        if (CorridorWidthM <= 0)
        {
            throw new ArgumentException("corridorWidthM must be positive");
        }
        return new RoutePlan(TerminalId, Line.Select(p => (p[1], p[0])).ToList(), CorridorWidthM, ValidFrom, ValidTo);
    }

    public static RoutePlanSpec From(RoutePlan p) => new()
    {
        TerminalId = p.TerminalId,
        Line = p.Polyline.Select(v => new[] { v.Lon, v.Lat }).ToList(),
        CorridorWidthM = p.CorridorWidthM,
        ValidFrom = p.ValidFrom,
        ValidTo = p.ValidTo,
    };
}
