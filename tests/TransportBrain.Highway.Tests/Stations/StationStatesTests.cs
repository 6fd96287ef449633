using TransportBrain.Highway.Network;
using TransportBrain.Highway.Stations;
using static TransportBrain.Highway.Tests.Stations.StationTestKit;

namespace TransportBrain.Highway.Tests.Stations;

public class StationStatesTests
{
    private static readonly RoadNetwork Net = SyntheticNet();
    private static readonly SurveyStationInfo ThreeLane = new SurveyStationIndex(Net).Stations.First(s => s.Lanes == 3);
    private static readonly SurveyStationInfo TwoLane = new SurveyStationIndex(Net).Stations.First(s => s.Lanes == 2);

    [Fact]
    public void Station_flow_is_all_lanes_per_hour_speed_is_flow_weighted_and_occupancy_is_the_lane_mean()
    {
        var states = new StationStates(Net, new DetectorHealthBook());
        var t = Local(Day, 8);
        states.Add(Row(ThreeLane.Id, 1, 1, t, 60, 100, 12));
        states.Add(Row(ThreeLane.Id, 1, 2, t, 30, 80, 9));
        states.Add(Row(ThreeLane.Id, 1, 3, t, 10, 60, 6));

        var s = states.Get(ThreeLane.Id, 1, t);

        Assert.NotNull(s);
        Assert.Equal(3, s.LanesReporting);
        Assert.Equal(100 * 12, s.FlowVph, 9);
        Assert.Equal((60 * 100 + 30 * 80 + 10 * 60) / 100.0, s.SpeedKmh!.Value, 9); // 90, not the plain lane mean 80
        Assert.Equal(9, s.OccupancyPct!.Value, 9);
        Assert.True(s.Healthy);
        Assert.Equal(t, s.IntervalStart);
    }

    [Fact]
    public void A_lane_without_vehicles_does_not_drag_the_speed_and_no_vehicles_means_no_speed()
    {
        var states = new StationStates(Net, new DetectorHealthBook());
        var t = Local(Day, 3);
        states.Add(Row(TwoLane.Id, 2, 1, t, 4, 95, 1));
        states.Add(Row(TwoLane.Id, 2, 2, t, 0, null, 0));
        Assert.Equal(95, states.Get(TwoLane.Id, 2, t)!.SpeedKmh);

        var empty = t.AddMinutes(5);
        states.Add(Row(TwoLane.Id, 2, 1, empty, 0, null, 0));
        states.Add(Row(TwoLane.Id, 2, 2, empty, 0, null, 0));
        var s = states.Get(TwoLane.Id, 2, empty)!;
        Assert.Null(s.SpeedKmh);
        Assert.Equal(0, s.FlowVph);
    }

    [Fact]
    public void Missing_lane_makes_the_interval_unhealthy_and_is_counted_as_reporting_lanes()
    {
        var states = new StationStates(Net, new DetectorHealthBook());
        var t = Local(Day, 9);
        states.Add(Row(ThreeLane.Id, 1, 1, t, 60, 100, 12));
        states.Add(Row(ThreeLane.Id, 1, 2, t, 30, 80, 9));

        var s = states.Get(ThreeLane.Id, 1, t)!;
        Assert.Equal(2, s.LanesReporting);
        Assert.Equal(90 * 12, s.FlowVph, 9);
        Assert.False(s.Healthy);
    }

    [Fact]
    public void Out_of_order_and_duplicated_records_give_the_same_states_as_ordered_ones()
    {
        var from = Local(Day, 7);
        var rows = new StationDataGenerator(Net).Generate(from, from.AddHours(2)).ToList();
        var ordered = new StationStates(Net, new DetectorHealthBook());
        foreach (var r in rows)
        {
            ordered.Add(r);
        }

        var rng = new Random(5);
        var shuffled = rows.Concat(rows.Where((_, i) => i % 7 == 0)).OrderBy(_ => rng.Next()).ToList();
        var messy = new StationStates(Net, new DetectorHealthBook());
        foreach (var r in shuffled)
        {
            messy.Add(r);
        }

        Assert.Equal(rows.Count, messy.Accepted);
        Assert.Equal(shuffled.Count - rows.Count, messy.Quarantine.Count(ProcessorQuarantine.Duplicate));
        for (var t = from; t < from.AddHours(2); t += TimeSpan.FromMinutes(5))
        {
            var a = ordered.For(t);
            Assert.Equal(a, messy.For(t));
            Assert.Equal(new SurveyStationIndex(Net).Stations.Sum(s => s.Directions.Count()), a.Count);
        }
    }

    [Fact]
    public void Station_without_direction_counts_in_both_directions_and_a_one_way_station_refuses_the_other()
    {
        var (net, oneWay) = NetworkWithOneWayStation();
        var states = new StationStates(net, new DetectorHealthBook());
        var t = Local(Day, 10);
        var both = new SurveyStationIndex(net).Stations.First(s => s.Id != oneWay);
        states.Add(Row(both.Id, 1, 1, t, 10, 90, 3));
        states.Add(Row(both.Id, 2, 1, t, 12, 92, 3));
        states.Add(Row(oneWay, 1, 1, t, 10, 90, 3));
        states.Add(Row(oneWay, 2, 1, t, 10, 90, 3));

        Assert.NotNull(states.Get(both.Id, 1, t));
        Assert.NotNull(states.Get(both.Id, 2, t));
        Assert.NotNull(states.Get(oneWay, 1, t));
        Assert.Null(states.Get(oneWay, 2, t));
        Assert.Equal(1, states.Quarantine.Count(ProcessorQuarantine.DirectionNotServed));
    }

