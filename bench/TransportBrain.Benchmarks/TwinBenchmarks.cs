using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TransportBrain.Twin.Experiments;
using TransportBrain.Twin.Simulation;

namespace TransportBrain.Benchmarks;

/// <summary>
/// The microsimulation core on the benchmark corridor (<see cref="Scenarios.ThreeLaneWithRamps"/>: 10 km, three lanes,
/// two off-ramps and two on-ramps, 3,600 veh/h on the main line, 22% trucks, 0.5 s steps), IDM + MOBIL on one core.
/// Every iteration starts from the same state (a fresh simulator warmed up for 30 simulated minutes, outside the
/// measurement) and simulates the next 30 minutes (3,600 steps), so every operation does the same vehicle-steps and
/// Vehicle-steps/s is that count divided by the mean.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(TwinBenchmarkConfig))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class TwinBenchmarks
{
    public const double WarmUpS = 1_800;
    public const double MeasuredS = 1_800;

    /// <summary>Vehicle-steps of one operation, per benchmark method (filled in by the global setup).</summary>
    internal static readonly Dictionary<string, long> VehicleStepsPerOperation = [];

    private Simulator _sim = null!;

    [GlobalSetup]
    public void Setup()
    {
        VehicleStepsPerOperation[nameof(Corridor)] = DryRun(withSensors: false);
        VehicleStepsPerOperation[nameof(CorridorWithSensors)] = DryRun(withSensors: true);
    }

    [IterationSetup(Target = nameof(Corridor))]
    public void SetupCorridor() => _sim = WarmedUp(withSensors: false);

    [IterationSetup(Target = nameof(CorridorWithSensors))]
    public void SetupCorridorWithSensors() => _sim = WarmedUp(withSensors: true);

    /// <summary>30 simulated minutes of the corridor.</summary>
    [Benchmark(Baseline = true, Description = "IDM + MOBIL, 3-lane corridor with ramps, 30 min")]
    public long Corridor()
    {
        _sim.RunUntil(WarmUpS + MeasuredS);
        return _sim.Statistics.VehicleSteps;
    }

    /// <summary>As <see cref="Corridor"/>, with a detector every 500 m and ground truth per 1 km stretch and minute.</summary>
    [Benchmark(Description = "same + 20 detectors + ground truth per km and minute")]
    public long CorridorWithSensors()
    {
        _sim.RunUntil(WarmUpS + MeasuredS);
        return _sim.Statistics.VehicleSteps;
    }

    private static Simulator WarmedUp(bool withSensors)
    {
        var sim = new Simulator(Scenarios.ThreeLaneWithRamps(), Scenarios.ThreeLaneWithRampsDemand(), new SimulationOptions { Seed = 2026 });
        if (withSensors)
        {
            for (var x = 500.0; x < 10_000; x += 500)
            {
                sim.AddSensor(new VirtualDetector(x, 3, 60));
            }
            sim.AddSensor(new VirtualDetector(9_999, 3, 60));
            sim.AttachGroundTruth(new GroundTruthRecorder(Enumerable.Range(0, 11).Select(k => k * 1_000.0).ToArray(), 60));
        }
        sim.RunUntil(WarmUpS);
        return sim;
    }

    private static long DryRun(bool withSensors)
    {
        var sim = WarmedUp(withSensors);
        var before = sim.Statistics.VehicleSteps;
        sim.RunUntil(WarmUpS + MeasuredS);
        return sim.Statistics.VehicleSteps - before;
    }
}

public sealed class TwinBenchmarkConfig : ManualConfig
{
    public TwinBenchmarkConfig()
    {
        AddColumn(new VehicleStepsColumn(perSecond: false));
        AddColumn(new VehicleStepsColumn(perSecond: true));
    }

    private sealed class VehicleStepsColumn(bool perSecond) : IColumn
    {
        public string Id => nameof(VehicleStepsColumn) + perSecond;

        public string ColumnName => perSecond ? "Vehicle-steps/s" : "Vehicle-steps/op";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => perSecond ? 1 : 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => perSecond
            ? "Vehicle-steps simulated per second on one core: vehicle-steps per operation / Mean"
            : "Vehicle-steps in one operation (vehicles in the corridor summed over the 3,600 steps)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            if (!TwinBenchmarks.VehicleStepsPerOperation.TryGetValue(benchmarkCase.Descriptor.WorkloadMethod.Name, out var steps))
            {
                // The column is computed in the host process; recompute the (deterministic) count there.
                new TwinBenchmarks().Setup();
                steps = TwinBenchmarks.VehicleStepsPerOperation[benchmarkCase.Descriptor.WorkloadMethod.Name];
            }
            if (!perSecond)
            {
                return steps.ToString("N0", CultureInfo.InvariantCulture);
            }
            double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return meanNs is > 0 ? (steps / (meanNs.Value / 1e9)).ToString("N0", CultureInfo.InvariantCulture) : "NA";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
