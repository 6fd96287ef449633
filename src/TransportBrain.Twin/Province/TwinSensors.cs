using System.Globalization;
using TransportBrain.Highway;
using TransportBrain.Highway.Network;
using TransportBrain.Twin.Simulation;

namespace TransportBrain.Twin.Province;

/// <summary>
/// Who a simulated vehicle is to the province's sensors: a stable key per run, a Guizhou plate, an OBU id, and
/// whether it carries a JT/T 808 terminal (every coach; a share of heavy and articulated trucks as dangerous goods).
/// </summary>
public static class VehicleIdentity
{
    private const string Letters = "ABCDEFGHJ"; // 贵A (Guiyang) ... 贵J (Qiannan)
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"; // plates use no I or O

    /// <summary>A key unique in a run: the carriageway and the simulator's vehicle id.</summary>
    public static long Key(int carriageway, int vehicleId) => ((carriageway + 1) * 100_000_000L) + vehicleId;

    private static ulong Mix(long key)
    {
        var z = (ulong)key * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// A plausible Guizhou plate (贵A·12345 or 贵A·K1234), stable for the key and different for every vehicle of a
    /// run (up to 190,000 vehicles per carriageway): the key is mapped one-to-one onto the 3,060,000 plates.
    /// </summary>
    public static string Plate(long key, VehicleClass vehicleClass)
    {
        const long Tails = 100_000 + (24 * 10_000);
        const long Plates = 9 * Tails;
        var carriageway = (key / 100_000_000L) - 1;
        var vehicle = key % 100_000_000L;
        var x = ((vehicle * 16) + carriageway) % Plates;
        var p = (long)((ulong)x * 2_654_435_761UL % Plates); // a bijection: the multiplier is prime to 2^5·3^2·5^4·17
        var letter = Letters[(int)(p % 9)];
        var tail = p / 9;
        return tail < 100_000
            ? string.Create(CultureInfo.InvariantCulture, $"贵{letter}{tail:D5}")
            : string.Create(CultureInfo.InvariantCulture, $"贵{letter}{Alphabet[10 + (int)((tail - 100_000) / 10_000)]}{(tail - 100_000) % 10_000:D4}");
    }

    /// <summary>Plate colour in the toll system's coding (0 blue for small vehicles, 1 yellow for large ones).</summary>
    public static int PlateColour(VehicleClass vehicleClass) => vehicleClass.TollClass == 1 ? 0 : 1;

    /// <summary>The OBU id, 12 digits starting with Guizhou's 52.</summary>
    public static string MediaId(long key) => string.Create(CultureInfo.InvariantCulture, $"52{Mix(key) % 10_000_000_000UL:D10}");

    /// <summary>The vehicle class name of dangerous-goods trucks.</summary>
    public const string DangerousGoodsClassName = "truck-dangerous-goods";

    /// <summary>The supervision category of a vehicle carrying a terminal (coaches, a quarter of them charters; dangerous goods), or null.</summary>
    public static string? Category(long key, VehicleClass vehicleClass) => vehicleClass.Name switch
    {
        "coach" => Mix(key) % 4 == 0 ? "charter" : "coach",
        DangerousGoodsClassName => "dangerous_goods",
        _ => null,
    };

    /// <summary>The 12-digit terminal phone number of an equipped vehicle.</summary>
    public static string TerminalPhone(long key) => string.Create(CultureInfo.InvariantCulture, $"01{key % 10_000_000_000L:D10}");
}

/// <summary>
/// An ETC gantry over one carriageway: every vehicle front crossing it becomes a transaction row of
/// <c>highway.gantry_transaction</c>, except a share it misses; a share is read twice (seconds apart,
/// a new transaction id) and a share has no readable plate (OBU id only), as real gantries do.
/// </summary>
internal sealed class GantrySensor : CrossingSensor
{
    private readonly Facility _gantry;
    private readonly int _direction;
    private readonly int _carriageway;
    private readonly ProvinceOptions _o;
    private readonly string _hex;
    private readonly List<(VehicleCrossing Crossing, double TimeS)> _reads = [];
    private DeterministicRandom _rng;
    private long _sequence;

    private readonly double _spinUpS;

    /// <param name="spinUpS">Simulated seconds before the start: passages then are not reported.</param>
    public GantrySensor(double positionM, Facility gantry, int direction, int carriageway, ProvinceOptions options, ulong seed, double spinUpS) : base(positionM)
    {
        _spinUpS = spinUpS;
        _gantry = gantry;
        _direction = direction;
        _carriageway = carriageway;
        _o = options;
        _hex = gantry.Attribute("gantry_hex") ?? "000000";
        _rng = new DeterministicRandom(seed);
    }

    public long Passages { get; private set; }
    public long Missed { get; private set; }
    public long Duplicated { get; private set; }
    public long Recorded { get; private set; }

    public override void OnCrossing(in VehicleCrossing crossing)
    {
        if (crossing.TimeS < _spinUpS)
        {
            return;
        }
        Passages++;
        if (_rng.NextDouble() < _o.MissRate)
        {
            Missed++;
            return;
        }
        _reads.Add((crossing, crossing.TimeS));
        if (_rng.NextDouble() < _o.DuplicateRate)
        {
            Duplicated++;
            _reads.Add((crossing, crossing.TimeS + 2 + (_rng.NextDouble() * 20)));
        }
    }

