using TransportBrain.Twin.Simulation;

namespace TransportBrain.Twin.Experiments;

/// <summary>
/// The reference scenarios used by the tests, the benchmarks, the validation and the control experiments, so that
/// every figure in docs/twin.md and docs/benchmarks.md is reproducible from one definition.
/// </summary>
public static class Scenarios
{
    public const string Route = "G60";

    /// <summary>Stake of the corridor's upstream end: K100+000, direction 1 (上行).</summary>
    public const double FromStakeM = 100_000;

    /// <summary>
    /// The benchmark corridor: 10 km of a three-lane carriageway (120 km/h; 100 km/h on the rightmost lane) with
    /// two interchanges, each an off-ramp (200 m deceleration lane) followed by an on-ramp (250 m acceleration lane).
    /// </summary>
    public static Corridor ThreeLaneWithRamps()
    {
        var uniform = Corridor.Uniform("G60 K100-K110 上行", Route, 1, FromStakeM, 10_000, 3, 120, linkLengthM: 1000);
        return new Corridor(uniform.Name, uniform.Links.Select(l => l with { LaneSpeedLimitsKmh = [100, 120, 120] }).ToArray(),
            onRamps: [new OnRamp("A-on", 3_000, 250), new OnRamp("B-on", 7_000, 250)],
            offRamps: [new OffRamp("A-off", 2_600, 200), new OffRamp("B-off", 6_600, 200)]);
    }

    /// <summary>
    /// Demand of the benchmark corridor: 3,600 veh/h on the main line, 450 veh/h on each on-ramp, 350-450 veh/h
    /// leaving at each off-ramp, the typical class mix: at most 3,700 veh/h (1,230 veh/h/lane with 22% trucks) on any
    /// cross-section, busy but below capacity, so the run stays in free flow with steady lane changing.
    /// </summary>
    public static OdMatrix ThreeLaneWithRampsDemand(double scale = 1.0) => new([
        new OdFlow(OdFlow.Mainline, OdFlow.Mainline, 2_900 * scale),
        new OdFlow(OdFlow.Mainline, "A-off", 350 * scale),
        new OdFlow(OdFlow.Mainline, "B-off", 350 * scale),
        new OdFlow("A-on", OdFlow.Mainline, 350 * scale),
        new OdFlow("A-on", "B-off", 100 * scale),
        new OdFlow("B-on", OdFlow.Mainline, 450 * scale),
    ]);
}
