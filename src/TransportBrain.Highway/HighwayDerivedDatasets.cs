using TransportBrain.Hub.Catalog;

namespace TransportBrain.Highway;

/// <summary>The road network model's datasets and what the highway processors derive (B1-B4), with lineage.</summary>
public static class HighwayDerivedDatasets
{
    private const string Owner = "省交通运输厅 高速公路运行监测中心 (Provincial DoT, expressway operations centre)";
    private const string Processor = "TransportBrain highway processors (docs/highway-methods.md)";

    public static readonly DatasetDefinition Route = new()
    {
        Id = "highway.route", NameZh = "高速公路路线", NameEn = "Expressway routes",
        DescriptionZh = "路线编号、名称、技术等级、起止桩号、限速和单向车道数。", DescriptionEn = "Route code, name, road class, start and end stakes, speed limit and lanes per direction.",
        OwnerOrganisation = Owner, Grade = DataGrade.Public, Sharing = SharingType.Unconditional, IsOpen = true, UpdateFrequency = "on change",
        SourceSystem = "路网模型 (road network model)", UniqueKey = ["route"],
        Fields =
        [
            Field.Text("route", "路线编号", "Route code", required: true) with { Pattern = "[GS][0-9]{1,4}", PatternDescription = "a route code such as G60 or S30" },
            Field.Text("name_zh", "路线名称", "Name (Chinese)", required: true),
            Field.Text("name_en", "英文名称", "Name (English)"),
            Field.Text("road_class", "技术等级", "Road class", required: true),
            Field.Text("start_stake", "起点桩号", "Start stake", required: true),
            Field.Text("end_stake", "终点桩号", "End stake", required: true),
            Field.Number("speed_limit_kmh", "限速", "Speed limit", unit: "km/h") with { Min = 20, Max = 130 },
            Field.Integer("lanes_per_direction", "单向车道数", "Lanes per direction") with { Min = 1, Max = 8 },
        ],
    };

    public static readonly DatasetDefinition RoadSection = new()
    {
        Id = "highway.road_section", NameZh = "门架区间路段", NameEn = "Sections between gantries",
        DescriptionZh = "同一方向相邻两个ETC门架之间的路段：编号、路线、方向、起止门架和桩号、长度、限速。", DescriptionEn = "The stretch of one carriageway between consecutive ETC gantries: id, route, direction, gantries, stakes, length, speed limit.",
        OwnerOrganisation = Owner, Grade = DataGrade.Public, Sharing = SharingType.Unconditional, IsOpen = true, UpdateFrequency = "on change",
        SourceSystem = "路网模型 (road network model)", UniqueKey = ["section_id"],
        Lineage = new(["highway.gantry", "highway.route"], "consecutive gantries of each carriageway"),
        Fields =
        [
            Field.Text("section_id", "路段编号", "Section id", required: true),
            Field.Text("route", "路线编号", "Route code", required: true),
            Field.Integer("direction", "方向(1上行,2下行)", "Direction (1 up, 2 down)", required: true) with { AllowedValues = ["1", "2"] },
            Field.Text("from_gantry_id", "起点门架", "Upstream gantry", required: true),
            Field.Text("to_gantry_id", "终点门架", "Downstream gantry", required: true),
            Field.Text("from_stake", "起点桩号", "From stake", required: true),
            Field.Text("to_stake", "终点桩号", "To stake", required: true),
            Field.Number("length_m", "长度", "Length", required: true, unit: "m") with { Min = 1, Max = 200_000 },
            Field.Number("speed_limit_kmh", "限速", "Speed limit", required: true, unit: "km/h") with { Min = 20, Max = 130 },
        ],
    };

