using TransportBrain.Highway.Network;
using TransportBrain.Highway.Stations;
using static TransportBrain.Highway.Tests.Stations.StationTestKit;

namespace TransportBrain.Highway.Tests.Stations;

public class DetectorHealthTests
{
    private static readonly RoadNetwork Net = SyntheticNet();
    private static readonly IReadOnlyList<SurveyStationInfo> Stations = new SurveyStationIndex(Net).Stations;

    private static StationFault Fault(int station, int direction, int lane, StationFaultKind kind) =>
        new(Stations[station].Id, direction, lane, kind, ChinaTime.Start(Day), ChinaTime.Start(Day.AddDays(1)));

    private static readonly StationFault[] Faults =
    [
        Fault(0, 1, 0, StationFaultKind.Dead),
        Fault(1, 1, 0, StationFaultKind.Sparse),
        Fault(2, 1, 0, StationFaultKind.Stuck),
        Fault(3, 1, 0, StationFaultKind.ZeroFlowWithOccupancy),
        Fault(4, 1, 0, StationFaultKind.HighOccupancy),
        Fault(5, 1, 0, StationFaultKind.AllZero),
        Fault(6, 2, 2, StationFaultKind.Stuck), // one lane only
    ];

    private static List<object?[]> DayRows(IReadOnlyList<StationFault> faults) =>
        [.. new StationDataGenerator(Net).Generate(ChinaTime.Start(Day), ChinaTime.Start(Day.AddDays(1)), faults)];

    private static IReadOnlyList<DetectorHealthResult> Diagnose(IEnumerable<object?[]> rows, DetectorHealthBook? book = null, HealthThresholds? thresholds = null)
    {
        var d = new DetectorDiagnostics(Net, book ?? new DetectorHealthBook(), thresholds);
        foreach (var r in rows)
        {
            d.Add(r);
        }
        return d.Diagnose(Day);
    }

    private static DetectorHealthResult Station(IReadOnlyList<DetectorHealthResult> results, int station, int direction) =>
        results.Single(r => r.StationId == Stations[station].Id && r.Direction == direction && r.Lane == 0);

    [Fact]
    public void Each_fault_gets_its_status_and_healthy_stations_are_ok()
    {
        var results = Diagnose(DayRows(Faults));

        Assert.Equal(DetectorStatus.NoData, Station(results, 0, 1).Status);
        Assert.Equal(DetectorStatus.TooLittleData, Station(results, 1, 1).Status);
        Assert.Equal(DetectorStatus.Constant, Station(results, 2, 1).Status);
        Assert.Equal(DetectorStatus.ZeroFlowWithOccupancy, Station(results, 3, 1).Status);
        Assert.Equal(DetectorStatus.Implausible, Station(results, 4, 1).Status);
        Assert.Equal(DetectorStatus.Constant, Station(results, 5, 1).Status);
        Assert.Contains("card off", Station(results, 5, 1).Detail);

        var oneLane = Station(results, 6, 2);
        Assert.Equal(DetectorStatus.Constant, oneLane.Status);
        Assert.StartsWith("lane 2: constant (lane 2: ", oneLane.Detail);
        Assert.All(results.Where(r => r.StationId == Stations[6].Id && r.Direction == 2 && r.Lane is 1 or 3), r => Assert.Equal(DetectorStatus.Ok, r.Status));

        // Everything not faulted: the other direction of faulted stations and all other stations.
        var faulted = Faults.Select(f => (f.StationId, f.Direction)).ToHashSet();
        var healthy = results.Where(r => r.Lane == 0 && !faulted.Contains((r.StationId, r.Direction))).ToList();
        Assert.Equal(Stations.Sum(s => s.Directions.Count()) - faulted.Count, healthy.Count);
        Assert.All(healthy, r => Assert.True(r.Status == DetectorStatus.Ok, $"{r.StationId}/{r.Direction}: {r.Status} {r.Detail}"));
    }

