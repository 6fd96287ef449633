using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TransportBrain.Fleet.Jt808;
using TransportBrain.Fleet.Simulation;

namespace TransportBrain.Host.Cli;

/// <summary><c>brain jt808 simulate</c>: simulated terminals for load tests and the demo.</summary>
internal static class Jt808Commands
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Gateway host", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Gateway port", DefaultValueFactory = _ => 6808 };
        var terminals = new Option<int>("--terminals") { Description = "How many terminals", DefaultValueFactory = _ => 10 };
        var rate = new Option<double>("--rate") { Description = "Locations per second across all terminals", DefaultValueFactory = _ => 10 };
        var edition = new Option<int>("--edition") { Description = "Protocol edition: 2013 or 2019", DefaultValueFactory = _ => 2013 };
        var duration = new Option<double>("--duration") { Description = "Seconds of reporting", DefaultValueFactory = _ => 30 };
        var prefix = new Option<string>("--phone-prefix") { Description = "Terminal phone numbers start with this", DefaultValueFactory = _ => "0139" };
        var simulate = new Command("simulate", "Simulated terminals: register, authenticate, report moving positions; prints sent/acknowledged and ack latency percentiles")
        {
            host, port, terminals, rate, edition, duration, prefix,
        };
        simulate.SetAction(async (r, ct) =>
        {
            var ed = r.GetValue(edition) switch
            {
                2013 => Jt808Edition.V2013,
                2019 => Jt808Edition.V2019,
                var other => (Jt808Edition?)null,
            };
            if (ed is null || r.GetValue(terminals) < 1 || r.GetValue(rate) <= 0 || r.GetValue(duration) <= 0)
            {
                AnsiConsole.MarkupLine("[red]error:[/] --edition must be 2013 or 2019; --terminals, --rate and --duration must be positive");
                return 1;
            }
            var report = await Jt808Simulator.RunAsync(new SimulatorOptions
            {
                Host = r.GetValue(host)!,
                Port = r.GetValue(port),
                Terminals = r.GetValue(terminals),
                Rate = r.GetValue(rate),
                Edition = ed.Value,
                Duration = TimeSpan.FromSeconds(r.GetValue(duration)),
                PhonePrefix = r.GetValue(prefix)!,
            }, m => Console.WriteLine(m), ct);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"terminals {report.Terminals}, connected {report.Connected}, authenticated {report.Authenticated}"));
            Console.WriteLine(string.Create(inv, $"sent {report.Sent:N0} in {report.Elapsed.TotalSeconds:0.0} s ({report.SentPerSecond:N0}/s), acknowledged {report.Acknowledged:N0} (not success: {report.AcknowledgedNotSuccess:N0}), unacknowledged {report.Unacknowledged:N0}"));
            Console.WriteLine(string.Create(inv, $"ack latency ms: p50 {report.AckP50Ms:0.0}  p90 {report.AckP90Ms:0.0}  p99 {report.AckP99Ms:0.0}  max {report.AckMaxMs:0.0}"));
            foreach (var e in report.Errors)
            {
                Console.WriteLine("error: " + e);
            }
            return report.Authenticated == report.Terminals && report.Unacknowledged == 0 ? 0 : 2;
        });
        return new Command("jt808", "JT/T 808 tools") { simulate };
    }
}
