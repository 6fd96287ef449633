using TransportBrain.Identity;

namespace TransportBrain.Host.OpsConsole;

/// <summary>A user created at start-up when it does not exist yet (brain demo, tests).</summary>
public sealed record SeedUser(string Name, string Password, ConsoleRole Role, string Organisation, string? DisplayName = null);

/// <summary>The operations console's settings.</summary>
public sealed class ConsoleOptions
{
    /// <summary>
    /// Raster tile URL template for a base map ({z}/{x}/{y}), e.g. a provincial Tianditu service with its key.
    /// Null: no base map, the road network is drawn from our GeoJSON on a plain background (works offline).
    /// Also $BRAIN_TILE_URL.
    /// </summary>
    public string? TileUrl { get; init; } = Environment.GetEnvironmentVariable("BRAIN_TILE_URL");
    public string? TileAttribution { get; init; } = Environment.GetEnvironmentVariable("BRAIN_TILE_ATTRIBUTION");

    /// <summary>Where the console reads the road network (a GeoJSON FeatureCollection).</summary>
    public string NetworkUrl { get; init; } = "/api/v1/highway/network";

    /// <summary>Initial map view: [longitude, latitude] and zoom; null fits the network.</summary>
    public double[]? MapCentre { get; init; }
    public int MapZoom { get; init; } = 9;

    /// <summary>How often vehicle positions that changed are pushed on the live feed.</summary>
    public TimeSpan VehiclePushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Vehicles whose latest fix is older than this are left out of the live map.</summary>
    public TimeSpan VehicleMaxAge { get; init; } = TimeSpan.FromHours(2);

    public IdentityOptions Identity { get; init; } = new();

    /// <summary>
    /// Users created at start-up when missing (never overwritten). Default: the administrator in
    /// $BRAIN_SEED_ADMIN ("name:password[:organisation]"), for demos and containers; none when unset.
    /// </summary>
    public IReadOnlyList<SeedUser> SeedUsers { get; init; } = SeedAdminFromEnvironment();

    private static SeedUser[] SeedAdminFromEnvironment() =>
        Environment.GetEnvironmentVariable("BRAIN_SEED_ADMIN")?.Split(':', 3) is [var name, var password, .. var rest] && name.Length > 0 && password.Length > 0
            ? [new SeedUser(name, password, ConsoleRole.Administrator, rest.Length > 0 && rest[0].Length > 0 ? rest[0] : "平台管理")]
            : [];

    /// <summary>Registers the demo resource registry around this point [lon, lat] when the registry is empty.</summary>
    public double[]? SeedResourcesAround { get; init; }

    /// <summary>Failed logins from one client address within <see cref="ClientFailureWindow"/> before it is refused (HTTP 429).</summary>
    public int MaxClientFailures { get; init; } = 20;
    public TimeSpan ClientFailureWindow { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Where incident controls (lane closures, speed limits, board messages) go besides the live feed:
    /// the twin in the demo, a road-side control system in a deployment. Null: the live feed only.
    /// </summary>
    public TransportBrain.Governance.Control.IRoadControl? RoadControl { get; init; }

    /// <summary>
    /// The clock of login sessions, lockouts and throttles. Null: the platform's clock. The demo sets wall
    /// time here, because its platform clock runs at the twin's accelerated time.
    /// </summary>
    public TimeProvider? SecurityClock { get; init; }

    /// <summary>Where the built console (web/dist) is; default: wwwroot next to the executable.</summary>
    public string? WebRoot { get; init; }
}
