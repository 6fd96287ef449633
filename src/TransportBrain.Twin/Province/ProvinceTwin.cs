using System.Globalization;
using TransportBrain.Highway;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Weather;
using TransportBrain.Hub.Catalog;
using TransportBrain.Twin.Simulation;

namespace TransportBrain.Twin.Province;

/// <summary>An incident to inject: on a section, at a share of its length, lanes blocked (numbered from the inside) for a while.</summary>
public sealed record ProvinceIncident(string Id, string SectionId, double Along, IReadOnlyList<int> LanesFromInside, TimeSpan Start, TimeSpan Duration);

/// <summary>Settings of a province run; every default is what <c>brain demo</c> uses.</summary>
public sealed record ProvinceOptions
{
    /// <summary>The instant simulated time 0 stands for.</summary>
    public required DateTimeOffset Start { get; init; }

    public ulong Seed { get; init; } = 1;

    /// <summary>Stored with the ground truth so several runs can share a store.</summary>
    public string RunId { get; init; } = "demo";

    public double StepS { get; init; } = 0.5;

    /// <summary>Multiplies every demand rate (1 = the demo's nominal demand).</summary>
    public double DemandScale { get; init; } = 1.0;

    public TimeOfDayProfile Profile { get; init; } = TimeOfDayProfile.IntercityWorkday;

    /// <summary>Share of vehicle passages a gantry does not record (antenna misses).</summary>
    public double MissRate { get; init; } = 0.02;

    /// <summary>Share of passages a gantry records twice (a second read seconds later).</summary>
    public double DuplicateRate { get; init; } = 0.01;

    /// <summary>Share of recorded passages whose plate could not be read (OBU id only).</summary>
    public double UnreadablePlateRate { get; init; } = 0.01;

    /// <summary>
    /// The vehicle mix of every flow. Coaches and dangerous-goods trucks carry JT/T 808 terminals; both are
    /// supervised drivers who mostly keep to their limits (100 and 80 km/h), as <see cref="ProvinceTwin.ProvincialMix"/> says.
    /// </summary>
    public ClassMix Mix { get; init; } = ProvinceTwin.ProvincialMix;

    /// <summary>
    /// Simulated time run silently before <see cref="Start"/> so the road is filled when the sensors start
    /// reporting (a vehicle needs over an hour to drive the ring); a multiple of 5 minutes.
    /// </summary>
    public TimeSpan SpinUp { get; init; } = TimeSpan.FromMinutes(80);

    /// <summary>Incidents to inject; null: <see cref="ProvinceTwin.DefaultIncidents"/>.</summary>
    public IReadOnlyList<ProvinceIncident>? Incidents { get; init; }

    /// <summary>Weather episodes at the road weather stations; null: <see cref="ProvinceTwin.DefaultWeather"/>.</summary>
    public IReadOnlyList<WeatherEpisode>? Weather { get; init; }
}

/// <summary>A vehicle carrying a JT/T 808 terminal, where it is now.</summary>
public readonly record struct EquippedVehicle(long Key, string Plate, string Category, double Latitude, double Longitude, double SpeedKmh, int Heading, double OdometerM);

/// <summary>What the twin's sensors produced since the last drain, as rows of the platform's datasets.</summary>
public sealed class TwinBatch
{
    public List<object?[]> GantryTransactions { get; } = [];
    public List<object?[]> SurveyRecords { get; } = [];
    public List<object?[]> WeatherObservations { get; } = [];
    public List<object?[]> SectionTruth { get; } = [];
    public List<object?[]> IncidentTruth { get; } = [];

    public IEnumerable<(DatasetDefinition Dataset, List<object?[]> Rows)> ByDataset()
    {
        yield return (HighwayDatasets.GantryTransaction, GantryTransactions);
        yield return (HighwayDatasets.SurveyStation5Min, SurveyRecords);
        yield return (HighwayWeatherDatasets.Observation, WeatherObservations);
        yield return (TwinDatasets.SectionTruth, SectionTruth);
        yield return (TwinDatasets.IncidentTruth, IncidentTruth);
    }

