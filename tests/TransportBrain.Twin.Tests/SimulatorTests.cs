using TransportBrain.Twin.Experiments;
using TransportBrain.Twin.Simulation;

namespace TransportBrain.Twin.Tests;

public class SimulatorTests
{
    private static Corridor Straight(double lengthM = 5_000, int lanes = 3, double limitKmh = 120) =>
        Corridor.Uniform("test", "G60", 1, 100_000, lengthM, lanes, limitKmh);

    private static Simulator Benchmark(ulong seed) =>
        new(Scenarios.ThreeLaneWithRamps(), Scenarios.ThreeLaneWithRampsDemand(), new SimulationOptions { Seed = seed });

    [Fact]
    public void The_same_seed_gives_an_identical_state_and_another_seed_does_not()
    {
        var a = Benchmark(42);
        var b = Benchmark(42);
        var c = Benchmark(43);
        a.RunUntil(900);
        b.RunUntil(900);
        c.RunUntil(900);
        Assert.True(a.Statistics.InNetwork > 100);
        Assert.Equal(a.StateHash(), b.StateHash());
        Assert.Equal(a.Statistics, b.Statistics);
        Assert.NotEqual(a.StateHash(), c.StateHash());
    }

    [Fact]
    public void A_car_entering_from_a_ramp_at_60_kmh_accelerates_to_its_desired_speed_in_free_flow()
    {
        var car = VehicleClasses.Car with { DesiredSpeedSpread = 0 };
        var corridor = Corridor.Uniform("free", "G60", 1, 100_000, 8_000, 3, 120, onRamps: [new OnRamp("on", 1_000, 250)]);
        var sim = new Simulator(corridor, new OdMatrix([new OdFlow("on", OdFlow.Mainline, 30, new ClassMix([(car, 1)]))]));
        var seen = 0;
        for (var s = 1; s <= 900; s++)
        {
            sim.RunUntil(s);
            foreach (var v in sim.Vehicles())
            {
                if (v.Lane == 0)
                {
                    Assert.InRange(v.SpeedMs * 3.6, 59, 121);
                }
                else if (v.PositionM > 4_000)
                {
                    // IDM approaches v0 asymptotically (time constant v0 / 4a ≈ 7 s): within 2% well before 3 km.
                    seen++;
                    Assert.InRange(v.SpeedMs * 3.6, 0.98 * 120, 120.001);
                }
            }
        }
        Assert.True(seen > 100);
        Assert.Equal(0, sim.Statistics.EmergencyStops);
    }

    [Fact]
    public void A_car_stops_behind_a_blocked_single_lane_and_never_passes_it()
    {
        var sim = new Simulator(Straight(3_000, lanes: 1), new OdMatrix([new OdFlow(OdFlow.Mainline, OdFlow.Mainline, 600, ClassMix.CarsOnly)]));
        sim.CloseLane(1, 2_000, 2_100);
        sim.RunUntil(600);
        var vehicles = sim.Vehicles();
        Assert.NotEmpty(vehicles);
        Assert.All(vehicles, v => Assert.True(v.PositionM <= 2_000));
        var first = vehicles[0];
        Assert.InRange(first.PositionM, 1_990, 2_000);
        Assert.True(first.SpeedMs < 0.1);
        Assert.Equal(0, sim.Statistics.Exited);
        Assert.Equal(0, sim.Statistics.EmergencyStops);
        Assert.True(sim.SmallestGapM() > 0);
    }

    [Fact]
    public void Vehicles_leave_a_closed_lane_before_the_block_without_collisions()
    {
        var sim = new Simulator(Straight(6_000), new OdMatrix([new OdFlow(OdFlow.Mainline, OdFlow.Mainline, 2_400)]), new SimulationOptions { Seed = 3 });
        sim.CloseLane(3, 3_000, 3_200);
        var minGap = double.PositiveInfinity;
        for (var s = 1; s <= 1_800; s++)
        {
            sim.RunUntil(s);
            minGap = Math.Min(minGap, sim.SmallestGapM());
            Assert.DoesNotContain(sim.Vehicles(), v => v.Lane == 3 && v.PositionM > 3_000 && v.PositionM < 3_200);
        }
        var st = sim.Statistics;
        Assert.True(minGap > 0, $"smallest gap {minGap}");
        Assert.Equal(0, st.EmergencyStops);
        // Traffic keeps flowing past the closure: 2,400 veh/h (work-zone capacity of two lanes is about 3,000) get through with no queue at the entry.
        Assert.True(st.ExitedMainline > 1_000, $"{st.ExitedMainline} exited in 30 min");
        Assert.True(st.Queued < 5, $"{st.Queued} waiting at the entry");
        Assert.True(st.LaneChanges > 0);
    }

