using TransportBrain.Twin.Simulation;

namespace TransportBrain.Twin.Tests;

public class HooksTests
{
    private sealed class Recorder(double positionM) : CrossingSensor(positionM)
    {
        public List<VehicleCrossing> Crossings { get; } = [];

        public override void OnCrossing(in VehicleCrossing crossing) => Crossings.Add(crossing);
    }

    [Fact]
    public void Stakes_convert_to_corridor_positions_and_back_in_both_directions()
    {
        var up = Corridor.Uniform("up", "G60", 1, 123_400, 5_000, 3, 120);
        Assert.Equal(1_000, up.PositionAt("G60", 124_400), 6);
        Assert.Equal("G60 K125+400", up.StakeText(2_000));
        var down = Corridor.Uniform("down", "G60", 2, 123_400, 5_000, 3, 120);
        Assert.Equal(1_000, down.PositionAt("G60", 122_400), 6);
        Assert.Equal(("G60", 121_400.0), down.StakeAt(2_000));
        Assert.False(down.TryPositionAt("G60", 130_000, out _));
        Assert.False(up.TryPositionAt("G56", 124_000, out _));
    }

    [Fact]
    public void A_virtual_detector_counts_every_vehicle_once_so_its_count_equals_the_flow_through_it()
    {
        var corridor = Corridor.Uniform("d", "G60", 1, 0, 4_000, 3, 120);
        var sim = new Simulator(corridor, new OdMatrix([new OdFlow(OdFlow.Mainline, OdFlow.Mainline, 3_000)]), new SimulationOptions { Seed = 12 });
        var recorder = new Recorder(2_000);
        var detector = new VirtualDetector(2_000, 3, 60);
        var end = new Recorder(3_999);
        sim.AddSensor(recorder);
        sim.AddSensor(detector);
        sim.AddSensor(end);
        sim.RunUntil(1_800);

        // Each vehicle crosses once; ids, classes, lanes and times are filled in and ordered per vehicle.
        Assert.Equal(recorder.Crossings.Count, recorder.Crossings.Select(c => c.VehicleId).Distinct().Count());
        Assert.Equal(recorder.Crossings.Count, detector.Total);
        Assert.All(recorder.Crossings, c => Assert.InRange(c.Lane, 1, 3));
        Assert.All(recorder.Crossings, c => Assert.True(c.SpeedMs > 15));
        var crossedBoth = end.Crossings.ToDictionary(c => c.VehicleId, c => c.TimeS);
        Assert.All(recorder.Crossings.Where(c => crossedBoth.ContainsKey(c.VehicleId)), c => Assert.True(crossedBoth[c.VehicleId] > c.TimeS));

        // In steady state the detector's flow matches what passes the downstream end (conservation).
        var midCount = recorder.Crossings.Count(c => c.TimeS >= 600 && c.TimeS < 1_200);
        var shiftedEnd = end.Crossings.Count(c => c.TimeS >= 600 + 65 && c.TimeS < 1_200 + 65);
        Assert.InRange(midCount - shiftedEnd, -25, 25);
        Assert.InRange(detector.FlowVehPerHour(20), 1_500, 4_500);
        Assert.InRange(Enumerable.Range(10, 20).Sum(k => detector.Count(k)) * 3.0, 2_600, 3_400);
    }

    [Fact]
    public void Ground_truth_per_stretch_matches_the_detector_flow_and_gives_speed_and_travel_time()
    {
        var corridor = Corridor.Uniform("g", "G60", 1, 0, 5_000, 3, 120);
        var sim = new Simulator(corridor, new OdMatrix([new OdFlow(OdFlow.Mainline, OdFlow.Mainline, 2_400, ClassMix.CarsOnly)]), new SimulationOptions { Seed = 13 });
        var truth = new GroundTruthRecorder([1_000, 2_000, 3_000], 300);
        sim.AttachGroundTruth(truth);
        var detector = new VirtualDetector(2_000, 3, 300);
        sim.AddSensor(detector);
        sim.RunUntil(1_800);

        Assert.Equal(2 * 6, truth.Rows.Count);
        foreach (var row in truth.Rows.Where(r => r.IntervalStartS >= 600))
        {
            var k = (int)(row.IntervalStartS / 300);
            // Edie's flow over a stretch and the count at a cross-section inside it agree within Poisson noise.
            Assert.InRange(row.FlowVehPerHour, detector.FlowVehPerHour(k) * 0.85, detector.FlowVehPerHour(k) * 1.15);
            Assert.InRange(row.MeanSpeedKmh, 100, 125);
            Assert.Equal(1_000 / (row.MeanSpeedKmh / 3.6), row.TravelTimeS, 6);
            Assert.Equal(row.FlowVehPerHour / row.MeanSpeedKmh, row.DensityVehPerKm, 6);
        }
    }

    [Fact]
    public void Step_observers_run_after_every_step_and_can_change_the_simulation()
    {
        var corridor = Corridor.Uniform("o", "G60", 1, 0, 3_000, 2, 120);
        var sim = new Simulator(corridor, new OdMatrix([new OdFlow(OdFlow.Mainline, OdFlow.Mainline, 1_000)]));
        var observer = new ClosingObserver();
        sim.AddObserver(observer);
        sim.RunUntil(100);
        Assert.Equal(200, observer.Steps);
        Assert.False(sim.IsLaneOpen(2, 1_500));
        Assert.True(sim.IsLaneOpen(1, 1_500));
    }

    private sealed class ClosingObserver : IStepObserver
    {
        public int Steps { get; private set; }

        public void OnStep(Simulator simulator)
        {
            Steps++;
            if (Steps == 100)
            {
                simulator.CloseLane(2, 1_000, 2_000);
            }
        }
    }
}
