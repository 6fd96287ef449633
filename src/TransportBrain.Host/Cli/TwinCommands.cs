using System.CommandLine;
using System.Globalization;
using TransportBrain.Highway.Network;
using TransportBrain.Twin.Experiments;
using TransportBrain.Twin.Validation;

namespace TransportBrain.Host.Cli;

/// <summary>
/// <c>brain twin experiment | fundamental-diagram | compare-sumo</c>: the traffic microsimulation's control
/// experiments, validation and the side-by-side run with SUMO (docs/twin.md).
/// </summary>
internal static class TwinCommands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create() => new("twin", "Traffic microsimulation (digital twin): control experiments, validation, comparison with SUMO")
    {
        CreateExperiment(), CreateFundamentalDiagram(), CreateCompareSumo(), CreateDemoNetwork(),
    };

    private static Command CreateDemoNetwork()
    {
        var output = new Option<string>("--out") { Description = "Where to write the network GeoJSON", DefaultValueFactory = _ => TransportBrain.Twin.Province.DemoProvince.NetworkPath };
        var command = new Command("demo-network", "Writes the demo province's road network (the file shipped in provinces/demo)") { output };
        command.SetAction(r =>
        {
            var path = r.GetValue(output)!;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var text = TransportBrain.Twin.Province.DemoProvince.CreateGeoJson();
            File.WriteAllText(path, text);
            var loaded = NetworkFile.LoadGeoJson(text);
            Console.WriteLine($"wrote {path}: {loaded.Network.Routes.Count} routes, {loaded.Network.Routes.Sum(x => x.EndStake - x.StartStake) / 1000:0} km, {loaded.Network.Gantries.Count} gantries, {loaded.Network.Sections.Count} sections; {loaded.Problems.Count} problems");
            return loaded.Problems.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command CreateExperiment()
    {
        var strategies = new Option<string>("--strategies") { Description = "Comma-separated: none, vsl, early-merge, vsl+early-merge", DefaultValueFactory = _ => string.Join(",", ControlExperiment.StrategyNames) };
        var runs = new Option<int>("--runs") { Description = "Runs (seeds) per strategy", DefaultValueFactory = _ => 3 };
        var seed = new Option<ulong>("--seed") { Description = "First seed", DefaultValueFactory = _ => 1UL };
        var duration = new Option<double>("--duration") { Description = "Simulated seconds per run", DefaultValueFactory = _ => 5_400 };
        var scale = new Option<double>("--demand-scale") { Description = "Scale of the benchmark corridor's OD demand", DefaultValueFactory = _ => 0.7 };
        var stake = new Option<string>("--incident-stake") { Description = "Incident stake on G60 (the corridor runs K100+000 to K110+000)", DefaultValueFactory = _ => "K108+000" };
        var lanes = new Option<string>("--incident-lanes") { Description = "Blocked lanes, 1 = rightmost", DefaultValueFactory = _ => "2,3" };
        var start = new Option<double>("--incident-start") { Description = "Incident start, simulated seconds", DefaultValueFactory = _ => 900 };
        var length = new Option<double>("--incident-duration") { Description = "Incident duration, seconds", DefaultValueFactory = _ => 1_200 };
        var command = new Command("experiment", "Runs the benchmark corridor with an incident, with and without control strategies; reports total delay and throughput")
        {
            strategies, runs, seed, duration, scale, stake, lanes, start, length,
        };
        command.SetAction(r =>
        {
            var names = r.GetValue(strategies)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Any(n => !ControlExperiment.StrategyNames.Contains(n)) || !Stake.TryParse(r.GetValue(stake), out var stakeM)
                || r.GetValue(runs) < 1 || r.GetValue(duration) <= 0)
            {
                Console.Error.WriteLine($"error: strategies must be among {string.Join(", ", ControlExperiment.StrategyNames)}; the stake like K108+000; runs and duration positive");
                return 1;
            }
            int[] blocked;
            try
            {
                blocked = r.GetValue(lanes)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, Inv)).ToArray();
            }
            catch (FormatException)
            {
                Console.Error.WriteLine("error: --incident-lanes is a comma-separated list of lane numbers");
                return 1;
            }
            var options = new ControlExperimentOptions
            {
                Runs = r.GetValue(runs), Seed = r.GetValue(seed), DurationS = r.GetValue(duration), DemandScale = r.GetValue(scale),
                IncidentStakeM = stakeM, BlockedLanes = blocked, IncidentStartS = r.GetValue(start), IncidentDurationS = r.GetValue(length),
            };
            Console.WriteLine(string.Create(Inv, $"G60 K100-K110, 3 lanes, 2 interchanges; demand x{options.DemandScale}; incident at {Stake.Format(stakeM)} lanes {string.Join(",", blocked)} from {options.IncidentStartS:0} s for {options.IncidentDurationS:0} s; {options.Runs} runs of {options.DurationS:0} s per strategy"));
            IReadOnlyList<StrategyOutcome> outcomes;
            try
            {
                outcomes = ControlExperiment.Run(options, names);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return 1;
            }
            Console.WriteLine();
            Console.WriteLine("| strategy | total delay (veh·h) | min-max | throughput (veh) | flow past incident (veh/h) | lane changes |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var o in outcomes)
            {
                Console.WriteLine(string.Create(Inv, $"| {o.Strategy} | {o.TotalDelayVehH:0.0} | {o.MinDelayVehH:0}-{o.MaxDelayVehH:0} | {o.Throughput:0} | {o.IncidentThroughputVehPerHour:0} | {o.LaneChanges:0} |"));
            }
            return 0;
        });
        return command;
    }

    private static Command CreateFundamentalDiagram()
    {
        var runs = new Option<int>("--runs") { Description = "Runs (seeds)", DefaultValueFactory = _ => 8 };
        var seed = new Option<ulong>("--seed") { Description = "First seed", DefaultValueFactory = _ => 1UL };
        var svg = new Option<string?>("--svg") { Description = "Write the plot to this SVG file (e.g. docs/twin-fundamental-diagram.svg)" };
        var command = new Command("fundamental-diagram", "Loads a 3-lane section with an on-ramp past capacity; prints capacity, breakdown and queue discharge; optionally writes the plot")
        {
            runs, seed, svg,
        };
        command.SetAction(r =>
        {
            if (r.GetValue(runs) < 1)
            {
                Console.Error.WriteLine("error: --runs must be positive");
                return 1;
            }
            var result = FundamentalDiagram.Run(new FundamentalDiagramOptions { Runs = r.GetValue(runs), Seed = r.GetValue(seed) });
            Console.WriteLine("| seed | capacity before breakdown (veh/h/lane) | breakdown at (s) | queue discharge (veh/h/lane) |");
            Console.WriteLine("|---:|---:|---:|---:|");
            foreach (var run in result.Runs)
            {
                Console.WriteLine(string.Create(Inv, $"| {run.Seed} | {run.CapacityVehPerHourPerLane:0} | {(run.BreakdownTimeS is { } b ? b.ToString("0", Inv) : "none")} | {(run.DischargeVehPerHourPerLane is { } d ? d.ToString("0", Inv) : "-")} |"));
            }
            Console.WriteLine(string.Create(Inv, $"capacity {result.CapacityVehPerHourPerLane:0} veh/h/lane; {result.Breakdowns} of {result.Runs.Count} runs broke down; discharge {result.DischargeVehPerHourPerLane:0} veh/h/lane; capacity drop {result.CapacityDropPercent:0.0}%"));
            if (r.GetValue(svg) is { Length: > 0 } path)
            {
                File.WriteAllText(path, FundamentalDiagram.ToSvg(result));
                Console.WriteLine("plot written to " + path);
            }
            return 0;
        });
        return command;
    }

    private static Command CreateCompareSumo()
    {
        var duration = new Option<double>("--duration") { Description = "Simulated seconds", DefaultValueFactory = _ => 3_600 };
        var step = new Option<double>("--step") { Description = "Step length, seconds (both simulators)", DefaultValueFactory = _ => 0.5 };
        var seed = new Option<ulong>("--seed") { Description = "Seed (both simulators)", DefaultValueFactory = _ => 1UL };
        var dir = new Option<string?>("--work-dir") { Description = "Where to write the generated SUMO files (default: a new temporary directory)" };
        var bin = new Option<string?>("--sumo-bin") { Description = "Directory of sumo and netconvert (default: PATH, then $SUMO_HOME/bin)" };
        var command = new Command("compare-sumo", "Runs SUMO and our simulator on the benchmark corridor with the same demand and step; prints vehicle-steps per second of both")
        {
            duration, step, seed, dir, bin,
        };
        command.SetAction(r =>
        {
            SumoComparisonResult result;
            try
            {
                result = SumoComparison.Run(new SumoComparisonOptions
                {
                    DurationS = r.GetValue(duration), StepS = r.GetValue(step), Seed = r.GetValue(seed),
                    WorkDirectory = r.GetValue(dir), SumoBinDirectory = r.GetValue(bin),
                }, Console.WriteLine);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidOperationException)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return 1;
            }
            Console.WriteLine();
            Console.WriteLine("| simulator | vehicle-steps | wall time (s) | vehicle-steps/s | inserted | arrived | note |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
            foreach (var run in new[] { result.OursCold, result.OursWarm, result.Sumo })
            {
                Console.WriteLine(string.Create(Inv, $"| {run.Name} | {run.VehicleSteps:N0} | {run.WallS:0.000} | {run.VehicleStepsPerSecond:N0} | {run.Inserted:N0} | {run.Arrived:N0} | {run.Note} |"));
            }
            Console.WriteLine(string.Create(Inv, $"SUMO's own UPS (vehicle updates per second of simulation time): {result.SumoReportedUps:N0}"));
            Console.WriteLine(string.Create(Inv, $"ratio (ours, second run / SUMO): {result.Ratio:0.0}x; first run / SUMO: {result.OursCold.VehicleStepsPerSecond / result.Sumo.VehicleStepsPerSecond:0.0}x"));
            return 0;
        });
        return command;
    }
}
