using System.Text.Json;

namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// Server-side supervision rules for 两客一危 vehicles and heavy trucks. Pure and single-threaded:
/// the gateway calls <see cref="Process"/> with each stored position, in order per vehicle, and
/// <see cref="Tick"/> periodically; both return the alarm signals that happened. Time is event
/// (GNSS) time throughout, so replaying the same fixes gives the same signals and ids.
/// </summary>
/// <remarks>
/// Rules run on each in-order fix in this order: device alarm bits, offline (ended), overspeed,
/// fatigue, night driving, geofences, route deviation. Not thread-safe: call it from one thread,
/// and change <see cref="Geofences"/> and <see cref="RoutePlans"/> on that thread too.
/// </remarks>
public sealed class SupervisionEngine
{
    private readonly SupervisionConfig _config;
    private readonly ISpeedLimitSource? _roadLimits;
    private readonly LocalClock _clock;
    private readonly Dictionary<string, VehicleState> _vehicles = new(StringComparer.Ordinal);
    private readonly SignalWriter _writer = new();
    private readonly DeviceAlarmRule _device;
    private readonly OfflineRule _offline;
    private readonly OverspeedRule _overspeed;
    private readonly FatigueRule _fatigue;
    private readonly NightDrivingRule _night;
    private readonly GeofenceRule _geofence;
    private readonly RouteDeviationRule _route;

    /// <param name="local">Time zone for calendar days and daily windows; default China Standard Time (UTC+8).</param>
    public SupervisionEngine(SupervisionConfig config, ISpeedLimitSource? roadLimits = null, TimeZoneInfo? local = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        _roadLimits = roadLimits;
        _clock = new LocalClock(local ?? LocalClock.ChinaStandardTime);
        _device = new DeviceAlarmRule(_clock);
        _offline = new OfflineRule(_clock);
        _overspeed = new OverspeedRule(_clock);
        _fatigue = new FatigueRule(_clock);
        _night = new NightDrivingRule(_clock);
        _geofence = new GeofenceRule(_clock);
        _route = new RouteDeviationRule(_clock);
    }

    public SupervisionConfig Config => _config;

    /// <summary>Electronic fences; add and remove at runtime.</summary>
    public GeofenceSet Geofences { get; } = new();

    /// <summary>Planned route corridors per terminal.</summary>
    public RoutePlanSet RoutePlans { get; } = new();

    public int VehicleCount => _vehicles.Count;

    /// <summary>Fixes older than their vehicle's last processed fix (补传 or reordered), skipped by every rule but device-alarm relaying.</summary>
    public long LateFixesIgnored { get; private set; }

    public IReadOnlyList<AlarmSignalEvent> Process(VehicleFix fix)
    {
        ArgumentNullException.ThrowIfNull(fix);
        ArgumentException.ThrowIfNullOrWhiteSpace(fix.TerminalId, nameof(fix));

        if (!_vehicles.TryGetValue(fix.TerminalId, out var vehicle))
        {
            vehicle = new VehicleState { TerminalId = fix.TerminalId };
            _vehicles.Add(fix.TerminalId, vehicle);
        }

        vehicle.Plate = fix.Plate ?? vehicle.Plate;
        vehicle.Category = fix.Category;
        var settings = _config.For(fix.Category);
        var time = fix.Time.ToUniversalTime();
        _writer.Begin(vehicle);

        if (vehicle.LastFix is { } last && time < last.Time)
        {
            LateFixesIgnored++;
            _device.ProcessLate(fix, time, vehicle, settings, _writer);
            return _writer.Drain();
        }

        // Untrusted numbers degrade instead of throwing: a bad position is "not located", a bad speed is 0.
        var located = fix.Located && Geo.IsValidCoordinate(fix.Latitude, fix.Longitude);
        var speed = double.IsFinite(fix.SpeedKmh) && fix.SpeedKmh > 0 ? fix.SpeedKmh : 0;
        double? roadLimit = null;
        int? roadGrade = null;
        if (located && _roadLimits is not null)
        {
            roadLimit = _roadLimits.SpeedLimitKmh(fix.Latitude, fix.Longitude, fix.HeadingDeg);
            roadGrade = _roadLimits.RoadGrade(fix.Latitude, fix.Longitude);
            if (roadLimit is not > 0 || !double.IsFinite(roadLimit.Value))
            {
                roadLimit = null;
            }

            if (roadGrade is < 0 or > 4)
            {
                roadGrade = null;
            }
        }

        var moving = speed > settings.MovingThresholdKmh;
        var context = new FixContext(fix, vehicle, vehicle.LastFix, settings, time, located, speed, moving, roadLimit, roadGrade);

        _device.Process(context, _writer);
        _offline.OnFix(context, _writer);
        _overspeed.Process(context, _writer);
        _fatigue.Process(context, _writer);
        _night.Process(context, _writer);
        _geofence.Process(context, Geofences, _writer);
        _route.Process(context, RoutePlans, _writer);

        // Updated in place (the rules above have finished with it); an unlocated fix keeps the last known position.
        var snapshot = vehicle.LastFix ??= new FixSnapshot();
        snapshot.Time = time;
        if (located)
        {
            snapshot.Latitude = fix.Latitude;
            snapshot.Longitude = fix.Longitude;
            snapshot.Located = true;
        }

        snapshot.SpeedKmh = speed;
        snapshot.HeadingDeg = fix.HeadingDeg;
        snapshot.AccOn = fix.AccOn;
        snapshot.Moving = moving;
        return _writer.Drain();
    }

