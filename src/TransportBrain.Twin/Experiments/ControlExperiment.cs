using TransportBrain.Twin.Simulation;

namespace TransportBrain.Twin.Experiments;

/// <summary>Settings of a control experiment: the benchmark corridor with an incident, run with and without control.</summary>
public sealed record ControlExperimentOptions
{
    /// <summary>Runs per strategy (seeds Seed, Seed+1, ...); every strategy sees the same seeds, so the same arrivals.</summary>
    public int Runs { get; init; } = 3;

    public ulong Seed { get; init; } = 1;

    public double DurationS { get; init; } = 5_400;

    /// <summary>Incident stake on G60 (K108+000 = 8 km into the corridor, downstream of both interchanges).</summary>
    public double IncidentStakeM { get; init; } = 108_000;

    public IReadOnlyList<int> BlockedLanes { get; init; } = [2, 3];

    public double IncidentStartS { get; init; } = 900;

    public double IncidentDurationS { get; init; } = 1_200;

    /// <summary>Demand scale of <see cref="Scenarios.ThreeLaneWithRampsDemand"/>.</summary>
    public double DemandScale { get; init; } = 0.7;
}

/// <summary>One strategy's outcome, means over the runs (and the spread of the delay).</summary>
/// <param name="TotalDelayVehH">Vehicle-hours lost against the desired speed under posted limits, including waits at the origins.</param>
/// <param name="Throughput">Vehicles that left the corridor (end or off-ramp) within the duration.</param>
/// <param name="IncidentThroughputVehPerHour">Flow past the incident site while it blocks lanes.</param>
public sealed record StrategyOutcome(string Strategy, double TotalDelayVehH, double MinDelayVehH, double MaxDelayVehH, double Throughput,
    double IncidentThroughputVehPerHour, double Generated, double LaneChanges, double EmergencyStops);

public static class ControlExperiment
{
    /// <summary>The strategies the CLI knows: none, vsl, early-merge, vsl+early-merge.</summary>
    public static IReadOnlyList<string> StrategyNames { get; } = ["none", "vsl", "early-merge", "vsl+early-merge"];

    public static IControlStrategy? CreateStrategy(string name) => name switch
    {
        "none" => null,
        "vsl" => new IncidentSpeedLimits(),
        "early-merge" => new EarlyMerge(),
        "vsl+early-merge" => new CombinedStrategy(new IncidentSpeedLimits(), new EarlyMerge()),
        _ => throw new ArgumentException($"unknown strategy '{name}'; known: {string.Join(", ", StrategyNames)}", nameof(name)),
    };

    /// <summary>Name of the reference row: no incident, no control (the delay of the traffic itself).</summary>
    public const string NoIncident = "no incident";

    /// <summary>Runs every strategy (and, first, the no-incident reference) on the same seeds.</summary>
    public static IReadOnlyList<StrategyOutcome> Run(ControlExperimentOptions options, IReadOnlyList<string> strategies)
    {
        var outcomes = new List<StrategyOutcome>();
        foreach (var name in strategies.Prepend(NoIncident))
        {
            var delays = new List<double>();
            double throughput = 0, incidentFlow = 0, generated = 0, laneChanges = 0, emergency = 0;
            for (var i = 0; i < options.Runs; i++)
            {
                var corridor = Scenarios.ThreeLaneWithRamps();
                var incident = Incident.AtStake(corridor, Scenarios.Route, options.IncidentStakeM, options.BlockedLanes, options.IncidentStartS, options.IncidentDurationS);
                var sim = new Simulator(corridor, Scenarios.ThreeLaneWithRampsDemand(options.DemandScale),
                    new SimulationOptions { Seed = options.Seed + (ulong)i }, name == NoIncident ? [] : [incident]);
                if (name != NoIncident && CreateStrategy(name) is { } strategy)
                {
                    sim.AddObserver(strategy);
                }
                var site = new WindowCounter(incident.PositionM + incident.LengthM + 20, options.IncidentStartS, options.IncidentStartS + options.IncidentDurationS);
                sim.AddSensor(site);
                sim.RunUntil(options.DurationS);
                incidentFlow += site.Count * 3600 / options.IncidentDurationS;
                var st = sim.Statistics;
                delays.Add(sim.TotalDelayHours());
                throughput += st.Exited;
                generated += st.Generated;
                laneChanges += st.LaneChanges;
                emergency += st.EmergencyStops;
            }
            var n = options.Runs;
            outcomes.Add(new StrategyOutcome(name, delays.Average(), delays.Min(), delays.Max(), throughput / n, incidentFlow / n, generated / n, laneChanges / n, emergency / n));
        }
        return outcomes;
    }

    /// <summary>Counts the vehicles crossing a position within a time window.</summary>
    private sealed class WindowCounter(double positionM, double fromS, double toS) : CrossingSensor(positionM)
    {
        public int Count { get; private set; }

        public override void OnCrossing(in VehicleCrossing crossing)
        {
            if (crossing.TimeS >= fromS && crossing.TimeS < toS)
            {
                Count++;
            }
        }
    }
}
