using TransportBrain.Governance.Incidents;
using TransportBrain.Governance.Resources;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Governance.Tests;

internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; private set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>A real embedded store in a temporary directory, reopened on demand to test persistence.</summary>
internal sealed class TempStore : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("brain-gov-").FullName;

    public IHubStore Store { get; private set; } = null!;

    public static async Task<TempStore> OpenAsync()
    {
        var t = new TempStore();
        await t.ReopenAsync();
        return t;
    }

    public async Task ReopenAsync()
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }
        Store = HubStores.Open("sqlite", _dir);
        await Store.InitializeAsync(new DatasetRegistry(GovernanceDatasets.All));
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_dir, true);
    }
}

/// <summary>
/// Emergency command on a throwaway store with a manual clock, a recording road control and the demo
/// resource registry: what every workflow test starts from.
/// </summary>
public abstract class EmergencyDeskTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 21, 1, 0, 0, TimeSpan.Zero);
    protected static readonly Actor Operator = new("wang.fang", "省交通运输厅指挥中心", "operator");
    protected static readonly Actor Supervisor = new("li.qiang", "省交通运输厅指挥中心", "supervisor");
    private protected readonly ManualClock _clock = new(T0);
    private protected readonly RecordingRoadControl _road = new();
    private protected TempStore _store = null!;
    private protected EmergencyCommand _desk = null!;

    public async Task InitializeAsync()
    {
        _store = await TempStore.OpenAsync();
        _desk = await EmergencyCommand.LoadAsync(_store.Store, _clock, _road);
        foreach (var r in DemoResources.Around(106.7, 26.6))
        {
            await _desk.PutResourceAsync(r);
        }
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();
}
