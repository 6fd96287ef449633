using System.Collections.Concurrent;
using System.Diagnostics;
using TransportBrain.Governance.Control;
using TransportBrain.Governance.Incidents;

namespace TransportBrain.Twin.Province;

/// <summary>How the twin runs against a live platform.</summary>
public sealed record DriverOptions
{
    /// <summary>Simulated seconds per wall second once warmed up (the demo's --speed).</summary>
    public double Rate { get; init; } = 10;

    /// <summary>Simulated time run as fast as possible first, so the road fills and the platform has history.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromMinutes(45);

    /// <summary>Simulated seconds between two pushes of the sensors' rows (must divide 300).</summary>
    public double TickS { get; init; } = 10;

    /// <summary>The tick during the warm-up: larger, so the platform takes fewer, bigger batches (must divide 300).</summary>
    public double WarmUpTickS { get; init; } = 60;

    /// <summary>Simulated seconds between two JT/T 808 position reports of each equipped vehicle.</summary>
    public double ReportEveryS { get; init; } = 30;

    /// <summary>Stop after this much simulated time; null runs until cancelled.</summary>
    public TimeSpan? Duration { get; init; }
}

/// <summary>Where a running twin stands, for the demo's progress lines and the tests.</summary>
public sealed record DriverStatus(DateTimeOffset SimulatedNow, double SimulatedS, bool WarmedUp, double AchievedRate, int Vehicles, long VehicleSteps,
    IReadOnlyDictionary<string, FeedCounters> Feeds, int Terminals, long PositionsReported, long PositionsAcknowledged,
    TimeSpan SimulatingTime, TimeSpan FeedingTime, TimeSpan ReportingTime);

/// <summary>
/// Runs a <see cref="ProvinceTwin"/> against a live platform: steps it tick by tick, moves the platform's
/// <see cref="TwinClock"/> with it, pushes every tick's sensor rows over HTTP and the JT/T 808 positions over
/// TCP (waiting for the platform's answers, so nothing is dropped when the platform is slower than the twin),
/// applies road controls sent from incidents between two ticks, and paces itself to
/// <see cref="DriverOptions.Rate"/> after the warm-up.
/// </summary>
public sealed class ProvinceDriver(ProvinceTwin twin, HttpRecordFeed feed, TwinTerminals? terminals, DriverOptions options, TwinClock? clock = null)
{
    private readonly ConcurrentQueue<(Func<ProvinceTwin, RoadControlReceipt> Apply, TaskCompletionSource<RoadControlReceipt> Done)> _controls = new();
    private volatile DriverStatus? _status;
    private double _achievedRate;

    public ProvinceTwin Twin => twin;

    public DriverStatus? Status => _status;

    /// <summary>Raised (on the driver's task) after each tick's rows are pushed.</summary>
    public event Action<DriverStatus>? Ticked;

    /// <summary>Runs <paramref name="apply"/> on the twin between two ticks and answers with its receipt.</summary>
    public Task<RoadControlReceipt> EnqueueControl(Func<ProvinceTwin, RoadControlReceipt> apply)
    {
        var done = new TaskCompletionSource<RoadControlReceipt>(TaskCreationOptions.RunContinuationsAsynchronously);
        _controls.Enqueue((apply, done));
        return done.Task;
    }

