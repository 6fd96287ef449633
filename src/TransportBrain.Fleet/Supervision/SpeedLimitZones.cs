namespace TransportBrain.Fleet.Supervision;

/// <summary>Where road speed limits and road grades (公路等级) come from: a map service, a road database, or <see cref="SpeedLimitZones"/>.</summary>
public interface ISpeedLimitSource
{
    /// <summary>The posted limit at the point for the direction of travel, km/h; null when unknown.</summary>
    double? SpeedLimitKmh(double latitude, double longitude, int headingDeg);

    /// <summary>0 expressway (高速公路), 1 一级, 2 二级, 3 三级, 4 四级; null when unknown.</summary>
    int? RoadGrade(double latitude, double longitude);
}

/// <summary>
/// An area with a speed limit and, optionally, the grade of the road it covers.
/// </summary>
/// <param name="Area">A polygon, circle or corridor (a road section with its width).</param>
/// <param name="HeadingDeg">When set, the limit applies only to traffic heading within <paramref name="HeadingToleranceDeg"/> of it (one carriageway).</param>
public sealed record SpeedLimitZone(
    string Id,
    GeoArea Area,
    double LimitKmh,
    int? RoadGrade = null,
    int? HeadingDeg = null,
    int HeadingToleranceDeg = 45)
{
    internal bool MatchesHeading(int headingDeg)
    {
        if (HeadingDeg is not { } zoneHeading)
        {
            return true;
        }

        var difference = Math.Abs(((headingDeg - zoneHeading) % 360 + 540) % 360 - 180);
        return difference <= HeadingToleranceDeg;
    }
}

/// <summary>
/// A simple <see cref="ISpeedLimitSource"/> over a list of zones. Where zones overlap the lowest
/// limit wins; the road grade is that of the lowest-limit zone that has one (ties: the higher
/// grade number, i.e. the lesser road).
/// </summary>
public sealed class SpeedLimitZones : ISpeedLimitSource
{
    public SpeedLimitZones(IEnumerable<SpeedLimitZone> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        Zones = [.. zones];
        foreach (var zone in Zones)
        {
            if (zone.Area is null)
            {
                throw new ArgumentException($"Speed limit zone '{zone.Id}' has no area.", nameof(zones));
            }

            if (!(zone.LimitKmh > 0) || !double.IsFinite(zone.LimitKmh))
            {
                throw new ArgumentException($"Speed limit zone '{zone.Id}' needs a positive limit.", nameof(zones));
            }

            if (zone.RoadGrade is < 0 or > 4)
            {
                throw new ArgumentException($"Speed limit zone '{zone.Id}': road grade must be 0-4.", nameof(zones));
            }
        }
    }

    public IReadOnlyList<SpeedLimitZone> Zones { get; }

    public double? SpeedLimitKmh(double latitude, double longitude, int headingDeg)
    {
        double? lowest = null;
        foreach (var zone in Zones)
        {
            if ((lowest is null || zone.LimitKmh < lowest) && zone.MatchesHeading(headingDeg) && zone.Area.Contains(latitude, longitude))
            {
                lowest = zone.LimitKmh;
            }
        }

        return lowest;
    }

    public int? RoadGrade(double latitude, double longitude)
    {
        SpeedLimitZone? best = null;
        foreach (var zone in Zones)
        {
            if (zone.RoadGrade is not { } grade || !zone.Area.Contains(latitude, longitude))
            {
                continue;
            }

            if (best is null || zone.LimitKmh < best.LimitKmh || (zone.LimitKmh == best.LimitKmh && grade > best.RoadGrade))
            {
                best = zone;
            }
        }

        return best?.RoadGrade;
    }
}
