using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TransportBrain.Host.Demo;
using Xunit.Abstractions;

namespace TransportBrain.Console.Tests;

/// <summary>
/// What <c>./brain demo</c> opens onto: the shipped demo province, fed live by the twin through the platform's
/// real interfaces, seen in the console in a real headless Chromium.
/// </summary>
public sealed class DemoFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 19, 23, 0, 0, TimeSpan.Zero); // 07:00 China time
    private readonly string _dir = Directory.CreateTempSubdirectory("brain-demo-console-").FullName;

    public DemoRun Demo { get; private set; } = null!;

    /// <summary>Wall time from start to the first detected incident.</summary>
    public TimeSpan FirstIncidentAfter { get; private set; }

    public async Task InitializeAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Demo = await DemoRun.StartAsync(new DemoOptions
        {
            DataDirectory = Path.Combine(_dir, "data"),
            Urls = "http://127.0.0.1:0",
            Jt808 = new IPEndPoint(IPAddress.Loopback, 0),
            Start = Start,
            Speed = 10,
        });
        while (Demo.Highway.Incidents(activeOnly: true).Count == 0)
        {
            if (Demo.Running.IsCompleted)
            {
                await Demo.Running; // surfaces why the twin stopped
                throw new InvalidOperationException("the twin stopped before any incident was detected");
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(4))
            {
                throw new TimeoutException($"no incident detected after {clock.Elapsed.TotalSeconds:0} s (simulated {Demo.Driver.Status?.SimulatedNow:HH:mm})");
            }
            await Task.Delay(250);
        }
        FirstIncidentAfter = clock.Elapsed;
    }

    public async Task DisposeAsync()
    {
        await Demo.DisposeAsync();
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}

[Collection("console")]
public sealed class DemoConsoleTests(ConsoleFixture fx, DemoFixture demo, ITestOutputHelper output) : IClassFixture<DemoFixture>
{
    private static string Shot(string name) => Path.Combine(ConsoleFixture.ScreenshotDirectory, name);

    [Fact]
    public async Task The_demo_opens_onto_the_console_with_the_province_live_vehicles_moving_and_a_detected_incident()
    {
        output.WriteLine($"first incident detected {demo.FirstIncidentAfter.TotalSeconds:0.0} s after the demo started");
        Assert.True(demo.FirstIncidentAfter < TimeSpan.FromMinutes(2), $"first incident after {demo.FirstIncidentAfter.TotalSeconds:0} s");

        var context = await fx.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 900 }, Locale = "zh-CN", TimezoneId = "Asia/Shanghai" });
        var page = await context.NewPageAsync();
        page.PageError += (_, e) => fx.BrowserLog.Enqueue($"demo page error: {e}");
        await page.GotoAsync(demo.Demo.Url + "/");
        await page.FillAsync("#login-name", DemoRun.AdminUser);
        await page.FillAsync("#login-password", DemoRun.AdminPassword);
        await page.ClickAsync("#login-submit");
        await page.WaitForSelectorAsync("#who");

        // The province: every section drawn, coloured by its live state, at least one congested by the incident.
        var sections = demo.Demo.Highway.Network!.Sections.Count;
        await page.WaitForSelectorAsync($"body[data-sections='{sections}']", new PageWaitForSelectorOptions { Timeout = 30_000 });
        var counts = new int[6];
        for (var level = 1; level <= 5; level++)
        {
            counts[level] = int.Parse(await page.InnerTextAsync($"#level-count-{level}"), CultureInfo.InvariantCulture);
        }
        output.WriteLine("sections per level: " + string.Join(", ", counts.Skip(1)));
        Assert.True(counts.Sum() >= sections * 9 / 10, "nearly every section has a live state");
        Assert.True(counts[3] + counts[4] + counts[5] >= 1, "the incident's section is congested");

        // The clock says the platform runs on simulated time.
        await Assertions.Expect(page.Locator("#sim-badge")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#sim-badge")).ToContainTextAsync("仿真");

        // Vehicles reporting over JT/T 808 are on the map and move; section states arrive live.
        await page.WaitForFunctionAsync("() => window.__tb.perf.lastVehicleCount > 50", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        var updatesBefore = await page.EvaluateAsync<int>("() => window.__tb.perf.sectionUpdates");
        var framesBefore = await page.EvaluateAsync<int>("() => window.__tb.perf.vehicleFrames");
        await page.WaitForFunctionAsync($"() => window.__tb.perf.sectionUpdates > {updatesBefore} && window.__tb.perf.vehicleFrames > {framesBefore}", null,
            new PageWaitForFunctionOptions { Timeout = 60_000 });
        output.WriteLine($"vehicles on the map: {await page.EvaluateAsync<int>("() => window.__tb.perf.lastVehicleCount")}");
        await page.WaitForTimeoutAsync(500);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("demo-map.png") });

        // The detected incident is waiting in emergency command.
        await page.ClickAsync("a[data-view='incidents']");
        var row = page.Locator(".incident-row").First;
        await Assertions.Expect(row).ToBeVisibleAsync();
        await row.ClickAsync();
        await Assertions.Expect(page.Locator("#incident-state")).ToHaveAttributeAsync("data-state", "candidate");
        var detected = demo.Demo.Highway.Incidents(activeOnly: true)[0];
        await Assertions.Expect(page.Locator("#incident-title")).ToContainTextAsync(detected.Route);
        // the detector's evidence, in Chinese like the rest of the console
        await Assertions.Expect(page.Locator("#incident-description")).ToContainTextAsync(new Regex("^车速 \\d+ km/h（平常 \\d+），下游 .+ 个周期$"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("demo-incident.png") });

        // The operator confirms it and closes the fast lane from the incident: the closure reaches the twin's road.
        await page.FillAsync("#step-note", "视频核实：事故占用内侧两条车道");
        await page.ClickAsync("button[data-action='confirm']");
        await Assertions.Expect(page.Locator("#incident-state")).ToHaveAttributeAsync("data-state", "confirmed");
        await page.ClickAsync("button[data-action='plan']");
        await Assertions.Expect(page.Locator("#incident-state")).ToHaveAttributeAsync("data-state", "planned");
        await page.SelectOptionAsync("#control-kind", "lane_closure");
        await page.FillAsync("#control-lanes", "1");
        await page.ClickAsync("button[data-action='set-control']");
        await Assertions.Expect(page.Locator("#controls-card")).ToContainTextAsync("生效中");
        await Assertions.Expect(page.Locator("#controls-card span.pill.on").First).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("twin: lanes 1"));
        var sim = demo.Demo.Twin.Simulators.Single(x => x.Route == detected.Route && x.Direction == detected.Direction).Simulator;
        var section = demo.Demo.Highway.Network!.Section(detected.SectionId)!;
        // besides the incident's own 50 m blockage, the fast lane (the simulator's leftmost) is closed over the section
        var fastLane = demo.Demo.Highway.Network!.RouteByCode[detected.Route].LanesPerDirection;
        Assert.Contains(sim.Closures, c => c.Lane == fastLane && Math.Abs(c.ToM - c.FromM - section.LengthM) < 1);
        await context.CloseAsync();
    }
}
