using TransportBrain.Fleet;
using TransportBrain.Highway;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Sharing;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Host;

/// <summary>Where the platform keeps its data and which store it uses.</summary>
public sealed record PlatformOptions(string DataDirectory, string? Store)
{
    public static PlatformOptions FromEnvironment(string? data, string? store) =>
        new(data ?? Environment.GetEnvironmentVariable("BRAIN_DATA") ?? Path.Combine(Environment.CurrentDirectory, "data"),
            store ?? Environment.GetEnvironmentVariable("BRAIN_STORE"));
}

/// <summary>
/// The composition root: every context registers its datasets here explicitly, and the hub's
/// services are built over the chosen store.
/// </summary>
public sealed class Platform : IAsyncDisposable
{
    private Platform(IHubStore store, DatasetRegistry registry, TimeProvider clock)
    {
        Store = store;
        Registry = registry;
        Clock = clock;
        Ingest = new IngestService(store, registry, clock);
        Keys = new ApiKeys(store, clock);
        Sharing = new DataSharing(store, clock);
    }

    public IHubStore Store { get; }
    public DatasetRegistry Registry { get; }
    public TimeProvider Clock { get; }
    public IngestService Ingest { get; }
    public ApiKeys Keys { get; }
    public DataSharing Sharing { get; }

    public static IEnumerable<DatasetDefinition> AllDatasets() =>
        [.. HighwayDatasets.All, .. HighwayDerivedDatasets.All, .. TransportBrain.Highway.Stations.HighwayStationDatasets.All, .. TransportBrain.Highway.Weather.HighwayWeatherDatasets.All, .. FleetDatasets.All, .. TransportBrain.Governance.GovernanceDatasets.All, .. TransportBrain.Twin.Province.TwinDatasets.All];

    public static async Task<Platform> OpenAsync(PlatformOptions options, TimeProvider? clock = null, CancellationToken ct = default)
    {
        var registry = new DatasetRegistry(AllDatasets());
        var store = HubStores.Open(options.Store, options.DataDirectory);
        try
        {
            await store.InitializeAsync(registry, ct);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
        return new Platform(store, registry, clock ?? TimeProvider.System);
    }

    /// <summary>
    /// Starts the fleet context (terminal registry, tracker, supervision, alarms) and, when
    /// <paramref name="jt808"/> is given, the JT/T 808 gateway listening there.
    /// </summary>
    public Task<FleetService> StartFleetAsync(System.Net.IPEndPoint? jt808, string dataDirectory, Action<string>? log = null, CancellationToken ct = default,
        TransportBrain.Fleet.Supervision.SupervisionConfig? supervision = null) =>
        FleetService.StartAsync(Store, Registry, Clock, new FleetOptions
        {
            Jt808EndPoint = jt808,
            MediaDirectory = Path.Combine(dataDirectory, "media"),
            Supervision = supervision ?? TransportBrain.Fleet.Supervision.SupervisionConfig.Default,
        }, log, ct);

    /// <summary>
    /// Starts the highway context: the stored road network and, when <paramref name="live"/>, the
    /// pipeline that follows stored gantry transactions and writes section states, incidents and warnings.
    /// </summary>
    public Task<HighwayService> StartHighwayAsync(bool live = true, CancellationToken ct = default) =>
        HighwayService.StartAsync(Store, Registry, Ingest, Clock, live, ct);

    public ValueTask DisposeAsync() => Store.DisposeAsync();
}
