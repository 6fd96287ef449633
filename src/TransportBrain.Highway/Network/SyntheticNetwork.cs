using System.Globalization;

namespace TransportBrain.Highway.Network;

/// <summary>
/// Builds plausible expressway networks for tests, benchmarks, sample data and the demo: straight-ish
/// routes radiating from a provincial capital, gantries every few kilometres on both carriageways,
/// toll stations at interchanges, survey stations, service areas, a tunnel and a bridge per route, and
/// road weather stations. Deterministic for a seed.
/// </summary>
public static class SyntheticNetwork
{
    private static readonly (string Code, string Zh, string En)[] RouteNames =
    [
        ("G60", "沪昆高速", "Shanghai-Kunming Expressway"),
        ("G75", "兰海高速", "Lanzhou-Haikou Expressway"),
        ("G76", "厦蓉高速", "Xiamen-Chengdu Expressway"),
        ("G56", "杭瑞高速", "Hangzhou-Ruili Expressway"),
        ("G69", "银百高速", "Yinchuan-Baise Expressway"),
        ("G78", "汕昆高速", "Shantou-Kunming Expressway"),
        ("G65", "包茂高速", "Baotou-Maoming Expressway"),
        ("S30", "贵黔高速", "Guiyang-Qianxi Expressway"),
        ("S15", "贵瓮高速", "Guiyang-Weng'an Expressway"),
        ("S25", "贵遵复线", "Guiyang-Zunyi Relief Expressway"),
        ("S50", "贵安高速", "Gui'an Expressway"),
        ("S62", "余安高速", "Yuqing-Anlong Expressway"),
    ];

    private static readonly string[] PlaceNames =
    [
        "花溪", "龙里", "清镇", "修文", "息烽", "开阳", "贵定", "福泉", "麻江", "凯里", "都匀", "平坝", "安顺", "镇宁", "关岭",
        "黔西", "大方", "毕节", "遵义", "桐梓", "瓮安", "湄潭", "余庆", "施秉", "镇远", "三穗", "天柱", "榕江", "独山", "荔波",
    ];

    /// <summary>The capital the routes radiate from (Guiyang).</summary>
    public static readonly GeoPoint Centre = new(106.63, 26.65);

    public static RoadNetwork Create(int routes = 4, int gantriesPerDirection = 12, double spacingKm = 6, int seed = 7) =>
        NetworkFile.LoadGeoJson(CreateGeoJson(routes, gantriesPerDirection, spacingKm, seed)).Network;