    public async Task RunAsync(Action<string>? log = null, CancellationToken ct = default)
    {
        if (options.TickS <= 0 || options.WarmUpTickS <= 0 || 300 % options.TickS > 1e-9 || 300 % options.WarmUpTickS > 1e-9)
        {
            throw new ArgumentException("the tick must divide 300 s (the survey and truth interval)");
        }
        var warmUpS = options.WarmUp.TotalSeconds;
        var endS = options.Duration?.TotalSeconds ?? double.PositiveInfinity;
        var nextReport = 0.0;
        var wall = Stopwatch.StartNew();
        var anchorWall = TimeSpan.Zero;
        var anchorSim = 0.0;
        var rateWall = Stopwatch.StartNew();
        var rateSim = twin.TimeS;
        var warmedUp = warmUpS <= 0;
        var simulating = new Stopwatch();
        var feeding = new Stopwatch();
        var reporting = new Stopwatch();
        if (twin.TimeS == 0 && twin.SpinUpS > 0)
        {
            log?.Invoke($"twin spinning up: {twin.SpinUpS / 60:0} simulated minutes before the start, so the road is full when the sensors start");
        }
        if (clock is not null)
        {
            clock.FastForward = !warmedUp;
        }
        log?.Invoke(warmedUp ? $"twin running at {options.Rate:0.#}x" : $"twin warming up: {options.WarmUp.TotalMinutes:0} simulated minutes as fast as possible");
        while (!ct.IsCancellationRequested && twin.TimeS < endS)
        {
            ApplyControls();
            var t = twin.TimeS + (warmedUp ? options.TickS : Math.Min(options.WarmUpTickS, Math.Max(options.TickS, warmUpS - twin.TimeS)));
            simulating.Start();
            twin.AdvanceTo(t);
            simulating.Stop();
            clock?.AdvanceTo(twin.Now);
            var batch = twin.Drain();
            feeding.Start();
            foreach (var (dataset, rows) in batch.ByDataset())
            {
                if (rows.Count > 0)
                {
                    await feed.PostAsync(dataset, rows, ct);
                }
            }
            feeding.Stop();
            if (terminals is not null && t >= nextReport)
            {
                reporting.Start();
                await terminals.ReportAsync(twin.EquippedVehicles(), twin.Now, ct);
                reporting.Stop();
                nextReport = t + (warmedUp ? options.ReportEveryS : Math.Max(options.ReportEveryS, options.WarmUpTickS));
            }
            if (rateWall.Elapsed >= TimeSpan.FromSeconds(5))
            {
                _achievedRate = (t - rateSim) / rateWall.Elapsed.TotalSeconds;
                rateSim = t;
                rateWall.Restart();
            }
            if (!warmedUp && t >= warmUpS)
            {
                warmedUp = true;
                anchorWall = wall.Elapsed;
                anchorSim = t;
                if (clock is not null)
                {
                    clock.FastForward = false;
                }
                log?.Invoke($"twin warmed up in {wall.Elapsed.TotalSeconds:0.0} s (simulating {simulating.Elapsed.TotalSeconds:0.0} s, feeding {feeding.Elapsed.TotalSeconds:0.0} s, JT/T 808 {reporting.Elapsed.TotalSeconds:0.0} s; {twin.InNetwork:N0} vehicles on {twin.CorridorKilometres:0} km of carriageway); now running at {options.Rate:0.#}x");
            }
            var status = new DriverStatus(twin.Now, t, warmedUp, _achievedRate, twin.InNetwork, twin.VehicleSteps, feed.Counters,
                terminals?.Connected ?? 0, terminals?.Reported ?? 0, terminals?.Acknowledged ?? 0, simulating.Elapsed, feeding.Elapsed, reporting.Elapsed);
            _status = status;
            Ticked?.Invoke(status);
            if (warmedUp)
            {
                var due = anchorWall + TimeSpan.FromSeconds((t - anchorSim) / options.Rate);
                var wait = due - wall.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, ct);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
        ApplyControls();
        if (terminals is not null)
        {
            await terminals.FlushAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        }
    }

    private void ApplyControls()
    {
        while (_controls.TryDequeue(out var c))
        {
            try
            {
                c.Done.TrySetResult(c.Apply(twin));
            }
            catch (ArgumentException e)
            {
                c.Done.TrySetResult(new RoadControlReceipt(false, "twin: " + e.Message));
            }
        }
    }
}

/// <summary>
/// Incident controls applied to the twin's road (the cloud-control hook, B5): lane closures and speed limits
/// set on the section's carriageway between two simulation ticks, and lifted again by their control id.
/// Board messages are acknowledged but have no effect on simulated drivers.
/// </summary>
public sealed class TwinRoadControl(ProvinceDriver driver) : IRoadControl
{
    private readonly ConcurrentDictionary<string, int> _handles = new(StringComparer.Ordinal);

    public async Task<RoadControlReceipt> SendAsync(RoadControlCommand command, CancellationToken ct = default)
    {
        var receipt = driver.EnqueueControl(twin =>
        {
            if (command.Lift)
            {
                return _handles.TryRemove(command.ControlId, out var handle) && twin.Lift(handle)
                    ? new RoadControlReceipt(true, $"twin: control {command.ControlId} lifted on {command.SectionId}")
                    : new RoadControlReceipt(false, $"twin: no control {command.ControlId} is set");
            }
            switch (command.Kind)
            {
                case ControlKind.LaneClosure when command.Lanes is { Count: > 0 } lanes:
                    _handles[command.ControlId] = twin.CloseLanes(command.SectionId, lanes);
                    return new RoadControlReceipt(true, $"twin: lanes {string.Join(",", lanes)} (from the inside) closed on {command.SectionId}");
                case ControlKind.SpeedLimit when command.SpeedLimitKmh is { } limit:
                    _handles[command.ControlId] = twin.SetSpeedLimit(command.SectionId, limit);
                    return new RoadControlReceipt(true, $"twin: {limit} km/h on {command.SectionId} and 2 km upstream");
                case ControlKind.LaneClosure or ControlKind.SpeedLimit:
                    return new RoadControlReceipt(false, "twin: a lane closure needs lanes and a speed limit needs a limit");
                default:
                    return new RoadControlReceipt(true, "twin: board message noted (simulated drivers do not read boards)");
            }
        });
        return await receipt.WaitAsync(TimeSpan.FromSeconds(30), ct);
    }
}