    [Fact]
    public void Gaps_stay_positive_and_the_model_never_needs_an_emergency_stop_on_the_busy_corridor()
    {
        var sim = Benchmark(5);
        var minGap = double.PositiveInfinity;
        for (var s = 10; s <= 1_800; s += 10)
        {
            sim.RunUntil(s);
            minGap = Math.Min(minGap, sim.SmallestGapM());
        }
        Assert.True(minGap > 0, $"smallest gap {minGap}");
        Assert.Equal(0, sim.Statistics.EmergencyStops);
        Assert.True(sim.Statistics.LaneChanges > 1_000);
    }

    [Fact]
    public void On_ramp_vehicles_merge_into_the_main_line_and_reach_its_end()
    {
        var corridor = Corridor.Uniform("ramp", "G60", 1, 100_000, 5_000, 3, 120, onRamps: [new OnRamp("on", 2_000, 250)]);
        var sim = new Simulator(corridor, new OdMatrix([
            new OdFlow(OdFlow.Mainline, OdFlow.Mainline, 3_000),
            new OdFlow("on", OdFlow.Mainline, 600),
        ]), new SimulationOptions { Seed = 9 });
        var downstream = new VirtualDetector(4_000, 3, 600);
        sim.AddSensor(downstream);
        sim.RunUntil(1_800);
        var st = sim.Statistics;
        // Nobody gets stuck on the acceleration lane or in the ramp queue, and the ramp flow shows up downstream.
        Assert.True(sim.QueueLengths()[1] < 5, $"ramp queue {sim.QueueLengths()[1]}");
        Assert.True(sim.Vehicles().Count(v => v.Lane == 0) < 6);
        Assert.InRange(downstream.FlowVehPerHour(2), 3_000, 4_300);
        Assert.Equal(0, st.EmergencyStops);
        Assert.DoesNotContain(sim.Vehicles(), v => v.Lane == 0 && v.PositionM > 2_250);
    }

    [Fact]
    public void Most_vehicles_bound_for_an_off_ramp_take_it()
    {
        var corridor = Corridor.Uniform("exit", "G60", 1, 100_000, 6_000, 3, 120, offRamps: [new OffRamp("off", 4_000, 200)]);
        var sim = new Simulator(corridor, new OdMatrix([
            new OdFlow(OdFlow.Mainline, OdFlow.Mainline, 2_700),
            new OdFlow(OdFlow.Mainline, "off", 500),
        ]), new SimulationOptions { Seed = 4 });
        sim.RunUntil(1_800);
        var st = sim.Statistics;
        Assert.True(st.ExitedRamps > 150);
        Assert.True(st.MissedExits <= 0.1 * (st.ExitedRamps + st.MissedExits), $"missed {st.MissedExits}, took {st.ExitedRamps}");
    }

    [Fact]
    public void A_variable_speed_limit_set_while_running_slows_the_traffic_under_it()
    {
        var sim = new Simulator(Straight(6_000), new OdMatrix([new OdFlow(OdFlow.Mainline, OdFlow.Mainline, 2_400, ClassMix.CarsOnly)]), new SimulationOptions { Seed = 2 });
        var before = new VirtualDetector(4_000, 3, 300);
        sim.AddSensor(before);
        sim.RunUntil(600);
        var free = before.MeanSpeedKmh(1);
        Assert.True(free > 105, $"free speed {free}");

        sim.SetSpeedLimit(-1, 3_000, 5_000, 80);
        Assert.Equal(80, sim.SpeedLimitKmh(2, 4_000), 6);
        Assert.Equal(120, sim.SpeedLimitKmh(2, 5_500), 6);
        sim.RunUntil(1_200);
        // Drivers' desired speeds are spread ±10% around the limit.
        Assert.InRange(before.MeanSpeedKmh(3), 75, 86);
        var id = sim.SpeedLimitOverrides.Single().Id;
        Assert.True(sim.ClearSpeedLimit(id));
        sim.RunUntil(1_800);
        Assert.True(before.MeanSpeedKmh(5) > 105);
    }

