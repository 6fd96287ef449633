using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// Names, alarm kinds and severities of the JT/T 808 location-report alarm bits (报警标志位,
/// JT/T 808-2013 table 24; the 2019 edition keeps these bits).
/// </summary>
public static class DeviceAlarmBits
{
    public readonly record struct BitInfo(int Bit, string NameZh, string NameEn, AlarmKind Kind, AlarmSeverity Severity);

    private static readonly BitInfo[] s_bits = Build();

    /// <summary>
    /// Bits relayed by default: everything the standard defines except the pre-warnings (13, 14:
    /// the alarm bits 1 and 2 follow them), the reserved bits 15-17, and the display, TTS, IC-card,
    /// VSS and fuel faults (9, 10, 12, 24, 25), which are maintenance matters, not supervision.
    /// </summary>
    public static uint DefaultRelayedMask { get; } = (uint)(
        Jt808AlarmFlags.Emergency | Jt808AlarmFlags.Overspeed | Jt808AlarmFlags.FatigueDriving
        | Jt808AlarmFlags.DangerWarning | Jt808AlarmFlags.GnssModuleFault | Jt808AlarmFlags.GnssAntennaDisconnected
        | Jt808AlarmFlags.GnssAntennaShortCircuit | Jt808AlarmFlags.MainPowerUndervoltage | Jt808AlarmFlags.MainPowerOff
        | Jt808AlarmFlags.CameraFault | Jt808AlarmFlags.DailyDrivingTimeExceeded | Jt808AlarmFlags.OvertimeParking
        | Jt808AlarmFlags.AreaEntryExit | Jt808AlarmFlags.RouteEntryExit | Jt808AlarmFlags.SectionDrivingTimeAbnormal
        | Jt808AlarmFlags.RouteDeviation | Jt808AlarmFlags.VehicleStolen | Jt808AlarmFlags.IllegalIgnition
        | Jt808AlarmFlags.IllegalDisplacement | Jt808AlarmFlags.CollisionWarning | Jt808AlarmFlags.RolloverWarning
        | Jt808AlarmFlags.IllegalDoorOpening);

    public static BitInfo Describe(int bit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bit, 31);
        return s_bits[bit];
    }

    private static BitInfo[] Build()
    {
        var bits = new BitInfo[32];
        void Set(int bit, string zh, string en, AlarmSeverity severity, AlarmKind kind = AlarmKind.DeviceOther) =>
            bits[bit] = new BitInfo(bit, zh, en, kind, severity);

        Set(0, "紧急报警", "emergency (SOS) button", AlarmSeverity.Critical, AlarmKind.DeviceEmergency);
        Set(1, "超速报警(终端)", "overspeed (terminal)", AlarmSeverity.Warning);
        Set(2, "疲劳驾驶报警(终端)", "fatigue driving (terminal)", AlarmSeverity.Warning);
        Set(3, "危险驾驶行为报警/危险预警", "dangerous driving behaviour", AlarmSeverity.Warning);
        Set(4, "GNSS模块发生故障", "GNSS module fault", AlarmSeverity.Warning);
        Set(5, "GNSS天线未接或被剪断", "GNSS antenna disconnected or cut", AlarmSeverity.Serious);
        Set(6, "GNSS天线短路", "GNSS antenna short circuit", AlarmSeverity.Warning);
        Set(7, "终端主电源欠压", "main power undervoltage", AlarmSeverity.Info);
        Set(8, "终端主电源掉电", "main power cut", AlarmSeverity.Serious);
        Set(9, "终端LCD或显示器故障", "display fault", AlarmSeverity.Info);
        Set(10, "TTS模块故障", "TTS module fault", AlarmSeverity.Info);
        Set(11, "摄像头故障", "camera fault", AlarmSeverity.Info);
        Set(12, "道路运输证IC卡模块故障", "road transport IC card module fault", AlarmSeverity.Info);
        Set(13, "超速预警", "overspeed pre-warning", AlarmSeverity.Info);
        Set(14, "疲劳驾驶预警", "fatigue driving pre-warning", AlarmSeverity.Info);
        Set(15, "保留位15", "reserved bit 15", AlarmSeverity.Info);
        Set(16, "保留位16", "reserved bit 16", AlarmSeverity.Info);
        Set(17, "保留位17", "reserved bit 17", AlarmSeverity.Info);
        Set(18, "当天累计驾驶超时", "daily driving time exceeded (terminal)", AlarmSeverity.Warning);
        Set(19, "超时停车", "overtime parking", AlarmSeverity.Info);
        Set(20, "进出区域", "area entry/exit (terminal)", AlarmSeverity.Info);
        Set(21, "进出路线", "route entry/exit (terminal)", AlarmSeverity.Info);
        Set(22, "路段行驶时间不足/过长", "section driving time too short/long", AlarmSeverity.Info);
        Set(23, "路线偏离报警(终端)", "route deviation (terminal)", AlarmSeverity.Warning);
        Set(24, "车辆VSS故障", "VSS (speed sensor) fault", AlarmSeverity.Info);
        Set(25, "车辆油量异常", "abnormal fuel level", AlarmSeverity.Info);
        Set(26, "车辆被盗", "vehicle stolen (anti-theft device)", AlarmSeverity.Serious);
        Set(27, "车辆非法点火", "illegal ignition", AlarmSeverity.Serious);
        Set(28, "车辆非法位移", "illegal displacement", AlarmSeverity.Serious);
        Set(29, "碰撞预警/碰撞报警", "collision", AlarmSeverity.Critical, AlarmKind.DeviceCollision);
        Set(30, "侧翻预警/侧翻报警", "rollover", AlarmSeverity.Critical, AlarmKind.DeviceRollover);
        Set(31, "非法开门报警", "illegal door opening", AlarmSeverity.Warning);
        return bits;
    }
}
