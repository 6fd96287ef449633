using System.Globalization;
using TransportBrain.Highway.Network;

namespace TransportBrain.Twin.Province;

/// <summary>
/// The demo province: a synthetic but plausible expressway network around Guiyang, a ring (贵阳环城高速)
/// and four radials leaving it, about 350 km of route with gantries every 7-8 km on both carriageways,
/// interchanges with toll stations, hub interchanges where the radials meet the ring, survey and weather
/// stations, service areas, a tunnel and two bridges. It is shipped as data in
/// <c>provinces/demo/network.geojson</c> (written by <see cref="CreateGeoJson"/>, regenerated with
/// <c>brain twin demo-network</c>) and read through the same loader as any province's network file.
/// </summary>
public static class DemoProvince
{
    /// <summary>Where the shipped network lives, relative to the repository root.</summary>
    public const string NetworkPath = "provinces/demo/network.geojson";

    private sealed record Radial(string Code, string Zh, string En, double BearingDeg, double LengthKm, int Lanes, double StartStakeKm, string[] Places);

    private static readonly Radial[] Radials =
    [
        new("G75", "兰海高速", "Lanzhou-Haikou Expressway", 4, 62, 2, 1_212, ["沙文", "扎佐", "修文", "久长", "息烽", "小寨坝", "养龙司", "乌江"]),
        new("G60", "沪昆高速", "Shanghai-Kunming Expressway", 262, 64, 3, 1_706, ["金阳", "清镇", "站街", "卫城", "平坝", "天龙", "夏云", "安顺东"]),
        new("G76", "厦蓉高速", "Xiamen-Chengdu Expressway", 112, 60, 2, 1_388, ["龙洞堡", "龙里", "谷脚", "醒狮", "洗马", "贵定", "昌明", "马场坪"]),
        new("G69", "银百高速", "Yinchuan-Baise Expressway", 192, 58, 2, 2_030, ["花溪", "青岩", "燕楼", "马场", "惠水", "好花红", "断杉", "长田"]),
    ];

    private static readonly string[] RingPlaces =
    [
        "白云", "沙文北", "东风镇", "乌当", "新添寨", "永乐", "东峰", "龙洞堡", "小碧", "孟关", "花溪北", "金竹", "湖潮", "金华", "朱昌", "百花湖", "麦架",
    ];

    /// <summary>The ring's code, names and mean radius.</summary>
    public const string RingCode = "G6001";
    private const double RingRadiusM = 18_000;