    public static readonly DatasetDefinition Facility = new()
    {
        Id = "highway.road_facility", NameZh = "路网设施", NameEn = "Road facilities",
        DescriptionZh = "收费站、互通立交、服务区、隧道、桥梁和气象站：编号、名称、路线、桩号和坐标。", DescriptionEn = "Toll stations, interchanges, service areas, tunnels, bridges and weather stations: id, name, route, stake and position.",
        OwnerOrganisation = Owner, Grade = DataGrade.Public, Sharing = SharingType.Unconditional, IsOpen = true, UpdateFrequency = "on change",
        SourceSystem = "路网模型 (road network model)", UniqueKey = ["facility_id"], PointFields = ("longitude", "latitude"),
        Fields =
        [
            Field.Text("facility_id", "设施编号", "Facility id", required: true),
            Field.Text("kind", "类型", "Kind", required: true) with { AllowedValues = ["toll_station", "interchange", "service_area", "tunnel", "bridge", "weather_station", "survey_station", "gantry"] },
            Field.Text("name", "名称", "Name", required: true),
            Field.Text("route", "路线编号", "Route code", required: true),
            Field.Text("stake", "桩号", "Stake", required: true) with { Pattern = "K[0-9]{1,4}\\+[0-9]{1,3}", PatternDescription = "a stake mark such as K123+400" },
            Field.Text("end_stake", "终点桩号", "End stake (tunnels, bridges)"),
            Field.Integer("direction", "方向(0双向)", "Direction (0 both)") with { AllowedValues = ["0", "1", "2"] },
            Field.Number("longitude", "经度", "Longitude", required: true, unit: "degree") with { Min = 73, Max = 136 },
            Field.Number("latitude", "纬度", "Latitude", required: true, unit: "degree") with { Min = 3, Max = 54 },
        ],
    };

    public static readonly DatasetDefinition SectionTravelTime = new()
    {
        Id = "highway.section_travel_time", NameZh = "路段行程时间(5分钟)", NameEn = "Section travel times (5 min)",
        DescriptionZh = "由门架交易匹配同一车辆得到的每路段每5分钟行程时间和速度，分客车、货车，含样本量、置信度和来源（实测/历史）。",
        DescriptionEn = "Per section and 5 minutes: travel time and speed from vehicles matched at consecutive gantries, for all, cars and trucks, with samples, confidence and source (observed / historical profile).",
        OwnerOrganisation = Owner, Grade = DataGrade.Internal, Sharing = SharingType.Unconditional, IsOpen = true, UpdateFrequency = "5min",
        SourceSystem = Processor, TimeField = "interval_start", UniqueKey = ["section_id", "interval_start"], MaxAge = TimeSpan.FromDays(3650),
        Lineage = new(["highway.gantry_transaction", "highway.road_section"], "vehicle matching at consecutive gantries, robust mean (docs/highway-methods.md)"),
        Fields =
        [
            Field.Text("section_id", "路段编号", "Section id", required: true),
            Field.Time("interval_start", "时段开始", "Interval start", required: true),
            Field.Integer("samples", "样本量", "Matched vehicles", required: true),
            Field.Integer("used", "有效样本", "Vehicles used after outlier removal", required: true),
            Field.Number("travel_time_s", "行程时间", "Travel time", unit: "s"),
            Field.Number("speed_kmh", "区间速度", "Space-mean speed", unit: "km/h"),
            Field.Number("confidence", "置信度", "Confidence (0-1)"),
            Field.Text("source", "来源", "Source", required: true) with { AllowedValues = ["observed", "historical", "none"] },
            Field.Integer("car_samples", "客车样本", "Passenger-car samples"),
            Field.Number("car_speed_kmh", "客车速度", "Passenger-car speed", unit: "km/h"),
            Field.Integer("truck_samples", "货车样本", "Truck samples"),
            Field.Number("truck_speed_kmh", "货车速度", "Truck speed", unit: "km/h"),
            Field.Integer("flow", "流量", "Vehicles entering (5 min)", unit: "veh/5min"),
            Field.Integer("car_flow", "客车流量", "Passenger vehicles entering", unit: "veh/5min"),
            Field.Integer("truck_flow", "货车流量", "Trucks entering", unit: "veh/5min"),
        ],
    };

