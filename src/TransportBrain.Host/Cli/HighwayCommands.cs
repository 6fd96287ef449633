using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using TransportBrain.Highway;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Simulation;

namespace TransportBrain.Host.Cli;

/// <summary>`brain highway ...`: the road network, recomputes, and generated traffic with known truth.</summary>
internal static class HighwayCommands
{
    public static Command Create()
    {
        var cmd = new Command("highway", "Highway operations: road network, section states, incidents (B1-B4)");
        cmd.Subcommands.Add(CreateNetwork());
        cmd.Subcommands.Add(CreateRecompute());
        cmd.Subcommands.Add(CreateSample());
        return cmd;
    }

    private static Command CreateNetwork()
    {
        var network = new Command("network", "The road network model");
        var file = new Argument<FileInfo>("file") { Description = "GeoJSON (our network format, docs/highway-network.md) or CSV of facilities" };
        var import = new Command("import", "Imports a road network: routes, gantries, sections, stations and facilities") { file };
        import.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var path = r.GetValue(file)!;
            if (!path.Exists)
            {
                throw new CliException($"file not found: {path.FullName}");
            }
            await using var h = await p.StartHighwayAsync(live: false, ct);
            NetworkImport result;
            try
            {
                result = await h.ImportNetworkAsync(path.FullName, ct);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or System.Text.Json.JsonException)
            {
                throw new CliException($"{path.Name}: {e.Message}");
            }
            Console.WriteLine($"network: {result.Routes} routes, {result.Gantries} gantries, {result.Sections} sections, {result.Facilities} facilities from {result.Features} features");
            foreach (var problem in result.Problems.Take(20))
            {
                Console.WriteLine($"  refused: {problem}");
            }
            if (result.Problems.Count > 20)
            {
                Console.WriteLine($"  ... and {result.Problems.Count - 20} more refused");
            }
            foreach (var report in result.Reports)
            {
                Console.WriteLine($"  {report.DatasetId}: read {report.Read}, stored {report.Stored}, quarantined {report.Quarantined}");
            }
            return result.Problems.Count == 0 ? 0 : 2;
        }, ct));
        network.Subcommands.Add(import);
        return network;
    }

    private static Command CreateRecompute()
    {
        var from = new Option<string>("--from") { Description = "Start (ISO 8601 or yyyy-MM-dd HH:mm:ss, China time when no offset)", Required = true };
        var to = new Option<string>("--to") { Description = "End (exclusive)", Required = true };
        var cmd = new Command("recompute", "Recomputes section states, flows, OD, incidents and warnings from the stored transactions of a time range") { from, to };
        cmd.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var f = DataCommands.ParseTime(r.GetValue(from), "--from")!.Value;
            var t = DataCommands.ParseTime(r.GetValue(to), "--to")!.Value;
            await RecomputeAndPrintAsync(p, f, t, ct);
            return 0;
        }, ct));
        return cmd;
    }

    internal static async Task RecomputeAndPrintAsync(Platform p, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var h = await p.StartHighwayAsync(live: false, ct);
        if (h.Network is null)
        {
            Console.WriteLine("highway: no road network yet, so no section states (brain highway network import FILE)");
            return;
        }
        var watch = Stopwatch.StartNew();
        var result = await h.RecomputeAsync(from, to, write: true, ct: ct);
        var c = result.Counters;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"highway: {result.Passes:N0} transactions → {result.SectionIntervals:N0} section states, {result.Incidents} incident candidates, {result.Warnings} warnings in {watch.Elapsed.TotalSeconds:F1} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  matched {c.Matched:N0}, duplicate reads {c.DuplicateReads:N0}, not adjacent {c.NotAdjacent:N0}, too fast {c.TooFast:N0}, too slow {c.TooSlow:N0}, trips {c.TripsClosed:N0}, unusable rows {result.Rejected:N0}"));
    }

    private static Command CreateSample()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory to write network.geojson and gantry_transactions.csv", DefaultValueFactory = _ => new DirectoryInfo("sample-data") };
        var routes = new Option<int>("--routes") { Description = "Routes in the network", DefaultValueFactory = _ => 4 };
        var gantries = new Option<int>("--gantries") { Description = "Gantries per route and direction", DefaultValueFactory = _ => 12 };
        var vehicles = new Option<int>("--vehicles") { Description = "Vehicles per day", DefaultValueFactory = _ => 50_000 };
        var days = new Option<int>("--days") { Description = "Days (ending yesterday, China time)", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var cmd = new Command("sample", "Writes a synthetic network and a day of gantry transactions with an injected incident, to try the highway pipeline") { output, routes, gantries, vehicles, days, seed };
        cmd.SetAction(r =>
        {
            var dir = r.GetValue(output)!;
            dir.Create();
            var geojson = SyntheticNetwork.CreateGeoJson(r.GetValue(routes), r.GetValue(gantries), 6, r.GetValue(seed));
            var networkPath = Path.Combine(dir.FullName, "network.geojson");
            File.WriteAllText(networkPath, geojson, new UTF8Encoding(false));
            var net = NetworkFile.LoadGeoJson(geojson).Network;
            var china = TimeSpan.FromHours(8);
            var today = DateTimeOffset.UtcNow.ToOffset(china);
            var d = r.GetValue(days);
            var start = new DateTimeOffset(today.Year, today.Month, today.Day, 0, 0, 0, china).AddDays(-d);
            var incident = new InjectedIncident(Math.Min(3, net.Sections.Count - 1), start.AddDays(d - 1).AddHours(15), TimeSpan.FromMinutes(45));
            var gen = new GantryTrafficGenerator(new TrafficScenario
            {
                Network = net, DayStart = start, Span = TimeSpan.FromDays(d), Vehicles = r.GetValue(vehicles) * d, Seed = r.GetValue(seed),
                Incidents = [incident], RecurrentBottlenecks = [0],
            });
            var csvPath = Path.Combine(dir.FullName, "gantry_transactions.csv");
            long rows = 0;
            using (var w = new StreamWriter(csvPath, false, new UTF8Encoding(false), 1 << 16))
            {
                w.WriteLine(GantryTrafficGenerator.CsvHeader);
                foreach (var read in gen.Reads())
                {
                    w.WriteLine(gen.ToCsv(read));
                    rows++;
                }
            }
            Console.WriteLine($"wrote {networkPath} ({net.Routes.Count} routes, {net.Gantries.Count} gantries, {net.Sections.Count} sections)");
            Console.WriteLine($"wrote {csvPath} ({rows:N0} transactions, {start:yyyy-MM-dd} to {start.AddDays(d):yyyy-MM-dd} China time; incident on {net.Sections[incident.Section].Id} at {incident.Start:HH:mm} for 45 min)");
            Console.WriteLine("next: brain highway network import " + networkPath + " && brain import highway.gantry_transaction " + csvPath);
            return 0;
        });
        return cmd;
    }
}
