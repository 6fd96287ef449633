using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TransportBrain.Highway.Network;
using TransportBrain.Twin.Province;

namespace TransportBrain.Benchmarks;

/// <summary>
/// The demo province's twin (provinces/demo: 10 carriageways, 740 km, about 13,000 vehicles in the morning peak)
/// with every sensor: 96 gantries writing transactions, 10 survey stations, 6 weather stations, ground truth per
/// section and 5 minutes, and the equipped vehicles' positions every 30 s. One operation simulates the next 5
/// minutes (600 steps of every carriageway, stepped in parallel on the machine's cores) and drains the rows, so
/// "× real time" = 300 s / Mean is how much faster than real time the twin alone can run. The state moves on
/// from one iteration to the next (the morning rise), as in the demo.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ProvinceTwinBenchmarkConfig))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 8)]
public class ProvinceTwinBenchmarks
{
    public const double StepS = 300;
    private ProvinceTwin _twin = null!;

    [GlobalSetup]
    public void Setup()
    {
        var network = NetworkFile.LoadGeoJson(DemoProvince.CreateGeoJson()).Network;
        _twin = new ProvinceTwin(network, new ProvinceOptions { Start = new DateTimeOffset(2026, 11, 19, 23, 0, 0, TimeSpan.Zero) });
        _twin.AdvanceTo(StepS); // the 80-minute spin-up and the first 5 minutes
        _twin.Drain();
    }

    [Benchmark(Description = "demo province, every sensor and the truth, 5 simulated min")]
    public int FiveMinutes()
    {
        _twin.AdvanceTo(_twin.TimeS + StepS);
        var rows = _twin.Drain().Count;
        return rows + _twin.EquippedVehicles().Count * 10; // a report every 30 s
    }
}

public sealed class ProvinceTwinBenchmarkConfig : ManualConfig
{
    public ProvinceTwinBenchmarkConfig() => AddColumn(new RealTimeColumn());

    private sealed class RealTimeColumn : IColumn
    {
        public string Id => nameof(RealTimeColumn);
        public string ColumnName => "× real time";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "Simulated seconds per wall second: 300 s / Mean";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return meanNs is > 0 ? (ProvinceTwinBenchmarks.StepS / (meanNs.Value / 1e9)).ToString("N0", CultureInfo.InvariantCulture) : "NA";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
