using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Processing;
using TransportBrain.Highway.Simulation;

namespace TransportBrain.Benchmarks;

/// <summary>
/// A province-day through the highway pipeline (issue 4's batch target: 10 million gantry transactions
/// over about 1,300 gantries into section states in under 30 s, memory bounded): matching, robust
/// travel times, flows, OD, fusion, incident detection and forecasts, from passes in time order.
/// The passes are generated once (not timed).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class HighwayBatchBenchmarks
{
    private RoadNetwork _network = null!;
    private GantryPass[] _passes = null!;

    [Params(10_000_000)]
    public int Transactions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // 10 routes x 65 gantries x 2 directions = 1,300 gantries, 1,280 sections
        _network = SyntheticNetwork.Create(routes: 10, gantriesPerDirection: 65, spacingKm: 4);
        var day = new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.FromHours(8));
        var gen = new GantryTrafficGenerator(new TrafficScenario
        {
            Network = _network, DayStart = day, Vehicles = (int)(Transactions / 6.9), Seed = 1,
            Incidents = [new InjectedIncident(40, day.AddHours(9), TimeSpan.FromMinutes(40)), new InjectedIncident(700, day.AddHours(17), TimeSpan.FromMinutes(30))],
            RecurrentBottlenecks = [0, 100, 640],
        });
        var list = new List<GantryPass>(Transactions + Transactions / 10);
        foreach (var r in gen.Reads())
        {
            list.Add(gen.ToPass(r));
        }
        _passes = [.. list];
        Console.WriteLine($"// {_passes.Length:N0} passes over {_network.Gantries.Count} gantries, {_network.Sections.Count} sections");
    }

    [Benchmark]
    public long ProvinceDay()
    {
        var pipeline = new HighwayPipeline(_network);
        long states = 0;
        var peakVehicles = 0;
        pipeline.StatesFinal += s => states += s.Count;
        var i = 0;
        foreach (var pass in _passes)
        {
            pipeline.Add(pass);
            if ((++i & 0xFFFF) == 0)
            {
                peakVehicles = Math.Max(peakVehicles, pipeline.Traffic.TracedVehicles);
            }
        }
        pipeline.Flush();
        Console.WriteLine($"// section states {states:N0}, matched {pipeline.Traffic.Counters.Matched:N0}, peak traced vehicles {peakVehicles:N0}, incidents {pipeline.Detector.Active.Count()} open");
        return states;
    }
}