    public int Count => GantryTransactions.Count + SurveyRecords.Count + WeatherObservations.Count + SectionTruth.Count + IncidentTruth.Count;
}

/// <summary>
/// The digital twin of a province's expressways (H1): one microsimulation per carriageway of every route of
/// a <see cref="RoadNetwork"/>, with on- and off-ramps at its interchanges and demand from an OD matrix with a
/// time-of-day profile, stepped in lockstep. Its sensors are the province's: ETC gantries emitting transactions
/// (with misses, duplicate reads and unreadable plates), survey stations emitting 5-minute per-lane records,
/// road weather stations, and coaches and dangerous-goods trucks carrying JT/T 808 terminals
/// (<see cref="EquippedVehicles"/>). It records the ground truth per section and interval and the injected
/// incidents. Controls (lane closures, speed limits) can be set while it runs. Deterministic for a seed.
/// </summary>
public sealed class ProvinceTwin
{
    private readonly RoadNetwork _network;
    private readonly ProvinceOptions _o;
    private readonly Carriageway[] _carriageways;
    private readonly WeatherDataGenerator _weather;
    private readonly IReadOnlyList<WeatherEpisode> _weatherEpisodes;
    private readonly List<(ProvinceIncident Incident, Section Section, int Lanes)> _incidents = [];
    private readonly Dictionary<int, (Carriageway C, List<(int Lane, int Id, bool Closure)> Parts)> _controls = [];
    private TwinBatch _pending = new();
    private readonly double _spinUpS;
    private double _timeS;
    private double _weatherDoneS;
    private int _incidentsAnnounced;
    private int _nextControl = 1;

