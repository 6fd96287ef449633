using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

public sealed class GeofenceRuleTests
{
    private static readonly DateTimeOffset s_t0 = TestVehicle.Local(2026, 11, 21, 12, 0);
    private static readonly TimeSpan s_30s = TimeSpan.FromSeconds(30);

    private static readonly double s_insideLat = TestVehicle.North(500);
    private static readonly double s_outsideLat = TestVehicle.North(1500);

    private static IReadOnlyList<AlarmSignalEvent> Step(TestVehicle vehicle, ref DateTimeOffset time, double latitude, double longitude = TestVehicle.HomeLon)
    {
        vehicle.Lat = latitude;
        vehicle.Lon = longitude;
        time += s_30s;
        return vehicle.At(time, 40);
    }

    [Fact]
    public void Entering_a_prohibited_polygon_needs_two_fixes_inside_and_leaving_needs_two_outside()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        engine.Geofences.AddOrReplace(new Geofence("school-1", "第一中学", GeofenceKind.Prohibited, TestPlaces.SquareAroundHome()));
        var truck = new TestVehicle(engine, category: VehicleCategory.DangerousGoods);
        var time = s_t0;

        Assert.Empty(Step(truck, ref time, s_outsideLat));
        Assert.Empty(Step(truck, ref time, s_outsideLat));
        Assert.Empty(Step(truck, ref time, s_insideLat)); // one jittery fix inside
        Assert.Empty(Step(truck, ref time, s_outsideLat));
        Assert.Empty(Step(truck, ref time, s_insideLat));
        var enteredAt = time;
        var raised = Assert.Single(Step(truck, ref time, s_insideLat));
        Assert.Empty(Step(truck, ref time, s_outsideLat));
        var ended = Assert.Single(Step(truck, ref time, s_outsideLat));

