using System.Globalization;
using TransportBrain.Governance.Incidents;

namespace TransportBrain.Governance.Resources;

/// <summary>
/// A starting resource registry for <c>brain demo</c> and tests: patrol, rescue, tow, medical, fire and
/// maintenance units stationed around a point (e.g. the middle of the road network). A deployment
/// registers its real units through the API instead.
/// </summary>
public static class DemoResources
{
    public static IReadOnlyList<EmergencyResource> Around(double longitude, double latitude)
    {
        var units = new (ResourceKind Kind, string Name, string Org, double DLon, double DLat)[]
        {
            (ResourceKind.Patrol, "路政巡查一组", "省高速公路路政支队", -0.12, 0.05),
            (ResourceKind.Patrol, "路政巡查二组", "省高速公路路政支队", 0.15, -0.04),
            (ResourceKind.Patrol, "高速交警巡逻车", "省公安厅交警总队高速公路支队", 0.02, 0.09),
            (ResourceKind.Rescue, "道路救援一队", "省高速公路集团救援中心", -0.06, -0.07),
            (ResourceKind.Rescue, "道路救援二队", "省高速公路集团救援中心", 0.21, 0.03),
            (ResourceKind.Tow, "清障拖车 01", "省高速公路集团清障大队", -0.09, 0.01),
            (ResourceKind.Tow, "清障拖车 02", "省高速公路集团清障大队", 0.11, 0.08),
            (ResourceKind.Medical, "120 急救车", "市急救中心", 0.04, -0.11),
            (ResourceKind.Medical, "120 急救车 (二)", "市急救中心", -0.18, -0.02),
            (ResourceKind.Fire, "消防救援站", "市消防救援支队", 0.07, 0.12),
            (ResourceKind.Maintenance, "养护工区抢修队", "省高速公路养护中心", -0.03, 0.15),
        };
        return units.Select((u, i) => new EmergencyResource
        {
            Id = $"{u.Kind.ToString().ToLowerInvariant()}-{(i + 1).ToString("D2", CultureInfo.InvariantCulture)}",
            Kind = u.Kind,
            Name = u.Name,
            Organisation = u.Org,
            BaseLongitude = Math.Round(longitude + u.DLon, 5),
            BaseLatitude = Math.Round(latitude + u.DLat, 5),
            Longitude = Math.Round(longitude + u.DLon, 5),
            Latitude = Math.Round(latitude + u.DLat, 5),
            State = ResourceState.Available,
        }).ToList();
    }
}