    /// <summary>Writes the reads so far as dataset rows (in field order) and forgets them.</summary>
    public void Drain(List<object?[]> into, DateTimeOffset start)
    {
        var d = HighwayDatasets.GantryTransaction;
        foreach (var (c, timeS) in _reads)
        {
            var key = VehicleIdentity.Key(_carriageway, c.VehicleId);
            var unreadable = _rng.NextDouble() < _o.UnreadablePlateRate;
            var row = new object?[d.Fields.Count];
            var time = start.AddSeconds(Math.Round(timeS - _spinUpS, 3));
            Set(row, "transaction_id", string.Create(CultureInfo.InvariantCulture, $"{_gantry.Id}{time.ToOffset(TimeSpan.FromHours(8)):yyMMddHHmmss}{_sequence++ % 100_000:D5}"));
            Set(row, "gantry_id", _gantry.Id);
            Set(row, "gantry_hex", _hex);
            Set(row, "trans_time", time);
            Set(row, "plate", unreadable ? null : VehicleIdentity.Plate(key, c.VehicleClass));
            Set(row, "plate_color", (long)VehicleIdentity.PlateColour(c.VehicleClass));
            Set(row, "vehicle_type", (long)c.VehicleClass.TollClass);
            Set(row, "media_type", 1L);
            Set(row, "media_id", VehicleIdentity.MediaId(key));
            Set(row, "direction", (long)_direction);
            into.Add(row);
            Recorded++;
        }
        _reads.Clear();

        void Set(object?[] row, string field, object? value) => row[Index(field)] = value;
    }

    private static readonly Dictionary<string, int> Fields =
        HighwayDatasets.GantryTransaction.Fields.Select((f, i) => (f.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);

    private static int Index(string field) => Fields[field];
}

/// <summary>
/// A traffic survey station (交调站) over one carriageway: per lane (numbered from the inside) and 5 minutes,
/// vehicles by survey class, mean spot speed, time occupancy (loop of 2 m) and mean headway, as
/// <c>highway.survey_station_5min</c> rows. Intervals without vehicles are reported too (zero counts).
/// </summary>
internal sealed class SurveySensor(double positionM, Facility station, int direction, int lanes, double spinUpS) : CrossingSensor(positionM)
{
    private const double IntervalS = 300;
    private const double LoopM = 2;
    private readonly Dictionary<long, Interval> _open = [];
    private long _closed = (long)Math.Round(spinUpS / IntervalS);

    public long Vehicles { get; private set; }

    private sealed class Interval(int lanes)
    {
        public readonly int[,] Counts = new int[lanes + 1, 6];
        public readonly double[] SpeedSum = new double[lanes + 1];
        public readonly double[] OccupiedS = new double[lanes + 1];
    }

    public override void OnCrossing(in VehicleCrossing crossing)
    {
        var k = (long)(crossing.TimeS / IntervalS);
        if (k < _closed)
        {
            return;
        }
        if (!_open.TryGetValue(k, out var acc))
        {
            _open[k] = acc = new Interval(lanes);
        }
        // Crossings of the ramp lane count in the outermost lane (lane 1 from the right).
        var lane = Math.Clamp(crossing.Lane, 1, lanes);
        var cls = crossing.VehicleClass.TollClass switch
        {
            1 => 0,             // small passenger cars
            >= 2 and <= 4 => 1, // large passenger (coaches)
            11 => 2,
            12 => 3,
            13 or 14 => 4,
            _ => 5,
        };
        acc.Counts[lane, cls]++;
        acc.SpeedSum[lane] += crossing.SpeedMs;
        acc.OccupiedS[lane] += (crossing.VehicleClass.LengthM + LoopM) / Math.Max(0.5, crossing.SpeedMs);
        Vehicles++;
    }

    /// <summary>Emits every interval that ended by <paramref name="timeS"/>, empty ones included.</summary>
    public void Close(double timeS, List<object?[]> into, DateTimeOffset start)
    {
        var d = HighwayDatasets.SurveyStation5Min;
        while ((_closed + 1) * IntervalS <= timeS + 1e-9)
        {
            _open.Remove(_closed, out var acc);
            acc ??= new Interval(lanes);
            for (var lane = 1; lane <= lanes; lane++)
            {
                var total = 0;
                for (var c = 0; c < 6; c++)
                {
                    total += acc.Counts[lane, c];
                }
                into.Add(ProvinceTwin.Row(d, new()
                {
                    ["station_id"] = station.Id, ["direction"] = (long)direction, ["lane_no"] = (long)(lanes + 1 - lane),
                    ["interval_start"] = start.AddSeconds((_closed * IntervalS) - spinUpS),
                    ["small_passenger"] = (long)acc.Counts[lane, 0], ["large_passenger"] = (long)acc.Counts[lane, 1], ["small_truck"] = (long)acc.Counts[lane, 2],
                    ["medium_truck"] = (long)acc.Counts[lane, 3], ["large_truck"] = (long)acc.Counts[lane, 4], ["extra_large_truck"] = (long)acc.Counts[lane, 5],
                    ["container_truck"] = 0L, ["motorcycle"] = 0L, ["total"] = (long)total,
                    ["mean_speed_kmh"] = total > 0 ? Math.Round(acc.SpeedSum[lane] / total * 3.6, 1) : null,
                    ["occupancy_pct"] = Math.Round(Math.Min(100, acc.OccupiedS[lane] / IntervalS * 100), 2),
                    ["mean_headway_s"] = total > 0 ? Math.Round(IntervalS / total, 1) : null,
                }));
            }
            _closed++;
        }
    }
}
