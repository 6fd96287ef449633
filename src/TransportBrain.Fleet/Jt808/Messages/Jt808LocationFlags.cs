namespace TransportBrain.Fleet.Jt808;

/// <summary>Alarm word of the location report (报警标志, JT/T 808-2013 table 24; 2019 keeps the bits).</summary>
[Flags]
public enum Jt808AlarmFlags : uint
{
    None = 0,

    /// <summary>Emergency button pressed (紧急报警).</summary>
    Emergency = 1u << 0,
    Overspeed = 1u << 1,
    FatigueDriving = 1u << 2,

    /// <summary>危险预警 (2013); 危险驾驶行为报警 (2019).</summary>
    DangerWarning = 1u << 3,
    GnssModuleFault = 1u << 4,
    GnssAntennaDisconnected = 1u << 5,
    GnssAntennaShortCircuit = 1u << 6,
    MainPowerUndervoltage = 1u << 7,
    MainPowerOff = 1u << 8,
    DisplayFault = 1u << 9,
    TtsModuleFault = 1u << 10,
    CameraFault = 1u << 11,

    /// <summary>Road transport certificate IC card module fault (2013).</summary>
    IcCardModuleFault = 1u << 12,
    OverspeedWarning = 1u << 13,
    FatigueDrivingWarning = 1u << 14,

    /// <summary>Bits 15-17 are reserved by the standard; some vendors use them (tamper, removal).</summary>
    Reserved15 = 1u << 15,
    Reserved16 = 1u << 16,
    Reserved17 = 1u << 17,

    /// <summary>Driving time for the day exceeded (当天累计驾驶超时).</summary>
    DailyDrivingTimeExceeded = 1u << 18,
    OvertimeParking = 1u << 19,

    /// <summary>Entered or left an area; the platform clears it by replying.</summary>
    AreaEntryExit = 1u << 20,
    RouteEntryExit = 1u << 21,

    /// <summary>Section driving time too short or too long (路段行驶时间不足/过长).</summary>
    SectionDrivingTimeAbnormal = 1u << 22,
    RouteDeviation = 1u << 23,
    VssFault = 1u << 24,
    FuelAbnormal = 1u << 25,
    VehicleStolen = 1u << 26,
    IllegalIgnition = 1u << 27,
    IllegalDisplacement = 1u << 28,

    /// <summary>碰撞预警 (2013); 碰撞侧翻报警 (2011).</summary>
    CollisionWarning = 1u << 29,
    RolloverWarning = 1u << 30,
    IllegalDoorOpening = 1u << 31,
}

/// <summary>Status word of the location report (状态位, JT/T 808-2013 table 25).</summary>
[Flags]
public enum Jt808StatusFlags : uint
{
    None = 0,
    AccOn = 1u << 0,

    /// <summary>The position is a fix (定位); without it latitude/longitude are the last known or zero.</summary>
    Positioned = 1u << 1,
    SouthLatitude = 1u << 2,
    WestLongitude = 1u << 3,
    OutOfService = 1u << 4,

    /// <summary>Latitude/longitude scrambled by a confidentiality plug-in: not usable as WGS-84.</summary>
    CoordinatesEncrypted = 1u << 5,

    /// <summary>Bits 8-9 hold <see cref="Jt808LoadState"/>.</summary>
    LoadStateLow = 1u << 8,
    LoadStateHigh = 1u << 9,
    OilCircuitCut = 1u << 10,
    ElectricCircuitCut = 1u << 11,
    DoorsLocked = 1u << 12,

    /// <summary>Door 1, the front door by default.</summary>
    Door1Open = 1u << 13,

    /// <summary>Door 2, the middle door by default.</summary>
    Door2Open = 1u << 14,

    /// <summary>Door 3, the rear door by default.</summary>
    Door3Open = 1u << 15,

    /// <summary>Door 4, the driver's door by default.</summary>
    Door4Open = 1u << 16,
    Door5Open = 1u << 17,
    UsingGps = 1u << 18,
    UsingBeidou = 1u << 19,
    UsingGlonass = 1u << 20,
    UsingGalileo = 1u << 21,
}

/// <summary>Bits 8-9 of the status word.</summary>
public enum Jt808LoadState
{
    Empty = 0,
    HalfLoaded = 1,
    Reserved = 2,
    FullyLoaded = 3,
}
