using TransportBrain.Hub.Catalog;

namespace TransportBrain.Twin.Province;

/// <summary>
/// The twin's ground truth (H1): what really happened on the simulated road, per section and interval and
/// per injected incident, stored beside the sensor feeds so the highway estimators can be scored against it.
/// </summary>
public static class TwinDatasets
{
    private const string Owner = "省交通运输厅 交通运行仿真中心 (Provincial DoT, traffic simulation centre)";
    private const string Source = "TransportBrain digital twin (docs/twin.md)";

    public static readonly DatasetDefinition SectionTruth = new()
    {
        Id = "twin.section_truth", NameZh = "仿真路段真值(5分钟)", NameEn = "Simulated section truth (5 min)",
        DescriptionZh = "数字孪生仿真中每个门架区间路段每5分钟的真实流量、密度、空间平均车速和行程时间（Edie广义定义），用于评估路段行程时间和拥堵判别的精度。",
        DescriptionEn = "Per section between gantries and 5 minutes of a twin run: true flow, density, space-mean speed and travel time (Edie's generalised definitions), for scoring the highway estimators.",
        OwnerOrganisation = Owner, Grade = DataGrade.Internal, Sharing = SharingType.Conditional, IsOpen = false, UpdateFrequency = "5min",
        SourceSystem = Source, TimeField = "interval_start", UniqueKey = ["run_id", "section_id", "interval_start"], MaxAge = TimeSpan.FromDays(3650),
        Lineage = new(["highway.road_section"], "the twin's microsimulation (IDM + MOBIL) over the demo province, sections bounded by the gantries"),
        Fields =
        [
            Field.Text("run_id", "仿真运行编号", "Simulation run id", required: true),
            Field.Text("section_id", "路段编号", "Section id", required: true),
            Field.Text("route", "路线编号", "Route code", required: true),
            Field.Integer("direction", "方向(1上行,2下行)", "Direction (1 up, 2 down)", required: true) with { AllowedValues = ["1", "2"] },
            Field.Time("interval_start", "时段开始时间", "Interval start", required: true),
            Field.Integer("interval_s", "时段长度", "Interval length", required: true, unit: "s") with { Min = 1, Max = 86_400 },
            Field.Number("flow_veh_h", "流量", "Flow", required: true, unit: "veh/h") with { Min = 0, Max = 50_000 },
            Field.Number("density_veh_km", "密度", "Density", required: true, unit: "veh/km") with { Min = 0, Max = 2_000 },
            Field.Number("mean_speed_kmh", "空间平均车速", "Space-mean speed (empty without vehicles)", unit: "km/h") with { Min = 0, Max = 200 },
            Field.Number("travel_time_s", "行程时间", "Travel time (empty without vehicles)", unit: "s") with { Min = 0, Max = 1_000_000 },
        ],
    };

    public static readonly DatasetDefinition IncidentTruth = new()
    {
        Id = "twin.incident_truth", NameZh = "仿真注入事件", NameEn = "Simulated incidents (injected)",
        DescriptionZh = "数字孪生仿真中注入的交通事件：位置、封闭车道、开始和结束时间，用于评估事件检测的检出率、误报和检测时间。",
        DescriptionEn = "Incidents injected into a twin run: where, which lanes were blocked, start and end, for scoring incident detection (detection rate, false alarms, time to detect).",
        OwnerOrganisation = Owner, Grade = DataGrade.Internal, Sharing = SharingType.Conditional, IsOpen = false, UpdateFrequency = "on event",
        SourceSystem = Source, TimeField = "start_time", UniqueKey = ["run_id", "incident_id"], MaxAge = TimeSpan.FromDays(3650),
        Lineage = new(["highway.road_section"], "scenario of the twin run"),
        Fields =
        [
            Field.Text("run_id", "仿真运行编号", "Simulation run id", required: true),
            Field.Text("incident_id", "事件编号", "Incident id", required: true),
            Field.Text("section_id", "路段编号", "Section id", required: true),
            Field.Text("route", "路线编号", "Route code", required: true),
            Field.Integer("direction", "方向(1上行,2下行)", "Direction (1 up, 2 down)", required: true) with { AllowedValues = ["1", "2"] },
            Field.Text("stake", "桩号", "Stake", required: true) with { Pattern = "K[0-9]{1,4}\\+[0-9]{1,3}", PatternDescription = "a stake mark such as K123+400" },
            Field.Text("lanes_blocked", "封闭车道(由内向外编号)", "Lanes blocked (numbered from the inside, comma separated)", required: true),
            Field.Integer("lanes_total", "单向车道数", "Lanes in this direction", required: true) with { Min = 1, Max = 8 },
            Field.Time("start_time", "开始时间", "Start", required: true),
            Field.Time("end_time", "结束时间", "End", required: true),
        ],
    };

    public static IReadOnlyList<DatasetDefinition> All { get; } = [SectionTruth, IncidentTruth];
}
