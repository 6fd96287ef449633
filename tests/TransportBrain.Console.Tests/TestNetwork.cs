using System.Globalization;
using System.Text;

namespace TransportBrain.Console.Tests;

/// <summary>
/// A synthetic road network in the highway context's GeoJSON contract: 20 routes of 100 sections
/// (2,000 sections, kind=section with properties.state), gantries at section ends every 5th section,
/// survey stations and service areas. Deterministic, around Guiyang.
/// </summary>
public sealed class TestNetwork
{
    public const double CentreLon = 106.70;
    public const double CentreLat = 26.60;

    public sealed record Section(string Id, string Route, double[][] Line, int Level, double SpeedKmh);

    public List<Section> Sections { get; } = [];
    public string GeoJson { get; }

    public TestNetwork(int routes = 20, int sectionsPerRoute = 100)
    {
        var rnd = new Random(42);
        var sb = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[");
        var first = true;
        void Add(string feature)
        {
            if (!first)
            {
                sb.Append(',');
            }
            first = false;
            sb.Append(feature);
        }
        for (var r = 0; r < routes; r++)
        {
            // routes radiate from the centre and bend a little, like a provincial expressway web
            var angle = r * Math.PI * 2 / routes + 0.1;
            var route = r % 2 == 0 ? $"G{60 + r}" : $"S{10 + r}";
            var lon = CentreLon + Math.Cos(angle) * 0.05;
            var lat = CentreLat + Math.Sin(angle) * 0.05;
            var routeLine = new List<double[]> { new[] { lon, lat } };
            for (var s = 0; s < sectionsPerRoute; s++)
            {
                var bend = Math.Sin(s / 9.0 + r) * 0.35;
                var stepLon = Math.Cos(angle + bend) * 0.012;
                var stepLat = Math.Sin(angle + bend) * 0.010;
                var mid = new[] { lon + stepLon / 2 + (rnd.NextDouble() - 0.5) * 0.002, lat + stepLat / 2 + (rnd.NextDouble() - 0.5) * 0.002 };
                var end = new[] { lon + stepLon, lat + stepLat };
                var line = new[] { new[] { lon, lat }, mid, end };
                // congestion clusters near the centre and around a few hot spots
                var heat = Math.Max(0, 1 - s / 25.0) + (s % 37 < 3 ? 0.8 : 0) + rnd.NextDouble() * 0.3;
                var level = heat > 1.1 ? 5 : heat > 0.85 ? 4 : heat > 0.6 ? 3 : heat > 0.35 ? 2 : 1;
                var speed = level switch { 5 => 12 + rnd.NextDouble() * 8, 4 => 28 + rnd.NextDouble() * 8, 3 => 45 + rnd.NextDouble() * 8, 2 => 65 + rnd.NextDouble() * 10, _ => 90 + rnd.NextDouble() * 15 };
                var id = $"{route}-{s + 1:D3}";
                Sections.Add(new Section(id, route, line, level, speed));
                Add(Feature("LineString", Coords(line),
                    $"\"kind\":\"section\",\"id\":\"{id}\",\"route\":\"{route}\",\"direction\":1,\"from_stake\":\"K{s * 12}+000\",\"to_stake\":\"K{(s + 1) * 12}+000\",\"length_m\":1200,\"speed_limit_kmh\":100,"
                    + $"\"state\":{{\"interval_start\":\"{DateTimeOffset.UtcNow.AddMinutes(-5):O}\",\"speed_kmh\":{Num(speed)},\"travel_time_s\":{Num(1200 / (speed / 3.6))},\"flow_vph\":{1200 + s * 7},\"level\":{level},\"level_zh\":\"{LevelZh(level)}\",\"level_en\":\"{LevelEn(level)}\"}}"));
                if (s % 5 == 4)
                {
                    Add(Feature("Point", Coords([end])[1..^1], $"\"kind\":\"gantry\",\"id\":\"GT-{id}\",\"name\":\"{route} 门架 {s + 1}\",\"route\":\"{route}\""));
                }
                if (s % 20 == 10)
                {
                    Add(Feature("Point", Coords([mid])[1..^1], $"\"kind\":\"survey_station\",\"id\":\"SV-{id}\",\"name\":\"{route} 交调站 {s + 1}\",\"route\":\"{route}\""));
                }
                if (s % 33 == 16)
                {
                    Add(Feature("Point", Coords([end])[1..^1], $"\"kind\":\"service_area\",\"id\":\"SA-{id}\",\"name\":\"{route} 服务区\",\"route\":\"{route}\""));
                }
                routeLine.Add(end);
                lon = end[0];
                lat = end[1];
            }
            Add(Feature("LineString", Coords([.. routeLine]), $"\"kind\":\"route\",\"route\":\"{route}\",\"name_zh\":\"{route} 高速\""));
        }
        sb.Append("]}");
        GeoJson = sb.ToString();
    }

    public static string LevelZh(int level) => level switch { 1 => "畅通", 2 => "基本畅通", 3 => "轻度拥堵", 4 => "中度拥堵", _ => "严重拥堵" };

    public static string LevelEn(int level) => level switch { 1 => "free flow", 2 => "mostly free", 3 => "light congestion", 4 => "moderate congestion", _ => "severe congestion" };

    private static string Feature(string type, string coords, string props) =>
        $"{{\"type\":\"Feature\",\"geometry\":{{\"type\":\"{type}\",\"coordinates\":{coords}}},\"properties\":{{{props}}}}}";

    private static string Coords(double[][] line) => "[" + string.Join(",", line.Select(p => $"[{Num(p[0])},{Num(p[1])}]")) + "]";

    private static string Num(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
}
