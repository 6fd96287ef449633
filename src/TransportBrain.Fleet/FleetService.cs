using System.Net;
using TransportBrain.Fleet.Gateway;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Fleet.Tracking;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Fleet;

public sealed class FleetOptions
{
    /// <summary>Where the JT/T 808 gateway listens; null runs the fleet context without a gateway.</summary>
    public IPEndPoint? Jt808EndPoint { get; init; }
    public required string MediaDirectory { get; init; }
    public TerminalRegistryOptions Registry { get; init; } = new();
    public SupervisionConfig Supervision { get; init; } = SupervisionConfig.Default;
    public ISpeedLimitSource? RoadLimits { get; init; }
    public FleetTrackerOptions Tracker { get; init; } = new();
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(3);
    public TimeSpan AuthTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The fleet context running inside the platform: terminal registry, the JT/T 808 gateway with its
/// group-commit writer, the tracker with the supervision engine, and the alarm book. Built over the
/// hub's store and catalog; the host starts it with <c>brain serve</c>.
/// </summary>
public sealed class FleetService : IAsyncDisposable
{
    private FleetService(TerminalRegistry registry, PositionWriter positions, FleetTracker tracker, AlarmBook alarms, GatewayCounters counters, Jt808Gateway? gateway)
    {
        Registry = registry;
        Positions = positions;
        Tracker = tracker;
        Alarms = alarms;
        Counters = counters;
        Gateway = gateway;
    }

    public TerminalRegistry Registry { get; }
    public PositionWriter Positions { get; }
    public FleetTracker Tracker { get; }
    public AlarmBook Alarms { get; }
    public GatewayCounters Counters { get; }
    public Jt808Gateway? Gateway { get; }

    public static async Task<FleetService> StartAsync(IHubStore store, DatasetRegistry catalog, TimeProvider clock, FleetOptions options, Action<string>? log = null, CancellationToken ct = default)
    {
        var counters = new GatewayCounters();
        var registry = await TerminalRegistry.LoadAsync(store, catalog, clock, options.Registry, ct);
        var alarms = await AlarmBook.LoadAsync(store, catalog, clock, ct);
        var engine = new SupervisionEngine(options.Supervision, options.RoadLimits);
        var tracker = await FleetTracker.LoadAsync(store, engine, alarms, clock, options.Tracker, ct);
        var positions = new PositionWriter(store, catalog, clock, counters);
        tracker.Start(positions.StoredFixes.Reader, positions.ExclusiveAsync);
        alarms.WriteThrough(positions.ExclusiveAsync);
        Jt808Gateway? gateway = null;
        if (options.Jt808EndPoint is { } endPoint)
        {
            gateway = new Jt808Gateway(new Jt808GatewayOptions
            {
                MediaDirectory = options.MediaDirectory,
                IdleTimeout = options.IdleTimeout,
                AuthTimeout = options.AuthTimeout,
                SweepInterval = options.SweepInterval,
            }, registry, positions, counters, clock, log);
            gateway.Start(endPoint);
        }
        return new FleetService(registry, positions, tracker, alarms, counters, gateway);
    }

    public async ValueTask DisposeAsync()
    {
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
        await Positions.DisposeAsync();
        await Tracker.DisposeAsync();
        await Alarms.DisposeAsync();
        await Registry.FlushAsync();
    }
}
