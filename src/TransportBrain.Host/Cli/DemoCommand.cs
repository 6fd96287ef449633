using System.CommandLine;
using System.Globalization;
using System.Net;
using Spectre.Console;
using TransportBrain.Host.Api;
using TransportBrain.Host.Demo;

namespace TransportBrain.Host.Cli;

/// <summary>
/// <c>brain demo</c>: the platform on the embedded store with the demo province, fed live by the digital
/// twin through its real interfaces (HTTP push ingest, the JT/T 808 gateway over TCP), with the console.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where the platform listens", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var speed = new Option<double>("--speed") { Description = "Time acceleration of the twin once warmed up (simulated seconds per second)", DefaultValueFactory = _ => 10 };
        var jt808Port = new Option<int>("--jt808-port") { Description = "TCP port of the JT/T 808 gateway the twin's terminals connect to", DefaultValueFactory = _ => 6808 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the twin (same seed, same traffic)", DefaultValueFactory = _ => 1UL };
        var warmUp = new Option<double>("--warm-up") { Description = "Simulated minutes run as fast as possible before pacing", DefaultValueFactory = _ => 45 };
        var start = new Option<string?>("--start") { Description = "Simulated start (ISO 8601); default: the latest 07:00 China time" };
        var demand = new Option<double>("--demand-scale") { Description = "Scale of the twin's demand", DefaultValueFactory = _ => 1.0 };
        var cmd = new Command("demo", "Runs the platform with the demo province fed live by the digital twin, and its console")
        {
            urls, speed, jt808Port, seed, warmUp, start, demand,
        };
        cmd.SetAction(async (r, ct) =>
        {
            try
            {
                DateTimeOffset? startAt = null;
                if (r.GetValue(start) is { } text)
                {
                    startAt = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var s)
                        ? s : throw new CliException($"--start '{text}' is not a date and time such as 2026-11-20T07:00:00+08:00");
                }
                if (r.GetValue(speed) is <= 0 or > 1_000)
                {
                    throw new CliException("--speed is in (0, 1000]");
                }
                var options = new DemoOptions
                {
                    DataDirectory = r.GetValue(CommonOptions.Data) ?? Environment.GetEnvironmentVariable("BRAIN_DATA") ?? "demo-data",
                    Urls = r.GetValue(urls)!,
                    Jt808 = new IPEndPoint(IPAddress.Loopback, r.GetValue(jt808Port)),
                    Speed = r.GetValue(speed),
                    Seed = r.GetValue(seed),
                    WarmUp = TimeSpan.FromMinutes(r.GetValue(warmUp)),
                    Start = startAt,
                    DemandScale = r.GetValue(demand),
                };
                await using var demo = await DemoRun.StartAsync(options, Console.WriteLine, ct);
                Console.WriteLine();
                AnsiConsole.MarkupLineInterpolated($"[bold green]TransportBrain 演示省 (demo province)[/] 控制台 console: [link]{demo.Url}[/]");
                AnsiConsole.MarkupLineInterpolated($"  登录 login: [bold]{DemoRun.AdminUser}[/] / [bold]{DemoRun.AdminPassword}[/] (administrator), {DemoRun.OperatorUser} / {DemoRun.AdminPassword} (operator)");
                Console.WriteLine($"  API: {demo.Url}/api/v1/highway/network   {demo.Url}/api/v1/fleet/vehicles   OpenAPI: {demo.Url}/openapi/v1.json");
                Console.WriteLine($"  JT/T 808 gateway: tcp://{demo.Jt808EndPoint}   data: {Path.GetFullPath(options.DataDirectory)} (SQLite)");
                Console.WriteLine($"  twin: {demo.Twin.Carriageways} carriageways, {demo.Twin.CorridorKilometres:0} km; warm-up {options.WarmUp.TotalMinutes:0} simulated min, then {options.Speed:0.#}x   (Ctrl+C stops)");
                await demo.RunUntilStoppedAsync(ct);
                return 0;
            }
            catch (Exception e) when (e is CliException or ArgumentException or IOException or UnauthorizedAccessException or TransportBrain.Twin.Province.TwinFeedException)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 0;
            }
        });
        return cmd;
    }
}
