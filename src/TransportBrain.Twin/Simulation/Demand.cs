namespace TransportBrain.Twin.Simulation;

/// <summary>The share of each vehicle class in a flow; shares are normalised to sum to 1.</summary>
public sealed class ClassMix
{
    private readonly VehicleClass[] _classes;
    private readonly double[] _cumulative;

    public ClassMix(IReadOnlyList<(VehicleClass Class, double Share)> shares)
    {
        if (shares.Count == 0 || shares.Any(s => s.Share < 0) || shares.Sum(s => s.Share) <= 0)
        {
            throw new ArgumentException("a class mix needs at least one class and non-negative shares with a positive sum", nameof(shares));
        }
        Shares = shares;
        _classes = shares.Select(s => s.Class).ToArray();
        _cumulative = new double[shares.Count];
        var total = shares.Sum(s => s.Share);
        double acc = 0;
        for (var i = 0; i < shares.Count; i++)
        {
            acc += shares[i].Share / total;
            _cumulative[i] = acc;
        }
        _cumulative[^1] = 1.0;
    }

    public IReadOnlyList<(VehicleClass Class, double Share)> Shares { get; }

    /// <summary>The class for a uniform draw u in [0, 1).</summary>
    public VehicleClass Pick(double u)
    {
        for (var i = 0; i < _cumulative.Length; i++)
        {
            if (u < _cumulative[i])
            {
                return _classes[i];
            }
        }
        return _classes[^1];
    }

    public static ClassMix CarsOnly { get; } = new([(VehicleClasses.Car, 1.0)]);

    /// <summary>
    /// A typical mix on a provincial expressway section by JT/T 489 class (about 75% passenger cars, 3% coaches,
    /// 22% trucks); replace it with the gantry class shares of the section being simulated when known.
    /// </summary>
    public static ClassMix TypicalExpressway { get; } = new([
        (VehicleClasses.Car, 0.75), (VehicleClasses.Coach, 0.03), (VehicleClasses.LightTruck, 0.06),
        (VehicleClasses.MediumTruck, 0.04), (VehicleClasses.HeavyTruck, 0.05), (VehicleClasses.ArticulatedTruck, 0.07)]);
}

/// <summary>
/// A demand factor by time of day in China Standard Time (UTC+8), piecewise linear between points and repeating
/// every day. Factor 1 means the OD flow's nominal rate.
/// </summary>
public sealed class TimeOfDayProfile
{
    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);
    private readonly double[] _secondsOfDay;
    private readonly double[] _factors;

    public TimeOfDayProfile(IReadOnlyList<(TimeSpan TimeOfDay, double Factor)> points)
    {
        if (points.Count == 0 || points.Any(p => p.Factor < 0 || p.TimeOfDay < TimeSpan.Zero || p.TimeOfDay >= TimeSpan.FromDays(1)))
        {
            throw new ArgumentException("a profile needs at least one point, times of day in [00:00, 24:00) and non-negative factors", nameof(points));
        }
        var sorted = points.OrderBy(p => p.TimeOfDay).ToArray();
        _secondsOfDay = sorted.Select(p => p.TimeOfDay.TotalSeconds).ToArray();
        _factors = sorted.Select(p => p.Factor).ToArray();
        MaxFactor = _factors.Max();
    }

    public double MaxFactor { get; }

    /// <summary>The factor at an instant (converted to China Standard Time).</summary>
    public double FactorAt(DateTimeOffset instant)
    {
        var local = instant.ToOffset(ChinaStandardTime);
        var s = local.TimeOfDay.TotalSeconds;
        var n = _secondsOfDay.Length;
        if (n == 1)
        {
            return _factors[0];
        }
        // Find the last point at or before s, wrapping around midnight.
        var i = Array.BinarySearch(_secondsOfDay, s);
        if (i < 0)
        {
            i = ~i - 1;
        }
        int a, b;
        double sa, sb;
        if (i < 0)
        {
            a = n - 1;
            b = 0;
            sa = _secondsOfDay[a] - 86400;
            sb = _secondsOfDay[0];
        }
        else
        {
            a = i;
            b = (i + 1) % n;
            sa = _secondsOfDay[a];
            sb = b == 0 ? _secondsOfDay[0] + 86400 : _secondsOfDay[b];
        }
        var w = sb > sa ? (s - sa) / (sb - sa) : 0;
        return _factors[a] + (w * (_factors[b] - _factors[a]));
    }

    public static TimeOfDayProfile Flat { get; } = new([(TimeSpan.Zero, 1.0)]);

    /// <summary>
    /// A working-day profile of an intercity expressway: low at night, a morning rise from 07:00, a broad
    /// daytime plateau and an evening peak around 17:30; the daily mean factor is about 0.7.
    /// </summary>
    public static TimeOfDayProfile IntercityWorkday { get; } = Hourly([
        0.25, 0.18, 0.15, 0.14, 0.18, 0.30, 0.55, 0.85, 1.00, 0.95, 0.90, 0.88,
        0.85, 0.88, 0.92, 0.95, 1.00, 1.05, 0.95, 0.80, 0.65, 0.52, 0.40, 0.32]);

    /// <summary>A profile from 24 hourly factors (the value holds at the middle of each hour, linear in between).</summary>
    public static TimeOfDayProfile Hourly(IReadOnlyList<double> factors)
    {
        if (factors.Count != 24)
        {
            throw new ArgumentException("24 hourly factors expected", nameof(factors));
        }
        return new TimeOfDayProfile(factors.Select((f, h) => (TimeSpan.FromMinutes((h * 60) + 30), f)).ToArray());
    }
}

/// <summary>
/// One origin-destination flow. Origins are <see cref="Mainline"/> (the corridor's upstream end) or an on-ramp
/// name; destinations are <see cref="Mainline"/> (the downstream end) or an off-ramp name.
/// </summary>
public sealed record OdFlow(string Origin, string Destination, double VehPerHour, ClassMix? Mix = null, TimeOfDayProfile? Profile = null)
{
    public const string Mainline = "mainline";
}

/// <summary>The OD matrix of a scenario: flows, and the class mix and profile used when a flow names none.</summary>
public sealed record OdMatrix(IReadOnlyList<OdFlow> Flows)
{
    public ClassMix DefaultMix { get; init; } = ClassMix.TypicalExpressway;

    public TimeOfDayProfile DefaultProfile { get; init; } = TimeOfDayProfile.Flat;
}

/// <summary>A small, fast, seedable generator (xoshiro256**, seeded by SplitMix64) so runs are reproducible across .NET versions.</summary>
public struct DeterministicRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public DeterministicRandom(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    public ulong NextULong()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Exponentially distributed with mean 1.</summary>
    public double NextExponential() => -Math.Log(1.0 - NextDouble());

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
