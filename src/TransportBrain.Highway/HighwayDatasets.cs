using TransportBrain.Hub.Catalog;

namespace TransportBrain.Highway;

/// <summary>The datasets the highway context owns (B1-B3). Registered by the host at start-up.</summary>
public static class HighwayDatasets
{
    private const string Owner = "省交通运输厅 高速公路运行监测中心 (Provincial DoT, expressway operations centre)";

    /// <summary>Toll plate colour codes as ETC exports write them (GB/T 20851 / 收费公路联网收费技术要求).</summary>
    public static readonly IReadOnlyList<string> PlateColourCodes = ["0", "1", "2", "3", "4", "5", "6", "7", "9", "11", "12"];

    /// <summary>JT/T 489-2019 toll vehicle classes: passenger 1-4, truck 11-16, special-purpose 21-26.</summary>
    public static readonly IReadOnlyList<string> TollVehicleClasses = ["1", "2", "3", "4", "11", "12", "13", "14", "15", "16", "21", "22", "23", "24", "25", "26"];

    public static readonly DatasetDefinition Gantry = new()
    {
        Id = "highway.gantry",
        NameZh = "ETC门架",
        NameEn = "ETC gantries",
        DescriptionZh = "高速公路ETC门架基础信息：编号、HEX编码、路线、桩号、方向和坐标（WGS-84）。",
        DescriptionEn = "Expressway ETC gantries: id, hex code, route, stake mark, direction and WGS-84 coordinates.",
        OwnerOrganisation = Owner,
        Grade = DataGrade.Public,
        Sharing = SharingType.Unconditional,
        IsOpen = true,
        UpdateFrequency = "on change",
        SourceSystem = "ETC门架系统 (ETC gantry system)",
        UniqueKey = ["gantry_id"],
        PointFields = ("longitude", "latitude"),
        Fields =
        [
            Field.Text("gantry_id", "门架编号", "Gantry id", required: true) with { Pattern = "G[0-9A-Z]{17,19}", PatternDescription = "a national gantry id such as G005252001000110010" },
            Field.Text("gantry_hex", "门架HEX编码", "Gantry hex code", required: true) with { Pattern = "[0-9A-Fa-f]{6}", PatternDescription = "6 hex digits" },
            Field.Text("name", "门架名称", "Gantry name", required: true),
            Field.Text("route", "路线编号", "Route code (e.g. G60)", required: true) with { Pattern = "[GS][0-9]{1,4}", PatternDescription = "a route code such as G60 or S30" },
            Field.Text("stake", "桩号", "Stake mark (e.g. K123+400)", required: true) with { Pattern = "K[0-9]{1,4}\\+[0-9]{1,3}", PatternDescription = "a stake mark such as K123+400" },
            Field.Integer("direction", "方向(1上行,2下行)", "Direction (1 up, 2 down)", required: true) with { AllowedValues = ["1", "2"] },
            Field.Number("longitude", "经度", "Longitude (WGS-84)", required: true, unit: "degree") with { Min = 73, Max = 136 },
            Field.Number("latitude", "纬度", "Latitude (WGS-84)", required: true, unit: "degree") with { Min = 3, Max = 54 },
        ],
    };

    public static readonly DatasetDefinition GantryTransaction = new()
    {
        Id = "highway.gantry_transaction",
        NameZh = "ETC门架交易流水",
        NameEn = "ETC gantry transactions",
        DescriptionZh = "ETC门架对每辆通过车辆的计费交易：门架、时间、车牌及颜色、收费车型、通行介质（OBU/CPC）、收费单元和金额、入口站。",
        DescriptionEn = "One toll transaction per vehicle passing an ETC gantry: gantry, time, plate and colour, toll class, OBU/CPC medium, toll interval and fee, entry station.",
        OwnerOrganisation = Owner,
        Grade = DataGrade.Sensitive,
        Sharing = SharingType.Conditional,
        IsOpen = false,
        UpdateFrequency = "realtime",
        SourceSystem = "ETC门架系统 (ETC gantry system)",
        TimeField = "trans_time",
        UniqueKey = ["transaction_id"],
        MaxAge = TimeSpan.FromDays(730),
        Fields =
        [
            Field.Text("transaction_id", "交易编号", "Transaction id", required: true),
            Field.Text("gantry_id", "门架编号", "Gantry id", required: true) with { References = "highway.gantry.gantry_id" },
            Field.Text("gantry_hex", "门架HEX编码", "Gantry hex code") with { Pattern = "[0-9A-Fa-f]{6}", PatternDescription = "6 hex digits" },
            Field.Time("trans_time", "交易时间", "Transaction time", required: true),
            Field.Text("plate", "车牌号码", "Plate number") with { Personal = PersonalKind.Plate, Pattern = FieldPatterns.ChinesePlate, PatternDescription = FieldPatterns.ChinesePlateDescription },
            Field.Integer("plate_color", "车牌颜色(0蓝1黄2黑3白4渐变绿5黄绿6蓝白)", "Plate colour code (0 blue, 1 yellow, 2 black, 3 white, 4 green, 5 yellow-green, 6 blue-white)", required: true) with { AllowedValues = PlateColourCodes },
            Field.Integer("vehicle_type", "收费车型(JT/T 489)", "Toll vehicle class (JT/T 489: 1-4 passenger, 11-16 truck, 21-26 special)", required: true) with { AllowedValues = TollVehicleClasses },
            Field.Integer("axle_count", "轴数", "Axle count", unit: "axle") with { Min = 2, Max = 8 },
            Field.Integer("media_type", "通行介质(1 OBU, 2 CPC)", "Toll medium (1 OBU, 2 CPC)", required: true) with { AllowedValues = ["1", "2"] },
            Field.Text("media_id", "OBU/CPC编号", "OBU or CPC id"),
            Field.Text("toll_interval_id", "收费单元编号", "Toll interval id"),
            Field.Integer("fee_fen", "交易金额", "Fee", unit: "fen (0.01 CNY)") with { Min = 0, Max = 10_000_000 },
            Field.Text("entry_station_id", "入口收费站编号", "Entry toll station id"),
            Field.Time("entry_time", "入口时间", "Entry time"),
            Field.Integer("direction", "方向(1上行,2下行)", "Direction (1 up, 2 down)") with { AllowedValues = ["1", "2"] },
        ],
    };