    /// <summary>Runs the time-driven rules (offline) at <paramref name="now"/>, in terminal-id order.</summary>
    public IReadOnlyList<AlarmSignalEvent> Tick(DateTimeOffset now)
    {
        var utcNow = now.ToUniversalTime();
        List<AlarmSignalEvent>? signals = null;
        foreach (var vehicle in _vehicles.Values.OrderBy(v => v.TerminalId, StringComparer.Ordinal))
        {
            _writer.Begin(vehicle);
            _offline.Tick(vehicle, _config.For(vehicle.Category), utcNow, _writer);
            var produced = _writer.Drain();
            if (produced.Count > 0)
            {
                (signals ??= []).AddRange(produced);
            }
        }

        return signals is null ? [] : signals;
    }

    /// <summary>JSON of every vehicle's rule state (not the fences or route plans, which are configuration).</summary>
    public string ExportState()
    {
        var document = new SupervisionStateDocument
        {
            LateFixesIgnored = LateFixesIgnored,
            Vehicles = [.. _vehicles.Values.OrderBy(v => v.TerminalId, StringComparer.Ordinal)],
        };
        return JsonSerializer.Serialize(document, SupervisionStateJsonContext.Default.SupervisionStateDocument);
    }

    /// <summary>
    /// JSON of the named vehicles' rule state only (vehicles the engine does not know are left out),
    /// for incremental checkpoints: restore it with <see cref="MergeState"/>.
    /// </summary>
    public string ExportState(IEnumerable<string> terminalIds)
    {
        ArgumentNullException.ThrowIfNull(terminalIds);
        var document = new SupervisionStateDocument
        {
            LateFixesIgnored = 0,
            Vehicles = [.. terminalIds.Distinct(StringComparer.Ordinal).Select(id => _vehicles.GetValueOrDefault(id)).OfType<VehicleState>()],
        };
        return JsonSerializer.Serialize(document, SupervisionStateJsonContext.Default.SupervisionStateDocument);
    }

    /// <summary>
    /// Adds or replaces the vehicles of an exported document, leaving every other vehicle as it is
    /// (the counterpart of <see cref="ExportState(IEnumerable{string})"/>). Throws <see cref="FormatException"/>
    /// on a document it cannot read, before changing anything.
    /// </summary>
    public void MergeState(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        SupervisionStateDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, SupervisionStateJsonContext.Default.SupervisionStateDocument);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Supervision state is not valid JSON: {e.Message}", e);
        }
        if (document is null || document.Version != SupervisionStateDocument.CurrentVersion)
        {
            throw new FormatException($"Supervision state is empty or of an unsupported version.");
        }
        var vehicles = (document.Vehicles ?? []).ToList();
        if (vehicles.Any(v => v is null || string.IsNullOrWhiteSpace(v.TerminalId)))
        {
            throw new FormatException("Supervision state has a vehicle without a terminal id.");
        }
        foreach (var vehicle in vehicles)
        {
            _vehicles[vehicle.TerminalId] = Normalise(vehicle);
        }
    }

    /// <summary>
    /// Replaces every vehicle's state with the exported one: episodes in progress continue, and an
    /// alarm already raised is not raised again. Throws <see cref="FormatException"/> on a document
    /// it cannot read, leaving the current state untouched.
    /// </summary>
    public void ImportState(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        SupervisionStateDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, SupervisionStateJsonContext.Default.SupervisionStateDocument);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Supervision state is not valid JSON: {e.Message}", e);
        }

        if (document is null)
        {
            throw new FormatException("Supervision state is empty.");
        }

        if (document.Version != SupervisionStateDocument.CurrentVersion)
        {
            throw new FormatException($"Supervision state version {document.Version} is not supported (expected {SupervisionStateDocument.CurrentVersion}).");
        }

        var vehicles = new Dictionary<string, VehicleState>(StringComparer.Ordinal);
        foreach (var vehicle in document.Vehicles ?? [])
        {
            if (vehicle is null || string.IsNullOrWhiteSpace(vehicle.TerminalId))
            {
                throw new FormatException("Supervision state has a vehicle without a terminal id.");
            }

            if (!vehicles.TryAdd(vehicle.TerminalId, Normalise(vehicle)))
            {
                throw new FormatException($"Supervision state lists terminal '{vehicle.TerminalId}' twice.");
            }
        }

        _vehicles.Clear();
        foreach (var (id, vehicle) in vehicles)
        {
            _vehicles.Add(id, vehicle);
        }

        LateFixesIgnored = document.LateFixesIgnored;
    }

    // A hand-edited or older document may omit nested objects: fill them in rather than fail later.
    private static VehicleState Normalise(VehicleState vehicle)
    {
        vehicle.Overspeed ??= new OverspeedState();
        vehicle.Overspeed.Condition ??= new SustainedCondition();
        vehicle.Fatigue ??= new FatigueState();
        vehicle.NightDriving ??= new NightDrivingState();
        vehicle.NightDriving.Condition ??= new SustainedCondition();
        vehicle.Offline ??= new OfflineState();
        vehicle.Geofences ??= new Dictionary<string, GeofenceState>(StringComparer.Ordinal);
        vehicle.Route ??= new RouteDeviationState();
        vehicle.Route.Condition ??= new SustainedCondition();
        vehicle.Device ??= new DeviceAlarmState();
        vehicle.Device.Bits ??= [];
        return vehicle;
    }
}
