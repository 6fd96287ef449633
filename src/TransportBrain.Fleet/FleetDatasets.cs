using TransportBrain.Hub.Catalog;

namespace TransportBrain.Fleet;

/// <summary>The datasets the fleet context owns (C1-C3). Registered by the host at start-up.</summary>
public static class FleetDatasets
{
    private const string Owner = "省交通运输厅 运输服务处/重点营运车辆联网联控 (Provincial DoT, key commercial vehicle supervision)";
    private const string Source = "JT/T 808 网关 (TransportBrain JT/T 808 gateway)";

    /// <summary>China's bounding box (with a margin) for plausible positions.</summary>
    public const double MinLatitude = 3.8, MaxLatitude = 53.6, MinLongitude = 73.4, MaxLongitude = 135.1;

    /// <summary>Above this a commercial vehicle's reported speed is a fault, not driving (km/h).</summary>
    public const double MaxPlausibleSpeedKmh = 220;

    public static readonly IReadOnlyList<string> Categories = ["unknown", "coach", "charter", "dangerous_goods", "heavy_truck"];

    public static readonly DatasetDefinition Terminal = new()
    {
        Id = "fleet.terminal",
        NameZh = "车载终端注册记录",
        NameEn = "Vehicle terminal registrations",
        DescriptionZh = "JT/T 808 车载终端的注册与备案：终端手机号、车牌及颜色、车辆类别（班线客车、包车、危险货物运输车、重型货车）、制造商和型号。每次注册或备案一条记录。",
        DescriptionEn = "Registrations and provisioning of JT/T 808 vehicle terminals: terminal phone number, plate and colour, vehicle category (coach, charter, dangerous goods, heavy truck), maker and model. One record per registration.",
        OwnerOrganisation = Owner,
        Grade = DataGrade.Internal,
        Sharing = SharingType.Conditional,
        UpdateFrequency = "on change",
        SourceSystem = Source,
        TimeField = "registered_at",
        UniqueKey = ["terminal_id", "registered_at"],
        Fields =
        [
            Field.Text("terminal_id", "终端手机号", "Terminal phone number (BCD in the header)", required: true) with { Pattern = "[0-9]{1,20}", PatternDescription = "up to 20 digits" },
            Field.Time("registered_at", "注册时间", "Registered at", required: true),
            Field.Text("plate", "车牌号码", "Plate number (or VIN when not yet plated)") with { Personal = PersonalKind.Plate },
            Field.Integer("plate_color", "车牌颜色(JT/T 697.7: 0未上牌1蓝2黄3黑4白5绿9其他)", "Plate colour (JT/T 697.7: 0 none, 1 blue, 2 yellow, 3 black, 4 white, 5 green, 9 other)") with { Min = 0, Max = 255 },
            Field.Text("category", "车辆类别", "Vehicle category", required: true) with { AllowedValues = Categories },
            Field.Integer("province_id", "省域ID", "Province id (GB/T 2260)") with { Min = 0, Max = 65535 },
            Field.Integer("city_id", "市县域ID", "City or county id (GB/T 2260)") with { Min = 0, Max = 65535 },
            Field.Text("maker_id", "制造商ID", "Maker id"),
            Field.Text("model", "终端型号", "Terminal model"),
            Field.Text("device_id", "终端ID", "Terminal id"),
            Field.Text("edition", "协议版本", "Protocol edition") with { AllowedValues = ["2011", "2013", "2019"] },
            Field.Text("source", "来源", "How it arrived", required: true) with { AllowedValues = ["registration", "provisioning"] },
        ],
    };

