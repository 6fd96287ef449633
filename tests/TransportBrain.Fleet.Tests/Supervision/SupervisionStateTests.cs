using System.Text.Json;
using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

public sealed class SupervisionStateTests
{
    private static readonly DateTimeOffset s_t0 = TestVehicle.Local(2026, 11, 21, 10, 15, 0);
    private static readonly TimeSpan s_10s = TimeSpan.FromSeconds(10);

    private static SupervisionEngine Restart(SupervisionEngine before)
    {
        var after = new SupervisionEngine(SupervisionConfig.Default);
        after.ImportState(before.ExportState());
        return after;
    }

    [Fact]
    public void A_restart_before_the_minimum_duration_keeps_counting_from_the_first_fast_fix()
    {
        var before = new SupervisionEngine(SupervisionConfig.Default);
        new TestVehicle(before).Run(s_t0, s_t0 + 2 * s_10s, s_10s, 120); // 20 s fast

        var after = Restart(before);
        var coach = new TestVehicle(after);
        var raised = Assert.Single(coach.At(s_t0 + 3 * s_10s, 120));

        Assert.Equal(s_t0, raised.StartedAt);
        Assert.Equal(120, raised.Evidence["maxSpeedKmh"]);
    }

    [Fact]
    public void An_overspeed_raised_before_a_restart_is_not_raised_again_and_ends_with_the_same_id()
    {
        var before = new SupervisionEngine(SupervisionConfig.Default);
        var first = new TestVehicle(before);
        first.Run(s_t0, s_t0 + 6 * s_10s, s_10s, 120);
        var raised = Assert.Single(first.Signals);

        var after = Restart(before);
        var second = new TestVehicle(after);
        second.Run(s_t0 + 7 * s_10s, s_t0 + 12 * s_10s, s_10s, 125);
        second.Run(s_t0 + 13 * s_10s, s_t0 + 20 * s_10s, s_10s, 90);

        var ended = Assert.Single(second.Signals);
        Assert.Equal((AlarmSignal.Ended, raised.AlarmId), (ended.Signal, ended.AlarmId));
        Assert.Equal(125, ended.Evidence["maxSpeedKmh"]);
    }

    [Fact]
    public void Every_rule_state_survives_the_round_trip()
    {
        var before = new SupervisionEngine(SupervisionConfig.Default);
        before.Geofences.AddOrReplace(new Geofence("f", "f", GeofenceKind.Prohibited, TestPlaces.SquareAroundHome()));
        var coach = new TestVehicle(before) { Lat = TestVehicle.North(100) };
        coach.Run(s_t0, s_t0 + TimeSpan.FromHours(4.5), TimeSpan.FromMinutes(1), 60); // fatigue and geofence open
        coach.At(s_t0 + TimeSpan.FromHours(4.5) + TimeSpan.FromMinutes(1), 60, alarms: 1u << 0); // SOS open
        Assert.Single(before.Tick(s_t0 + TimeSpan.FromHours(5))); // offline open
        var exported = before.ExportState();

        var after = new SupervisionEngine(SupervisionConfig.Default);
        after.ImportState(exported);

        Assert.Equal(exported, after.ExportState());
        Assert.Equal(1, after.VehicleCount);
        Assert.Empty(after.Tick(s_t0 + TimeSpan.FromHours(5.1)));
        after.Geofences.AddOrReplace(new Geofence("f", "f", GeofenceKind.Prohibited, TestPlaces.SquareAroundHome()));
        var resumed = new TestVehicle(after) { Lat = TestVehicle.North(100) };
        var signals = resumed.At(s_t0 + TimeSpan.FromHours(5.2), 60, alarms: 1u << 0);

        // Nothing is raised again (the SOS is still held, the vehicle is still in the fence); the
        // silence ends the offline episode and, being 41 min in one place, counts as the rest that
        // ends the fatigue episode raised before the restart.
        Assert.All(signals, s => Assert.Equal(AlarmSignal.Ended, s.Signal));
        Assert.Equal([AlarmKind.Offline, AlarmKind.FatigueContinuous], signals.Select(s => s.Kind));
    }

    [Fact]
    public void The_exported_state_is_json_with_a_version()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        new TestVehicle(engine).At(s_t0, 50);

        using var document = JsonDocument.Parse(engine.ExportState());

        Assert.Equal(1, document.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("T013800138000", document.RootElement.GetProperty("vehicles")[0].GetProperty("terminalId").GetString());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"version\":99,\"vehicles\":[]}")]
    [InlineData("{\"version\":1,\"vehicles\":[{\"terminalId\":\"\"}]}")]
    [InlineData("null")]
    public void An_unreadable_state_is_refused_and_the_current_state_is_kept(string json)
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        new TestVehicle(engine).At(s_t0, 50);

        Assert.Throws<FormatException>(() => engine.ImportState(json));
        Assert.Equal(1, engine.VehicleCount);
    }
}
