namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// Small-area geometry on WGS-84 latitude/longitude in degrees. Distances are in metres on a
/// sphere of the mean Earth radius; shapes are meant for fences, corridors and zones of a few
/// hundred kilometres at most and do not cross the antimeridian or a pole (China never does).
/// </summary>
public static class Geo
{
    /// <summary>Mean Earth radius (IUGG), metres.</summary>
    public const double EarthRadiusM = 6_371_008.8;

    /// <summary>Metres per degree of latitude on the mean sphere.</summary>
    public const double MetresPerDegreeLatitude = EarthRadiusM * Math.PI / 180.0;

    public static bool IsValidCoordinate(double latitude, double longitude) =>
        double.IsFinite(latitude) && double.IsFinite(longitude)
        && latitude is >= -90 and <= 90 && longitude is >= -180 and <= 180;

    /// <summary>Great-circle distance in metres.</summary>
    public static double HaversineM(double lat1, double lon1, double lat2, double lon2)
    {
        var phi1 = ToRadians(lat1);
        var phi2 = ToRadians(lat2);
        var dPhi = phi2 - phi1;
        var dLambda = ToRadians(lon2 - lon1);
        var a = Math.Sin(dPhi / 2) * Math.Sin(dPhi / 2)
                + Math.Cos(phi1) * Math.Cos(phi2) * Math.Sin(dLambda / 2) * Math.Sin(dLambda / 2);
        return 2 * EarthRadiusM * Math.Asin(Math.Min(1.0, Math.Sqrt(a)));
    }

    public static bool IsInCircle(double latitude, double longitude, double centreLatitude, double centreLongitude, double radiusM) =>
        HaversineM(latitude, longitude, centreLatitude, centreLongitude) <= radiusM;

    /// <summary>
    /// Even-odd ray casting in the latitude/longitude plane. The ring may be given open or closed
    /// (first vertex repeated); a point exactly on an edge may fall either side.
    /// </summary>
    public static bool IsInPolygon(double latitude, double longitude, IReadOnlyList<(double Lat, double Lon)> ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        var inside = false;
        var count = ring.Count;
        for (int i = 0, j = count - 1; i < count; j = i++)
        {
            var (latI, lonI) = ring[i];
            var (latJ, lonJ) = ring[j];
            if ((latI > latitude) != (latJ > latitude)
                && longitude < (lonJ - lonI) * (latitude - latI) / (latJ - latI) + lonI)
            {
                inside = !inside;
            }
        }

        return inside;
    }

    /// <summary>
    /// Shortest distance in metres from the point to the polyline, using an equirectangular
    /// projection centred on the point (accurate to well under 1 % within tens of kilometres,
    /// which is what corridors and fence margins need). One vertex is a point.
    /// </summary>
    public static double DistanceToPolylineM(double latitude, double longitude, IReadOnlyList<(double Lat, double Lon)> polyline) =>
        DistanceToVerticesM(latitude, longitude, polyline, closed: false);

    /// <summary>Distance in metres from the point to the boundary of a ring (the closing edge included).</summary>
    public static double DistanceToRingM(double latitude, double longitude, IReadOnlyList<(double Lat, double Lon)> ring) =>
        DistanceToVerticesM(latitude, longitude, ring, closed: true);

    private static double DistanceToVerticesM(double latitude, double longitude, IReadOnlyList<(double Lat, double Lon)> vertices, bool closed)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        if (vertices.Count == 0)
        {
            return double.PositiveInfinity;
        }

        var metresPerDegreeLon = MetresPerDegreeLatitude * Math.Cos(ToRadians(latitude));
        (double X, double Y) Project((double Lat, double Lon) v) =>
            ((v.Lon - longitude) * metresPerDegreeLon, (v.Lat - latitude) * MetresPerDegreeLatitude);

        var previous = Project(vertices[0]);
        var best = Math.Sqrt(previous.X * previous.X + previous.Y * previous.Y);
        for (var i = 1; i < vertices.Count; i++)
        {
            var current = Project(vertices[i]);
            best = Math.Min(best, DistanceFromOriginToSegment(previous, current));
            previous = current;
        }

        if (closed && vertices.Count > 2)
        {
            best = Math.Min(best, DistanceFromOriginToSegment(previous, Project(vertices[0])));
        }

        return best;
    }

    private static double DistanceFromOriginToSegment((double X, double Y) a, (double X, double Y) b)
    {
        var dx = b.X - a.X;
        var dy = b.Y - a.Y;
        var lengthSquared = dx * dx + dy * dy;
        var t = lengthSquared == 0 ? 0 : Math.Clamp(-(a.X * dx + a.Y * dy) / lengthSquared, 0, 1);
        var x = a.X + t * dx;
        var y = a.Y + t * dy;
        return Math.Sqrt(x * x + y * y);
    }

    internal static double ToRadians(double degrees) => degrees * Math.PI / 180.0;
}

/// <summary>A latitude/longitude envelope, used as the cheap test before exact geometry.</summary>
public readonly record struct GeoBounds(double MinLat, double MinLon, double MaxLat, double MaxLon)
{
    public static GeoBounds Of(IReadOnlyList<(double Lat, double Lon)> vertices)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        double minLat = double.MaxValue, minLon = double.MaxValue, maxLat = double.MinValue, maxLon = double.MinValue;
        foreach (var (lat, lon) in vertices)
        {
            minLat = Math.Min(minLat, lat);
            minLon = Math.Min(minLon, lon);
            maxLat = Math.Max(maxLat, lat);
            maxLon = Math.Max(maxLon, lon);
        }

        return new GeoBounds(minLat, minLon, maxLat, maxLon);
    }

    /// <summary>Whether the point lies in the envelope grown by <paramref name="marginM"/> metres on every side.</summary>
    public bool Contains(double latitude, double longitude, double marginM = 0)
    {
        var marginLat = marginM / Geo.MetresPerDegreeLatitude;
        var cos = Math.Max(Math.Cos(Geo.ToRadians(latitude)), 1e-6);
        var marginLon = marginM / (Geo.MetresPerDegreeLatitude * cos);
        return latitude >= MinLat - marginLat && latitude <= MaxLat + marginLat
            && longitude >= MinLon - marginLon && longitude <= MaxLon + marginLon;
    }
}