    public ProvinceTwin(RoadNetwork network, ProvinceOptions options)
    {
        _network = network;
        _o = options;
        _spinUpS = Math.Round(options.SpinUp.TotalSeconds / 300) * 300;
        if (_spinUpS < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "the spin-up cannot be negative");
        }
        var incidents = options.Incidents ?? DefaultIncidents(network);
        _carriageways = network.Routes
            .SelectMany(r => new[] { 1, 2 }.Select(d => (Route: r, Direction: d)))
            .Where(x => network.Carriageway(x.Route.Code, x.Direction).Count > 0 || network.Gantries.Any(g => g.Route == x.Route.Code && g.Direction == x.Direction))
            .Select((x, i) => new Carriageway(this, i, x.Route, x.Direction, incidents))
            .ToArray();
        foreach (var i in incidents)
        {
            var s = network.Section(i.SectionId) ?? throw new ArgumentException($"incident {i.Id}: no section {i.SectionId}");
            _incidents.Add((i, s, _network.RouteByCode[s.Route].LanesPerDirection));
        }
        _incidents.Sort((a, b) => a.Incident.Start.CompareTo(b.Incident.Start));
        _weather = new WeatherDataGenerator(network, (int)(options.Seed % int.MaxValue));
        _weatherEpisodes = options.Weather ?? DefaultWeather(network, options.Start);
    }

    public RoadNetwork Network => _network;

    public ProvinceOptions Options => _o;

    /// <summary>Simulated seconds of spin-up before <see cref="ProvinceOptions.Start"/>.</summary>
    public double SpinUpS => _spinUpS;

    /// <summary>Simulated seconds since <see cref="ProvinceOptions.Start"/> (the spin-up is before 0).</summary>
    public double TimeS => _timeS;

    public DateTimeOffset Now => _o.Start.AddSeconds(_timeS);

    public int Carriageways => _carriageways.Length;

    public double CorridorKilometres => _carriageways.Sum(c => c.Corridor.LengthM) / 1000;

    public int InNetwork => _carriageways.Sum(c => c.Sim.InNetwork);

    public long VehicleSteps => _carriageways.Sum(c => c.Sim.Statistics.VehicleSteps);

    /// <summary>Gantry passages so far: seen by the sensors, recorded (after misses and duplicates).</summary>
    public (long Passages, long Missed, long Duplicated, long Recorded) GantryCounts =>
        (_carriageways.Sum(c => c.Gantries.Sum(g => g.Passages)), _carriageways.Sum(c => c.Gantries.Sum(g => g.Missed)),
         _carriageways.Sum(c => c.Gantries.Sum(g => g.Duplicated)), _carriageways.Sum(c => c.Gantries.Sum(g => g.Recorded)));

    public IEnumerable<ProvinceIncident> Incidents => _incidents.Select(i => i.Incident);

    /// <summary>The simulators, one per carriageway (route, direction), for tests and experiments.</summary>
    public IEnumerable<(string Route, int Direction, Simulator Simulator)> Simulators => _carriageways.Select(c => (c.Route.Code, c.Direction, c.Sim));

    /// <summary>
    /// Runs every carriageway to <paramref name="timeS"/> (in parallel; each is independent and deterministic)
    /// and collects what the sensors produced: closed survey intervals, ground truth, weather observations and
    /// incidents that have started.
    /// </summary>
    public void AdvanceTo(double timeS)
    {
        if (timeS <= _timeS)
        {
            return;
        }
        Parallel.ForEach(_carriageways, c => c.AdvanceTo(timeS + _spinUpS));
        _timeS = timeS;
        foreach (var c in _carriageways)
        {
            c.Collect(_pending, timeS);
        }
        // Weather stations report every 5 minutes, after each 5-minute window ends.
        const double weatherStepS = 300;
        while (_weatherDoneS + weatherStepS <= timeS + 1e-9)
        {
            _pending.WeatherObservations.AddRange(_weather.Generate(_o.Start.AddSeconds(_weatherDoneS), _o.Start.AddSeconds(_weatherDoneS + weatherStepS), _weatherEpisodes));
            _weatherDoneS += weatherStepS;
        }
        while (_incidentsAnnounced < _incidents.Count && _incidents[_incidentsAnnounced].Incident.Start.TotalSeconds <= timeS)
        {
            var (i, s, lanes) = _incidents[_incidentsAnnounced++];
            var stake = s.FromStake + (i.Along * (s.ToStake - s.FromStake));
            _pending.IncidentTruth.Add(Row(TwinDatasets.IncidentTruth, new()
            {
                ["run_id"] = _o.RunId, ["incident_id"] = i.Id, ["section_id"] = s.Id, ["route"] = s.Route, ["direction"] = s.Direction,
                ["stake"] = Stake.Format(stake), ["lanes_blocked"] = string.Join(",", i.LanesFromInside), ["lanes_total"] = lanes,
                ["start_time"] = _o.Start + i.Start, ["end_time"] = _o.Start + i.Start + i.Duration,
            }));
        }
    }

    /// <summary>Everything produced since the last drain.</summary>
    public TwinBatch Drain()
    {
        var b = _pending;
        _pending = new TwinBatch();
        return b;
    }

    /// <summary>
    /// Every vehicle carrying a JT/T 808 terminal (all coaches, dangerous-goods trucks) with its position on the
    /// road geometry, speed and heading.
    /// </summary>
    public IReadOnlyList<EquippedVehicle> EquippedVehicles()
    {
        var list = new List<EquippedVehicle>();
        foreach (var c in _carriageways)
        {
            c.AddEquipped(list);
        }
        return list;
    }

    /// <summary>Closes lanes (numbered from the inside) over a section; returns the control's handle.</summary>
    public int CloseLanes(string sectionId, IReadOnlyList<int> lanesFromInside)
    {
        var (c, from, to) = Locate(sectionId);
        var parts = new List<(int, int, bool)>();
        foreach (var l in lanesFromInside)
        {
            var simLane = c.SimLane(l);
            parts.Add((simLane, c.Sim.CloseLane(simLane, from, to), true));
        }
        return Remember(c, parts);
    }

    /// <summary>Sets a speed limit on every lane of a section and <paramref name="upstreamM"/> before it; returns the handle.</summary>
    public int SetSpeedLimit(string sectionId, double limitKmh, double upstreamM = 2_000)
    {
        var (c, from, to) = Locate(sectionId);
        var parts = new List<(int, int, bool)>();
        for (var lane = 1; lane <= c.Lanes; lane++)
        {
            parts.Add((lane, c.Sim.SetSpeedLimit(lane, Math.Max(0, from - upstreamM), to, limitKmh), false));
        }
        return Remember(c, parts);
    }

    /// <summary>Lifts a control set by <see cref="CloseLanes"/> or <see cref="SetSpeedLimit"/>; false when unknown.</summary>
    public bool Lift(int handle)
    {
        if (!_controls.Remove(handle, out var control))
        {
            return false;
        }
        foreach (var (_, id, closure) in control.Parts)
        {
            if (closure)
            {
                control.C.Sim.ReopenLane(id);
            }
            else
            {
                control.C.Sim.ClearSpeedLimit(id);
            }
        }
        return true;
    }

    private int Remember(Carriageway c, List<(int, int, bool)> parts)
    {
        var handle = _nextControl++;
        _controls[handle] = (c, parts);
        return handle;
    }

    private (Carriageway C, double From, double To) Locate(string sectionId)
    {
        var s = _network.Section(sectionId) ?? throw new ArgumentException($"no section {sectionId}");
        var c = _carriageways.First(x => x.Route.Code == s.Route && x.Direction == s.Direction);
        var a = c.X(s.FromStake);
        var b = c.X(s.ToStake);
        return (c, Math.Clamp(Math.Min(a, b), 0, c.Corridor.LengthM), Math.Clamp(Math.Max(a, b), 0, c.Corridor.LengthM));
    }

    /// <summary>A coach driven by a supervised professional: desired 92 km/h ± 6% (a few speeders) (the coach limit is 100 km/h).</summary>
    public static VehicleClass SupervisedCoach { get; } = VehicleClasses.Coach with { DesiredSpeedKmh = 92, DesiredSpeedSpread = 0.06 };

    /// <summary>The rare coach driver who speeds (desired 112 km/h): what the supervision desk is there for.</summary>
    public static VehicleClass SpeedingCoach { get; } = VehicleClasses.Coach with { DesiredSpeedKmh = 112, DesiredSpeedSpread = 0.03 };

    /// <summary>A dangerous-goods tractor-trailer (危险货物运输车): desired 74 km/h ± 4% under its 80 km/h limit.</summary>
    public static VehicleClass DangerousGoodsTruck { get; } = VehicleClasses.ArticulatedTruck with { Name = VehicleIdentity.DangerousGoodsClassName, DesiredSpeedKmh = 74, DesiredSpeedSpread = 0.04 };

    /// <summary>
    /// The provincial mix: the typical expressway mix (75% cars, 3% coaches, 22% trucks) with 1.5% of all vehicles
    /// dangerous-goods trucks, taken from the articulated trucks, and one coach in twenty driven too fast.
    /// </summary>
    public static ClassMix ProvincialMix { get; } = new([
        (VehicleClasses.Car, 0.75), (SupervisedCoach, 0.0285), (SpeedingCoach, 0.0015), (VehicleClasses.LightTruck, 0.06), (VehicleClasses.MediumTruck, 0.04),
        (VehicleClasses.HeavyTruck, 0.05), (VehicleClasses.ArticulatedTruck, 0.055), (DangerousGoodsTruck, 0.015)]);

    /// <summary>
    /// The demo's incidents: the first 2 minutes in (2 of 3 lanes blocked for 50 minutes on an inbound G60
    /// section), then one every 90 minutes on another carriageway, round the network, for a day.
    /// </summary>
    public static IReadOnlyList<ProvinceIncident> DefaultIncidents(RoadNetwork network)
    {
        var list = new List<ProvinceIncident>();
        var carriageways = network.Routes.SelectMany(r => new[] { 2, 1 }.Select(d => network.Carriageway(r.Code, d))).Where(c => c.Count >= 3).ToList();
        var first = network.Carriageway("G60", 2) is { Count: >= 3 } g60 ? g60 : carriageways.FirstOrDefault();
        if (first is null)
        {
            return list;
        }
        list.Add(Make(1, first[first.Count / 2], TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(50)));
        var n = 2;
        for (var t = TimeSpan.FromMinutes(100); t < TimeSpan.FromDays(1); t += TimeSpan.FromMinutes(90))
        {
            var cw = carriageways[(n * 3) % carriageways.Count];
            list.Add(Make(n, cw[(n * 5) % (cw.Count - 1) + 1], t, TimeSpan.FromMinutes(25 + (n % 3 * 10))));
            n++;
        }
        return list;

        ProvinceIncident Make(int k, Section s, TimeSpan start, TimeSpan duration)
        {
            var lanes = network.RouteByCode[s.Route].LanesPerDirection;
            IReadOnlyList<int> blocked = lanes >= 3 ? [1, 2] : [1];
            return new(string.Create(CultureInfo.InvariantCulture, $"SIM{k:D3}"), s.Id, 0.7, blocked, start, duration);
        }
    }

    /// <summary>The demo's weather: fog forming at one station from 5 minutes in, down to 120 m, lifting after an hour.</summary>
    public static IReadOnlyList<WeatherEpisode> DefaultWeather(RoadNetwork network, DateTimeOffset start)
    {
        var station = network.OfKind(FacilityKind.WeatherStation).OrderBy(f => f.Route == "G75" ? 0 : 1).ThenBy(f => f.Id, StringComparer.Ordinal).FirstOrDefault();
        return station is null ? [] : [new WeatherEpisode(station.Id, WeatherEpisodeKind.Fog, start.AddMinutes(5), start.AddMinutes(75), 120)];
    }

    internal static object?[] Row(DatasetDefinition d, Dictionary<string, object?> values)
    {
        var row = new object?[d.Fields.Count];
        for (var i = 0; i < d.Fields.Count; i++)
        {
            row[i] = values.GetValueOrDefault(d.Fields[i].Name);
        }
        return row;
    }

    /// <summary>One carriageway: its corridor, simulator, sensors and truth recorder.</summary>
    private sealed class Carriageway
    {
        private readonly ProvinceTwin _twin;
        private readonly string?[] _truthSections;
        private int _truthTaken;

        public Carriageway(ProvinceTwin twin, int index, RouteInfo route, int direction, IReadOnlyList<ProvinceIncident> incidents)
        {
            _twin = twin;
            var network = twin._network;
            var o = twin._o;
            Index = index;
            Route = route;
            Direction = direction;
            Lanes = route.LanesPerDirection;
            var length = route.EndStake - route.StartStake;

            // Links split where the posted limit changes (speed-limit zones of this direction or both).
            var cuts = new SortedSet<double> { 0, length };
            var zones = network.SpeedLimitZones.Where(z => z.Route == route.Code && (z.Direction == 0 || z.Direction == direction)).ToList();
            foreach (var z in zones)
            {
                cuts.Add(Math.Clamp(X(z.FromStake), 0, length));
                cuts.Add(Math.Clamp(X(z.ToStake), 0, length));
            }
            var xs = cuts.ToArray();
            var links = new List<CorridorLink>();
            for (var i = 0; i + 1 < xs.Length; i++)
            {
                if (xs[i + 1] - xs[i] < 1)
                {
                    continue;
                }
                var mid = Stake((xs[i] + xs[i + 1]) / 2);
                var zone = zones.FirstOrDefault(z => mid >= Math.Min(z.FromStake, z.ToStake) && mid <= Math.Max(z.FromStake, z.ToStake));
                links.Add(new CorridorLink
                {
                    RouteCode = route.Code, Direction = direction, FromStakeM = Stake(xs[i]), LengthM = xs[i + 1] - xs[i],
                    Lanes = Lanes, SpeedLimitKmh = zone?.LimitKmh ?? route.SpeedLimitKmh,
                });
            }

            // Ramps at interchanges: the off-ramp just before, the on-ramp just after, in the direction of travel.
            var onRamps = new List<OnRamp>();
            var offRamps = new List<OffRamp>();
            var used = new List<(double From, double To)>();
            foreach (var ic in network.OfKind(FacilityKind.Interchange).Where(f => f.Route == route.Code).OrderBy(f => X(f.Stake)))
            {
                var x = X(ic.Stake);
                var off = (From: x - 400, To: x - 150);
                var on = (From: x + 150, To: x + 450);
                if (Fits(off))
                {
                    offRamps.Add(new OffRamp("off:" + ic.Id, off.To, off.To - off.From));
                    used.Add(off);
                }
                if (Fits(on))
                {
                    onRamps.Add(new OnRamp("on:" + ic.Id, on.From, on.To - on.From));
                    used.Add(on);
                }
            }
            Corridor = new Corridor($"{route.Code}-{direction}", links, onRamps, offRamps);

            // Demand: through traffic from the upstream end, and every on-ramp; each downstream off-ramp takes a share.
            var scale = o.DemandScale;
            var mainline = (Lanes >= 3 ? 2_300 : 1_500) * scale;
            var onRampRate = 320 * scale;
            var flows = new List<OdFlow>();
            AddFlows(OdFlow.Mainline, 0, mainline);
            foreach (var r in onRamps)
            {
                AddFlows(r.Name, r.PositionM, onRampRate);
            }
            var demand = new OdMatrix(flows) { DefaultProfile = o.Profile, DefaultMix = o.Mix };
            var simIncidents = new List<Incident>();
            foreach (var i in incidents)
            {
                if (network.Section(i.SectionId) is { } s && s.Route == route.Code && s.Direction == direction)
                {
                    var stake = s.FromStake + (i.Along * (s.ToStake - s.FromStake));
                    simIncidents.Add(new Incident(X(stake), i.LanesFromInside.Select(SimLane).ToArray(), i.Start.TotalSeconds + twin._spinUpS, i.Duration.TotalSeconds));
                }
            }
            var spinUp = twin._spinUpS;
            Sim = new Simulator(Corridor, demand, new SimulationOptions { StepS = o.StepS, Seed = o.Seed * 1_000_003UL + (ulong)index, StartTime = o.Start.AddSeconds(-spinUp) }, simIncidents);

            // Gantries of this carriageway, in the order of travel; the truth is kept per stretch between them.
            var gantries = network.Gantries.Where(g => g.Route == route.Code && g.Direction == direction)
                .Select(g => (Facility: g, X: X(g.Stake))).Where(g => g.X > 0 && g.X < Corridor.LengthM).OrderBy(g => g.X).ToList();
            Gantries = gantries.Select((g, k) => new GantrySensor(g.X, g.Facility, direction, Index, o, o.Seed * 7_919UL + ((ulong)index * 1_000UL) + (ulong)k, spinUp)).ToArray();
            foreach (var g in Gantries)
            {
                Sim.AddSensor(g);
            }
            Stations = network.OfKind(FacilityKind.SurveyStation).Where(f => f.Route == route.Code && (f.Direction == 0 || f.Direction == direction))
                .Select(f => new SurveySensor(X(f.Stake), f, direction, Lanes, spinUp)).Where(s => s.PositionM > 0 && s.PositionM < Corridor.LengthM).ToArray();
            foreach (var s in Stations)
            {
                Sim.AddSensor(s);
            }
            if (gantries.Count >= 2)
            {
                Truth = new GroundTruthRecorder(gantries.Select(g => g.X).ToArray(), 300);
                Sim.AttachGroundTruth(Truth);
                _truthSections = gantries.Take(gantries.Count - 1).Select(g => network.SectionFrom(g.Facility.Id)?.Id).ToArray();
            }
            else
            {
                _truthSections = [];
            }

            bool Fits((double From, double To) s) =>
                s.From >= 50 && s.To <= length - 50 && used.All(u => s.To + 100 <= u.From || s.From >= u.To + 100);

            void AddFlows(string origin, double at, double rate)
            {
                var downstream = offRamps.Where(r => r.PositionM - r.DecelerationLaneM > at + 500).ToList();
                var share = downstream.Count == 0 ? 0 : Math.Min(0.1, 0.7 / downstream.Count);
                foreach (var r in downstream)
                {
                    flows.Add(new OdFlow(origin, r.Name, rate * share));
                }
                flows.Add(new OdFlow(origin, OdFlow.Mainline, rate * (1 - (share * downstream.Count))));
            }
        }

        public int Index { get; }
        public RouteInfo Route { get; }
        public int Direction { get; }
        public int Lanes { get; }
        public Corridor Corridor { get; }
        public Simulator Sim { get; }
        public GantrySensor[] Gantries { get; }
        public SurveySensor[] Stations { get; }
        public GroundTruthRecorder? Truth { get; }

        /// <summary>Corridor position (metres from the upstream end) of a route stake.</summary>
        public double X(double stake) => Direction == 1 ? stake - Route.StartStake : Route.EndStake - stake;

        public double Stake(double x) => Direction == 1 ? Route.StartStake + x : Route.EndStake - x;

        /// <summary>The simulator's lane (1 = rightmost) of a lane numbered from the inside (1 = fast lane).</summary>
        public int SimLane(int fromInside) => Math.Clamp(Lanes + 1 - fromInside, 1, Lanes);

        public void AdvanceTo(double timeS) => Sim.RunUntil(timeS);

        public void Collect(TwinBatch batch, double timeS)
        {
            foreach (var g in Gantries)
            {
                g.Drain(batch.GantryTransactions, _twin._o.Start);
            }
            foreach (var s in Stations)
            {
                s.Close(timeS + _twin._spinUpS, batch.SurveyRecords, _twin._o.Start);
            }
            if (Truth is null)
            {
                return;
            }
            var rows = Truth.Rows;
            for (; _truthTaken < rows.Count; _truthTaken++)
            {
                var r = rows[_truthTaken];
                if (_truthSections[r.Stretch] is not { } sectionId || r.IntervalStartS < _twin._spinUpS)
                {
                    continue;
                }
                batch.SectionTruth.Add(Row(TwinDatasets.SectionTruth, new()
                {
                    ["run_id"] = _twin._o.RunId, ["section_id"] = sectionId, ["route"] = Route.Code, ["direction"] = Direction,
                    ["interval_start"] = _twin._o.Start.AddSeconds(r.IntervalStartS - _twin._spinUpS), ["interval_s"] = (long)r.IntervalS,
                    ["flow_veh_h"] = Math.Round(r.FlowVehPerHour, 1), ["density_veh_km"] = Math.Round(r.DensityVehPerKm, 2),
                    ["mean_speed_kmh"] = double.IsFinite(r.MeanSpeedKmh) ? Math.Round(r.MeanSpeedKmh, 2) : null,
                    ["travel_time_s"] = double.IsFinite(r.TravelTimeS) ? Math.Round(r.TravelTimeS, 1) : null,
                }));
            }
        }

        public void AddEquipped(List<EquippedVehicle> list)
        {
            foreach (var v in Sim.Vehicles())
            {
                var key = VehicleIdentity.Key(Index, v.Id);
                var category = VehicleIdentity.Category(key, v.VehicleClass);
                if (category is null)
                {
                    continue;
                }
                var stake = Math.Clamp(Stake(v.PositionM), Route.StartStake, Route.EndStake);
                var p = RouteGeometry.PointAt(Route, stake);
                var ahead = RouteGeometry.PointAt(Route, Math.Clamp(stake + (Direction == 1 ? 30 : -30), Route.StartStake, Route.EndStake));
                var heading = Bearing(p, ahead);
                // Drivers keep right: draw each carriageway's vehicles a few metres right of the route's centre line.
                var offset = 6.0 + (3.5 * (Lanes - Math.Max(1, v.Lane)));
                var right = (heading + 90) * Math.PI / 180;
                var q = NetworkFeatures.Offset(p, offset * Math.Sin(right), offset * Math.Cos(right));
                list.Add(new EquippedVehicle(key, VehicleIdentity.Plate(key, v.VehicleClass), category, q.Lat, q.Lon, v.SpeedMs * 3.6, (int)Math.Round(heading) % 360,
                    (key % 100_000) * 1_000 + v.PositionM));
            }
        }

        private static double Bearing(GeoPoint a, GeoPoint b)
        {
            var dx = (b.Lon - a.Lon) * Math.Cos(a.Lat * Math.PI / 180);
            var dy = b.Lat - a.Lat;
            var deg = Math.Atan2(dx, dy) * 180 / Math.PI;
            return deg < 0 ? deg + 360 : deg;
        }
    }
}