    [Fact]
    public void Results_cover_every_lane_with_samples_against_the_expected_window()
    {
        var results = Diagnose(DayRows(Faults));
        var expectedSlots = 17 * 12; // 05:00-22:00 China time in 5-minute samples
        Assert.Equal(Stations.Sum(s => s.Directions.Count() * (s.Lanes + 1)), results.Count);
        Assert.All(results.Where(r => r.Lane > 0), r => Assert.Equal(expectedSlots, r.Expected));
        var ok = results.First(r => r.Lane == 1 && r.Status == DetectorStatus.Ok);
        Assert.Equal(expectedSlots, ok.Samples);
        var dead = Station(results, 0, 1);
        Assert.Equal(0, dead.Samples);
        Assert.Equal(expectedSlots * Stations[0].Lanes, dead.Expected);
    }

    [Fact]
    public void Shuffled_and_duplicated_input_gives_the_same_diagnosis()
    {
        var rows = DayRows(Faults);
        var rng = new Random(3);
        var messy = rows.Concat(rows.Where((_, i) => i % 5 == 0)).OrderBy(_ => rng.Next()).ToList();

        Assert.Equal(Diagnose(rows), Diagnose(messy));
    }

    [Fact]
    public void Health_rows_fit_the_dataset_and_the_book_holds_the_station_results()
    {
        var book = new DetectorHealthBook(HealthBasis.SameDay);
        var results = Diagnose(DayRows(Faults), book);
        foreach (var r in results)
        {
            AssertTyped(HighwayStationDatasets.DetectorHealth, r.ToRow());
        }
        Assert.False(book.IsHealthy(Stations[0].Id, 1, Day));
        Assert.True(book.IsHealthy(Stations[0].Id, 2, Day));
        Assert.Equal(results.Count, book.Results(Day).Count);

        var reloaded = new DetectorHealthBook(HealthBasis.SameDay);
        Assert.Equal(results.Count, reloaded.Load(results.Select(r => r.ToRow())));
        Assert.Equal(book.Get(Stations[3].Id, 1, Day), reloaded.Get(Stations[3].Id, 1, Day));
        Assert.Empty(HighwayStationDatasets.All.SelectMany(d => d.Validate()));
    }

    [Fact]
    public void Generated_survey_rows_fit_the_schema()
    {
        var from = Local(Day, 8);
        foreach (var row in new StationDataGenerator(Net).Generate(from, from.AddMinutes(15), [Fault(3, 1, 0, StationFaultKind.ZeroFlowWithOccupancy)]))
        {
            AssertTyped(HighwayDatasets.SurveyStation5Min, row);
        }
    }

    [Fact]
    public void Processor_diagnoses_a_day_once_its_window_has_passed_and_the_result_governs_the_next_day()
    {
        var dead = new StationFault(Stations[0].Id, 1, 0, StationFaultKind.Dead, ChinaTime.Start(Day), ChinaTime.Start(Day.AddDays(1)));
        var processor = new StationProcessor(Net);
        var gen = new StationDataGenerator(Net);

        processor.Add(gen.Generate(ChinaTime.Start(Day), Local(Day, 22), [dead]));
        Assert.Empty(processor.TakeHealthRows()); // day 1's window has ended but late records are still awaited

        processor.Add(gen.Generate(Local(Day, 22), ChinaTime.Start(Day.AddDays(1)).AddHours(9), [dead]));
        var rows = processor.TakeHealthRows();
        Assert.Equal(Stations.Sum(s => s.Directions.Count() * (s.Lanes + 1)), rows.Count);
        Assert.Contains(rows, r => (string?)r[0] == Stations[0].Id && (long?)r[1] == 1 && (long?)r[2] == 0 && (string?)r[5] == "no_data");
        Assert.Empty(processor.TakeHealthRows());

        // Day 2 08:00: the station is back, but yesterday it was dead, so fusion must not use it today.
        var t = Local(Day.AddDays(1), 8);
        Assert.False(processor.States.Get(Stations[0].Id, 1, t)!.Healthy);
        Assert.True(processor.States.Get(Stations[0].Id, 2, t)!.Healthy);
        Assert.True(processor.States.Get(Stations[1].Id, 1, t)!.Healthy);
        Assert.Null(processor.States.Get(Stations[1].Id, 1, Local(Day, 12))); // evicted: states are kept 3 h
    }
}
