namespace TransportBrain.Twin.Simulation;

/// <summary>
/// An incident: mainline lanes blocked from <see cref="PositionM"/> over <see cref="LengthM"/> for a while.
/// Vehicles already inside the blocked stretch when it starts drive out of it; the others stop at its start
/// or change lanes before it.
/// </summary>
public sealed record Incident(double PositionM, IReadOnlyList<int> Lanes, double StartS, double DurationS, double LengthM = 50)
{
    public double EndS => StartS + DurationS;

    /// <summary>An incident located by route stake (K123+400 = 123,400 m).</summary>
    public static Incident AtStake(Corridor corridor, string routeCode, double stakeM, IReadOnlyList<int> lanes, double startS, double durationS, double lengthM = 50) =>
        new(corridor.PositionAt(routeCode, stakeM), lanes, startS, durationS, lengthM);
}

/// <summary>A lane closure set while running (the cloud-control hook); <see cref="Simulator.ReopenLane"/> removes it.</summary>
public readonly record struct LaneClosure(int Id, int Lane, double FromM, double ToM);

/// <summary>A variable speed limit set while running; null limit entries are not stored (a clear removes them).</summary>
public readonly record struct SpeedLimitOverride(int Id, int Lane, double FromM, double ToM, double LimitKmh);