    /// <summary>The network as our GeoJSON format. Deterministic: the shipped file is exactly this text.</summary>
    public static string CreateGeoJson()
    {
        var features = new List<string>();
        var hex = 0x2B0000;

        // The ring: a closed loop, stake 0 at its northernmost point, increasing clockwise (上行).
        var ringPoints = new List<GeoPoint>();
        const int ringVertices = 96;
        for (var v = 0; v <= ringVertices; v++)
        {
            var a = 2 * Math.PI * v / ringVertices;
            var r = RingRadius(a);
            ringPoints.Add(NetworkFeatures.Offset(SyntheticNetwork.Centre, r * Math.Sin(a), r * Math.Cos(a)));
        }
        var ring = RouteFeature(features, RingCode, "贵阳环城高速", "Guiyang Ring Expressway", 0, ringPoints, 100, 3);
        var ringGantries = PlaceGantries(features, ring, 6001, 16, RingPlaces, ref hex);
        // Interchanges with toll stations between every other pair of gantries; hub interchanges where the radials meet.
        for (var k = 0; k + 1 < ringGantries.Count; k += 2)
        {
            var at = Math.Round((ringGantries[k] + ringGantries[k + 1]) / 2);
            var place = RingPlaces[k % RingPlaces.Length];
            Interchange(features, ring, 6001, k, at, place, toll: true);
        }
        foreach (var radial in Radials)
        {
            var stake = RingStakeAt(ring, radial.BearingDeg);
            features.Add(NetworkFeatures.Point(ring, stake,
                Props("interchange", $"HT6001{radial.Code[1..]}J", $"{radial.Zh[..2]}枢纽互通", RingCode, stake) + ",\"hub\":true"));
        }
        Station(features, ring, "survey_station", "JD6001001", "东风镇交调站", ring.StartStake + 21_300, ",\"lanes_per_direction\":3");
        Station(features, ring, "survey_station", "JD6001002", "金竹交调站", ring.StartStake + 63_800, ",\"lanes_per_direction\":3");
        Station(features, ring, "weather_station", "QX6001001", "东峰气象站", ring.StartStake + 37_200, ",\"covers_m\":8000");
        Station(features, ring, "weather_station", "QX6001002", "百花湖气象站", ring.StartStake + 92_500, ",\"covers_m\":8000");
        Station(features, ring, "service_area", "FW6001001", "小碧服务区", ring.StartStake + 49_000, "");
        Span(features, ring, "bridge", "QL600101", "南明河特大桥", ring.StartStake + 55_600, 1_240);

        foreach (var radial in Radials)
        {
            var routeNo = int.Parse(radial.Code[1..], CultureInfo.InvariantCulture);
            var bearing = radial.BearingDeg * Math.PI / 180;
            var origin = RouteGeometry.PointAt(ring, RingStakeAt(ring, radial.BearingDeg));
            var points = new List<GeoPoint>();
            const int vertices = 30;
            for (var v = 0; v <= vertices; v++)
            {
                var d = radial.LengthKm * 1000 * v / vertices;
                var wiggle = Math.Sin(v * 0.7 + routeNo) * 1_200 * Math.Min(1, v / 4.0);
                points.Add(NetworkFeatures.Offset(origin, d * Math.Sin(bearing) + wiggle * Math.Cos(bearing), d * Math.Cos(bearing) - wiggle * Math.Sin(bearing)));
            }
            var route = RouteFeature(features, radial.Code, radial.Zh, radial.En, radial.StartStakeKm * 1000, points, 120, radial.Lanes);
            var gantries = PlaceGantries(features, route, routeNo, 8, radial.Places, ref hex);
            for (var k = 0; k + 1 < gantries.Count; k++)
            {
                if (k % 2 == 0)
                {
                    Interchange(features, route, routeNo, k, Math.Round((gantries[k] + gantries[k + 1]) / 2), radial.Places[(k + 1) % radial.Places.Length], toll: true);
                }
            }
            var span = route.EndStake - route.StartStake;
            Station(features, route, "survey_station", $"JD{routeNo:D4}001", $"{radial.Places[2]}交调站", route.StartStake + span * 0.30, $",\"lanes_per_direction\":{radial.Lanes}");
            Station(features, route, "survey_station", $"JD{routeNo:D4}002", $"{radial.Places[5]}交调站", route.StartStake + span * 0.74, $",\"lanes_per_direction\":{radial.Lanes}");
            Station(features, route, "weather_station", $"QX{routeNo:D4}001", $"{radial.Places[4]}气象站", route.StartStake + span * 0.55, ",\"covers_m\":9000");
            Station(features, route, "service_area", $"FW{routeNo:D4}001", $"{radial.Places[3]}服务区", route.StartStake + span * 0.45, "");
            if (radial.Code == "G75")
            {
                var at = route.StartStake + span * 0.62;
                Span(features, route, "tunnel", "SD007501", "息烽隧道", at, 2_300);
                features.Add(NetworkFeatures.Feature(null, null,
                    $"\"kind\":\"speed_limit\",\"route\":\"G75\",\"direction\":0,\"stake\":\"{Stake.Format(at - 600)}\",\"end_stake\":\"{Stake.Format(at + 2_900)}\",\"speed_limit_kmh\":80"));
            }
            if (radial.Code == "G60")
            {
                Span(features, route, "bridge", "QL006001", "红枫湖特大桥", route.StartStake + span * 0.22, 1_480);
            }
        }
        return NetworkFeatures.Collection(features);
    }

