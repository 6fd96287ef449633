namespace TransportBrain.Twin.Simulation;

/// <summary>Run settings of a <see cref="Simulator"/>. Every value has a unit in its name; defaults are documented in docs/twin.md.</summary>
public sealed record SimulationOptions
{
    /// <summary>Time step, seconds (ballistic update; 0.5 s is what Treiber &amp; Kesting use for IDM at highway speeds).</summary>
    public double StepS { get; init; } = 0.5;

    /// <summary>Seed of every random draw (arrivals, classes, desired speeds): equal seeds give identical runs.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The instant simulated time 0 stands for; demand profiles are read at this instant plus the simulated time.</summary>
    public DateTimeOffset StartTime { get; init; } = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Physical braking limit applied to every IDM acceleration, m/s².</summary>
    public double MaxDecelerationMs2 { get; init; } = 9;

    /// <summary>Distance before the end of a lane (ramp lane end, lane drop, closure) over which drivers are pushed to leave it, m.</summary>
    public double MandatoryLookaheadM { get; init; } = 800;

    /// <summary>MOBIL bias (m/s²) towards leaving an ending lane, reached at the lane's end, growing linearly over the lookahead.</summary>
    public double MandatoryBiasMs2 { get; init; } = 3.0;

    /// <summary>Distance before their off-ramp over which exiting drivers are pushed to the right, m.</summary>
    public double ExitPreparationM { get; init; } = 2500;

    /// <summary>
    /// MOBIL bias (m/s²) to the right for exiting drivers entering the preparation distance, growing linearly to three
    /// times this at the diverge (exiting drivers no longer change to the left).
    /// </summary>
    public double ExitBiasMs2 { get; init; } = 2.0;

    /// <summary>Shortest time between two lane changes of one vehicle, s.</summary>
    public double LaneChangeCooldownS { get; init; } = 3;

    /// <summary>Beyond this distance a standing obstacle (lane end, closure) is not evaluated, m.</summary>
    public double ObstacleRangeM { get; init; } = 1500;

    public void Validate()
    {
        if (StepS is <= 0 or > 2 || MaxDecelerationMs2 <= 0 || MandatoryLookaheadM <= 0 || ExitPreparationM <= 0 || ObstacleRangeM <= 0 || LaneChangeCooldownS < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StepS), "simulation options out of range: the step must be in (0, 2] s and the distances positive");
        }
    }
}

/// <summary>Counters of a run so far.</summary>
public readonly record struct SimulationStatistics(
    double TimeS,
    long Steps,
    long VehicleSteps,
    int Generated,
    int Entered,
    int ExitedMainline,
    int ExitedRamps,
    int InNetwork,
    int Queued,
    int MissedExits,
    long LaneChanges,
    long EmergencyStops)
{
    public int Exited => ExitedMainline + ExitedRamps;
}

/// <summary>One vehicle's state, for tests, exports and the console.</summary>
public readonly record struct VehicleSnapshot(int Id, int Lane, double PositionM, double SpeedMs, double AccelerationMs2, VehicleClass VehicleClass, string Destination);
