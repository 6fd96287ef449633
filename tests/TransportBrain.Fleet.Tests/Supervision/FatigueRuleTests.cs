using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

public sealed class FatigueRuleTests
{
    private static readonly TimeSpan s_minute = TimeSpan.FromMinutes(1);
    private static readonly DateTimeOffset s_six = TestVehicle.Local(2026, 11, 21, 6, 0);

    private static TestVehicle Truck() =>
        new(new SupervisionEngine(SupervisionConfig.Default), category: VehicleCategory.DangerousGoods);

    /// <summary>Moving fixes every minute for <paramref name="drivingMinutes"/>, then stopped fixes for <paramref name="restMinutes"/>; returns the next start.</summary>
    private static DateTimeOffset Stint(TestVehicle vehicle, DateTimeOffset start, int drivingMinutes, int restMinutes)
    {
        vehicle.Run(start, start + (drivingMinutes - 1) * s_minute, s_minute, 60);
        var stop = start + drivingMinutes * s_minute;
        vehicle.Run(stop, stop + (restMinutes - 1) * s_minute, s_minute, 0);
        return stop + restMinutes * s_minute;
    }

    [Fact]
    public void Continuous_driving_is_raised_at_the_first_fix_after_four_hours()
    {
        var truck = Truck();

        truck.Run(s_six, s_six + 240 * s_minute, s_minute, 60); // exactly 4 h: not over yet
        Assert.Empty(truck.Signals);
        var raised = Assert.Single(truck.At(s_six + 241 * s_minute, 60));

        Assert.Equal(AlarmKind.FatigueContinuous, raised.Kind);
        Assert.Equal(AlarmSeverity.Serious, raised.Severity);
        Assert.Equal(s_six + TimeSpan.FromHours(4), raised.StartedAt);
        Assert.Equal(241 * 60, raised.Evidence["continuousDrivingS"]);
        Assert.Equal(4 * 3600, raised.Evidence["limitS"]);
    }

    [Fact]
    public void A_twenty_minute_stop_resets_continuous_driving()
    {
        var truck = Truck();

        var next = Stint(truck, s_six, drivingMinutes: 180, restMinutes: 20);
        truck.Run(next, next + 150 * s_minute, s_minute, 60);

        Assert.Empty(truck.Of(AlarmKind.FatigueContinuous));
    }

    [Fact]
    public void A_nineteen_minute_stop_does_not_reset_continuous_driving()
    {
        var truck = Truck();

        var next = Stint(truck, s_six, drivingMinutes: 180, restMinutes: 19);
        truck.Run(next, next + 60 * s_minute, s_minute, 60); // 180 + 60 = 240 min of driving
        Assert.Empty(truck.Signals);
        var raised = Assert.Single(truck.At(next + 61 * s_minute, 60));

        Assert.Equal(AlarmKind.FatigueContinuous, raised.Kind);
        Assert.Equal(241 * 60, raised.Evidence["continuousDrivingS"]); // the short stop is not driving
    }

    [Fact]
    public void An_open_continuous_alarm_ends_when_the_rest_reaches_twenty_minutes()
    {
        var truck = Truck();

        var next = Stint(truck, s_six, drivingMinutes: 245, restMinutes: 20); // last stopped fix: 19 min of rest
        Assert.Equal([AlarmSignal.Raised], truck.Signals.Select(s => s.Signal));
        var ended = Assert.Single(truck.At(next, 0));

        var raised = Assert.Single(truck.Signals, s => s.Signal == AlarmSignal.Raised);
        Assert.Equal(AlarmSignal.Ended, ended.Signal);
        Assert.Equal(raised.AlarmId, ended.AlarmId);
        Assert.Equal(next, ended.At);
    }

    [Fact]
    public void Daily_driving_over_eight_hours_is_raised_across_rested_stints()
    {
        var truck = Truck();
        var five = TestVehicle.Local(2026, 11, 21, 5, 0);

        var next = Stint(truck, five, 180, 30);
        next = Stint(truck, next, 180, 30);
        truck.Run(next, next + 120 * s_minute, s_minute, 60); // 3 h + 3 h + 2 h = exactly 8 h
        Assert.Empty(truck.Signals);
        var raised = Assert.Single(truck.At(next + 121 * s_minute, 60));

        Assert.Equal(AlarmKind.FatigueDaily, raised.Kind);
        Assert.Equal(TestVehicle.Local(2026, 11, 21, 14, 0), raised.StartedAt);
        Assert.Equal(481 * 60, raised.Evidence["dailyDrivingS"]);
        Assert.Empty(truck.Of(AlarmKind.FatigueContinuous));
    }

