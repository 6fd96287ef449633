namespace TransportBrain.Twin.Simulation;

/// <summary>A vehicle's front crossing a cross-section of the corridor.</summary>
/// <param name="PositionM">The cross-section, metres from the corridor's upstream end.</param>
/// <param name="VehicleId">Stable id of the vehicle for the whole run (dense, from 0, in order of generation).</param>
/// <param name="VehicleClass">The vehicle's class (its JT/T 489 toll class is <c>VehicleClass.TollClass</c>).</param>
/// <param name="Lane">0 = ramp lane, 1 = rightmost mainline lane.</param>
/// <param name="TimeS">Simulated seconds since the start, interpolated inside the step.</param>
/// <param name="SpeedMs">Speed at the crossing, m/s.</param>
public readonly record struct VehicleCrossing(double PositionM, int VehicleId, VehicleClass VehicleClass, int Lane, double TimeS, double SpeedMs);

/// <summary>
/// Something placed at a cross-section that is told of every vehicle crossing it: detectors, gantries, cameras.
/// Callbacks run on the simulation thread inside the step, so they must be quick and must not change the simulation.
/// </summary>
public abstract class CrossingSensor(double positionM)
{
    public double PositionM { get; } = positionM;

    public abstract void OnCrossing(in VehicleCrossing crossing);
}

/// <summary>
/// Called after every simulation step, on the simulation thread. Control strategies use it to read their detectors
/// and set speed limits or lane closures, which take effect from the next step.
/// </summary>
public interface IStepObserver
{
    void OnStep(Simulator simulator);
}

/// <summary>
/// A loop-detector-like counter at one cross-section: vehicles and the sum of their speeds per lane and interval,
/// so flow (veh/h) and time-mean speed can be read per interval.
/// </summary>
public sealed class VirtualDetector : CrossingSensor
{
    private readonly double _intervalS;
    private readonly List<int[]> _counts = [];
    private readonly List<double[]> _speedSums = [];
    private readonly int _lanes;

    public VirtualDetector(double positionM, int lanes, double intervalS = 60) : base(positionM)
    {
        if (intervalS <= 0 || lanes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(intervalS), "the interval must be positive and there must be at least one lane");
        }
        _intervalS = intervalS;
        _lanes = lanes + 1;
    }

    public double IntervalS => _intervalS;

    public long Total { get; private set; }

    /// <summary>Completed or started intervals so far.</summary>
    public int Intervals => _counts.Count;

    public override void OnCrossing(in VehicleCrossing crossing)
    {
        var k = (int)(crossing.TimeS / _intervalS);
        while (_counts.Count <= k)
        {
            _counts.Add(new int[_lanes]);
            _speedSums.Add(new double[_lanes]);
        }
        var lane = Math.Clamp(crossing.Lane, 0, _lanes - 1);
        _counts[k][lane]++;
        _speedSums[k][lane] += crossing.SpeedMs;
        Total++;
    }

    /// <summary>Vehicles in interval k, all lanes.</summary>
    public int Count(int interval) => interval < _counts.Count ? _counts[interval].Sum() : 0;

    /// <summary>Vehicles in interval k in one lane.</summary>
    public int Count(int interval, int lane) => interval < _counts.Count ? _counts[interval][lane] : 0;

    /// <summary>Flow in interval k, vehicles per hour (all lanes).</summary>
    public double FlowVehPerHour(int interval) => Count(interval) * 3600.0 / _intervalS;

    /// <summary>Time-mean speed in interval k, km/h, or NaN with no vehicle.</summary>
    public double MeanSpeedKmh(int interval)
    {
        var n = Count(interval);
        return n == 0 ? double.NaN : _speedSums[interval].Sum() / n * 3.6;
    }
}