    public static readonly DatasetDefinition SurveyStation = new()
    {
        Id = "highway.survey_station",
        NameZh = "交调站",
        NameEn = "Traffic survey stations",
        DescriptionZh = "交通量调查站（交调站）基础信息：编号、名称、路线、桩号、车道数和坐标。",
        DescriptionEn = "Traffic survey (交调) stations: id, name, route, stake mark, lane count and coordinates.",
        OwnerOrganisation = Owner,
        Grade = DataGrade.Public,
        Sharing = SharingType.Unconditional,
        IsOpen = true,
        UpdateFrequency = "on change",
        SourceSystem = "交通量调查系统 (traffic survey system)",
        UniqueKey = ["station_id"],
        PointFields = ("longitude", "latitude"),
        Fields =
        [
            Field.Text("station_id", "站点编号", "Station id", required: true),
            Field.Text("name", "站点名称", "Station name", required: true),
            Field.Text("route", "路线编号", "Route code", required: true) with { Pattern = "[GS][0-9]{1,4}", PatternDescription = "a route code such as G60 or S30" },
            Field.Text("stake", "桩号", "Stake mark", required: true) with { Pattern = "K[0-9]{1,4}\\+[0-9]{1,3}", PatternDescription = "a stake mark such as K123+400" },
            Field.Integer("lanes_per_direction", "单向车道数", "Lanes per direction", required: true) with { Min = 1, Max = 8 },
            Field.Number("longitude", "经度", "Longitude (WGS-84)", required: true, unit: "degree") with { Min = 73, Max = 136 },
            Field.Number("latitude", "纬度", "Latitude (WGS-84)", required: true, unit: "degree") with { Min = 3, Max = 54 },
        ],
    };

    public static readonly DatasetDefinition SurveyStation5Min = new()
    {
        Id = "highway.survey_station_5min",
        NameZh = "交调站5分钟车道数据",
        NameEn = "Survey station 5-minute lane records",
        DescriptionZh = "交调站每车道每5分钟的分车型交通量、平均速度、时间占有率和平均车头时距。",
        DescriptionEn = "Per lane and 5-minute interval at a survey station: counts by vehicle class, mean speed, occupancy and mean headway.",
        OwnerOrganisation = Owner,
        Grade = DataGrade.Internal,
        Sharing = SharingType.Unconditional,
        IsOpen = true,
        UpdateFrequency = "5min",
        SourceSystem = "交通量调查系统 (traffic survey system)",
        TimeField = "interval_start",
        UniqueKey = ["station_id", "direction", "lane_no", "interval_start"],
        MaxAge = TimeSpan.FromDays(730),
        Fields =
        [
            Field.Text("station_id", "站点编号", "Station id", required: true) with { References = "highway.survey_station.station_id" },
            Field.Integer("direction", "方向(1上行,2下行)", "Direction (1 up, 2 down)", required: true) with { AllowedValues = ["1", "2"] },
            Field.Integer("lane_no", "车道号", "Lane number", required: true) with { Min = 1, Max = 8 },
            Field.Time("interval_start", "时段开始时间", "Interval start", required: true),
            Field.Integer("small_passenger", "中小客车", "Small passenger cars", unit: "veh/5min") with { Min = 0, Max = 1000 },
            Field.Integer("large_passenger", "大客车", "Large buses", unit: "veh/5min") with { Min = 0, Max = 1000 },
            Field.Integer("small_truck", "小型货车", "Small trucks", unit: "veh/5min") with { Min = 0, Max = 1000 },
            Field.Integer("medium_truck", "中型货车", "Medium trucks", unit: "veh/5min") with { Min = 0, Max = 1000 },
            Field.Integer("large_truck", "大型货车", "Large trucks", unit: "veh/5min") with { Min = 0, Max = 1000 },
            Field.Integer("extra_large_truck", "特大型货车", "Extra-large trucks", unit: "veh/5min") with { Min = 0, Max = 1000 },
            Field.Integer("container_truck", "集装箱车", "Container trucks", unit: "veh/5min") with { Min = 0, Max = 1000 },
            Field.Integer("motorcycle", "摩托车", "Motorcycles", unit: "veh/5min") with { Min = 0, Max = 1000 },
            Field.Integer("total", "合计交通量", "Total vehicles", required: true, unit: "veh/5min") with { Min = 0, Max = 1000 },
            Field.Number("mean_speed_kmh", "平均地点车速", "Mean spot speed", unit: "km/h") with { Min = 0, Max = 200 },
            Field.Number("occupancy_pct", "时间占有率", "Time occupancy", unit: "%") with { Min = 0, Max = 100 },
            Field.Number("mean_headway_s", "平均车头时距", "Mean headway", unit: "s") with { Min = 0, Max = 3600 },
        ],
    };

    public static IReadOnlyList<DatasetDefinition> All => [Gantry, GantryTransaction, SurveyStation, SurveyStation5Min];
}
