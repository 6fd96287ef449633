using TransportBrain.Twin.Simulation;

namespace TransportBrain.Twin.Validation;

/// <summary>Settings of the fundamental-diagram validation run.</summary>
public sealed record FundamentalDiagramOptions
{
    /// <summary>First seed; runs use Seed, Seed+1, ... (breakdown at a merge is random, so one run says little).</summary>
    public ulong Seed { get; init; } = 1;

    public int Runs { get; init; } = 5;

    public double StepS { get; init; } = 0.5;

    /// <summary>Vehicle mix; passenger cars only by default, so veh/h equals pcu/h and the capacity compares with JTG B01.</summary>
    public ClassMix Mix { get; init; } = ClassMix.CarsOnly;

    /// <summary>Main-line demand at the end of the ramp-up (reached after <see cref="RampUpS"/>), veh/h over three lanes.</summary>
    public double PeakMainlineVehPerHour { get; init; } = 6_300;

    /// <summary>Main-line demand at the start, veh/h.</summary>
    public double StartMainlineVehPerHour { get; init; } = 2_400;

    public double RampUpS { get; init; } = 3_000;

    /// <summary>On-ramp demand, constant, veh/h.</summary>
    public double OnRampVehPerHour { get; init; } = 700;

    public double DurationS { get; init; } = 5_400;

    /// <summary>Edie aggregation interval of the scatter points, s.</summary>
    public double IntervalS { get; init; } = 60;
}

/// <summary>One Edie cell: a 500 m stretch of the three-lane section over one interval.</summary>
public readonly record struct FundamentalDiagramPoint(double TimeS, double FromM, double DensityVehPerKmPerLane, double FlowVehPerHourPerLane, double SpeedKmh, bool AfterBreakdown);

/// <summary>What one validation run found.</summary>
/// <param name="CapacityVehPerHourPerLane">Largest 5-minute flow per lane downstream of the merge before breakdown.</param>
/// <param name="BreakdownTimeS">First minute the speed just upstream of the merge fell below 50 km/h (null: no breakdown).</param>
/// <param name="DischargeVehPerHourPerLane">Mean flow per lane downstream of the merge from 5 minutes after breakdown to the end.</param>
public sealed record FundamentalDiagramRun(
    ulong Seed,
    IReadOnlyList<FundamentalDiagramPoint> Points,
    double CapacityVehPerHourPerLane,
    double? BreakdownTimeS,
    double? DischargeVehPerHourPerLane,
    long VehicleSteps);

/// <summary>
/// The runs together: capacity is the largest pre-breakdown 5-minute flow of any run, discharge the mean queue
/// discharge rate of the runs that broke down.
/// </summary>
public sealed record FundamentalDiagramResult(IReadOnlyList<FundamentalDiagramRun> Runs, FundamentalDiagramOptions Options)
{
    public IEnumerable<FundamentalDiagramPoint> Points => Runs.SelectMany(r => r.Points);

    public double CapacityVehPerHourPerLane => Runs.Max(r => r.CapacityVehPerHourPerLane);

    public int Breakdowns => Runs.Count(r => r.BreakdownTimeS is not null);

    public double? DischargeVehPerHourPerLane => Breakdowns == 0 ? null : Runs.Where(r => r.DischargeVehPerHourPerLane is not null).Average(r => r.DischargeVehPerHourPerLane!.Value);

    public long VehicleSteps => Runs.Sum(r => r.VehicleSteps);

    /// <summary>(capacity - discharge) / capacity, percent; 0 without a breakdown.</summary>
    public double CapacityDropPercent => DischargeVehPerHourPerLane is { } d ? 100 * (CapacityVehPerHourPerLane - d) / CapacityVehPerHourPerLane : 0;
}

/// <summary>
/// Validation of the car-following and lane-changing models as a whole: a three-lane section (8 km, 120 km/h) with an
/// on-ramp at 5 km (300 m acceleration lane) is loaded with a main-line demand rising past capacity. Edie's flow and
/// density per 500 m stretch and minute upstream of the merge give the fundamental diagram; a detector 1 km downstream
/// of the merge measures the capacity before breakdown and the queue discharge rate after it (the capacity drop).
/// </summary>
public static class FundamentalDiagram
{
    public const double MergeM = 5_000;
    public const double DownstreamDetectorM = 6_000;
    private const int Lanes = 3;

    public static Corridor Section() => Corridor.Uniform("FD section", "G60", 1, 100_000, 8_000, Lanes, 120,
        onRamps: [new OnRamp("merge", MergeM, 300)]);

    public static FundamentalDiagramResult Run(FundamentalDiagramOptions? options = null)
    {
        var o = options ?? new FundamentalDiagramOptions();
        var runs = new List<FundamentalDiagramRun>();
        for (var i = 0; i < o.Runs; i++)
        {
            runs.Add(RunOne(o, o.Seed + (ulong)i));
        }
        return new FundamentalDiagramResult(runs, o);
    }