    [Fact]
    public void Driving_is_counted_per_local_calendar_day_split_at_local_midnight()
    {
        var truck = Truck();

        var next = Stint(truck, TestVehicle.Local(2026, 11, 21, 16, 0), 180, 30); // to 19:30
        next = Stint(truck, next, 180, 30); // to 23:00
        truck.Run(next, TestVehicle.Local(2026, 11, 22, 1, 30), s_minute, 60); // 1 h before midnight, 1.5 h after

        Assert.Empty(truck.Of(AlarmKind.FatigueDaily)); // 7 h on the 21st, 1.5 h on the 22nd
    }

    [Fact]
    public void The_same_driving_within_one_local_day_is_over_the_daily_limit()
    {
        var truck = Truck();

        var next = Stint(truck, TestVehicle.Local(2026, 11, 21, 14, 0), 180, 30);
        next = Stint(truck, next, 180, 30);
        truck.Run(next, next + 150 * s_minute, s_minute, 60);

        Assert.Single(truck.Of(AlarmKind.FatigueDaily));
    }

    [Fact]
    public void The_daily_alarm_ends_at_local_midnight()
    {
        var truck = Truck();

        var next = Stint(truck, TestVehicle.Local(2026, 11, 21, 13, 0), 180, 30);
        next = Stint(truck, next, 180, 30); // 20:00
        next = Stint(truck, next, 121, 110); // raised at 22:01, then parked until 23:51
        truck.Run(next, TestVehicle.Local(2026, 11, 22, 0, 10), s_minute, 60);

        var daily = truck.Of(AlarmKind.FatigueDaily).ToList();
        Assert.Equal([AlarmSignal.Raised, AlarmSignal.Ended], daily.Select(s => s.Signal));
        Assert.Equal(TestVehicle.Local(2026, 11, 22, 0, 0), daily[1].At);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 16, 0, 0, TimeSpan.Zero), daily[1].At.ToUniversalTime());
    }

    [Fact]
    public void A_silent_gap_while_the_vehicle_moved_far_is_neither_driving_nor_rest()
    {
        var truck = Truck();

        truck.Run(s_six, s_six + 180 * s_minute, s_minute, 60); // 3 h
        truck.Lat = TestVehicle.North(30_000); // reappears 30 km away after 30 min
        var back = s_six + 210 * s_minute;
        truck.Run(back, back + 60 * s_minute, s_minute, 60); // 3 h + 1 h
        Assert.Empty(truck.Signals);

        Assert.Equal(AlarmKind.FatigueContinuous, Assert.Single(truck.At(back + 61 * s_minute, 60)).Kind);
    }

    [Fact]
    public void A_silent_gap_longer_than_the_rest_where_the_vehicle_stayed_put_counts_as_rest()
    {
        var truck = Truck();

        truck.Run(s_six, s_six + 180 * s_minute, s_minute, 60);
        var back = s_six + 210 * s_minute; // 30 min later, same place
        truck.Run(back, back + 120 * s_minute, s_minute, 60);

        Assert.Empty(truck.Signals);
    }

    [Fact]
    public void Coaches_may_drive_only_two_hours_continuously_at_night()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));
        var ten = TestVehicle.Local(2026, 11, 21, 22, 0);

        coach.Run(ten, ten + 120 * s_minute, s_minute, 60);
        Assert.Empty(coach.Signals);
        var raised = Assert.Single(coach.At(ten + 121 * s_minute, 60));

        Assert.Equal(AlarmKind.FatigueContinuous, raised.Kind);
        Assert.Equal(TestVehicle.Local(2026, 11, 22, 0, 0), raised.StartedAt);
        Assert.Equal(121 * 60, raised.Evidence["nightDrivingS"]);
        Assert.Equal(2 * 3600, raised.Evidence["nightLimitS"]);
    }
}
