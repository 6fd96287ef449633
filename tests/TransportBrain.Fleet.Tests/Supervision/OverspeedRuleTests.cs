using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

public sealed class OverspeedRuleTests
{
    private static readonly DateTimeOffset s_t0 = TestVehicle.Local(2026, 11, 21, 10, 15, 0); // daytime, 02:15 UTC
    private static readonly TimeSpan s_10s = TimeSpan.FromSeconds(10);

    [Fact]
    public void Overspeed_is_raised_once_exactly_when_the_minimum_duration_is_reached()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));

        Assert.Empty(coach.At(s_t0, 90));
        Assert.Empty(coach.At(s_t0 + s_10s, 110)); // first fast fix: not yet
        Assert.Empty(coach.At(s_t0 + 2 * s_10s, 112));
        Assert.Empty(coach.At(s_t0 + 3 * s_10s, 108)); // 20 s above the limit
        var raised = Assert.Single(coach.At(s_t0 + 4 * s_10s, 105)); // 30 s: raised here
        coach.Run(s_t0 + 5 * s_10s, s_t0 + TimeSpan.FromMinutes(3), s_10s, 115);

        Assert.Equal(AlarmSignal.Raised, raised.Signal);
        Assert.Equal(AlarmKind.Overspeed, raised.Kind);
        Assert.Equal(AlarmSeverity.Warning, raised.Severity);
        Assert.Equal("T013800138000-overspeed-20261121T021510Z", raised.AlarmId);
        Assert.Equal(s_t0 + s_10s, raised.StartedAt);
        Assert.Equal(s_t0 + 4 * s_10s, raised.At);
        Assert.Equal(112, raised.Evidence["maxSpeedKmh"]);
        Assert.Equal(100, raised.Evidence["limitKmh"]);
        Assert.Equal(30, raised.Evidence["durationS"]);
        Assert.Equal("贵A12345", raised.Plate);
        Assert.Single(coach.Of(AlarmKind.Overspeed));
    }

    [Fact]
    public void A_burst_shorter_than_the_minimum_duration_raises_nothing_and_the_next_burst_counts_from_its_own_start()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));

        coach.Run(s_t0, s_t0 + 2 * s_10s, s_10s, 120); // 20 s fast
        coach.At(s_t0 + 3 * s_10s, 95);
        coach.Run(s_t0 + 4 * s_10s, s_t0 + 6 * s_10s, s_10s, 120); // again 20 s fast
        Assert.Empty(coach.Signals);

        var raised = Assert.Single(coach.At(s_t0 + 7 * s_10s, 120));
        Assert.Equal(s_t0 + 4 * s_10s, raised.StartedAt);
    }

    [Fact]
    public void Overspeed_ends_after_the_speed_stays_within_the_limit_for_the_hold_time()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));
        coach.Run(s_t0, s_t0 + TimeSpan.FromSeconds(60), s_10s, 118);
        var slowFrom = s_t0 + TimeSpan.FromSeconds(70);

        Assert.Empty(coach.Run(slowFrom, slowFrom + TimeSpan.FromSeconds(50), s_10s, 95));
        Assert.Empty(coach.At(slowFrom + TimeSpan.FromSeconds(55), 101)); // a blip above resets the hold
        Assert.Empty(coach.Run(slowFrom + TimeSpan.FromSeconds(60), slowFrom + TimeSpan.FromSeconds(110), s_10s, 95));
        var ended = Assert.Single(coach.At(slowFrom + TimeSpan.FromSeconds(120), 95));

        var raised = Assert.Single(coach.Signals, s => s.Signal == AlarmSignal.Raised);
        Assert.Equal(AlarmSignal.Ended, ended.Signal);
        Assert.Equal(raised.AlarmId, ended.AlarmId);
        Assert.Equal(s_t0, ended.StartedAt);
        Assert.Equal(slowFrom + TimeSpan.FromSeconds(120), ended.At);
        Assert.Equal(118, ended.Evidence["maxSpeedKmh"]);
        Assert.Equal(130, ended.Evidence["durationS"]); // from the first fast fix to the first compliant fix that held
    }

    [Fact]
    public void A_road_limit_lower_than_the_category_limit_wins()
    {
        var withRoad = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default, TestPlaces.OneZoneAroundHome(60, grade: 2)));
        var withoutRoad = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));

        withRoad.Run(s_t0, s_t0 + TimeSpan.FromSeconds(40), s_10s, 70);
        withoutRoad.Run(s_t0, s_t0 + TimeSpan.FromSeconds(40), s_10s, 70);

        var raised = Assert.Single(withRoad.Signals);
        Assert.Equal(60, raised.Evidence["limitKmh"]);
        Assert.Empty(withoutRoad.Signals);
    }

    [Fact]
    public void A_road_limit_above_the_category_limit_does_not_raise_the_cap()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default, TestPlaces.OneZoneAroundHome(120, grade: 0)));

        coach.Run(s_t0, s_t0 + TimeSpan.FromSeconds(40), s_10s, 110);

        Assert.Equal(100, Assert.Single(coach.Signals).Evidence["limitKmh"]);
    }

    [Fact]
    public void Dangerous_goods_are_capped_at_80_on_expressways_and_60_on_other_roads()
    {
        var onExpressway = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default, TestPlaces.OneZoneAroundHome(120, grade: 0)), category: VehicleCategory.DangerousGoods);
        var onGradeTwo = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default, TestPlaces.OneZoneAroundHome(80, grade: 2)), category: VehicleCategory.DangerousGoods);

        onExpressway.Run(s_t0, s_t0 + TimeSpan.FromSeconds(40), s_10s, 78);
        onGradeTwo.Run(s_t0, s_t0 + TimeSpan.FromSeconds(40), s_10s, 78);

        Assert.Empty(onExpressway.Signals);
        Assert.Equal(60, Assert.Single(onGradeTwo.Signals).Evidence["limitKmh"]);
    }

    [Fact]
    public void Coaches_at_night_are_held_to_80_percent_of_the_day_limit()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));
        var night = TestVehicle.Local(2026, 11, 21, 23, 0, 0);

        coach.Run(night, night + TimeSpan.FromSeconds(40), s_10s, 90);

        Assert.Equal(80, Assert.Single(coach.Signals).Evidence["limitKmh"]);
    }

    [Theory]
    [InlineData(119, AlarmSeverity.Warning)]
    [InlineData(120, AlarmSeverity.Serious)]
    [InlineData(150, AlarmSeverity.Critical)]
    public void Severity_follows_the_excess_over_the_limit(double speedKmh, AlarmSeverity expected)
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));

        coach.Run(s_t0, s_t0 + TimeSpan.FromSeconds(30), s_10s, speedKmh);

        Assert.Equal(expected, Assert.Single(coach.Signals).Severity);
    }

    [Fact]
    public void A_long_gap_between_fast_fixes_restarts_the_minimum_duration()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));

        coach.At(s_t0, 120);
        var afterGap = s_t0 + TimeSpan.FromMinutes(6); // longer than MaxFixGap (5 min)
        Assert.Empty(coach.At(afterGap, 120));
        Assert.Empty(coach.At(afterGap + TimeSpan.FromSeconds(20), 120));
        Assert.Equal(afterGap, Assert.Single(coach.At(afterGap + TimeSpan.FromSeconds(30), 120)).StartedAt);
    }
}
