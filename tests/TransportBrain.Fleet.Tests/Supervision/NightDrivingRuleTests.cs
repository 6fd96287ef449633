using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

public sealed class NightDrivingRuleTests
{
    private static readonly TimeSpan s_30s = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset s_twoThirty = TestVehicle.Local(2026, 11, 22, 2, 30);

    [Fact]
    public void A_coach_moving_at_half_past_two_local_is_raised_after_the_minimum_duration()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));

        Assert.Empty(coach.At(s_twoThirty, 60));
        Assert.Empty(coach.At(s_twoThirty + s_30s, 60));
        var raised = Assert.Single(coach.At(s_twoThirty + 2 * s_30s, 60));

        Assert.Equal(AlarmKind.NightDriving, raised.Kind);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 18, 30, 0, TimeSpan.Zero), raised.StartedAt); // 18:30 UTC the day before
        Assert.Equal("T013800138000-night-driving-20261121T183000Z", raised.AlarmId);
        Assert.Equal(60, raised.Evidence["durationS"]);
    }

    [Theory]
    [InlineData(VehicleCategory.DangerousGoods)]
    [InlineData(VehicleCategory.HeavyTruck)]
    [InlineData(VehicleCategory.Unknown)]
    public void Other_categories_are_not_subject_to_the_night_ban(VehicleCategory category)
    {
        var vehicle = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default), category: category);

        vehicle.Run(s_twoThirty, s_twoThirty + TimeSpan.FromMinutes(10), s_30s, 60);

        Assert.Empty(vehicle.Of(AlarmKind.NightDriving));
    }

    [Fact]
    public void A_charter_coach_is_subject_to_the_night_ban_too()
    {
        var charter = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default), category: VehicleCategory.Charter);

        charter.Run(s_twoThirty, s_twoThirty + TimeSpan.FromMinutes(2), s_30s, 60);

        Assert.Single(charter.Of(AlarmKind.NightDriving));
    }

    [Fact]
    public void Nothing_is_raised_after_five()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));
        var fiveOhOne = TestVehicle.Local(2026, 11, 22, 5, 1);

        coach.Run(fiveOhOne, fiveOhOne + TimeSpan.FromMinutes(10), s_30s, 60);

        Assert.Empty(coach.Signals);
    }

    [Fact]
    public void The_alarm_ends_when_the_window_closes_at_five()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));
        var start = TestVehicle.Local(2026, 11, 22, 4, 58);

        coach.Run(start, TestVehicle.Local(2026, 11, 22, 5, 2), s_30s, 60);

        var night = coach.Of(AlarmKind.NightDriving).ToList();
        Assert.Equal([AlarmSignal.Raised, AlarmSignal.Ended], night.Select(s => s.Signal));
        Assert.Equal(TestVehicle.Local(2026, 11, 22, 5, 0), night[1].At);
    }

    [Fact]
    public void The_alarm_ends_after_the_coach_has_been_stopped_for_the_hold_time()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));

        coach.Run(s_twoThirty, s_twoThirty + TimeSpan.FromMinutes(2), s_30s, 60);
        var stop = s_twoThirty + TimeSpan.FromMinutes(3);
        Assert.Empty(coach.Run(stop, stop + TimeSpan.FromMinutes(9.5), s_30s, 0));
        var ended = Assert.Single(coach.At(stop + TimeSpan.FromMinutes(10), 0));

        Assert.Equal(AlarmSignal.Ended, ended.Signal);
        Assert.Equal(180, ended.Evidence["durationS"]);
    }

    [Fact]
    public void With_a_grade_threshold_only_lesser_roads_and_the_unknown_grade_policy_count()
    {
        var config = SupervisionConfig.Default.WithCategory(VehicleCategory.Coach,
            s => s with { NightDriving = s.NightDriving with { MinRestrictedRoadGrade = 3, RestrictUnknownGrade = false } });
        var expressway = new TestVehicle(new SupervisionEngine(config, TestPlaces.OneZoneAroundHome(100, grade: 0)));
        var gradeFour = new TestVehicle(new SupervisionEngine(config, TestPlaces.OneZoneAroundHome(40, grade: 4)));
        var unknown = new TestVehicle(new SupervisionEngine(config));

        foreach (var coach in new[] { expressway, gradeFour, unknown })
        {
            coach.Run(s_twoThirty, s_twoThirty + TimeSpan.FromMinutes(3), s_30s, 35);
        }

        Assert.Empty(expressway.Of(AlarmKind.NightDriving));
        Assert.Equal(4, Assert.Single(gradeFour.Of(AlarmKind.NightDriving)).Evidence["roadGrade"]);
        Assert.Empty(unknown.Of(AlarmKind.NightDriving));
    }
}