/// <summary>An area on the map: a polygon, a circle or a corridor along a polyline. Immutable.</summary>
public abstract class GeoArea
{
    private protected GeoArea()
    {
    }

    /// <summary>Envelope of the area, for the cheap test first.</summary>
    public abstract GeoBounds Bounds { get; }

    public abstract bool Contains(double latitude, double longitude);

    /// <summary>Unsigned distance in metres from the point to the area's boundary.</summary>
    public abstract double DistanceToBoundaryM(double latitude, double longitude);
}

/// <summary>A simple polygon (one outer ring, no holes), vertices in order, open or closed.</summary>
public sealed class GeoPolygon : GeoArea
{
    public GeoPolygon(IReadOnlyList<(double Lat, double Lon)> ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        if (ring.Count < 3)
        {
            throw new ArgumentException("A polygon needs at least three vertices.", nameof(ring));
        }

        foreach (var (lat, lon) in ring)
        {
            if (!Geo.IsValidCoordinate(lat, lon))
            {
                throw new ArgumentException($"Polygon vertex ({lat}, {lon}) is not a valid WGS-84 coordinate.", nameof(ring));
            }
        }

        Ring = [.. ring];
        Bounds = GeoBounds.Of(Ring);
    }

    public IReadOnlyList<(double Lat, double Lon)> Ring { get; }

    public override GeoBounds Bounds { get; }

    public override bool Contains(double latitude, double longitude) =>
        Bounds.Contains(latitude, longitude) && Geo.IsInPolygon(latitude, longitude, Ring);

    public override double DistanceToBoundaryM(double latitude, double longitude) =>
        Geo.DistanceToRingM(latitude, longitude, Ring);
}

/// <summary>A circle of <see cref="RadiusM"/> metres around a centre.</summary>
public sealed class GeoCircle : GeoArea
{
    public GeoCircle(double centreLatitude, double centreLongitude, double radiusM)
    {
        if (!Geo.IsValidCoordinate(centreLatitude, centreLongitude))
        {
            throw new ArgumentException($"Circle centre ({centreLatitude}, {centreLongitude}) is not a valid WGS-84 coordinate.");
        }

        if (!(radiusM > 0) || !double.IsFinite(radiusM))
        {
            throw new ArgumentOutOfRangeException(nameof(radiusM), radiusM, "The radius must be a positive number of metres.");
        }

        CentreLatitude = centreLatitude;
        CentreLongitude = centreLongitude;
        RadiusM = radiusM;
        var dLat = radiusM / Geo.MetresPerDegreeLatitude;
        var dLon = radiusM / (Geo.MetresPerDegreeLatitude * Math.Max(Math.Cos(Geo.ToRadians(centreLatitude)), 1e-6));
        Bounds = new GeoBounds(centreLatitude - dLat, centreLongitude - dLon, centreLatitude + dLat, centreLongitude + dLon);
    }

    public double CentreLatitude { get; }

    public double CentreLongitude { get; }

    public double RadiusM { get; }

    public override GeoBounds Bounds { get; }

    public override bool Contains(double latitude, double longitude) =>
        Geo.IsInCircle(latitude, longitude, CentreLatitude, CentreLongitude, RadiusM);

    public override double DistanceToBoundaryM(double latitude, double longitude) =>
        Math.Abs(Geo.HaversineM(latitude, longitude, CentreLatitude, CentreLongitude) - RadiusM);
}

/// <summary>
/// The band within <c>WidthM / 2</c> metres either side of a polyline (a road section, a route).
/// </summary>
public sealed class GeoCorridor : GeoArea
{
    public GeoCorridor(IReadOnlyList<(double Lat, double Lon)> polyline, double widthM)
    {
        ArgumentNullException.ThrowIfNull(polyline);
        if (polyline.Count < 1)
        {
            throw new ArgumentException("A corridor needs at least one vertex.", nameof(polyline));
        }

        foreach (var (lat, lon) in polyline)
        {
            if (!Geo.IsValidCoordinate(lat, lon))
            {
                throw new ArgumentException($"Corridor vertex ({lat}, {lon}) is not a valid WGS-84 coordinate.", nameof(polyline));
            }
        }

        if (!(widthM > 0) || !double.IsFinite(widthM))
        {
            throw new ArgumentOutOfRangeException(nameof(widthM), widthM, "The corridor width must be a positive number of metres.");
        }

        Polyline = [.. polyline];
        WidthM = widthM;
        Bounds = GeoBounds.Of(Polyline);
    }

    public IReadOnlyList<(double Lat, double Lon)> Polyline { get; }

    /// <summary>Full width of the band in metres (half on each side of the line).</summary>
    public double WidthM { get; }

    public override GeoBounds Bounds { get; }

    public double DistanceToCentreLineM(double latitude, double longitude) =>
        Geo.DistanceToPolylineM(latitude, longitude, Polyline);

    public override bool Contains(double latitude, double longitude) =>
        Bounds.Contains(latitude, longitude, WidthM / 2) && DistanceToCentreLineM(latitude, longitude) <= WidthM / 2;

    public override double DistanceToBoundaryM(double latitude, double longitude) =>
        Math.Abs(DistanceToCentreLineM(latitude, longitude) - WidthM / 2);
}