    [Fact]
    public void Bad_records_are_quarantined_with_their_reason_and_never_throw()
    {
        var clock = new FixedClock(Local(Day, 12));
        var states = new StationStates(new SurveyStationIndex(Net), new DetectorHealthBook(), clock: clock);
        var t = Local(Day, 11);
        states.Add(Row("JD-NOT-THERE", 1, 1, t, 10, 90, 3));
        states.Add(Row(TwoLane.Id, 1, 3, t, 10, 90, 3));                       // lane beyond 2 lanes
        states.Add(Row(TwoLane.Id, 1, 1, t.AddMinutes(2), 10, 90, 3));         // not on a 5-minute boundary
        states.Add(Row(TwoLane.Id, 1, 1, Local(Day, 13), 10, 90, 3));          // an hour ahead of the clock
        states.Add(Row(TwoLane.Id, 1, 1, t, 10, 90, 3));
        states.Add(Row(TwoLane.Id, 1, 1, t, 10, 90, 3));                       // duplicate
        states.Add(["only", "three", "values"]);                                // malformed: wrong types, too short
        states.Add([]);
        var wrongTypes = Row(TwoLane.Id, 1, 2, t, 10, 90, 3);
        wrongTypes[1] = "1";
        states.Add(wrongTypes);
        states.Evict(Local(Day, 11, 30));
        states.Add(Row(TwoLane.Id, 1, 2, t, 10, 90, 3));                       // evicted interval

        var q = states.Quarantine;
        Assert.Equal(1, q.Count(ProcessorQuarantine.UnknownStation));
        Assert.Equal(1, q.Count(ProcessorQuarantine.LaneOutOfRange));
        Assert.Equal(1, q.Count(ProcessorQuarantine.Misaligned));
        Assert.Equal(1, q.Count(ProcessorQuarantine.ClockSkew));
        Assert.Equal(1, q.Count(ProcessorQuarantine.Duplicate));
        Assert.Equal(3, q.Count(ProcessorQuarantine.Malformed));
        Assert.Equal(1, q.Count(ProcessorQuarantine.TooLate));
        Assert.Equal(1, states.Accepted);
        Assert.Equal(q.Total - 1, q.Recent.Count); // duplicates are counted, not kept
        Assert.Contains(q.Recent, r => r.Reason == ProcessorQuarantine.UnknownStation && (string?)r.Values[0] == "JD-NOT-THERE");
    }

    [Fact]
    public void Evict_bounds_memory_and_For_returns_nothing_for_evicted_intervals()
    {
        var states = new StationStates(Net, new DetectorHealthBook());
        var from = Local(Day, 6);
        foreach (var r in new StationDataGenerator(Net).Generate(from, from.AddHours(1)))
        {
            states.Add(r);
        }
        Assert.Equal(12, states.IntervalCount);
        states.Evict(from.AddMinutes(30));
        Assert.Equal(6, states.IntervalCount);
        Assert.Empty(states.For(from));
        Assert.NotEmpty(states.For(from.AddMinutes(30)));
    }

    [Fact]
    public void Health_of_the_previous_day_decides_live_and_the_same_day_decides_a_recompute()
    {
        var day1 = Day;
        var day2 = Day.AddDays(1);
        var result = new DetectorHealthResult(TwoLane.Id, 1, 0, day1, DetectorStatus.NoData, 0, 408, "lane 1: no_data");
        var live = new DetectorHealthBook(HealthBasis.PreviousDay);
        var recompute = new DetectorHealthBook(HealthBasis.SameDay);
        live.Record(day1, [result]);
        recompute.Record(day1, [result]);

        Assert.True(live.IsHealthy(TwoLane.Id, 1, day1));   // day 0 was never diagnosed: unknown counts as healthy
        Assert.False(live.IsHealthy(TwoLane.Id, 1, day2));  // day 1's tests govern day 2
        Assert.False(recompute.IsHealthy(TwoLane.Id, 1, day1));
        Assert.True(recompute.IsHealthy(TwoLane.Id, 1, day2));
        Assert.False(new DetectorHealthBook(HealthBasis.PreviousDay, unknownIsHealthy: false).IsHealthy(TwoLane.Id, 1, day1));

        var states = new StationStates(Net, live);
        var t = Local(day2, 8);
        states.Add(Row(TwoLane.Id, 1, 1, t, 40, 95, 6));
        states.Add(Row(TwoLane.Id, 1, 2, t, 30, 90, 5));
        states.Add(Row(TwoLane.Id, 2, 1, t, 40, 95, 6));
        states.Add(Row(TwoLane.Id, 2, 2, t, 30, 90, 5));
        Assert.False(states.Get(TwoLane.Id, 1, t)!.Healthy);
        Assert.True(states.Get(TwoLane.Id, 2, t)!.Healthy); // the other direction was not found faulty
    }
}
