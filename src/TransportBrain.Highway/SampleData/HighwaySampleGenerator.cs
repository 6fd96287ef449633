using System.Globalization;
using System.Text;

namespace TransportBrain.Highway.SampleData;

/// <summary>What the sample generator wrote.</summary>
public sealed record SampleFiles(string Gantries, string GantryTransactions, string SurveyStations, string SurveyStation5Min, long TransactionRows, long BadRows);

/// <summary>
/// Writes plausible sample files for the highway datasets so a newcomer can try import without real
/// data: gantries along two Guizhou-like routes, vehicles driving past them, and survey-station
/// 5-minute lane records. Deterministic for a seed. A share of deliberately bad rows (wrong column
/// count, impossible time, bad plate, unknown gantry, a resent duplicate, a fee that is not a number)
/// shows the quality gate at work.
/// </summary>
public static class HighwaySampleGenerator
{
    private const string Provinces = "贵贵贵贵贵贵川渝云湘桂粤";
    private const string Letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string PlateChars = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    public static SampleFiles Generate(string directory, long transactionRows, DateTimeOffset end, double badFraction = 0, int seed = 42, string encodingName = "utf-8")
    {
        Directory.CreateDirectory(directory);
        var encoding = encodingName.Equals("gbk", StringComparison.OrdinalIgnoreCase) ? GetGbk() : new UTF8Encoding(false);
        var rng = new Random(seed);
        var gantries = MakeGantries();
        var stations = MakeStations();
        var files = new SampleFiles(
            Path.Combine(directory, "gantries.csv"),
            Path.Combine(directory, "gantry_transactions.csv"),
            Path.Combine(directory, "survey_stations.csv"),
            Path.Combine(directory, "survey_station_5min.csv"),
            transactionRows, 0);

        using (var w = new StreamWriter(files.Gantries, false, encoding))
        {
            w.WriteLine("gantry_id,gantry_hex,name,route,stake,direction,longitude,latitude");
            foreach (var g in gantries)
            {
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{g.Id},{g.Hex},{g.Name},{g.Route},{g.Stake},{g.Direction},{g.Lon:F6},{g.Lat:F6}"));
            }
        }
        using (var w = new StreamWriter(files.SurveyStations, false, encoding))
        {
            w.WriteLine("station_id,name,route,stake,lanes_per_direction,longitude,latitude");
            foreach (var s in stations)
            {
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Id},{s.Name},{s.Route},{s.Stake},{s.Lanes},{s.Lon:F6},{s.Lat:F6}"));
            }
        }

        long bad = 0;
        var span = TimeSpan.FromHours(24);
        var start = end - span;
        var cst = TimeSpan.FromHours(8);
        using (var w = new StreamWriter(files.GantryTransactions, false, encoding, 1 << 16))
        {
            w.WriteLine("transaction_id,gantry_id,gantry_hex,trans_time,plate,plate_color,vehicle_type,axle_count,media_type,media_id,toll_interval_id,fee_fen,entry_station_id,entry_time,direction");
            var sb = new StringBuilder(256);
            var previous = "";
            for (long i = 0; i < transactionRows; i++)
            {
                var g = gantries[rng.Next(gantries.Length)];
                var t = start + TimeSpan.FromTicks((long)(span.Ticks * (i + rng.NextDouble()) / Math.Max(1, transactionRows)));
                var truck = rng.NextDouble() < 0.3;
                var vehicleType = truck ? 11 + rng.Next(6) : (rng.NextDouble() < 0.9 ? 1 : 2 + rng.Next(3));
                var colour = truck || vehicleType > 1 ? "1" : (rng.NextDouble() < 0.2 ? "4" : "0");
                var plate = MakePlate(rng, colour == "4");
                var obu = rng.NextDouble() < 0.85;
                var local = t.ToOffset(cst);
                var entry = local.AddMinutes(-5 - rng.Next(120));
                sb.Clear();
                sb.Append(CultureInfo.InvariantCulture, $"{g.Id}{local:yyyyMMddHHmmss}{i % 1_000_000:D6},{g.Id},{g.Hex},{local:yyyy-MM-dd HH:mm:ss},{plate},{colour},{vehicleType},{(truck ? 2 + rng.Next(5) : 2)},{(obu ? 1 : 2)},");
                sb.Append(CultureInfo.InvariantCulture, $"{(obu ? "52" : "CPC")}{rng.NextInt64(1_000_000_000L, 9_999_999_999L)},{g.Id[..13]}0{g.Direction},{(truck ? 300 + rng.Next(1500) : 95 + rng.Next(400))},");
                sb.Append(CultureInfo.InvariantCulture, $"G00525200100{rng.Next(10, 60)},{entry:yyyy-MM-dd HH:mm:ss},{g.Direction}");
                var line = sb.ToString();
                if (badFraction > 0 && i > 0 && rng.NextDouble() < badFraction)
                {
                    bad++;
                    line = Corrupt(line, previous, rng);
                }
                w.WriteLine(line);
                previous = line;
            }
        }

