namespace TransportBrain.Fleet.Tracking;

/// <summary>A point of a vehicle's track.</summary>
public readonly record struct TrackPoint(DateTimeOffset Time, double Latitude, double Longitude, double SpeedKmh, int HeadingDeg);

/// <summary>
/// Ramer-Douglas-Peucker simplification of a track: keeps the points that deviate more than a
/// tolerance (metres) from the line through their neighbours, always the first and the last.
/// Distances use a local equirectangular projection, accurate to well under a metre at track scale.
/// </summary>
public static class TrackSimplifier
{
    public static IReadOnlyList<TrackPoint> Simplify(IReadOnlyList<TrackPoint> points, double toleranceM)
    {
        if (points.Count <= 2 || toleranceM <= 0)
        {
            return points;
        }
        var keep = new bool[points.Count];
        keep[0] = keep[^1] = true;
        var lat0 = points[0].Latitude * Math.PI / 180;
        var stack = new Stack<(int From, int To)>();
        stack.Push((0, points.Count - 1));
        while (stack.Count > 0)
        {
            var (from, to) = stack.Pop();
            var farthest = -1;
            var max = toleranceM;
            for (var i = from + 1; i < to; i++)
            {
                var d = DistanceToSegmentM(points[i], points[from], points[to], lat0);
                if (d > max)
                {
                    max = d;
                    farthest = i;
                }
            }
            if (farthest > 0)
            {
                keep[farthest] = true;
                stack.Push((from, farthest));
                stack.Push((farthest, to));
            }
        }
        var result = new List<TrackPoint>();
        for (var i = 0; i < points.Count; i++)
        {
            if (keep[i])
            {
                result.Add(points[i]);
            }
        }
        return result;
    }

    private static double DistanceToSegmentM(TrackPoint p, TrackPoint a, TrackPoint b, double lat0)
    {
        const double R = 6_371_008.8;
        var kx = Math.Cos(lat0) * Math.PI / 180 * R;
        const double ky = Math.PI / 180 * R;
        double px = (p.Longitude - a.Longitude) * kx, py = (p.Latitude - a.Latitude) * ky;
        double bx = (b.Longitude - a.Longitude) * kx, by = (b.Latitude - a.Latitude) * ky;
        var len2 = bx * bx + by * by;
        var t = len2 == 0 ? 0 : Math.Clamp((px * bx + py * by) / len2, 0, 1);
        double dx = px - t * bx, dy = py - t * by;
        return Math.Sqrt(dx * dx + dy * dy);
    }
}