        Assert.Equal((AlarmSignal.Raised, AlarmKind.GeofenceEntry, AlarmSeverity.Serious), (raised.Signal, raised.Kind, raised.Severity));
        Assert.Equal(enteredAt, raised.StartedAt);
        Assert.Equal("T013800138000-geofence-entry-school-1-20261121T040230Z", raised.AlarmId);
        Assert.Contains("第一中学", raised.DetailZh);
        Assert.Equal((AlarmSignal.Ended, raised.AlarmId), (ended.Signal, ended.AlarmId));
    }

    [Fact]
    public void Jitter_within_the_border_margin_does_not_flap()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        engine.Geofences.AddOrReplace(new Geofence("depot", "车场", GeofenceKind.Allowed, TestPlaces.SquareAroundHome()));
        var coach = new TestVehicle(engine);
        var time = s_t0;

        Step(coach, ref time, s_insideLat);
        Step(coach, ref time, s_insideLat);
        for (var i = 0; i < 20; i++)
        {
            Step(coach, ref time, TestVehicle.North(i % 2 == 0 ? 1008 : 992)); // 8 m either side of the border
        }

        Assert.Empty(coach.Signals);
        Step(coach, ref time, TestVehicle.North(1050));
        Assert.Equal(AlarmKind.GeofenceExit, Assert.Single(Step(coach, ref time, TestVehicle.North(1050))).Kind);
    }

    [Fact]
    public void Leaving_an_allowed_circle_raises_exit_and_coming_back_ends_it()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        engine.Geofences.AddOrReplace(new Geofence("zone", "运营区域", GeofenceKind.Allowed, new GeoCircle(TestVehicle.HomeLat, TestVehicle.HomeLon, 500)));
        var charter = new TestVehicle(engine, category: VehicleCategory.Charter);
        var time = s_t0;

        Step(charter, ref time, TestVehicle.HomeLat);
        Step(charter, ref time, TestVehicle.HomeLat, TestVehicle.East(300));
        Assert.Empty(Step(charter, ref time, TestVehicle.HomeLat, TestVehicle.East(700)));
        var raised = Assert.Single(Step(charter, ref time, TestVehicle.HomeLat, TestVehicle.East(800)));
        Assert.Empty(Step(charter, ref time, TestVehicle.HomeLat, TestVehicle.East(400)));
        var ended = Assert.Single(Step(charter, ref time, TestVehicle.HomeLat, TestVehicle.East(100)));

        Assert.Equal((AlarmKind.GeofenceExit, AlarmSeverity.Warning), (raised.Kind, raised.Severity));
        Assert.Equal(300, raised.Evidence["distanceToBorderM"], 0);
        Assert.Equal(AlarmSignal.Ended, ended.Signal);
    }

    [Fact]
    public void A_fence_for_one_category_ignores_the_others()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        engine.Geofences.AddOrReplace(new Geofence("tunnel", "隧道", GeofenceKind.Prohibited, TestPlaces.SquareAroundHome(),
            Categories: new HashSet<VehicleCategory> { VehicleCategory.DangerousGoods }));
        var coach = new TestVehicle(engine, "coach");
        var tanker = new TestVehicle(engine, "tanker", VehicleCategory.DangerousGoods);

        foreach (var vehicle in new[] { coach, tanker })
        {
            var time = s_t0;
            Step(vehicle, ref time, s_insideLat);
            Step(vehicle, ref time, s_insideLat);
        }

        Assert.Empty(coach.Signals);
        Assert.Equal(AlarmKind.GeofenceEntry, Assert.Single(tanker.Signals).Kind);
    }

    [Fact]
    public void A_fence_for_named_terminals_ignores_other_terminals()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        engine.Geofences.AddOrReplace(new Geofence("f", "f", GeofenceKind.Prohibited, TestPlaces.SquareAroundHome(),
            Terminals: new HashSet<string>(StringComparer.Ordinal) { "a" }));
        var a = new TestVehicle(engine, "a");
        var b = new TestVehicle(engine, "b");

        foreach (var vehicle in new[] { a, b })
        {
            var time = s_t0;
            Step(vehicle, ref time, s_insideLat);
            Step(vehicle, ref time, s_insideLat);
        }

        Assert.Single(a.Signals);
        Assert.Empty(b.Signals);
    }

    [Fact]
    public void Removing_a_fence_ends_its_open_alarm_at_the_next_fix()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        engine.Geofences.AddOrReplace(new Geofence("f", "f", GeofenceKind.Prohibited, TestPlaces.SquareAroundHome()));
        var coach = new TestVehicle(engine);
        var time = s_t0;
        Step(coach, ref time, s_insideLat);
        Step(coach, ref time, s_insideLat);

        Assert.True(engine.Geofences.Remove("f"));
        var ended = Assert.Single(Step(coach, ref time, s_insideLat));

        Assert.Equal((AlarmSignal.Ended, AlarmKind.GeofenceEntry), (ended.Signal, ended.Kind));
        Assert.Contains("removed", ended.DetailEn);
    }

    [Fact]
    public void A_fence_with_an_active_window_is_enforced_only_inside_it()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        engine.Geofences.AddOrReplace(new Geofence("night-town", "城区夜间禁行", GeofenceKind.Prohibited, TestPlaces.SquareAroundHome(),
            ActiveWindow: new DailyTimeWindow(new TimeOnly(22, 0), new TimeOnly(6, 0))));
        var truck = new TestVehicle(engine, category: VehicleCategory.HeavyTruck) { Lat = s_insideLat };

        truck.Run(TestVehicle.Local(2026, 11, 21, 21, 50), TestVehicle.Local(2026, 11, 21, 21, 59), TimeSpan.FromMinutes(1), 20);
        Assert.Empty(truck.Signals);
        var raised = Assert.Single(truck.At(TestVehicle.Local(2026, 11, 21, 22, 0), 20));
        truck.Run(TestVehicle.Local(2026, 11, 21, 22, 1), TestVehicle.Local(2026, 11, 22, 5, 59), TimeSpan.FromMinutes(30), 0);
        var ended = Assert.Single(truck.At(TestVehicle.Local(2026, 11, 22, 6, 0), 20));

        Assert.Equal(TestVehicle.Local(2026, 11, 21, 22, 0), raised.StartedAt);
        Assert.Equal((AlarmSignal.Ended, raised.AlarmId), (ended.Signal, ended.AlarmId));
    }

    [Fact]
    public void Fixes_without_a_position_do_not_move_a_vehicle_across_a_fence()
    {
        var engine = new SupervisionEngine(SupervisionConfig.Default);
        engine.Geofences.AddOrReplace(new Geofence("f", "f", GeofenceKind.Prohibited, TestPlaces.SquareAroundHome()));
        var coach = new TestVehicle(engine) { Lat = s_insideLat };

        coach.At(s_t0, 30, located: false);
        coach.At(s_t0 + s_30s, 30, located: false);

        Assert.Empty(coach.Signals);
    }
}
