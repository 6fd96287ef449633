using System.Globalization;

namespace TransportBrain.Highway.Network;

/// <summary>
/// Writes the features of our network GeoJSON format (docs/highway-network.md) for generators: the
/// synthetic test networks and the twin's demo province go through the same loader as user files.
/// </summary>
public static class NetworkFeatures
{
    /// <summary>A point feature at a route stake; <paramref name="props"/> is the inside of the properties object.</summary>
    public static string Point(RouteInfo route, double stake, string props)
    {
        var p = RouteGeometry.PointAt(route, stake);
        return Feature("Point", string.Create(CultureInfo.InvariantCulture, $"[{p.Lon:F6},{p.Lat:F6}]"), props);
    }

    /// <summary>A feature with the given geometry type and coordinates, or with no geometry when the type is null.</summary>
    public static string Feature(string? type, string? coordinates, string props) =>
        type is null
            ? $"{{\"type\":\"Feature\",\"geometry\":null,\"properties\":{{{props}}}}}"
            : $"{{\"type\":\"Feature\",\"geometry\":{{\"type\":\"{type}\",\"coordinates\":{coordinates}}},\"properties\":{{{props}}}}}";

    public static string Coordinates(IEnumerable<GeoPoint> points) =>
        "[" + string.Join(",", points.Select(p => string.Create(CultureInfo.InvariantCulture, $"[{p.Lon:F6},{p.Lat:F6}]"))) + "]";

    /// <summary>The point <paramref name="eastM"/> east and <paramref name="northM"/> north of <paramref name="origin"/> (local flat approximation).</summary>
    public static GeoPoint Offset(GeoPoint origin, double eastM, double northM) => new(
        origin.Lon + eastM / (111_320 * Math.Cos(origin.Lat * Math.PI / 180)),
        origin.Lat + northM / 110_574);

    /// <summary>A whole FeatureCollection from features, one per line.</summary>
    public static string Collection(IEnumerable<string> features) =>
        "{\"type\":\"FeatureCollection\",\"features\":[\n" + string.Join(",\n", features) + "\n]}\n";
}
