using System.Net;
using TransportBrain.Fleet;
using TransportBrain.Highway;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Stations;
using TransportBrain.Highway.Weather;
using TransportBrain.Host.Api;
using TransportBrain.Host.OpsConsole;
using TransportBrain.Hub.Sharing;
using TransportBrain.Identity;
using TransportBrain.Twin.Province;

namespace TransportBrain.Host.Demo;

/// <summary>Settings of <c>brain demo</c>.</summary>
public sealed record DemoOptions
{
    /// <summary>The demo's own data directory; it is reset at every start (it holds a marker file saying so).</summary>
    public string DataDirectory { get; init; } = "demo-data";

    public string Urls { get; init; } = "http://127.0.0.1:8080";

    public IPEndPoint Jt808 { get; init; } = new(IPAddress.Loopback, 6808);

    public double Speed { get; init; } = 10;

    public ulong Seed { get; init; } = 1;

    public TimeSpan WarmUp { get; init; } = TimeSpan.FromMinutes(45);

    /// <summary>Simulated start; null: the latest 07:00 China Standard Time, so the demo opens on the morning peak.</summary>
    public DateTimeOffset? Start { get; init; }

    public double DemandScale { get; init; } = 1.0;

    /// <summary>Simulated time run silently before the start so the road is full (see <see cref="ProvinceOptions.SpinUp"/>).</summary>
    public TimeSpan SpinUp { get; init; } = TimeSpan.FromMinutes(80);

    /// <summary>Simulated time to run before stopping; null: until stopped.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>The network file; default: the demo province shipped beside the executable.</summary>
    public string? NetworkPath { get; init; }

    /// <summary>Seconds of simulated time between two JT/T 808 reports of each equipped vehicle.</summary>
    public double ReportEveryS { get; init; } = 30;

    public string? WebRoot { get; init; }
}

/// <summary>
/// The demo: a platform on a fresh embedded store whose clock follows the twin, the demo province's road
/// network imported, the console with demo users and an emergency resource registry, and the twin feeding
/// it through the platform's real interfaces (HTTP push ingest with an API key, JT/T 808 over TCP);
/// incident controls from the console reach the twin's road.
/// </summary>
public sealed class DemoRun : IAsyncDisposable
{
    public const string AdminUser = "admin";
    public const string OperatorUser = "operator";
    public const string AdminPassword = "brain-demo";
    public const string TwinOrganisation = "省交通运输厅 交通运行仿真中心";
    private const string Marker = ".brain-demo";

    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http;
    private Task? _run;

    private DemoRun(Platform platform, FleetService fleet, HighwayService highway, WebApplication app, ProvinceDriver driver, TwinTerminals terminals, HttpClient http, TwinClock clock, RecentServerErrors errors)
    {
        ServerErrors = errors;
        Platform = platform;
        Fleet = fleet;
        Highway = highway;
        App = app;
        Driver = driver;
        Terminals = terminals;
        _http = http;
        Clock = clock;
    }

    public Platform Platform { get; }
    public FleetService Fleet { get; }
    public HighwayService Highway { get; }
    public WebApplication App { get; }
    public ProvinceDriver Driver { get; }
    public TwinTerminals Terminals { get; }
    public TwinClock Clock { get; }

    /// <summary>The platform's latest errors (an HTTP 500's answer carries only a trace id).</summary>
    public RecentServerErrors ServerErrors { get; }
    public ProvinceTwin Twin => Driver.Twin;
    public string Url => App.Urls.First();
    public IPEndPoint? Jt808EndPoint => Fleet.Gateway?.EndPoint;

    /// <summary>The twin's run, started by <see cref="StartAsync"/>; it ends at the options' duration, on stop, or with the error that stopped it.</summary>
    public Task Running => _run ?? Task.CompletedTask;

    /// <summary>The latest 07:00 China Standard Time at or before <paramref name="now"/>.</summary>
    public static DateTimeOffset MorningOf(DateTimeOffset now)
    {
        var china = now.ToOffset(TimeSpan.FromHours(8));
        var seven = new DateTimeOffset(china.Year, china.Month, china.Day, 7, 0, 0, TimeSpan.FromHours(8));
        return (seven > china ? seven.AddDays(-1) : seven).ToUniversalTime();
    }

