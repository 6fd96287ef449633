using TransportBrain.Fleet;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Fleet.Tracking;
using TransportBrain.Governance.Control;
using TransportBrain.Governance.Incidents;
using TransportBrain.Governance.Resources;
using TransportBrain.Identity;

namespace TransportBrain.Host.OpsConsole;

/// <summary>
/// The console's running parts: loads emergency command at start-up, seeds users and resources when
/// asked (demo, tests), forwards alarms, incidents and resources to the live feed, and pushes vehicle
/// positions that changed every <see cref="ConsoleOptions.VehiclePushInterval"/>.
/// </summary>
public sealed class ConsoleRuntime(Platform platform, FleetService fleet, LiveFeed feed, IdentityService identity, ConsoleOptions options, IRoadControl road)
    : IHostedService, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, DateTimeOffset> _pushed = new(StringComparer.Ordinal);
    private EmergencyCommand? _command;
    private Task? _pump;
    private Action<AlarmRecord>? _onAlarm;
    private int _stopped;
    private int _disposed;

    public EmergencyCommand Command => _command ?? throw new InvalidOperationException("the console has not started");

    /// <summary>Milliseconds the last vehicle push took to build and publish (for the benchmarks).</summary>
    public double LastVehiclePushMs { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        _command = await EmergencyCommand.LoadAsync(platform.Store, platform.Clock, road, ct);
        foreach (var u in options.SeedUsers)
        {
            if (await identity.FindUserAsync(u.Name, ct) is null)
            {
                await identity.CreateUserAsync(u.Name, u.Password, u.Role, u.Organisation, u.DisplayName, "seed", ct);
            }
        }
        if (options.SeedResourcesAround is [var lon, var lat] && _command.Resources().Count == 0)
        {
            foreach (var r in DemoResources.Around(lon, lat))
            {
                await _command.PutResourceAsync(r, ct);
            }
        }
        _command.IncidentChanged += i => feed.Publish("incidents", ConsoleDto.Incident(i));
        _command.ResourceChanged += r => feed.Publish("resources", r);
        _onAlarm = a => feed.Publish("alarms", ConsoleDto.AlarmSummary(a));
        fleet.Alarms.Raised += _onAlarm;
        feed.SetSnapshot("vehicles", () => VehicleFrame(full: true));
        _pump = Task.Run(() => PumpAsync(_stop.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        if (_onAlarm is not null)
        {
            fleet.Alarms.Raised -= _onAlarm;
        }
        await _stop.CancelAsync();
        if (_pump is not null)
        {
            await _pump.WaitAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    // The container disposes this once as ConsoleRuntime and once as the hosted service: both are safe.
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Dispose();
        }
    }

    private async Task PumpAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.VehiclePushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (feed.SubscriberCount == 0)
                {
                    continue;
                }
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                if (VehicleFrame(full: false) is { } frame)
                {
                    feed.Publish("vehicles", frame);
                }
                LastVehiclePushMs = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Vehicle positions as compact rows [terminal, lon, lat, speed km/h, heading, category code, fix time (unix s)].
    /// Plates are left out: the map needs where vehicles are, and a click asks the fleet API (masked by grant).
    /// </summary>
    private object? VehicleFrame(bool full)
    {
        var now = platform.Clock.GetUtcNow();
        var rows = new List<object[]>();
        lock (_pushed)
        {
            foreach (var (id, latest) in fleet.Tracker.AllLatest)
            {
                if (!latest.Fix.Located || now - latest.ReceivedAt > options.VehicleMaxAge)
                {
                    continue;
                }
                if (!full && _pushed.TryGetValue(id, out var at) && at >= latest.ReceivedAt)
                {
                    continue;
                }
                if (!full)
                {
                    _pushed[id] = latest.ReceivedAt;
                }
                var f = latest.Fix;
                rows.Add([id, Math.Round(f.Longitude, 6), Math.Round(f.Latitude, 6), Math.Round(f.SpeedKmh, 1), f.HeadingDeg, CategoryCode(f.Category), f.Time.ToUnixTimeSeconds()]);
            }
        }
        return rows.Count == 0 && !full ? null : new { full, at = now, count = rows.Count, vehicles = rows };
    }

    public static int CategoryCode(VehicleCategory c) => c switch
    {
        VehicleCategory.Coach => 1,
        VehicleCategory.Charter => 2,
        VehicleCategory.DangerousGoods => 3,
        VehicleCategory.HeavyTruck => 4,
        _ => 0,
    };
}