    /// <summary>The network as our GeoJSON file format, so tests and the demo go through the same loader as users.</summary>
    public static string CreateGeoJson(int routes = 4, int gantriesPerDirection = 12, double spacingKm = 6, int seed = 7)
    {
        var rng = new Random(seed);
        var features = new List<string>();
        var hex = 0x1A0000 + seed * 16;
        for (var r = 0; r < routes; r++)
        {
            var (code, zh, en) = RouteNames[r % RouteNames.Length];
            if (r >= RouteNames.Length)
            {
                code = $"S{100 + r}";
                zh = $"省道{100 + r}高速";
                en = $"Provincial Expressway S{100 + r}";
            }
            var routeNo = code[0] == 'G' ? int.Parse(code[1..], CultureInfo.InvariantCulture) : 5000 + int.Parse(code[1..], CultureInfo.InvariantCulture);
            var startStake = (10 + rng.Next(200)) * 1000.0;
            var length = (gantriesPerDirection + 1) * spacingKm * 1000;
            var bearing = 2 * Math.PI * r / Math.Max(routes, 1) + rng.NextDouble() * 0.2;
            var points = new List<GeoPoint>();
            const int vertices = 24;
            for (var v = 0; v <= vertices; v++)
            {
                var d = 5_000 + length * v / vertices; // start 5 km out of the centre
                var wiggle = Math.Sin(v * 0.9 + r) * 1_500;
                var east = d * Math.Sin(bearing) + wiggle * Math.Cos(bearing);
                var north = d * Math.Cos(bearing) - wiggle * Math.Sin(bearing);
                points.Add(Offset(Centre, east, north));
            }
            // Stakes run along the drawn line so that stake differences match geometry.
            var endStake = startStake + RouteGeometry.LengthM(points);
            var route = new RouteInfo(code, zh, en, "expressway", startStake, endStake, 120, 2 + (r % 2), points);
            features.Add(Feature("LineString", Coordinates(points),
                $"\"kind\":\"route\",\"route\":\"{code}\",\"name_zh\":\"{zh}\",\"name_en\":\"{en}\",\"road_class\":\"expressway\",\"start_stake\":\"{Stake.Format(startStake)}\",\"end_stake\":\"{Stake.Format(endStake)}\",\"speed_limit_kmh\":120,\"lanes_per_direction\":{route.LanesPerDirection}"));
            var span = endStake - startStake;
            var step = span / (gantriesPerDirection + 1);
            for (var k = 0; k < gantriesPerDirection; k++)
            {
                var stake = Math.Round(startStake + step * (k + 0.5 + rng.NextDouble() * 0.3));
                var place = PlaceNames[(r * 7 + k) % PlaceNames.Length];
                for (var direction = 1; direction <= 2; direction++)
                {
                    var s = direction == 1 ? stake : stake + 150; // the opposite carriageway's gantry stands a little apart
                    var id = string.Create(CultureInfo.InvariantCulture, $"G{routeNo:D4}5200{r % 100:D2}{k:D5}{direction}0");
                    features.Add(PointFeature(route, s,
                        $"\"kind\":\"gantry\",\"id\":\"{id}\",\"gantry_hex\":\"{hex++:X6}\",\"name\":\"{zh}{place}{(direction == 1 ? "上行" : "下行")}门架\",\"route\":\"{code}\",\"stake\":\"{Stake.Format(s)}\",\"direction\":{direction}"));
                }
                if (k % 3 == 1)
                {
                    features.Add(PointFeature(route, stake + step / 2,
                        $"\"kind\":\"survey_station\",\"id\":\"JD{routeNo:D4}{k:D3}\",\"name\":\"{place}交调站\",\"route\":\"{code}\",\"stake\":\"{Stake.Format(stake + step / 2)}\",\"lanes_per_direction\":{route.LanesPerDirection}"));
                }
                if (k % 2 == 0)
                {
                    var ts = stake - step * 0.3;
                    features.Add(PointFeature(route, ts,
                        $"\"kind\":\"toll_station\",\"id\":\"G{routeNo:D4}52{k:D3}\",\"name\":\"{place}收费站\",\"route\":\"{code}\",\"stake\":\"{Stake.Format(ts)}\""));
                    features.Add(PointFeature(route, ts + 200,
                        $"\"kind\":\"interchange\",\"id\":\"HT{routeNo:D4}{k:D3}\",\"name\":\"{place}互通\",\"route\":\"{code}\",\"stake\":\"{Stake.Format(ts + 200)}\""));
                }
                if (k % 5 == 3)
                {
                    var sa = stake + step * 0.4;
                    features.Add(PointFeature(route, sa,
                        $"\"kind\":\"service_area\",\"id\":\"FW{routeNo:D4}{k:D3}\",\"name\":\"{place}服务区\",\"route\":\"{code}\",\"stake\":\"{Stake.Format(sa)}\""));
                }
                if (k % 4 == 2)
                {
                    features.Add(PointFeature(route, stake + step * 0.25,
                        $"\"kind\":\"weather_station\",\"id\":\"QX{routeNo:D4}{k:D3}\",\"name\":\"{place}气象站\",\"route\":\"{code}\",\"stake\":\"{Stake.Format(stake + step * 0.25)}\",\"covers_m\":8000"));
                }
            }
            var tunnelAt = startStake + span * 0.35;
            features.Add(PointFeature(route, tunnelAt,
                $"\"kind\":\"tunnel\",\"id\":\"SD{routeNo:D4}01\",\"name\":\"{PlaceNames[(r + 3) % PlaceNames.Length]}隧道\",\"route\":\"{code}\",\"stake\":\"{Stake.Format(tunnelAt)}\",\"end_stake\":\"{Stake.Format(tunnelAt + 2_300)}\""));
            var bridgeAt = startStake + span * 0.62;
            features.Add(PointFeature(route, bridgeAt,
                $"\"kind\":\"bridge\",\"id\":\"QL{routeNo:D4}01\",\"name\":\"{PlaceNames[(r + 11) % PlaceNames.Length]}特大桥\",\"route\":\"{code}\",\"stake\":\"{Stake.Format(bridgeAt)}\",\"end_stake\":\"{Stake.Format(bridgeAt + 1_100)}\""));
            features.Add(Feature(null, null,
                $"\"kind\":\"speed_limit\",\"route\":\"{code}\",\"direction\":0,\"stake\":\"{Stake.Format(tunnelAt - 500)}\",\"end_stake\":\"{Stake.Format(tunnelAt + 2_800)}\",\"speed_limit_kmh\":80"));
        }
        return NetworkFeatures.Collection(features);
    }

    private static string PointFeature(RouteInfo route, double stake, string props) => NetworkFeatures.Point(route, stake, props);

    private static string Feature(string? type, string? coordinates, string props) => NetworkFeatures.Feature(type, coordinates, props);

    private static string Coordinates(IEnumerable<GeoPoint> points) => NetworkFeatures.Coordinates(points);

    private static GeoPoint Offset(GeoPoint origin, double eastM, double northM) => NetworkFeatures.Offset(origin, eastM, northM);
}
