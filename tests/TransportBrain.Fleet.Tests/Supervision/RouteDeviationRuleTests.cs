using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

public sealed class RouteDeviationRuleTests
{
    private static readonly DateTimeOffset s_t0 = TestVehicle.Local(2026, 11, 21, 9, 0);
    private static readonly TimeSpan s_10s = TimeSpan.FromSeconds(10);

    private static RoutePlan EastwardPlan(double widthM = 200, DateTimeOffset? validFrom = null, DateTimeOffset? validTo = null) =>
        new(TestVehicle.DefaultTerminal, [(TestVehicle.HomeLat, TestVehicle.HomeLon), (TestVehicle.HomeLat, TestVehicle.East(10_000))], widthM, validFrom, validTo);

    private static (SupervisionEngine Engine, TestVehicle Tanker) Setup(SupervisionConfig? config = null)
    {
        var engine = new SupervisionEngine(config ?? SupervisionConfig.Default);
        var tanker = new TestVehicle(engine, category: VehicleCategory.DangerousGoods) { Lon = TestVehicle.East(5000) };
        return (engine, tanker);
    }

    [Fact]
    public void Deviation_is_measured_against_half_the_corridor_width_and_raised_after_three_fixes_outside()
    {
        var (engine, tanker) = Setup();
        engine.RoutePlans.Add(EastwardPlan(widthM: 200));

        tanker.Lat = TestVehicle.North(80); // inside a 200 m corridor
        tanker.Run(s_t0, s_t0 + TimeSpan.FromMinutes(2), s_10s, 60);
        Assert.Empty(tanker.Signals);

        tanker.Lat = TestVehicle.North(150);
        var off = s_t0 + TimeSpan.FromMinutes(3);
        Assert.Empty(tanker.At(off, 60));
        Assert.Empty(tanker.At(off + s_10s, 60));
        var raised = Assert.Single(tanker.At(off + 2 * s_10s, 60));
        tanker.Lat = TestVehicle.North(50);
        var ended = Assert.Single(tanker.At(off + 3 * s_10s, 60));

        Assert.Equal((AlarmKind.RouteDeviation, AlarmSeverity.Serious, off), (raised.Kind, raised.Severity, raised.StartedAt));
        Assert.Equal(200, raised.Evidence["corridorWidthM"]);
        Assert.Equal(150, raised.Evidence["maxDistanceM"], 0);
        Assert.Equal(3, raised.Evidence["fixesOutside"]);
        Assert.Equal((AlarmSignal.Ended, raised.AlarmId), (ended.Signal, ended.AlarmId));
    }

    [Fact]
    public void A_wider_corridor_tolerates_the_same_offset()
    {
        var (engine, tanker) = Setup();
        engine.RoutePlans.Add(EastwardPlan(widthM: 400));

        tanker.Lat = TestVehicle.North(150);
        tanker.Run(s_t0, s_t0 + TimeSpan.FromMinutes(5), s_10s, 60);

        Assert.Empty(tanker.Signals);
    }

    [Fact]
    public void With_sparse_fixes_the_minimum_duration_raises_before_the_fix_count()
    {
        var config = SupervisionConfig.Default.WithCategory(VehicleCategory.DangerousGoods,
            s => s with { RouteDeviation = s.RouteDeviation with { MinFixes = 10 } });
        var (engine, tanker) = Setup(config);
        engine.RoutePlans.Add(EastwardPlan());

        tanker.Lat = TestVehicle.North(500);
        Assert.Empty(tanker.At(s_t0, 60));
        Assert.Empty(tanker.At(s_t0 + TimeSpan.FromSeconds(30), 60));
        Assert.Single(tanker.At(s_t0 + TimeSpan.FromSeconds(60), 60));
    }

    [Fact]
    public void Only_plans_valid_at_the_fix_time_count_and_an_expiring_plan_ends_the_alarm()
    {
        var (engine, tanker) = Setup();
        engine.RoutePlans.Add(EastwardPlan(validFrom: s_t0 + TimeSpan.FromMinutes(1), validTo: s_t0 + TimeSpan.FromMinutes(3)));
        tanker.Lat = TestVehicle.North(1000);

        tanker.Run(s_t0, s_t0 + TimeSpan.FromSeconds(50), s_10s, 60); // before the plan is valid
        Assert.Empty(tanker.Signals);
        tanker.Run(s_t0 + TimeSpan.FromMinutes(1), s_t0 + TimeSpan.FromMinutes(3), s_10s, 60);

        var route = tanker.Of(AlarmKind.RouteDeviation).ToList();
        Assert.Equal([AlarmSignal.Raised, AlarmSignal.Ended], route.Select(s => s.Signal));
        Assert.Equal(s_t0 + TimeSpan.FromMinutes(3), route[1].At);
        Assert.Contains("no valid route plan", route[1].DetailEn);
    }

    [Fact]
    public void Inside_any_of_several_valid_plans_is_on_route()
    {
        var (engine, tanker) = Setup();
        engine.RoutePlans.Add(EastwardPlan());
        engine.RoutePlans.Add(new RoutePlan(TestVehicle.DefaultTerminal,
            [(TestVehicle.North(1000), TestVehicle.HomeLon), (TestVehicle.North(1000), TestVehicle.East(10_000))], 200));

        tanker.Lat = TestVehicle.North(1020);
        tanker.Run(s_t0, s_t0 + TimeSpan.FromMinutes(2), s_10s, 60);

        Assert.Empty(tanker.Signals);
    }

    [Fact]
    public void A_vehicle_without_a_plan_never_deviates()
    {
        var (engine, tanker) = Setup();
        engine.RoutePlans.Add(EastwardPlan() with { TerminalId = "someone-else" });

        tanker.Lat = TestVehicle.North(5000);
        tanker.Run(s_t0, s_t0 + TimeSpan.FromMinutes(2), s_10s, 60);

        Assert.Empty(tanker.Signals);
        Assert.Empty(engine.RoutePlans.For(TestVehicle.DefaultTerminal));
    }
}