    public static readonly DatasetDefinition GantryFlow = new()
    {
        Id = "highway.gantry_flow_5min", NameZh = "门架5分钟分车型流量", NameEn = "Gantry volumes by class (5 min)",
        DescriptionZh = "每个门架每5分钟按收费车型（JT/T 489）统计的通过车辆数（已去除重复读取）。", DescriptionEn = "Vehicles read at each gantry per 5 minutes by toll class (JT/T 489), duplicate reads removed.",
        OwnerOrganisation = Owner, Grade = DataGrade.Internal, Sharing = SharingType.Unconditional, IsOpen = true, UpdateFrequency = "5min",
        SourceSystem = Processor, TimeField = "interval_start", UniqueKey = ["gantry_id", "interval_start"], MaxAge = TimeSpan.FromDays(3650),
        Lineage = new(["highway.gantry_transaction"], "count of kept reads per gantry and class"),
        Fields =
        [
            Field.Text("gantry_id", "门架编号", "Gantry id", required: true),
            Field.Time("interval_start", "时段开始", "Interval start", required: true),
            Field.Integer("total", "合计", "Total", required: true),
            Field.Integer("passenger", "客车(1-4类)", "Passenger (classes 1-4)"),
            Field.Integer("truck", "货车及专项作业车", "Trucks and special (11-26)"),
            Field.Integer("class_1", "一类客车", "Class 1 passenger"),
            Field.Integer("class_2_4", "二至四类客车", "Classes 2-4 passenger"),
            Field.Integer("class_11_12", "一二类货车", "Classes 11-12 truck"),
            Field.Integer("class_13_16", "三至六类货车", "Classes 13-16 truck"),
            Field.Integer("class_21_26", "专项作业车", "Classes 21-26 special"),
        ],
    };

    public static readonly DatasetDefinition OdHourly = new()
    {
        Id = "highway.od_hourly", NameZh = "收费站OD(小时)", NameEn = "Toll-station OD (hourly)",
        DescriptionZh = "按入口时间小时统计的入口收费站到出口收费站出行量，出口由行程最后经过的门架推定。", DescriptionEn = "Trips from entry toll station to exit toll station by hour of entry; the exit is inferred from the trip's last gantry.",
        OwnerOrganisation = Owner, Grade = DataGrade.Internal, Sharing = SharingType.Conditional, IsOpen = false, UpdateFrequency = "hourly",
        SourceSystem = Processor, TimeField = "hour_start", UniqueKey = ["hour_start", "entry_station_id", "exit_station_id"], MaxAge = TimeSpan.FromDays(3650),
        Lineage = new(["highway.gantry_transaction", "highway.road_facility"], "trips closed after an hour without reads"),
        Fields =
        [
            Field.Time("hour_start", "小时", "Hour", required: true),
            Field.Text("entry_station_id", "入口站", "Entry toll station", required: true),
            Field.Text("exit_station_id", "出口站", "Exit toll station", required: true),
            Field.Integer("trips", "出行量", "Trips", required: true),
            Field.Integer("car_trips", "客车", "Passenger trips"),
            Field.Integer("truck_trips", "货车", "Truck trips"),
        ],
    };

    public static readonly DatasetDefinition SectionState = new()
    {
        Id = "highway.section_state", NameZh = "路段运行状态(5分钟)", NameEn = "Section states (5 min)",
        DescriptionZh = "融合门架行程时间、交调站和浮动车得到的每路段每5分钟速度、流量和拥堵等级（畅通/基本畅通/轻度拥堵/中度拥堵/严重拥堵）。",
        DescriptionEn = "Per section and 5 minutes: speed, flow and congestion level fused from gantry travel times, survey stations and probe vehicles.",
        OwnerOrganisation = Owner, Grade = DataGrade.Public, Sharing = SharingType.Unconditional, IsOpen = true, UpdateFrequency = "5min",
        SourceSystem = Processor, TimeField = "interval_start", UniqueKey = ["section_id", "interval_start"], MaxAge = TimeSpan.FromDays(3650),
        Lineage = new(["highway.section_travel_time", "highway.survey_station_5min", "fleet.position"], "weighted fusion by sample size and freshness"),
        Fields =
        [
            Field.Text("section_id", "路段编号", "Section id", required: true),
            Field.Time("interval_start", "时段开始", "Interval start", required: true),
            Field.Number("speed_kmh", "速度", "Speed", unit: "km/h"),
            Field.Number("travel_time_s", "行程时间", "Travel time", unit: "s"),
            Field.Number("flow_vph", "流量", "Flow", unit: "veh/h"),
            Field.Integer("level", "拥堵等级(1-5)", "Congestion level (1 free - 5 severe)", required: true) with { Min = 0, Max = 5 },
            Field.Text("level_zh", "拥堵等级", "Level (Chinese)"),
            Field.Number("confidence", "置信度", "Confidence (0-1)"),
            Field.Text("sources", "数据来源", "Sources used"),
        ],
    };

