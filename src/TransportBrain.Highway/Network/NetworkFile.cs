using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TransportBrain.Highway.Network;

/// <summary>What a network file held: the network built from its good features and the reasons any others were refused.</summary>
public sealed record NetworkLoad(RoadNetwork Network, IReadOnlyList<string> Problems, int FeaturesRead);

/// <summary>
/// Reads the road network from our GeoJSON (see docs/highway-network.md) or from a CSV of facilities.
/// A feature that cannot be understood is refused with its position and reason; the rest still load.
/// </summary>
public static class NetworkFile
{
    private static readonly Dictionary<string, FacilityKind> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gantry"] = FacilityKind.Gantry,
        ["toll_station"] = FacilityKind.TollStation,
        ["interchange"] = FacilityKind.Interchange,
        ["service_area"] = FacilityKind.ServiceArea,
        ["survey_station"] = FacilityKind.SurveyStation,
        ["tunnel"] = FacilityKind.Tunnel,
        ["bridge"] = FacilityKind.Bridge,
        ["weather_station"] = FacilityKind.WeatherStation,
    };

    /// <summary>Kind names as they appear in files and in the GeoJSON we serve.</summary>
    public static string KindName(FacilityKind kind) => kind switch
    {
        FacilityKind.Gantry => "gantry",
        FacilityKind.TollStation => "toll_station",
        FacilityKind.Interchange => "interchange",
        FacilityKind.ServiceArea => "service_area",
        FacilityKind.SurveyStation => "survey_station",
        FacilityKind.Tunnel => "tunnel",
        FacilityKind.Bridge => "bridge",
        _ => "weather_station",
    };

    public static NetworkLoad Load(string path)
    {
        var text = File.ReadAllText(path, Encoding.UTF8);
        return path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? LoadCsv(text) : LoadGeoJson(text);
    }

    public static NetworkLoad LoadGeoJson(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (!doc.RootElement.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("a network file is a GeoJSON FeatureCollection with a 'features' array");
        }
        var routes = new List<RouteInfo>();
        var facilities = new List<Facility>();
        var zones = new List<SpeedLimitZone>();
        var problems = new List<string>();
        var index = 0;
        foreach (var feature in features.EnumerateArray())
        {
            index++;
            try
            {
                var props = feature.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
                var kind = Text(props, "kind") ?? throw new FormatException("properties.kind is missing");
                var geometry = feature.TryGetProperty("geometry", out var g) ? g : default;
                switch (kind)
                {
                    case "section":
                        continue; // sections are derived from the gantries, never read
                    case "route":
                        routes.Add(ReadRoute(props, ReadLine(geometry)));
                        break;
                    case "speed_limit":
                        zones.Add(new SpeedLimitZone(
                            Required(props, "route"), Int(props, "direction") ?? 0,
                            StakeOf(props, "stake"), StakeOf(props, "end_stake"),
                            Number(props, "speed_limit_kmh") ?? throw new FormatException("speed_limit_kmh is missing")));
                        break;
                    default:
                        if (!Kinds.TryGetValue(kind, out var fk))
                        {
                            throw new FormatException($"unknown kind '{kind}'");
                        }
                        facilities.Add(ReadFacility(props, fk, ReadPoint(geometry)));
                        break;
                }
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException)
            {
                problems.Add($"feature {index}: {e.Message}");
            }
        }
        return Finish(routes, facilities, zones, problems, index);
    }

    /// <summary>
    /// CSV with a header: kind,id,name,route,stake,end_stake,direction,longitude,latitude and optional
    /// columns (gantry_hex, lanes_per_direction, speed_limit_kmh, road_class, name_en). Rows of kind
    /// 'route' define routes (stake = start, end_stake = end); route lines are drawn through the
    /// direction-1 gantries and stations in stake order when no geometry is given.
    /// </summary>
    public static NetworkLoad LoadCsv(string csv)
    {
        var lines = csv.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0)
        {
            throw new FormatException("the network CSV is empty");
        }
        var header = lines[0].TrimStart('\uFEFF').Split(',').Select(h => h.Trim()).ToArray();
        int Col(string name) => Array.IndexOf(header, name);
        foreach (var needed in new[] { "kind", "id", "route", "stake" })
        {
            if (Col(needed) < 0)
            {
                throw new FormatException($"the network CSV needs a '{needed}' column");
            }
        }
        var routeRows = new List<(Dictionary<string, string> Row, int Line)>();
        var facilities = new List<Facility>();
        var zones = new List<SpeedLimitZone>();
        var problems = new List<string>();
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length)
            {
                problems.Add($"line {i + 1}: {cells.Length} columns where the header has {header.Length}");
                continue;
            }
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var c = 0; c < header.Length; c++)
            {
                if (cells[c].Trim().Length > 0)
                {
                    row[header[c]] = cells[c].Trim();
                }
            }
            try
            {
                var kind = row.GetValueOrDefault("kind") ?? throw new FormatException("kind is empty");
                if (kind == "route")
                {
                    routeRows.Add((row, i + 1));
                }
                else if (kind == "speed_limit")
                {
                    zones.Add(new SpeedLimitZone(row["route"], (int)(ParseInt(row.GetValueOrDefault("direction")) ?? 0), Stake.Parse(row["stake"]), Stake.Parse(row["end_stake"]),
                        double.Parse(row["speed_limit_kmh"], CultureInfo.InvariantCulture)));
                }
                else if (Kinds.TryGetValue(kind, out var fk))
                {
                    var lon = double.Parse(row.GetValueOrDefault("longitude") ?? throw new FormatException("longitude is empty"), CultureInfo.InvariantCulture);
                    var lat = double.Parse(row.GetValueOrDefault("latitude") ?? throw new FormatException("latitude is empty"), CultureInfo.InvariantCulture);
                    facilities.Add(MakeFacility(row, fk, new GeoPoint(lon, lat)));
                }
                else
                {
                    throw new FormatException($"unknown kind '{kind}'");
                }
            }
            catch (Exception e) when (e is FormatException or KeyNotFoundException or OverflowException)
            {
                problems.Add($"line {i + 1}: {e.Message}");
            }
        }
        var routes = new List<RouteInfo>();
        foreach (var (row, line) in routeRows)
        {
            try
            {
                var code = row["route"];
                var along = facilities.Where(f => f.Route == code && f.Direction != 2).OrderBy(f => f.Stake).Select(f => f.Location).ToList();
                var start = Stake.Parse(row["stake"]);
                var end = row.TryGetValue("end_stake", out var e) ? Stake.Parse(e) : start;
                routes.Add(new RouteInfo(code, row.GetValueOrDefault("name") ?? code, row.GetValueOrDefault("name_en") ?? code,
                    row.GetValueOrDefault("road_class") ?? "expressway", start, end,
                    row.TryGetValue("speed_limit_kmh", out var sl) ? double.Parse(sl, CultureInfo.InvariantCulture) : 120,
                    (int)(ParseInt(row.GetValueOrDefault("lanes_per_direction")) ?? 2), along));
            }
            catch (Exception ex) when (ex is FormatException or KeyNotFoundException)
            {
                problems.Add($"line {line}: {ex.Message}");
            }
        }
        return Finish(routes, facilities, zones, problems, lines.Length - 1);
    }

    private static NetworkLoad Finish(List<RouteInfo> routes, List<Facility> facilities, List<SpeedLimitZone> zones, List<string> problems, int read)
    {
        var known = routes.Select(r => r.Code).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<Facility>();
        foreach (var f in facilities)
        {
            if (!known.Contains(f.Route))
            {
                problems.Add($"{KindName(f.Kind)} {f.Id}: route '{f.Route}' is not defined in the file");
            }
            else if (!seen.Add(f.Id))
            {
                problems.Add($"{KindName(f.Kind)} {f.Id}: the id appears more than once (the first is kept)");
            }
            else if (f.Kind == FacilityKind.Gantry && f.Direction is not (1 or 2))
            {
                problems.Add($"gantry {f.Id}: direction must be 1 (上行) or 2 (下行)");
            }
            else
            {
                kept.Add(f);
            }
        }
        return new NetworkLoad(RoadNetwork.Build(routes, kept, zones), problems, read);
    }

    private static RouteInfo ReadRoute(JsonElement props, IReadOnlyList<GeoPoint> line)
    {
        var code = Required(props, "route");
        var start = props.TryGetProperty("start_stake", out _) ? StakeOf(props, "start_stake") : 0;
        var end = props.TryGetProperty("end_stake", out _) ? StakeOf(props, "end_stake") : start + RouteGeometry.LengthM(line);
        return new RouteInfo(code, Text(props, "name_zh") ?? Text(props, "name") ?? code, Text(props, "name_en") ?? code,
            Text(props, "road_class") ?? "expressway", start, end, Number(props, "speed_limit_kmh") ?? 120, Int(props, "lanes_per_direction") ?? 2, line);
    }

    private static Facility ReadFacility(JsonElement props, FacilityKind kind, GeoPoint location)
    {
        var row = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in props.EnumerateObject())
        {
            row[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Number => p.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => p.Value.GetRawText(),
            };
        }
        return MakeFacility(row, kind, location);
    }

    private static Facility MakeFacility(Dictionary<string, string> row, FacilityKind kind, GeoPoint location)
    {
        var id = row.GetValueOrDefault("id") ?? throw new FormatException("id is missing");
        if (!Stake.TryParse(row.GetValueOrDefault("stake"), out var stake))
        {
            throw new FormatException($"{id}: stake '{row.GetValueOrDefault("stake")}' is not a stake mark such as K123+400");
        }
        double? end = null;
        if (row.TryGetValue("end_stake", out var endText))
        {
            end = Stake.TryParse(endText, out var e) ? e : throw new FormatException($"{id}: end_stake '{endText}' is not a stake mark");
        }
        if (location.Lon is < 73 or > 136 || location.Lat is < 3 or > 54)
        {
            throw new FormatException($"{id}: position {location.Lon}, {location.Lat} is outside China");
        }
        var attributes = row.Where(kv => kv.Key is not ("kind" or "id" or "name" or "route" or "stake" or "end_stake" or "direction" or "longitude" or "latitude"))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new Facility(id, kind, row.GetValueOrDefault("name") ?? id, row.GetValueOrDefault("route") ?? throw new FormatException($"{id}: route is missing"),
            stake, end, (int)(ParseInt(row.GetValueOrDefault("direction")) ?? 0), location, attributes);
    }

    private static IReadOnlyList<GeoPoint> ReadLine(JsonElement geometry)
    {
        if (geometry.ValueKind != JsonValueKind.Object || Text(geometry, "type") != "LineString")
        {
            throw new FormatException("a route needs a LineString geometry");
        }
        var points = new List<GeoPoint>();
        foreach (var c in geometry.GetProperty("coordinates").EnumerateArray())
        {
            points.Add(new GeoPoint(c[0].GetDouble(), c[1].GetDouble()));
        }
        if (points.Count < 2)
        {
            throw new FormatException("a route line needs at least two points");
        }
        return points;
    }

    private static GeoPoint ReadPoint(JsonElement geometry)
    {
        if (geometry.ValueKind != JsonValueKind.Object || Text(geometry, "type") != "Point")
        {
            throw new FormatException("a facility needs a Point geometry");
        }
        var c = geometry.GetProperty("coordinates");
        return new GeoPoint(c[0].GetDouble(), c[1].GetDouble());
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Required(JsonElement e, string name) => Text(e, name) ?? throw new FormatException($"{name} is missing");

    private static double? Number(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static int? Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.Number ? v.GetInt32() : v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), out var i) ? i : null
            : null;

    private static double StakeOf(JsonElement e, string name) =>
        Stake.TryParse(Text(e, name), out var m) ? m : throw new FormatException($"{name} '{Text(e, name)}' is not a stake mark such as K123+400");

    private static long? ParseInt(string? s) => s is null ? null : long.Parse(s, CultureInfo.InvariantCulture);
}
