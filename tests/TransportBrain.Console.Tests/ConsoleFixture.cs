using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TransportBrain.Fleet;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Governance.Incidents;
using TransportBrain.Host;
using TransportBrain.Host.Api;
using TransportBrain.Host.OpsConsole;
using TransportBrain.Identity;

namespace TransportBrain.Console.Tests;

/// <summary>
/// The real platform (embedded store, fleet context, console) on a loopback port, a synthetic network of
/// 2,000 sections served in the highway context's GeoJSON contract, and one headless Debian Chromium
/// driven by Playwright. Shared by every browser test: starting Chromium is the slow part.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string Password = "Duty-2026-pass";
    private readonly string _dir = Directory.CreateTempSubdirectory("brain-console-").FullName;
    private WebApplication _app = null!;
    private IPlaywright _playwright = null!;

    public Platform Platform { get; private set; } = null!;
    public FleetService Fleet { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public LiveFeed Feed => _app.Services.GetRequiredService<LiveFeed>();
    public ConsoleRuntime Runtime => _app.Services.GetRequiredService<ConsoleRuntime>();
    public TestNetwork Network { get; } = new();

    /// <summary>Browser console messages and page errors, for diagnosing a failed test.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> BrowserLog { get; } = new();

    /// <summary>
    /// Where the browser tests save their screenshots: the test output's <c>screenshots</c> folder, or the
    /// repository's docs/screenshots when <c>BRAIN_UPDATE_SCREENSHOTS=1</c> (so a test run leaves the tree clean,
    /// and the documented pictures change only when someone means to refresh them).
    /// </summary>
    public static string ScreenshotDirectory
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "screenshots");
            if (Environment.GetEnvironmentVariable("BRAIN_UPDATE_SCREENSHOTS") == "1")
            {
                var d = new DirectoryInfo(AppContext.BaseDirectory);
                while (d is not null && !File.Exists(Path.Combine(d.FullName, "TransportBrain.slnx")))
                {
                    d = d.Parent;
                }
                path = Path.Combine(d?.FullName ?? AppContext.BaseDirectory, "docs", "screenshots");
            }
            Directory.CreateDirectory(path);
            return path;
        }
    }

    public async Task InitializeAsync()
    {
        var chromium = FindChromium() ?? throw new InvalidOperationException(
            "Debian chromium is needed for the console browser tests and was not found on PATH: apt-get install -y chromium (./test installs it)");

        Platform = await Platform.OpenAsync(new PlatformOptions(_dir, null));
        Fleet = await Platform.StartFleetAsync(null, _dir);
        var options = new ConsoleOptions
        {
            NetworkUrl = "/test/network",
            VehiclePushInterval = TimeSpan.FromMilliseconds(500),
            Identity = new IdentityOptions { PasswordIterations = 2_000, MaxFailedAttempts = 5 },
            SeedResourcesAround = [TestNetwork.CentreLon, TestNetwork.CentreLat],
            SeedUsers =
            [
                new SeedUser("admin", Password, ConsoleRole.Administrator, "贵州省交通运输厅", "系统管理员"),
                new SeedUser("duty", Password, ConsoleRole.Operator, "贵州省交通运输厅路网监测与应急处置中心", "王芳"),
                new SeedUser("chief", Password, ConsoleRole.Supervisor, "贵州省交通运输厅路网监测与应急处置中心", "李强"),
                new SeedUser("guest", Password, ConsoleRole.Viewer, "贵阳市交通运输局", "访客"),
                new SeedUser("victim", Password, ConsoleRole.Operator, "贵阳市交通运输局", "赵敏"),
            ],
        };
        _app = ServerHost.Build(Platform, new ServerOptions("http://127.0.0.1:0"), Fleet, console: options);
        // The highway context serves the real network; the console reads it from NetworkUrl, here a
        // synthetic one of 2,000 sections in the same GeoJSON contract.
        _app.MapGet("/test/network", () => Results.Content(Network.GeoJson, "application/geo+json"));
        await _app.StartAsync();
        BaseUrl = _app.Urls.First();

        await SeedSituationAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>What an operator walks into: an open incident near the centre and an overspeed alarm with a track.</summary>
    private async Task SeedSituationAsync()
    {
        var s = Network.Sections[3];
        await Runtime.Command.OpenAsync(new NewIncident
        {
            Kind = IncidentKind.Breakdown,
            Severity = IncidentSeverity.Minor,
            Source = IncidentSource.Detection,
            SourceRef = "det-" + s.Id,
            Title = $"{s.Route} K36+200 上行 车辆故障停车",
            Location = new IncidentLocation { Longitude = s.Line[1][0], Latitude = s.Line[1][1], Route = s.Route, Stake = "K36+200", Direction = "上行", SectionId = s.Id },
            LanesBlocked = [1],
        }, new Actor("highway-detection", "路网监测", "system"));

        await Fleet.Registry.ProvisionAsync("013800000042", "贵A12345", 2, VehicleCategory.Coach);
        var start = DateTimeOffset.UtcNow.AddMinutes(-6);
        var route = Network.Sections.Skip(100).Take(8).SelectMany(x => x.Line).ToList();
        for (var i = 0; i < 16; i++)
        {
            var p = route[Math.Min(i, route.Count - 1)];
            await Fleet.Tracker.ProcessAsync(new VehicleFix("013800000042", "贵A12345", VehicleCategory.Coach, start.AddSeconds(5 * i), p[1], p[0], 130, 90, 0, true, true), DateTimeOffset.UtcNow);
        }
        // positions are stored so the track replay has them
        var d = FleetDatasets.Position;
        var rows = Enumerable.Range(0, 16).Select(i =>
        {
            var p = route[Math.Min(i, route.Count - 1)];
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{{\"terminal_id\":\"013800000042\",\"plate\":\"贵A12345\",\"gnss_time\":\"{start.AddSeconds(5 * i):O}\",\"received_at\":\"{start.AddSeconds(5 * i + 1):O}\",\"latitude\":{p[1]},\"longitude\":{p[0]},\"speed_kmh\":130,\"direction_deg\":90,\"alarm_flags\":0,\"status_flags\":3,\"category\":\"coach\",\"acc_on\":true,\"located\":true,\"flow_no\":{i},\"item_no\":0,\"source\":\"realtime\"}}");
        });
        var json = "[" + string.Join(",", rows) + "]";
        using var source = new TransportBrain.Hub.Ingest.JsonRecordSource(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), d);
        var report = await Platform.Ingest.IngestAsync(d, source, "console test track", null);
        if (report.Stored != 16)
        {
            throw new InvalidOperationException("the test track was not stored: " + string.Join("; ", report.RuleCounts.Select(r => $"{r.RuleKey} {r.Records} {r.ExampleReason}")));
        }
    }

    public async Task<IPage> LoginAsync(string user, int width = 1600, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, Locale = "zh-CN", TimezoneId = "Asia/Shanghai" });
        var page = await context.NewPageAsync();
        page.Console += (_, m) => BrowserLog.Enqueue($"{user} console.{m.Type}: {m.Text}");
        page.PageError += (_, e) => BrowserLog.Enqueue($"{user} page error: {e}");
        await page.GotoAsync(BaseUrl + "/");
        await page.FillAsync("#login-name", user);
        await page.FillAsync("#login-password", Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForSelectorAsync("#who");
        return page;
    }

    public static string? FindChromium()
    {
        foreach (var name in new[] { "chromium", "chromium-browser" })
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var path = Path.Combine(dir, name);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }
        return null;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (Fleet is not null)
        {
            await Fleet.DisposeAsync();
        }
        if (Platform is not null)
        {
            await Platform.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
            Debug.WriteLine("temp directory still in use: " + _dir);
        }
    }
}

[CollectionDefinition("console")]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>;