    private static double RingRadius(double angle) => RingRadiusM + (1_600 * Math.Sin(3 * angle)) + (700 * Math.Cos(5 * angle));

    /// <summary>The ring stake in the direction of a bearing from the centre.</summary>
    private static double RingStakeAt(RouteInfo ring, double bearingDeg) =>
        Math.Round(ring.StartStake + ((ring.EndStake - ring.StartStake) * (((bearingDeg % 360) + 360) % 360) / 360));

    private static RouteInfo RouteFeature(List<string> features, string code, string zh, string en, double startStake, List<GeoPoint> points, double limit, int lanes)
    {
        var endStake = Math.Round(startStake + RouteGeometry.LengthM(points));
        var route = new RouteInfo(code, zh, en, "expressway", startStake, endStake, limit, lanes, points);
        features.Add(NetworkFeatures.Feature("LineString", NetworkFeatures.Coordinates(points), string.Create(CultureInfo.InvariantCulture,
            $"\"kind\":\"route\",\"route\":\"{code}\",\"name_zh\":\"{zh}\",\"name_en\":\"{en}\",\"road_class\":\"expressway\",\"start_stake\":\"{Stake.Format(startStake)}\",\"end_stake\":\"{Stake.Format(endStake)}\",\"speed_limit_kmh\":{limit},\"lanes_per_direction\":{lanes}")));
        return route;
    }

    /// <summary>Gantries on both carriageways at <paramref name="count"/> evenly spread stakes; returns the stakes.</summary>
    private static List<double> PlaceGantries(List<string> features, RouteInfo route, int routeNo, int count, string[] places, ref int hex)
    {
        var stakes = new List<double>();
        var span = route.EndStake - route.StartStake;
        var step = span / count;
        for (var k = 0; k < count; k++)
        {
            var stake = Math.Round(route.StartStake + (step * (k + 0.5)) + (Math.Sin(k * 2.3 + routeNo) * step * 0.08));
            stakes.Add(stake);
            var place = places[k % places.Length];
            for (var direction = 1; direction <= 2; direction++)
            {
                var s = direction == 1 ? stake : stake + 120; // the opposite carriageway's gantry stands a little apart
                var id = string.Create(CultureInfo.InvariantCulture, $"G{routeNo:D4}520001{k:D5}{direction}0");
                features.Add(NetworkFeatures.Point(route, s,
                    Props("gantry", id, $"{route.NameZh}{place}{(direction == 1 ? "上行" : "下行")}门架", route.Code, s)
                    + string.Create(CultureInfo.InvariantCulture, $",\"gantry_hex\":\"{hex++:X6}\",\"direction\":{direction}")));
            }
        }
        return stakes;
    }

    private static void Interchange(List<string> features, RouteInfo route, int routeNo, int k, double stake, string place, bool toll)
    {
        features.Add(NetworkFeatures.Point(route, stake, Props("interchange", $"HT{routeNo:D4}{k:D3}", $"{place}互通", route.Code, stake)));
        if (toll)
        {
            features.Add(NetworkFeatures.Point(route, stake - 150, Props("toll_station", $"G{routeNo:D4}52{k:D3}", $"{place}收费站", route.Code, stake - 150)));
        }
    }

    private static void Station(List<string> features, RouteInfo route, string kind, string id, string name, double stake, string extra) =>
        features.Add(NetworkFeatures.Point(route, Math.Round(stake), Props(kind, id, name, route.Code, Math.Round(stake)) + extra));

    private static void Span(List<string> features, RouteInfo route, string kind, string id, string name, double stake, double lengthM) =>
        features.Add(NetworkFeatures.Point(route, Math.Round(stake),
            Props(kind, id, name, route.Code, Math.Round(stake)) + $",\"end_stake\":\"{Stake.Format(Math.Round(stake + lengthM))}\""));

    private static string Props(string kind, string id, string name, string route, double stake) =>
        $"\"kind\":\"{kind}\",\"id\":\"{id}\",\"name\":\"{name}\",\"route\":\"{route}\",\"stake\":\"{Stake.Format(stake)}\"";
}
