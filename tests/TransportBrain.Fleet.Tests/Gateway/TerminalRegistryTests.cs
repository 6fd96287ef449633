using TransportBrain.Fleet.Gateway;
using TransportBrain.Fleet.Jt808;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Fleet.Tests.Gateway;

/// <summary>The terminal registry over a real SQLite store.</summary>
public class TerminalRegistryTests
{
    [Fact]
    public async Task A_plate_registered_by_one_terminal_is_refused_to_another_until_the_first_deregisters()
    {
        await WithStoreAsync(async (store, catalog) =>
        {
            var registry = await TerminalRegistry.LoadAsync(store, catalog, TimeProvider.System);
            var body = TestTerminal.RegistrationBody("贵A12345");
            Assert.True(Jt808TerminalRegistration.TryDecode(body, default, out var reg, out _));

            Assert.Equal(Jt808RegistrationResult.Success, (await registry.RegisterAsync("013800000001", reg)).Result);
            Assert.Equal(Jt808RegistrationResult.VehicleAlreadyRegistered, (await registry.RegisterAsync("013800000002", reg)).Result);
            Assert.Equal(Jt808RegistrationResult.Success, (await registry.RegisterAsync("013800000001", reg)).Result);   // the same terminal again
            Assert.Equal(Jt808RegistrationResult.Success, (await registry.RegisterAsync("013800000003", reg with { PlateColor = Jt808PlateColor.Blue })).Result);

            // the rule holds across a restart (the index is rebuilt from the stored registrations)
            await registry.FlushAsync();
            registry = await TerminalRegistry.LoadAsync(store, catalog, TimeProvider.System);
            Assert.Equal(Jt808RegistrationResult.VehicleAlreadyRegistered, (await registry.RegisterAsync("013800000002", reg)).Result);

            await registry.DeregisterAsync("013800000001");
            Assert.Equal(Jt808RegistrationResult.Success, (await registry.RegisterAsync("013800000002", reg)).Result);
            await registry.FlushAsync();
        });
    }

    [Fact]
    public async Task Registrations_arriving_together_are_all_answered_stored_and_recorded()
    {
        await WithStoreAsync(async (store, catalog) =>
        {
            var registry = await TerminalRegistry.LoadAsync(store, catalog, TimeProvider.System);
            const int N = 300;
            var results = await Task.WhenAll(Enumerable.Range(1, N).Select(i => Task.Run(async () =>
            {
                var body = TestTerminal.RegistrationBody($"贵A{i:D5}");
                Assert.True(Jt808TerminalRegistration.TryDecode(body, default, out var reg, out _));
                return await registry.RegisterAsync($"0138{i:D8}", reg);
            })));
            Assert.All(results, r => Assert.Equal(Jt808RegistrationResult.Success, r.Result));
            Assert.Equal(N, results.Select(r => r.AuthCode).Distinct().Count());
            await registry.FlushAsync();

            // every registration is durable: a fresh registry knows every auth code, and each is on record
            var reloaded = await TerminalRegistry.LoadAsync(store, catalog, TimeProvider.System);
            Assert.Equal(N, reloaded.Count);
            for (var i = 1; i <= N; i++)
            {
                Assert.True(reloaded.Authenticate($"0138{i:D8}", results[i - 1].AuthCode!));
            }
            Assert.Equal(N, await store.CountRecordsAsync(FleetDatasets.Terminal));
        });
    }

    /// <summary>Runs a test against a fresh SQLite store with the fleet datasets, then deletes it.</summary>
    private static async Task WithStoreAsync(Func<IHubStore, DatasetRegistry, Task> test)
    {
        var dir = Directory.CreateTempSubdirectory("brain-registry-").FullName;
        var catalog = new DatasetRegistry(FleetDatasets.All);
        var store = HubStores.Open("sqlite", dir);
        await store.InitializeAsync(catalog);
        try
        {
            await test(store, catalog);
        }
        finally
        {
            await store.DisposeAsync();
            Directory.Delete(dir, true);
        }
    }
}
