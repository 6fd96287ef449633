using System.Globalization;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Processing;

namespace TransportBrain.Highway.Simulation;

/// <summary>An incident the generator injects: the section's speed collapses and the queue spills upstream.</summary>
public sealed record InjectedIncident(int Section, DateTimeOffset Start, TimeSpan Duration, double SpeedKmh = 20);

/// <summary>What to generate. Rates are per read.</summary>
public sealed record TrafficScenario
{
    public required RoadNetwork Network { get; init; }
    /// <summary>Local (China Standard Time) midnight of the day generated, as UTC instant.</summary>
    public required DateTimeOffset DayStart { get; init; }
    public TimeSpan Span { get; init; } = TimeSpan.FromDays(1);
    public required int Vehicles { get; init; }
    public int Seed { get; init; } = 1;
    public double TruckShare { get; init; } = 0.25;
    public double MissRate { get; init; } = 0.02;
    public double DuplicateReadRate { get; init; } = 0.01;
    /// <summary>Share of vehicles that stop at a service area on a section that has one.</summary>
    public double ServiceStopRate { get; init; } = 0.05;
    /// <summary>Share of reads whose plate was not recognised (the OBU/CPC id still identifies the vehicle).</summary>
    public double UnreadablePlateRate { get; init; } = 0.01;
    public IReadOnlyList<InjectedIncident> Incidents { get; init; } = [];
    /// <summary>Sections with recurrent peak-hour congestion (every weekday 07:30-09:00 and 17:30-19:00 local).</summary>
    public IReadOnlyList<int> RecurrentBottlenecks { get; init; } = [];
}

/// <summary>A generated read with everything needed to write it as a transaction row.</summary>
public readonly record struct GeneratedRead(long Ticks, int Gantry, int Vehicle, byte TollClass, long Sequence, int EntryStation, long EntryTicks, bool UnreadablePlate);

/// <summary>True travel times per section and interval (vehicles that did not stop), by exit time like the estimator.</summary>
public sealed class GroundTruth
{
    private readonly Dictionary<(int Section, long Interval), (double Sum, int Count)> _cells = [];

    public void Add(int section, long interval, double seconds)
    {
        var c = _cells.GetValueOrDefault((section, interval));
        _cells[(section, interval)] = (c.Sum + seconds, c.Count + 1);
    }

    /// <summary>Space-mean speed (length over mean travel time) and the number of vehicles.</summary>
    public (double SpeedKmh, int Vehicles)? Speed(RoadNetwork network, int section, long interval) =>
        _cells.TryGetValue((section, interval), out var c) && c.Count > 0 ? (network.Sections[section].LengthM / (c.Sum / c.Count) * 3.6, c.Count) : null;

    public IEnumerable<(int Section, long Interval)> Cells => _cells.Keys;
}

