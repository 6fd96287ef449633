using TransportBrain.Governance.Incidents;

namespace TransportBrain.Governance.Resources;

public enum ResourceState
{
    /// <summary>待命.</summary>
    Available,
    /// <summary>已派出, on the way.</summary>
    Dispatched,
    /// <summary>在现场.</summary>
    OnScene,
    /// <summary>停用 (maintenance, off shift).</summary>
    OutOfService,
}

/// <summary>A response resource in the registry (hub document <c>governance.resource</c>).</summary>
public sealed record EmergencyResource
{
    public required string Id { get; init; }
    public ResourceKind Kind { get; init; }
    public required string Name { get; init; }
    public required string Organisation { get; init; }
    /// <summary>Where it is stationed (its base).</summary>
    public double BaseLongitude { get; init; }
    public double BaseLatitude { get; init; }
    /// <summary>Where it is now (its base, or the incident once on scene).</summary>
    public double Longitude { get; init; }
    public double Latitude { get; init; }
    public ResourceState State { get; init; }
    public string? IncidentId { get; init; }
    public string? Contact { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Great-circle distance to a point, kilometres.</summary>
    public double DistanceKmTo(double longitude, double latitude) => Geo.DistanceKm(Longitude, Latitude, longitude, latitude);
}

internal static class Geo
{
    public static double DistanceKm(double lon1, double lat1, double lon2, double lat2)
    {
        const double R = 6371.0088;
        var dLat = (lat2 - lat1) * Math.PI / 180;
        var dLon = (lon2 - lon1) * Math.PI / 180;
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2) + Math.Cos(lat1 * Math.PI / 180) * Math.Cos(lat2 * Math.PI / 180) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * R * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
