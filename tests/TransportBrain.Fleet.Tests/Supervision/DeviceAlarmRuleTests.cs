using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

public sealed class DeviceAlarmRuleTests
{
    private const uint Sos = 1u << 0;
    private const uint GnssFault = 1u << 4;
    private const uint OverspeedPreWarning = 1u << 13;
    private const uint Collision = 1u << 29;
    private const uint Rollover = 1u << 30;

    private static readonly DateTimeOffset s_t0 = TestVehicle.Local(2026, 11, 21, 10, 0);
    private static readonly TimeSpan s_30s = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_emergency_bit_is_raised_on_its_rising_edge_and_ended_on_its_falling_edge()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));

        Assert.Empty(coach.At(s_t0, 50));
        var raised = Assert.Single(coach.At(s_t0 + s_30s, 50, Sos));
        Assert.Empty(coach.At(s_t0 + 2 * s_30s, 50, Sos));
        Assert.Empty(coach.At(s_t0 + 3 * s_30s, 50, Sos));
        var ended = Assert.Single(coach.At(s_t0 + 4 * s_30s, 50));

        Assert.Equal((AlarmKind.DeviceEmergency, AlarmSeverity.Critical, AlarmSignal.Raised), (raised.Kind, raised.Severity, raised.Signal));
        Assert.Equal("T013800138000-device-emergency-20261121T020030Z", raised.AlarmId);
        Assert.Equal((AlarmSignal.Ended, raised.AlarmId), (ended.Signal, ended.AlarmId));
        Assert.Equal(90, ended.Evidence["durationS"]);
    }

    [Fact]
    public void Collision_and_rollover_bits_have_their_own_kinds()
    {
        var truck = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default), category: VehicleCategory.DangerousGoods);

        var signals = truck.At(s_t0, 0, Collision | Rollover);

        Assert.Equal([AlarmKind.DeviceCollision, AlarmKind.DeviceRollover], signals.Select(s => s.Kind));
        Assert.All(signals, s => Assert.Equal(AlarmSeverity.Critical, s.Severity));
    }

    [Fact]
    public void Other_meaningful_bits_are_relayed_as_device_other_naming_the_bit()
    {
        var coach = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));

        var raised = Assert.Single(coach.At(s_t0, 50, GnssFault));

        Assert.Equal(AlarmKind.DeviceOther, raised.Kind);
        Assert.Contains("GNSS module fault", raised.DetailEn);
        Assert.Contains("bit 4", raised.DetailEn);
        Assert.Contains("GNSS模块发生故障", raised.DetailZh);
        Assert.Equal("T013800138000-device-other-bit4-20261121T020000Z", raised.AlarmId);
        Assert.Equal(4, raised.Evidence["bit"]);
    }

    [Fact]
    public void Pre_warning_bits_are_not_relayed_by_default_but_can_be()
    {
        var quiet = new TestVehicle(new SupervisionEngine(SupervisionConfig.Default));
        var config = SupervisionConfig.Default.WithEveryCategory(s => s with { DeviceAlarms = s.DeviceAlarms with { RelayedBits = s.DeviceAlarms.RelayedBits | OverspeedPreWarning } });
        var loud = new TestVehicle(new SupervisionEngine(config));

        quiet.At(s_t0, 50, OverspeedPreWarning);
        loud.At(s_t0, 50, OverspeedPreWarning);

        Assert.Empty(quiet.Signals);
        Assert.Equal("overspeed pre-warning (JT/T 808 alarm bit 13) at 2026-11-21 10:00:00", Assert.Single(loud.Signals).DetailEn["Terminal alarm: ".Length..]);
    }

    [Fact]
    public void A_late_fix_relays_an_emergency_once_but_time_based_rules_ignore_it()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        var coach = new TestVehicle(engine);
        coach.Run(s_t0, s_t0 + TimeSpan.FromMinutes(10), s_30s, 50);

        var late = coach.At(s_t0 + TimeSpan.FromMinutes(5), 150, Sos); // 补传 from a tunnel, also far too fast
        var lateAgain = coach.At(s_t0 + TimeSpan.FromMinutes(5) + s_30s, 150, Sos);
        var lateAgain2 = coach.At(s_t0 + TimeSpan.FromMinutes(6), 150, Sos);

        Assert.Equal([AlarmSignal.Raised, AlarmSignal.Ended], late.Select(s => s.Signal));
        Assert.All(late, s => Assert.Equal(AlarmKind.DeviceEmergency, s.Kind));
        Assert.Equal(1, late[0].Evidence["late"]);
        Assert.Empty(lateAgain);
        Assert.Empty(lateAgain2);
        Assert.Equal(3, engine.LateFixesIgnored);
        Assert.Empty(coach.Of(AlarmKind.Overspeed));
    }

    [Fact]
    public void A_late_fix_inside_an_episode_already_relayed_is_not_relayed_again()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        var coach = new TestVehicle(engine);
        coach.At(s_t0, 50, Sos);
        coach.At(s_t0 + TimeSpan.FromMinutes(2), 50);

        Assert.Empty(coach.At(s_t0 + TimeSpan.FromMinutes(1), 50, Sos));
        Assert.Equal(1, engine.LateFixesIgnored);
    }
}