/// <summary>
/// Generates a day of ETC gantry reads with known true speeds: vehicles depart over a two-peak daily
/// profile from a random gantry, drive a few sections along one carriageway at the section's speed for
/// that moment (free flow below the limit, peak-hour bottlenecks, injected incidents with a queue
/// spilling one section upstream) times a per-vehicle factor, some stop at service areas, reads are
/// missed or duplicated at the configured rates. Reads come out in time order and memory stays
/// proportional to the vehicles on the road. Deterministic for a seed.
/// </summary>
public sealed class GantryTrafficGenerator
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private const long Interval = 5 * TimeSpan.TicksPerMinute;
    private readonly TrafficScenario _s;
    private readonly RoadNetwork _net;
    private readonly int[] _gantryIndexOfSectionFrom;
    private readonly int[] _gantryIndexOfSectionTo;
    private readonly bool[] _hasServiceArea;
    private readonly string[] _tollStations;
    private readonly int[] _entryStationOfSection;
    private long _sequence;

    public GantryTrafficGenerator(TrafficScenario scenario)
    {
        _s = scenario;
        _net = scenario.Network;
        var index = new Dictionary<string, int>();
        for (var i = 0; i < _net.Gantries.Count; i++)
        {
            index[_net.Gantries[i].Id] = i;
        }
        _gantryIndexOfSectionFrom = [.. _net.Sections.Select(s => index[s.From.Id])];
        _gantryIndexOfSectionTo = [.. _net.Sections.Select(s => index[s.To.Id])];
        var areas = _net.OfKind(FacilityKind.ServiceArea).ToList();
        _hasServiceArea = [.. _net.Sections.Select(s => areas.Any(a => a.Route == s.Route && s.Overlaps(a.Stake, a.Stake)))];
        var tolls = _net.OfKind(FacilityKind.TollStation).ToList();
        _tollStations = [.. tolls.Select(t => t.Id)];
        _entryStationOfSection = [.. _net.Sections.Select(s =>
        {
            // the toll station a vehicle starting on this section entered by: the nearest one behind it
            var behind = tolls.Select((t, i) => (t, i)).Where(x => x.t.Route == s.Route && (s.Direction == 1 ? x.t.Stake <= s.FromStake : x.t.Stake >= s.FromStake))
                .OrderBy(x => Math.Abs(x.t.Stake - s.FromStake)).FirstOrDefault();
            return behind.t is null ? -1 : behind.i;
        })];
    }

    public GroundTruth Truth { get; } = new();

    public string TollStationId(int index) => _tollStations[index];

    /// <summary>The true mean speed of passenger cars on a section at an instant (before the per-vehicle factor).</summary>
    public double TrueSpeed(int section, long ticks, VehicleGroup group)
    {
        var s = _net.Sections[section];
        var free = Math.Min(s.SpeedLimitKmh, group == VehicleGroup.Car ? 105 : 85);
        var speed = free;
        var local = new DateTime(ticks, DateTimeKind.Unspecified) + China;
        var minute = local.Hour * 60 + local.Minute;
        if (local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && _s.RecurrentBottlenecks.Contains(section)
            && ((minute >= 450 && minute < 540) || (minute >= 1050 && minute < 1140)))
        {
            speed = Math.Min(speed, 42);
        }
        foreach (var inc in _s.Incidents)
        {
            var start = inc.Start.UtcTicks;
            var end = start + inc.Duration.Ticks;
            if (inc.Section == section && ticks >= start && ticks < end)
            {
                speed = Math.Min(speed, inc.SpeedKmh);
            }
            else if (_net.Sections[inc.Section].Upstream?.Index == section && ticks >= start + 10 * TimeSpan.TicksPerMinute && ticks < end + 10 * TimeSpan.TicksPerMinute)
            {
                speed = Math.Min(speed, 45);
            }
        }
        return speed;
    }

    /// <summary>Every read of the scenario in time order (ties by sequence number).</summary>
    public IEnumerable<GeneratedRead> Reads()
    {
        var rng = new Random(_s.Seed);
        var start = _s.DayStart.UtcTicks;
        var span = _s.Span.Ticks;
        var departures = new long[_s.Vehicles];
        var days = (int)(span / TimeSpan.TicksPerDay);
        for (var v = 0; v < departures.Length; v++)
        {
            // whole days get the daily profile each; a shorter span gets the profile squeezed into it
            departures[v] = days >= 1
                ? start + rng.Next(days) * TimeSpan.TicksPerDay + (long)(DepartureFraction(rng) * TimeSpan.TicksPerDay)
                : start + (long)(DepartureFraction(rng) * span);
        }
        Array.Sort(departures);
        var pending = new PriorityQueue<GeneratedRead, (long, long)>();
        _sequence = 0;
        for (var v = 0; v < departures.Length; v++)
        {
            var t0 = departures[v];
            while (pending.TryPeek(out _, out var key) && key.Item1 <= t0)
            {
                yield return pending.Dequeue();
            }
            foreach (var read in Drive(v, t0, rng))
            {
                pending.Enqueue(read, (read.Ticks, read.Sequence));
            }
        }
        while (pending.Count > 0)
        {
            yield return pending.Dequeue();
        }
    }

    private List<GeneratedRead> Drive(int vehicle, long t, Random rng)
    {
        var reads = new List<GeneratedRead>(12);
        var section = rng.Next(_net.Sections.Count);
        var truck = rng.NextDouble() < _s.TruckShare;
        var tollClass = (byte)(truck ? 11 + rng.Next(6) : rng.NextDouble() < 0.92 ? 1 : 2 + rng.Next(3));
        var group = truck ? VehicleGroup.Truck : VehicleGroup.Car;
        var factor = Math.Clamp(1 + Normal(rng) * (truck ? 0.06 : 0.08), 0.75, 1.25);
        var entry = _entryStationOfSection[section];
        var entryTicks = t - (long)(rng.NextDouble() * 20 * TimeSpan.TicksPerMinute);
        var sections = 1 + (int)Math.Min(40, Math.Floor(Math.Log(1 - rng.NextDouble()) / Math.Log(0.85)));
        var unreadable = rng.NextDouble() < _s.UnreadablePlateRate;
        Emit(_gantryIndexOfSectionFrom[section]);
        for (var k = 0; k < sections && section >= 0; k++)
        {
            var s = _net.Sections[section];
            var speed = TrueSpeed(section, t, group) * factor;
            var seconds = s.LengthM / (speed / 3.6);
            var stop = _hasServiceArea[section] && rng.NextDouble() < _s.ServiceStopRate;
            var exit = t + (long)(seconds * TimeSpan.TicksPerSecond);
            if (stop)
            {
                exit += (long)((10 + rng.NextDouble() * 30) * TimeSpan.TicksPerMinute);
            }
            else if (!truck)
            {
                // ground truth: the traffic stream (trucks are estimated apart, stops are not traffic)
                Truth.Add(section, exit - ((exit % Interval) + Interval) % Interval, seconds);
            }
            t = exit;
            Emit(_gantryIndexOfSectionTo[section]);
            section = s.Downstream?.Index ?? -1;
        }
        return reads;

        void Emit(int gantry)
        {
            if (rng.NextDouble() < _s.MissRate)
            {
                return;
            }
            reads.Add(new GeneratedRead(t, gantry, vehicle, tollClass, _sequence++, entry, entryTicks, unreadable));
            if (rng.NextDouble() < _s.DuplicateReadRate)
            {
                reads.Add(new GeneratedRead(t + (1 + rng.Next(20)) * TimeSpan.TicksPerSecond, gantry, vehicle, tollClass, _sequence++, entry, entryTicks, unreadable));
            }
        }
    }

    /// <summary>The read as a processor pass.</summary>
    public GantryPass ToPass(in GeneratedRead r) => new(r.Ticks, r.Gantry, Hash64.Of(MediaId(r.Vehicle), 1), r.TollClass, r.Sequence,
        r.EntryStation >= 0 ? _tollStations[r.EntryStation] : null, r.EntryTicks);

    /// <summary>The read as a highway.gantry_transaction row, typed in schema order.</summary>
    public object?[] ToRow(in GeneratedRead r)
    {
        var g = _net.Gantries[r.Gantry];
        var truck = r.TollClass >= 11;
        return
        [
            TransactionId(r), g.Id, g.Attribute("gantry_hex"), new DateTimeOffset(r.Ticks, TimeSpan.Zero).ToOffset(China),
            r.UnreadablePlate ? null : Plate(r.Vehicle, truck), truck ? 1L : 0L, (long)r.TollClass, truck ? 2L + r.Vehicle % 5 : 2L,
            1L, MediaId(r.Vehicle), $"{g.Id[..13]}0{g.Direction}", truck ? 600L : 150L,
            r.EntryStation >= 0 ? _tollStations[r.EntryStation] : null,
            r.EntryStation >= 0 ? new DateTimeOffset(r.EntryTicks, TimeSpan.Zero).ToOffset(China) : null,
            (long)g.Direction,
        ];
    }

    /// <summary>The CSV header for <see cref="ToCsv"/> (the dataset's field order).</summary>
    public static string CsvHeader => string.Join(",", HighwayDatasets.GantryTransaction.Fields.Select(f => f.Name));

    public string ToCsv(in GeneratedRead r)
    {
        var row = ToRow(r);
        return string.Join(",", row.Select(v => v switch
        {
            null => "",
            DateTimeOffset d => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString(),
        }));
    }

    public static string TransactionId(in GeneratedRead r) => string.Create(CultureInfo.InvariantCulture, $"T{r.Sequence:D12}");

    public static string MediaId(int vehicle) => string.Create(CultureInfo.InvariantCulture, $"52{(long)vehicle * 7919 % 10_000_000_000L:D10}");

    private static string Plate(int vehicle, bool truck)
    {
        const string letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        const string chars = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        var x = (uint)(vehicle * 2654435761u);
        Span<char> s = stackalloc char[7];
        s[0] = '贵';
        s[1] = letters[(int)(x % (uint)letters.Length)];
        x /= (uint)letters.Length;
        for (var i = 2; i < 7; i++)
        {
            s[i] = i == 2 && truck ? (char)('0' + (x % 10)) : chars[(int)(x % (uint)chars.Length)];
            x = x / (uint)chars.Length + (uint)vehicle * (uint)i;
        }
        return new string(s);
    }

    // Two peaks (08:00 and 18:00 local) over a daytime plateau and a quiet night.
    private static double DepartureFraction(Random rng)
    {
        while (true)
        {
            var hour = rng.NextDouble() * 24;
            var density = 0.15 + 0.6 * Bump(hour, 6, 22) + 0.9 * Math.Exp(-Math.Pow((hour - 8) / 1.2, 2)) + 0.8 * Math.Exp(-Math.Pow((hour - 18) / 1.5, 2));
            if (rng.NextDouble() * 2.5 < density)
            {
                // hours are local; the day starts at local midnight
                return hour / 24;
            }
        }
    }

    private static double Bump(double x, double from, double to) => x < from || x > to ? 0 : Math.Sin((x - from) / (to - from) * Math.PI);

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