    public static readonly DatasetDefinition Incident = new()
    {
        Id = "highway.incident_candidate", NameZh = "事件检测候选", NameEn = "Detected incident candidates",
        DescriptionZh = "由路段速度骤降和流量滞留自动检测的交通事件候选：位置（桩号）、时间和证据。", DescriptionEn = "Incident candidates detected from speed collapses and held flow: location (stake), time and evidence.",
        OwnerOrganisation = Owner, Grade = DataGrade.Internal, Sharing = SharingType.Conditional, IsOpen = false, UpdateFrequency = "realtime",
        SourceSystem = Processor, TimeField = "detected_at", UniqueKey = ["incident_id", "status"], MaxAge = TimeSpan.FromDays(3650),
        Lineage = new(["highway.section_state"], "persistent speed drop against history and downstream, or vehicles held in the section"),
        Fields =
        [
            Field.Text("incident_id", "事件编号", "Incident id", required: true),
            Field.Text("status", "状态", "Status", required: true) with { AllowedValues = ["raised", "cleared"] },
            Field.Text("kind", "类型", "Kind", required: true) with { AllowedValues = ["incident", "recurrent_congestion"] },
            Field.Text("section_id", "路段编号", "Section id", required: true),
            Field.Text("route", "路线", "Route", required: true),
            Field.Integer("direction", "方向", "Direction", required: true),
            Field.Text("stake", "桩号", "Stake", required: true),
            Field.Time("onset", "开始时间", "Onset", required: true),
            Field.Time("detected_at", "检测时间", "Detected at", required: true),
            Field.Time("cleared_at", "解除时间", "Cleared at"),
            Field.Text("evidence", "证据（英文）", "Evidence (English)"),
            Field.Text("evidence_zh", "证据", "Evidence (Chinese)"),
        ],
    };

    public static readonly DatasetDefinition Warning = new()
    {
        Id = "highway.congestion_warning", NameZh = "拥堵预警", NameEn = "Congestion warnings",
        DescriptionZh = "短时预测（15/30/60分钟）达到轻度拥堵及以上的路段预警。", DescriptionEn = "Sections predicted (15/30/60 minutes ahead) to reach light congestion or worse.",
        OwnerOrganisation = Owner, Grade = DataGrade.Public, Sharing = SharingType.Unconditional, IsOpen = true, UpdateFrequency = "5min",
        SourceSystem = Processor, TimeField = "issued_at", UniqueKey = ["warning_id"], MaxAge = TimeSpan.FromDays(3650),
        Lineage = new(["highway.section_state"], "profile plus decaying deviation (docs/highway-methods.md)"),
        Fields =
        [
            Field.Text("warning_id", "预警编号", "Warning id", required: true),
            Field.Text("section_id", "路段编号", "Section id", required: true),
            Field.Time("issued_at", "发布时间", "Issued at", required: true),
            Field.Integer("horizon_min", "预测时长", "Horizon", required: true, unit: "min"),
            Field.Number("predicted_speed_kmh", "预测速度", "Predicted speed", unit: "km/h"),
            Field.Integer("predicted_level", "预测等级", "Predicted level", required: true),
            Field.Integer("current_level", "当前等级", "Current level"),
        ],
    };

    public static IReadOnlyList<DatasetDefinition> All => [Route, RoadSection, Facility, SectionTravelTime, GantryFlow, OdHourly, SectionState, Incident, Warning];
}
