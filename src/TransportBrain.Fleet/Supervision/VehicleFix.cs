namespace TransportBrain.Fleet.Supervision;

/// <summary>Supervised vehicle categories (两客一危 and heavy trucks); rule settings are chosen by category.</summary>
public enum VehicleCategory
{
    Unknown,

    /// <summary>班线客车 (scheduled coach).</summary>
    Coach,

    /// <summary>包车/旅游客车 (charter or tourist coach).</summary>
    Charter,

    /// <summary>危险货物运输车 (dangerous-goods vehicle).</summary>
    DangerousGoods,

    /// <summary>重型货车/牵引车 (heavy truck or tractor).</summary>
    HeavyTruck,
}

/// <summary>
/// One stored position as the JT/T 808 gateway hands it to the supervision engine.
/// </summary>
/// <param name="Time">GNSS time of the fix (UTC; any offset is normalised).</param>
/// <param name="DeviceAlarmFlags">The 0x0200 alarm DWORD exactly as the terminal sent it.</param>
/// <param name="Located">Status bit 1 (定位): without it the coordinates are stale or zero and position rules skip the fix.</param>
public sealed record VehicleFix(
    string TerminalId,
    string? Plate,
    VehicleCategory Category,
    DateTimeOffset Time,
    double Latitude,
    double Longitude,
    double SpeedKmh,
    int HeadingDeg,
    uint DeviceAlarmFlags,
    bool AccOn,
    bool Located);
