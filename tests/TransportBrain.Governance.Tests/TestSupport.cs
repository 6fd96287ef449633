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