    public static async Task<DemoRun> StartAsync(DemoOptions o, Action<string>? log = null, CancellationToken ct = default)
    {
        log ??= _ => { };
        PrepareDataDirectory(o.DataDirectory);
        var start = o.Start ?? MorningOf(DateTimeOffset.UtcNow);
        var clock = new TwinClock(start, o.Speed);
        var platform = await Platform.OpenAsync(new PlatformOptions(o.DataDirectory, null), clock, ct);
        FleetService? fleet = null;
        HighwayService? highway = null;
        var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            fleet = await platform.StartFleetAsync(o.Jt808, o.DataDirectory, null, ct);
            highway = await platform.StartHighwayAsync(live: true, ct);
            var networkPath = o.NetworkPath ?? Path.Combine(AppContext.BaseDirectory, "demo-province", "network.geojson");
            var import = await highway.ImportNetworkAsync(networkPath, ct);
            if (highway.Network is not { } network)
            {
                throw new ArgumentException($"the demo network {networkPath} did not load: {string.Join("; ", import.Problems.Take(5))}");
            }
            log($"demo province: {network.Routes.Count} routes, {network.Routes.Sum(r => r.EndStake - r.StartStake) / 1000:0} km, {network.Gantries.Count} gantries, {network.Sections.Count} sections, {network.OfKind(FacilityKind.SurveyStation).Count()} survey stations");

            // The twin is a provincial system like any other: an API key of its own, granted write access to the datasets it feeds.
            var (key, secret) = await platform.Keys.CreateAsync(TwinOrganisation, "digital twin feeds", isAdmin: false, ct);
            foreach (var d in new[] { HighwayDatasets.GantryTransaction, HighwayDatasets.SurveyStation5Min, HighwayWeatherDatasets.Observation, TwinDatasets.SectionTruth, TwinDatasets.IncidentTruth, FleetDatasets.Terminal })
            {
                await platform.Store.SetGrantAsync(new DatasetGrant(key.Id, d.Id, CanRead: true, CanWrite: true, Unmasked: false), ct);
            }

            var twin = new ProvinceTwin(network, new ProvinceOptions
            {
                Start = start, Seed = o.Seed, DemandScale = o.DemandScale, SpinUp = o.SpinUp,
                RunId = "demo-" + start.ToOffset(TimeSpan.FromHours(8)).ToString("yyyyMMdd-HHmm", System.Globalization.CultureInfo.InvariantCulture),
            });
            var feed = new HttpRecordFeed(http, secret);
            var terminals = new TwinTerminals(http, secret, "127.0.0.1", fleet.Gateway?.EndPoint?.Port ?? o.Jt808.Port);
            var driver = new ProvinceDriver(twin, feed, terminals, new DriverOptions
            {
                Rate = o.Speed, WarmUp = o.WarmUp, Duration = o.Duration, ReportEveryS = o.ReportEveryS,
            }, clock);
            var centre = SyntheticNetwork.Centre;
            var console = new ConsoleOptions
            {
                SeedUsers =
                [
                    new SeedUser(AdminUser, AdminPassword, ConsoleRole.Administrator, "省交通运输厅", "演示管理员"),
                    new SeedUser(OperatorUser, AdminPassword, ConsoleRole.Operator, "省高速公路运行监测中心", "值班员"),
                ],
                SeedResourcesAround = [centre.Lon, centre.Lat],
                RoadControl = new TwinRoadControl(driver),
                SecurityClock = TimeProvider.System,
                WebRoot = o.WebRoot,
            };
            var errors = new RecentServerErrors();
            var app = ServerHost.Build(platform, new ServerOptions(o.Urls) { Errors = errors }, fleet!, console, highway);
            await app.StartAsync(ct);
            http.BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/");
            var demo = new DemoRun(platform, fleet, highway, app, driver, terminals, http, clock, errors);
            demo._run = Task.Run(async () =>
            {
                try
                {
                    await driver.RunAsync(log, demo._stop.Token);
                }
                catch (TwinFeedException e) when (errors.Entries.Count > 0)
                {
                    // The platform's answer carries only a trace id: say what went wrong on its side too.
                    throw new TwinFeedException($"{e.Message}{Environment.NewLine}the platform's latest errors:{Environment.NewLine}{errors.Describe()}");
                }
            }, CancellationToken.None);
            return demo;
        }
        catch
        {
            http.Dispose();
            if (highway is not null)
            {
                await highway.DisposeAsync();
            }
            if (fleet is not null)
            {
                await fleet.DisposeAsync();
            }
            await platform.DisposeAsync();
            throw;
        }
    }

    /// <summary>Prints progress every 30 s until the demo is stopped (Ctrl+C) or the twin stops.</summary>
    public async Task RunUntilStoppedAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        var run = Running;
        while (!run.IsCompleted && !ct.IsCancellationRequested)
        {
            var tick = timer.WaitForNextTickAsync(ct).AsTask();
            if (await Task.WhenAny(run, tick) == run)
            {
                break;
            }
            if (!tick.IsCompletedSuccessfully || !tick.Result)
            {
                return; // stopped (Ctrl+C): disposing the demo stops the twin
            }
            if (Driver.Status is { } s)
            {
                var feeds = string.Join(", ", s.Feeds.Select(f => $"{f.Key} {f.Value.Stored:N0}"));
                Console.WriteLine($"{s.SimulatedNow.ToOffset(TimeSpan.FromHours(8)):HH:mm} simulated ({s.AchievedRate:0.#}x): {s.Vehicles:N0} vehicles, {s.Terminals} terminals online; stored: {feeds}; " +
                    $"{Highway.Incidents(activeOnly: true).Count} incident(s) detected; wall time simulating {s.SimulatingTime.TotalSeconds:0} s, feeding {s.FeedingTime.TotalSeconds:0} s, JT/T 808 {s.ReportingTime.TotalSeconds:0} s");
            }
        }
        await run; // surfaces the error that stopped the twin, if any
    }

    private static void PrepareDataDirectory(string dir)
    {
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
        {
            if (!File.Exists(Path.Combine(dir, Marker)))
            {
                throw new ArgumentException($"{Path.GetFullPath(dir)} holds data that is not the demo's; the demo resets its directory at every start, so choose another with --data");
            }
            Directory.Delete(dir, recursive: true);
        }
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, Marker), "This directory belongs to `brain demo`, which deletes and recreates it at every start.\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await Terminals.DisposeAsync();
        await App.StopAsync();
        await App.DisposeAsync();
        await Highway.DisposeAsync();
        await Fleet.DisposeAsync();
        await Platform.DisposeAsync();
        _http.Dispose();
        _stop.Dispose();
    }
}