    public static readonly DatasetDefinition Position = new()
    {
        Id = "fleet.position",
        NameZh = "重点营运车辆定位数据",
        NameEn = "Commercial vehicle positions",
        DescriptionZh = "两客一危等重点营运车辆经JT/T 808上报的位置：卫星时间、经纬度（WGS-84/CGCS2000）、速度、方向、报警与状态位、里程、油量、信号和卫星数。含实时上报（0x0200）、补传（0x0704）和点名应答（0x0201）。",
        DescriptionEn = "Positions of coaches, charter buses and dangerous-goods trucks reported over JT/T 808: GNSS time, WGS-84/CGCS2000 coordinates, speed, heading, alarm and status bits, odometer, fuel, signal and satellites. Live reports (0x0200), backfill (0x0704) and query replies (0x0201).",
        OwnerOrganisation = Owner,
        Grade = DataGrade.Sensitive,
        Sharing = SharingType.Conditional,
        UpdateFrequency = "realtime",
        SourceSystem = Source,
        TimeField = "gnss_time",
        UniqueKey = ["terminal_id", "gnss_time", "flow_no", "item_no"],
        MaxFutureSkew = TimeSpan.FromMinutes(10),
        MaxAge = TimeSpan.FromDays(30),
        PointFields = ("longitude", "latitude"),
        Fields =
        [
            Field.Text("terminal_id", "终端手机号", "Terminal phone number", required: true),
            Field.Text("plate", "车牌号码", "Plate number") with { Personal = PersonalKind.Plate },
            Field.Text("category", "车辆类别", "Vehicle category", required: true) with { AllowedValues = Categories },
            Field.Time("gnss_time", "定位时间", "GNSS time", required: true),
            Field.Time("received_at", "接收时间", "Received by the platform", required: true),
            Field.Number("latitude", "纬度", "Latitude (WGS-84/CGCS2000)", required: true, unit: "degree") with { Min = MinLatitude, Max = MaxLatitude },
            Field.Number("longitude", "经度", "Longitude (WGS-84/CGCS2000)", required: true, unit: "degree") with { Min = MinLongitude, Max = MaxLongitude },
            Field.Integer("altitude_m", "高程", "Altitude", unit: "m") with { Min = -500, Max = 9000 },
            Field.Number("speed_kmh", "速度", "Speed", required: true, unit: "km/h") with { Min = 0, Max = MaxPlausibleSpeedKmh },
            Field.Integer("direction_deg", "方向", "Heading, clockwise from north", unit: "degree") with { Min = 0, Max = 359 },
            Field.Integer("alarm_flags", "报警标志", "Alarm flags (JT/T 808 DWORD)", required: true) with { Min = 0, Max = uint.MaxValue },
            Field.Integer("status_flags", "状态", "Status flags (JT/T 808 DWORD)", required: true) with { Min = 0, Max = uint.MaxValue },
            Field.Flag("acc_on", "ACC开", "Ignition (ACC) on", required: true),
            Field.Flag("located", "已定位", "GNSS fix valid", required: true),
            Field.Number("mileage_km", "里程", "Odometer", unit: "km") with { Min = 0 },
            Field.Number("fuel_l", "油量", "Fuel", unit: "L") with { Min = 0 },
            Field.Number("recorder_speed_kmh", "行驶记录速度", "Speed from the driving recorder", unit: "km/h") with { Min = 0, Max = 255 },
            Field.Integer("signal", "无线通信网络信号强度", "Wireless signal strength") with { Min = 0, Max = 255 },
            Field.Integer("satellites", "GNSS定位卫星数", "GNSS satellites in view") with { Min = 0, Max = 255 },
            Field.Integer("flow_no", "消息流水号", "Message flow number", required: true) with { Min = 0, Max = 65535 },
            Field.Integer("item_no", "批量序号", "Item index within a 0x0704 batch (0 for 0x0200)", required: true) with { Min = 0, Max = 65535 },
            Field.Text("source", "来源", "How it arrived", required: true) with { AllowedValues = ["realtime", "backfill", "query"] },
            Field.Integer("other_items", "其他附加信息项数", "Additional items not decoded into fields", unit: "item") with { Min = 0 },
        ],
    };

    public static readonly DatasetDefinition Alarm = new()
    {
        Id = "fleet.alarm",
        NameZh = "重点营运车辆报警",
        NameEn = "Commercial vehicle alarms",
        DescriptionZh = "平台监管规则产生的报警（超速、疲劳驾驶、夜间禁行、离线、电子围栏、线路偏离）和终端上报的报警（紧急报警、碰撞、侧翻等）。处置过程（确认、处理、关闭）另存于报警处置记录。",
        DescriptionEn = "Alarms raised by the platform's supervision rules (overspeed, fatigue, night ban, offline, geofences, route deviation) and relayed from terminals (SOS, collision, rollover...). Their handling (acknowledged, handled, closed) is kept with the alarm's lifecycle.",
        OwnerOrganisation = Owner,
        Grade = DataGrade.Sensitive,
        Sharing = SharingType.Conditional,
        UpdateFrequency = "realtime",
        SourceSystem = "TransportBrain 监管规则 (supervision rules)",
        Lineage = new Lineage(["fleet.position", "fleet.terminal"], "server-side supervision rules (docs/supervision-rules.md)"),
        TimeField = "started_at",
        UniqueKey = ["alarm_id"],
        MaxAge = TimeSpan.FromDays(30),
        PointFields = ("longitude", "latitude"),
        Fields =
        [
            Field.Text("alarm_id", "报警编号", "Alarm id", required: true),
            Field.Text("kind", "报警类型", "Alarm kind", required: true),
            Field.Text("severity", "级别", "Severity", required: true) with { AllowedValues = ["info", "warning", "serious", "critical"] },
            Field.Text("terminal_id", "终端手机号", "Terminal phone number", required: true),
            Field.Text("plate", "车牌号码", "Plate number") with { Personal = PersonalKind.Plate },
            Field.Text("category", "车辆类别", "Vehicle category", required: true) with { AllowedValues = Categories },
            Field.Time("started_at", "开始时间", "Started at", required: true),
            Field.Number("latitude", "纬度", "Latitude", unit: "degree") with { Min = -90, Max = 90 },
            Field.Number("longitude", "经度", "Longitude", unit: "degree") with { Min = -180, Max = 180 },
            Field.Text("detail_zh", "说明", "Detail (Chinese)", required: true),
            Field.Text("detail_en", "说明(英文)", "Detail (English)", required: true),
        ],
    };

    public static IReadOnlyList<DatasetDefinition> All { get; } = [Terminal, Position, Alarm];
}
