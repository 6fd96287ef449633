namespace TransportBrain.Twin.Simulation;

/// <summary>
/// A vehicle class of the microsimulation: the Intelligent Driver Model (IDM) and MOBIL parameters of its drivers,
/// and the JT/T 489-2019 toll class it is charged as (1-4 passenger, 11-16 truck) so that simulated gantries can
/// emit transactions with a realistic class. Sources for every default are in docs/twin.md.
/// </summary>
public sealed record VehicleClass
{
    /// <summary>Short name, e.g. "car".</summary>
    public required string Name { get; init; }

    /// <summary>JT/T 489-2019 toll vehicle class (1 = 客1 ... 4 = 客4, 11 = 货1 ... 16 = 货6).</summary>
    public required int TollClass { get; init; }

    /// <summary>Vehicle length, metres.</summary>
    public required double LengthM { get; init; }

    /// <summary>IDM v0: the speed the driver wants on an open road without a lower limit, km/h.</summary>
    public required double DesiredSpeedKmh { get; init; }

    /// <summary>Drivers' desired speeds are spread uniformly over ±this fraction of the desired speed (and of posted limits).</summary>
    public double DesiredSpeedSpread { get; init; } = 0.1;

    /// <summary>IDM T: desired time headway, seconds.</summary>
    public required double TimeHeadwayS { get; init; }

    /// <summary>IDM s0: minimum gap at standstill, metres.</summary>
    public required double MinGapM { get; init; }

    /// <summary>IDM a: maximum acceleration, m/s².</summary>
    public required double MaxAccelerationMs2 { get; init; }

    /// <summary>IDM b: comfortable deceleration, m/s².</summary>
    public required double ComfortableDecelerationMs2 { get; init; }

    /// <summary>MOBIL p: weight given to the other drivers' acceleration change (0 = selfish, 1 = altruistic).</summary>
    public double Politeness { get; init; } = 0.2;

    /// <summary>MOBIL Δa_th: the advantage (m/s²) a lane change must bring.</summary>
    public double ChangeThresholdMs2 { get; init; } = 0.1;

    /// <summary>MOBIL b_safe: the largest deceleration (m/s²) a change may impose on the new follower.</summary>
    public double SafeDecelerationMs2 { get; init; } = 4.0;

    /// <summary>MOBIL Δa_bias: keep-right bias (m/s²); China's 道路交通安全法 keeps slow traffic right.</summary>
    public double KeepRightBiasMs2 { get; init; } = 0.3;

    /// <summary>
    /// False for heavy vehicles that may not use the leftmost lane on roads with three or more lanes per direction
    /// (the common 客货分道 rule of provincial expressway regulations).
    /// </summary>
    public bool MayUseLeftmostLane { get; init; } = true;

    /// <summary>Checks the values are in physically sensible ranges; throws with the offending parameter.</summary>
    public void Validate()
    {
        Require(LengthM is > 1 and < 30, nameof(LengthM));
        Require(DesiredSpeedKmh is > 5 and <= 200, nameof(DesiredSpeedKmh));
        Require(DesiredSpeedSpread is >= 0 and < 0.5, nameof(DesiredSpeedSpread));
        Require(TimeHeadwayS is > 0.3 and < 5, nameof(TimeHeadwayS));
        Require(MinGapM is > 0.5 and < 10, nameof(MinGapM));
        Require(MaxAccelerationMs2 is > 0.1 and < 5, nameof(MaxAccelerationMs2));
        Require(ComfortableDecelerationMs2 is > 0.1 and < 8, nameof(ComfortableDecelerationMs2));
        Require(Politeness is >= 0 and <= 1, nameof(Politeness));
        Require(ChangeThresholdMs2 is >= 0 and < 2, nameof(ChangeThresholdMs2));
        Require(SafeDecelerationMs2 is > 0.5 and <= 9, nameof(SafeDecelerationMs2));
        Require(KeepRightBiasMs2 is >= 0 and < 2, nameof(KeepRightBiasMs2));

        void Require(bool ok, string parameter)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(parameter, $"vehicle class '{Name}': {parameter} is out of range");
            }
        }
    }
}