    [Fact]
    public void Vehicles_are_conserved_generated_equals_exited_plus_in_the_corridor_plus_queued()
    {
        var sim = Benchmark(11);
        for (var s = 300; s <= 2_400; s += 300)
        {
            sim.RunUntil(s);
            var st = sim.Statistics;
            Assert.Equal(st.Entered, st.Exited + st.InNetwork);
            Assert.Equal(st.Generated, st.Entered + st.Queued);
            Assert.Equal(st.InNetwork, sim.Vehicles().Count);
        }
        Assert.True(sim.Statistics.ExitedRamps > 0);
    }

    [Fact]
    public void An_incident_blocks_its_lanes_for_its_duration_and_then_traffic_recovers()
    {
        var corridor = Straight(6_000);
        var incident = Incident.AtStake(corridor, "G60", 104_000, [2, 3], startS: 600, durationS: 600);
        Assert.Equal(4_000, incident.PositionM, 6);
        var sim = new Simulator(corridor, new OdMatrix([new OdFlow(OdFlow.Mainline, OdFlow.Mainline, 3_000)]), new SimulationOptions { Seed = 8 }, [incident]);
        var after = new VirtualDetector(5_000, 3, 300);
        sim.AddSensor(after);
        sim.RunUntil(650);
        Assert.False(sim.IsLaneOpen(2, 4_020));
        Assert.True(sim.IsLaneOpen(1, 4_020));
        sim.RunUntil(1_150);
        Assert.DoesNotContain(sim.Vehicles(), v => v.Lane >= 2 && v.PositionM > 4_000 && v.PositionM < 4_050);
        sim.RunUntil(2_400);
        Assert.True(sim.IsLaneOpen(2, 4_020));
        // One lane left carries less than the 3,000 veh/h demand; after the incident the queue discharges.
        Assert.True(after.FlowVehPerHour(3) < 2_600, $"flow during incident {after.FlowVehPerHour(3)}");
        Assert.True(after.FlowVehPerHour(6) > 3_000, $"flow after {after.FlowVehPerHour(6)}");
        Assert.True(sim.SmallestGapM() > 0);
    }

    [Fact]
    public void Heavy_trucks_keep_out_of_the_leftmost_lane()
    {
        var sim = Benchmark(6);
        for (var s = 60; s <= 1_200; s += 60)
        {
            sim.RunUntil(s);
            Assert.DoesNotContain(sim.Vehicles(), v => v.Lane == 3 && !v.VehicleClass.MayUseLeftmostLane);
        }
    }

    [Fact]
    public void Demand_follows_the_time_of_day_profile()
    {
        // 00:00-02:00 China Standard Time is low, 08:00-10:00 high in the workday profile.
        var corridor = Straight(2_000);
        var demand = new OdMatrix([new OdFlow(OdFlow.Mainline, OdFlow.Mainline, 2_000)]) { DefaultProfile = TimeOfDayProfile.IntercityWorkday };
        var night = new Simulator(corridor, demand, new SimulationOptions { StartTime = new DateTimeOffset(2026, 6, 1, 0, 30, 0, TimeSpan.FromHours(8)) });
        var morning = new Simulator(corridor, demand, new SimulationOptions { StartTime = new DateTimeOffset(2026, 6, 1, 8, 30, 0, TimeSpan.FromHours(8)) });
        night.RunUntil(3_600);
        morning.RunUntil(3_600);
        // Expected about 0.2 × 2,000 and 1.0 × 2,000 (Poisson, so generous bounds).
        Assert.InRange(night.Statistics.Generated, 300, 540);
        Assert.InRange(morning.Statistics.Generated, 1_850, 2_150);
    }
}
