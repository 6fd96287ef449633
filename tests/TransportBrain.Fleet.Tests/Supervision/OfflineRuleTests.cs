using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

public sealed class OfflineRuleTests
{
    private static readonly DateTimeOffset s_ten = TestVehicle.Local(2026, 11, 21, 10, 0);

    [Fact]
    public void An_on_duty_vehicle_silent_for_the_offline_time_is_raised_by_tick_once_and_ended_by_its_next_fix()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        var coach = new TestVehicle(engine);
        coach.At(s_ten, 60);

        Assert.Empty(engine.Tick(s_ten + TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1)));
        var raised = Assert.Single(engine.Tick(s_ten + TimeSpan.FromMinutes(10)));
        Assert.Empty(engine.Tick(s_ten + TimeSpan.FromMinutes(15)));
        var ended = Assert.Single(coach.At(s_ten + TimeSpan.FromMinutes(20), 60));

        Assert.Equal(AlarmKind.Offline, raised.Kind);
        Assert.Equal(s_ten, raised.StartedAt);
        Assert.Equal(s_ten + TimeSpan.FromMinutes(10), raised.At);
        Assert.Equal((TestVehicle.HomeLat, TestVehicle.HomeLon), (raised.Latitude, raised.Longitude));
        Assert.Equal(600, raised.Evidence["silentS"]);
        Assert.Equal((AlarmSignal.Ended, raised.AlarmId), (ended.Signal, ended.AlarmId));
        Assert.Equal(1200, ended.Evidence["silentS"]);
    }

    [Fact]
    public void A_parked_vehicle_with_the_ignition_on_is_on_duty()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        new TestVehicle(engine).At(s_ten, 0, accOn: true);

        Assert.Single(engine.Tick(s_ten + TimeSpan.FromMinutes(11)));
    }

    [Fact]
    public void A_vehicle_parked_with_the_ignition_off_is_not_offline()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        new TestVehicle(engine).At(s_ten, 0, accOn: false);

        Assert.Empty(engine.Tick(s_ten + TimeSpan.FromHours(2)));
    }

    [Fact]
    public void Silence_longer_than_the_on_duty_window_raises_nothing()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        new TestVehicle(engine).At(s_ten, 60);

        Assert.Empty(engine.Tick(s_ten + TimeSpan.FromHours(25)));
    }

    [Fact]
    public void The_offline_time_is_configurable_per_category()
    {
        var config = SupervisionConfig.Default.WithCategory(VehicleCategory.DangerousGoods,
            s => s with { Offline = s.Offline with { OfflineAfter = TimeSpan.FromMinutes(3) } });
        var engine = new SupervisionEngine(config);
        new TestVehicle(engine, "coach").At(s_ten, 60);
        new TestVehicle(engine, "tanker", VehicleCategory.DangerousGoods).At(s_ten, 60);

        var raised = Assert.Single(engine.Tick(s_ten + TimeSpan.FromMinutes(4)));

        Assert.Equal("tanker", raised.TerminalId);
        Assert.Equal(VehicleCategory.DangerousGoods, raised.Category);
        Assert.Equal(2, engine.VehicleCount);
    }
}