        using (var w = new StreamWriter(files.SurveyStation5Min, false, encoding, 1 << 16))
        {
            w.WriteLine("station_id,direction,lane_no,interval_start,small_passenger,large_passenger,small_truck,medium_truck,large_truck,extra_large_truck,container_truck,motorcycle,total,mean_speed_kmh,occupancy_pct,mean_headway_s");
            var intervals = (int)(span.TotalMinutes / 5);
            var trucks = new int[6];
            for (var k = 0; k < intervals; k++)
            {
                var local = (start + TimeSpan.FromMinutes(5 * k)).ToOffset(cst);
                var demand = 0.25 + 0.75 * Math.Max(0, Math.Sin(Math.PI * (local.Hour - 5) / 17.0));
                foreach (var s in stations)
                {
                    for (var dir = 1; dir <= 2; dir++)
                    {
                        for (var lane = 1; lane <= s.Lanes; lane++)
                        {
                            var small = (int)(demand * (lane == 1 ? 1.0 : 0.7) * (60 + rng.Next(40)));
                            var largePassenger = rng.Next(4);
                            for (var x = 0; x < trucks.Length; x++)
                            {
                                trucks[x] = (int)(demand * rng.Next(lane == s.Lanes ? 12 : 4));
                            }
                            var moto = rng.Next(2);
                            var total = small + largePassenger + trucks.Sum() + moto;
                            var speed = 95 - 25 * demand + rng.NextDouble() * 10;
                            var occupancy = Math.Min(95, total * 0.09 + rng.NextDouble());
                            var headway = total > 0 ? 300.0 / total : 0;
                            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"{s.Id},{dir},{lane},{local:yyyy-MM-dd HH:mm:ss},{small},{largePassenger},{trucks[0]},{trucks[1]},{trucks[2]},{trucks[3]},{trucks[4]},{moto},{total},{speed:F1},{occupancy:F2},{headway:F2}"));
                        }
                    }
                }
            }
        }
        return files with { BadRows = bad };
    }

    /// <summary>The kinds of damage real exports show.</summary>
    private static string Corrupt(string line, string previous, Random rng)
    {
        var cells = line.Split(',');
        switch (rng.Next(6))
        {
            case 0: // a column lost in export
                return string.Join(',', cells.Take(cells.Length - 1));
            case 1: // an impossible date
                cells[3] = "2025-02-30 25:61:00";
                break;
            case 2: // a plate typed wrong (I and O are not used on plates)
                cells[4] = "贵I0O0O0";
                break;
            case 3: // a gantry nobody registered
                cells[1] = "G999999999999999999";
                break;
            case 4: // the previous transaction sent again
                return previous;
            default: // not a number
                cells[11] = "十二元";
                break;
        }
        return string.Join(',', cells);
    }

    private static string MakePlate(Random rng, bool newEnergy)
    {
        Span<char> p = stackalloc char[8];
        p[0] = Provinces[rng.Next(Provinces.Length)];
        p[1] = Letters[rng.Next(Letters.Length)];
        var n = newEnergy ? 6 : 5;
        for (var k = 0; k < n; k++)
        {
            p[2 + k] = k == 0 && newEnergy ? (rng.Next(2) == 0 ? 'D' : 'F') : PlateChars[rng.Next(PlateChars.Length)];
        }
        return new string(p[..(2 + n)]);
    }

    private sealed record GantrySite(string Id, string Hex, string Name, string Route, string Stake, int Direction, double Lon, double Lat);

    private sealed record StationSite(string Id, string Name, string Route, string Stake, int Lanes, double Lon, double Lat);

    private static GantrySite[] MakeGantries()
    {
        // Two routes radiating from a provincial capital near 106.63E 26.65N, a gantry every 12 km each way.
        var list = new List<GantrySite>();
        var routes = new[] { ("G60", 0.105, 0.018, "沪昆高速", "0060"), ("S30", -0.02, 0.11, "贵遵复线", "0030") };
        var n = 1;
        foreach (var (route, dLon, dLat, name, code) in routes)
        {
            for (var k = 1; k <= 6; k++)
            {
                var km = 12 * k;
                for (var dir = 1; dir <= 2; dir++)
                {
                    var id = string.Create(CultureInfo.InvariantCulture, $"G{code}5200100{k:D2}{dir}00{n:D2}");
                    list.Add(new GantrySite(id, (0x5A0000 + n).ToString("X6", CultureInfo.InvariantCulture),
                        $"{name}K{km}{(dir == 1 ? "上行" : "下行")}门架", route, $"K{km}+{(dir == 1 ? 200 : 650)}", dir,
                        106.63 + dLon * k, 26.65 + dLat * k));
                    n++;
                }
            }
        }
        return [.. list];
    }

    private static StationSite[] MakeStations() =>
    [
        new("JD520100001", "龙洞堡交调站", "G60", "K18+300", 3, 106.80, 26.67),
        new("JD520100002", "清镇交调站", "G60", "K46+900", 2, 106.26, 26.58),
        new("JD520100003", "修文交调站", "S30", "K30+050", 2, 106.60, 26.93),
    ];

    private static Encoding GetGbk()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(936);
    }
}
