namespace TransportBrain.Highway.Network;

/// <summary>Positions along a route's line by stake: stakes map linearly onto the line's length.</summary>
public static class RouteGeometry
{
    private const double EarthRadiusM = 6_371_008.8;

    public static double DistanceM(GeoPoint a, GeoPoint b)
    {
        var lat1 = a.Lat * Math.PI / 180;
        var lat2 = b.Lat * Math.PI / 180;
        var dLat = lat2 - lat1;
        var dLon = (b.Lon - a.Lon) * Math.PI / 180;
        var h = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(lat1) * Math.Cos(lat2) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusM * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    public static double LengthM(IReadOnlyList<GeoPoint> line)
    {
        double total = 0;
        for (var i = 1; i < line.Count; i++)
        {
            total += DistanceM(line[i - 1], line[i]);
        }
        return total;
    }

    /// <summary>The point at a stake; stakes outside the route are clamped to its ends.</summary>
    public static GeoPoint PointAt(RouteInfo route, double stake)
    {
        var line = route.Line;
        if (line.Count == 0)
        {
            return default;
        }
        if (line.Count == 1)
        {
            return line[0];
        }
        var target = Fraction(route, stake) * LengthM(line);
        double walked = 0;
        for (var i = 1; i < line.Count; i++)
        {
            var step = DistanceM(line[i - 1], line[i]);
            if (walked + step >= target && step > 0)
            {
                var f = (target - walked) / step;
                return new GeoPoint(line[i - 1].Lon + f * (line[i].Lon - line[i - 1].Lon), line[i - 1].Lat + f * (line[i].Lat - line[i - 1].Lat));
            }
            walked += step;
        }
        return line[^1];
    }

    /// <summary>The part of the route's line between two stakes, in the order given (so a 下行 slice runs backwards).</summary>
    public static IReadOnlyList<GeoPoint> Slice(RouteInfo route, double fromStake, double toStake)
    {
        var line = route.Line;
        if (line.Count < 2)
        {
            return line.Count == 1 ? [line[0], line[0]] : [];
        }
        var lo = Math.Min(fromStake, toStake);
        var hi = Math.Max(fromStake, toStake);
        var total = LengthM(line);
        var a = Fraction(route, lo) * total;
        var b = Fraction(route, hi) * total;
        var points = new List<GeoPoint> { PointAt(route, lo) };
        double walked = 0;
        for (var i = 1; i < line.Count - 1; i++)
        {
            walked += DistanceM(line[i - 1], line[i]);
            if (walked > a && walked < b)
            {
                points.Add(line[i]);
            }
        }
        points.Add(PointAt(route, hi));
        if (fromStake > toStake)
        {
            points.Reverse();
        }
        return points;
    }

    private static double Fraction(RouteInfo route, double stake)
    {
        var span = route.EndStake - route.StartStake;
        return span <= 0 ? 0 : Math.Clamp((stake - route.StartStake) / span, 0, 1);
    }
}
