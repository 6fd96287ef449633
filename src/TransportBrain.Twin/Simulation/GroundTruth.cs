namespace TransportBrain.Twin.Simulation;

/// <summary>
/// Ground truth of one stretch over one interval, by Edie's generalised definitions over the time-space rectangle
/// (stretch length × interval): flow = distance travelled / area, density = time spent / area, space-mean
/// speed = flow / density. The travel time is the stretch length over the space-mean speed.
/// </summary>
public readonly record struct StretchInterval(
    int Stretch,
    double FromM,
    double ToM,
    double IntervalStartS,
    double IntervalS,
    double FlowVehPerHour,
    double DensityVehPerKm,
    double MeanSpeedKmh,
    double TravelTimeS);

/// <summary>
/// Aggregates the simulated truth per stretch and interval: what the platform's sensors will be compared against.
/// Attach it with <see cref="Simulator.AttachGroundTruth"/>; rows appear in <see cref="Rows"/> as intervals end.
/// </summary>
public sealed class GroundTruthRecorder
{
    private readonly double[] _bounds;
    private readonly double[] _distanceM;
    private readonly double[] _timeS;
    private readonly List<StretchInterval> _rows = [];
    private double _intervalStartS;

    /// <param name="boundariesM">Ascending cross-sections; stretch i runs from boundary i to boundary i+1.</param>
    /// <param name="intervalS">Aggregation interval, seconds.</param>
    public GroundTruthRecorder(IReadOnlyList<double> boundariesM, double intervalS = 300)
    {
        if (boundariesM.Count < 2 || intervalS <= 0)
        {
            throw new ArgumentException("at least two boundaries and a positive interval are needed", nameof(boundariesM));
        }
        for (var i = 1; i < boundariesM.Count; i++)
        {
            if (boundariesM[i] <= boundariesM[i - 1])
            {
                throw new ArgumentException("boundaries must be strictly ascending", nameof(boundariesM));
            }
        }
        _bounds = boundariesM.ToArray();
        _distanceM = new double[_bounds.Length - 1];
        _timeS = new double[_bounds.Length - 1];
        IntervalS = intervalS;
    }

    public double IntervalS { get; }

    public int Stretches => _distanceM.Length;

    public IReadOnlyList<StretchInterval> Rows => _rows;

    /// <summary>One vehicle spent dt in the step that ended at xNew after travelling dx.</summary>
    internal void Add(double xNew, double dx, double dt)
    {
        if (xNew < _bounds[0] || xNew >= _bounds[^1])
        {
            return;
        }
        var i = Array.BinarySearch(_bounds, xNew);
        if (i < 0)
        {
            i = ~i - 1;
        }
        _distanceM[i] += dx;
        _timeS[i] += dt;
    }

    /// <summary>Called by the simulator after each step; closes the interval when it is over.</summary>
    internal void EndStep(double timeS)
    {
        if (timeS + 1e-9 < _intervalStartS + IntervalS)
        {
            return;
        }
        for (var i = 0; i < _distanceM.Length; i++)
        {
            var lengthM = _bounds[i + 1] - _bounds[i];
            var area = lengthM * IntervalS;
            var flow = _distanceM[i] / area;
            var density = _timeS[i] / area;
            var speed = density > 0 ? flow / density : double.NaN;
            _rows.Add(new StretchInterval(i, _bounds[i], _bounds[i + 1], _intervalStartS, IntervalS,
                flow * 3600, density * 1000, speed * 3.6, speed > 0 ? lengthM / speed : double.NaN));
            _distanceM[i] = 0;
            _timeS[i] = 0;
        }
        _intervalStartS += IntervalS;
    }
}