    private static FundamentalDiagramRun RunOne(FundamentalDiagramOptions o, ulong seed)
    {
        var start = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.FromHours(8));
        var rampUpEnd = TimeSpan.FromSeconds(o.RampUpS);
        var profile = new TimeOfDayProfile([
            (TimeSpan.Zero, o.StartMainlineVehPerHour / o.PeakMainlineVehPerHour),
            (rampUpEnd, 1.0),
            (rampUpEnd + TimeSpan.FromSeconds(Math.Max(60, o.DurationS - o.RampUpS)), 1.0)]);
        var demand = new OdMatrix([
            new OdFlow(OdFlow.Mainline, OdFlow.Mainline, o.PeakMainlineVehPerHour, Profile: profile),
            new OdFlow("merge", OdFlow.Mainline, o.OnRampVehPerHour),
        ]) { DefaultMix = o.Mix };
        var sim = new Simulator(Section(), demand, new SimulationOptions { Seed = seed, StepS = o.StepS, StartTime = start });

        // Stretches 2.5-5.0 km (upstream of the merge) for the diagram; 4.5-5.0 km also detects the breakdown.
        var truth = new GroundTruthRecorder([2_500, 3_000, 3_500, 4_000, 4_500, 5_000], o.IntervalS);
        sim.AttachGroundTruth(truth);
        var downstream = new VirtualDetector(DownstreamDetectorM, Lanes, o.IntervalS);
        sim.AddSensor(downstream);
        sim.RunUntil(o.DurationS);

        double? breakdown = null;
        foreach (var row in truth.Rows)
        {
            if (row.FromM == 4_500 && row.MeanSpeedKmh < 50 && row.IntervalStartS > 600)
            {
                breakdown = row.IntervalStartS;
                break;
            }
        }

        var minutes = (int)(o.DurationS / o.IntervalS);
        var perWindow = (int)Math.Round(300 / o.IntervalS);
        var capacity = 0.0;
        var lastWindowEnd = breakdown is { } b ? (int)(b / o.IntervalS) : minutes;
        for (var end = perWindow; end <= lastWindowEnd; end++)
        {
            var n = 0;
            for (var k = end - perWindow; k < end; k++)
            {
                n += downstream.Count(k);
            }
            capacity = Math.Max(capacity, n * 3600.0 / (perWindow * o.IntervalS) / Lanes);
        }

        double? discharge = null;
        if (breakdown is { } bt)
        {
            var from = (int)((bt + 300) / o.IntervalS);
            var n = 0;
            var count = 0;
            for (var k = from; k < minutes; k++)
            {
                n += downstream.Count(k);
                count++;
            }
            if (count > 0)
            {
                discharge = n * 3600.0 / (count * o.IntervalS) / Lanes;
            }
        }

        var points = truth.Rows
            .Where(r => r.DensityVehPerKm > 0)
            .Select(r => new FundamentalDiagramPoint(r.IntervalStartS, r.FromM, r.DensityVehPerKm / Lanes, r.FlowVehPerHour / Lanes,
                r.MeanSpeedKmh, breakdown is { } t && r.IntervalStartS >= t))
            .ToArray();
        return new FundamentalDiagramRun(seed, points, capacity, breakdown, discharge, sim.Statistics.VehicleSteps);
    }

    /// <summary>The diagram as an SVG document: flow per lane against density per lane, capacity and discharge lines.</summary>
    public static string ToSvg(FundamentalDiagramResult result)
    {
        var plot = new SvgScatterPlot(
            FormattableString.Invariant($"Fundamental diagram, simulated 3-lane section (IDM + MOBIL, {result.Runs.Count} runs, 1-min Edie cells)"),
            "density (veh/km/lane)", "flow (veh/h/lane)", 0, 100, 0, 2_600);
        plot.Series("before breakdown", "#1f77b4", result.Points.Where(p => !p.AfterBreakdown).Select(p => (p.DensityVehPerKmPerLane, p.FlowVehPerHourPerLane)));
        plot.Series("after breakdown (runs that broke down)", "#d62728", result.Points.Where(p => p.AfterBreakdown).Select(p => (p.DensityVehPerKmPerLane, p.FlowVehPerHourPerLane)));
        plot.HorizontalLine(result.CapacityVehPerHourPerLane, "#2ca02c", FormattableString.Invariant($"capacity {result.CapacityVehPerHourPerLane:0} veh/h/lane (5-min, pre-breakdown)"));
        if (result.DischargeVehPerHourPerLane is { } d)
        {
            plot.HorizontalLine(d, "#ff7f0e", FormattableString.Invariant($"discharge {d:0} veh/h/lane (drop {result.CapacityDropPercent:0.0}%)"));
        }
        plot.Band(1_800, 2_400, "#cccccc", "plausible capacity 1,800-2,400");
        return plot.Render();
    }
}