/// <summary>
/// The default vehicle classes. IDM values follow Treiber &amp; Kesting, <i>Traffic Flow Dynamics</i> (2013), table 11.2
/// (car: v0 120 km/h, T 1.0-1.5 s, s0 2 m, a 1.0, b 1.5; truck: v0 80-90 km/h, T 1.5-2.0 s, a 0.5-0.8, b 1.0-1.5);
/// desired speeds are capped at the legal maxima of 道路交通安全法实施条例 art. 78 (120 km/h; 100 km/h for
/// coaches and trucks); MOBIL values follow Kesting, Treiber &amp; Helbing (2007). Lengths are typical of the
/// JT/T 489-2019 classes (客1 ≤ 9 seats; 客4 ≥ 40 seats; 货1 two axles &lt; 6 m; 货2 two axles ≥ 6 m; 货3/货4 three and
/// four axles; 货5/货6 five and six axles, articulated).
/// </summary>
public static class VehicleClasses
{
    public static VehicleClass Car { get; } = new()
    {
        Name = "car", TollClass = 1, LengthM = 4.8, DesiredSpeedKmh = 120, TimeHeadwayS = 1.3, MinGapM = 2.0,
        MaxAccelerationMs2 = 1.2, ComfortableDecelerationMs2 = 1.5, Politeness = 0.2,
    };

    public static VehicleClass Coach { get; } = new()
    {
        Name = "coach", TollClass = 4, LengthM = 12.0, DesiredSpeedKmh = 100, TimeHeadwayS = 1.5, MinGapM = 2.5,
        MaxAccelerationMs2 = 0.8, ComfortableDecelerationMs2 = 1.5, Politeness = 0.3, DesiredSpeedSpread = 0.05,
        ChangeThresholdMs2 = 0.3, KeepRightBiasMs2 = 0.5,
    };

    public static VehicleClass LightTruck { get; } = new()
    {
        Name = "truck-light", TollClass = 11, LengthM = 5.9, DesiredSpeedKmh = 100, TimeHeadwayS = 1.5, MinGapM = 2.0,
        MaxAccelerationMs2 = 1.0, ComfortableDecelerationMs2 = 1.5, Politeness = 0.3, DesiredSpeedSpread = 0.08,
        ChangeThresholdMs2 = 0.3, KeepRightBiasMs2 = 0.5,
    };

    public static VehicleClass MediumTruck { get; } = new()
    {
        Name = "truck-medium", TollClass = 12, LengthM = 9.0, DesiredSpeedKmh = 90, TimeHeadwayS = 1.7, MinGapM = 2.5,
        MaxAccelerationMs2 = 0.7, ComfortableDecelerationMs2 = 1.2, Politeness = 0.4, DesiredSpeedSpread = 0.05,
        MayUseLeftmostLane = false,
        ChangeThresholdMs2 = 0.3, KeepRightBiasMs2 = 0.5,
    };

    public static VehicleClass HeavyTruck { get; } = new()
    {
        Name = "truck-heavy", TollClass = 14, LengthM = 12.0, DesiredSpeedKmh = 85, TimeHeadwayS = 1.8, MinGapM = 3.0,
        MaxAccelerationMs2 = 0.5, ComfortableDecelerationMs2 = 1.0, Politeness = 0.5, DesiredSpeedSpread = 0.05,
        MayUseLeftmostLane = false,
        ChangeThresholdMs2 = 0.3, KeepRightBiasMs2 = 0.5,
    };

    public static VehicleClass ArticulatedTruck { get; } = new()
    {
        Name = "truck-articulated", TollClass = 16, LengthM = 16.5, DesiredSpeedKmh = 80, TimeHeadwayS = 2.0, MinGapM = 3.0,
        MaxAccelerationMs2 = 0.4, ComfortableDecelerationMs2 = 1.0, Politeness = 0.5, DesiredSpeedSpread = 0.05,
        MayUseLeftmostLane = false,
        ChangeThresholdMs2 = 0.3, KeepRightBiasMs2 = 0.5,
    };

    /// <summary>All defaults, in a fixed order (the order is the class index used in a <see cref="ClassMix"/>).</summary>
    public static IReadOnlyList<VehicleClass> All { get; } = [Car, Coach, LightTruck, MediumTruck, HeavyTruck, ArticulatedTruck];
}
