using TransportBrain.Governance.Incidents;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Governance;

/// <summary>The datasets the governance context owns (F2). Registered by the host at start-up.</summary>
public static class GovernanceDatasets
{
    private const string Owner = "省交通运输厅 应急指挥中心 (Provincial DoT, emergency command centre)";

    /// <summary>Incident kinds as stored (<see cref="IncidentTexts.Slug"/>).</summary>
    public static readonly IReadOnlyList<string> Kinds = [.. Enum.GetValues<IncidentKind>().Select(IncidentTexts.Slug)];

    public static readonly DatasetDefinition IncidentHistory = new()
    {
        Id = "governance.incident_history",
        NameZh = "突发事件处置历史",
        NameEn = "Incident history",
        DescriptionZh = "应急指挥中每起已关闭或已排除（误报）事件一条记录：类型、来源、位置（路线、方向、桩号、路段）、等级，检测、接报、确认、调度、到场、清障、关闭各环节时间，确认和清障用时，调派资源数量及编号，交通管制次数，发布信息条数和关闭人。事件关闭时写入。",
        DescriptionEn = "One row per incident of emergency command once it is closed or dismissed (false alarm): kind, source, location (route, direction, stake, section), severity, the time of every step (detected, reported, confirmed, dispatched, on scene, cleared, closed), time to confirm and to clear, resources dispatched (count and ids), road controls applied, public releases published and who closed it. Written when the incident closes.",
        OwnerOrganisation = Owner,
        Grade = DataGrade.Internal,
        Sharing = SharingType.Conditional,
        UpdateFrequency = "on change",
        SourceSystem = "TransportBrain 应急指挥 (emergency command, hub documents governance.incident)",
        Lineage = new Lineage(["highway.incident_candidate", "fleet.alarm"], "emergency command workflow: incidents detected, raised from alarms or reported, handled to closure (one row when closed or dismissed)"),
        TimeField = "detected_at",
        UniqueKey = ["incident_id"],
        PointFields = ("longitude", "latitude"),
        Fields =
        [
            Field.Text("incident_id", "事件编号", "Incident id", required: true),
            Field.Text("outcome", "处置结果", "Outcome (closed, or dismissed as not an incident)", required: true) with { AllowedValues = ["closed", "dismissed"] },
            Field.Text("kind", "事件类型", "Incident kind", required: true) with { AllowedValues = Kinds },
            Field.Integer("severity", "事件等级(1特别重大-4一般)", "Severity (1 I critical to 4 IV minor)", required: true) with { Min = 1, Max = 4 },
            Field.Integer("response_level", "响应等级(1-4)", "Response level of the plan (1 highest to 4)") with { Min = 1, Max = 4 },
            Field.Text("source", "来源", "Source", required: true) with { AllowedValues = ["detection", "report", "alarm"] },
            Field.Text("source_ref", "来源编号", "Detection, alarm or report id it came from"),
            Field.Text("title", "标题", "Title", required: true),
            Field.Text("route", "路线编号", "Route code"),
            Field.Text("direction", "方向", "Direction (上行 / 下行 or towards a place)"),
            Field.Text("stake", "桩号", "Stake"),
            Field.Text("section_id", "路段编号", "Section id"),
            Field.Number("longitude", "经度", "Longitude", required: true, unit: "degree") with { Min = -180, Max = 180 },
            Field.Number("latitude", "纬度", "Latitude", required: true, unit: "degree") with { Min = -90, Max = 90 },
            Field.Text("lanes_blocked", "占用车道", "Lanes blocked (1 = inside lane), comma-separated"),
            Field.Flag("injuries", "有人员受伤", "Injuries", required: true),
            Field.Time("detected_at", "发生/检测时间", "Happened or detected at", required: true),
            Field.Time("reported_at", "接报时间", "Opened on the desk at", required: true),
            Field.Time("confirmed_at", "确认时间", "Confirmed at"),
            Field.Time("planned_at", "预案时间", "First response plan at"),
            Field.Time("dispatched_at", "首次调度时间", "First resource dispatched at"),
            Field.Time("on_scene_at", "首个资源到场时间", "First resource on scene at"),
            Field.Time("cleared_at", "清障时间", "Road cleared at"),
            Field.Time("closed_at", "关闭时间", "Closed (or dismissed) at", required: true),
            Field.Number("time_to_confirm_s", "确认用时", "Time from detection to confirmation", unit: "s") with { Min = 0 },
            Field.Number("time_to_dispatch_s", "调度用时", "Time from detection to the first dispatch", unit: "s") with { Min = 0 },
            Field.Number("time_to_arrive_s", "到场用时", "Time from detection to the first arrival", unit: "s") with { Min = 0 },
            Field.Number("time_to_clear_s", "清障用时", "Time from detection to clearance", unit: "s") with { Min = 0 },
            Field.Number("time_to_close_s", "关闭用时", "Time from detection to closure", required: true, unit: "s") with { Min = 0 },
            Field.Integer("resources_dispatched", "调派资源数", "Resources dispatched (distinct)", required: true, unit: "resource") with { Min = 0 },
            Field.Text("resource_ids", "调派资源编号", "Ids of the resources dispatched, comma-separated, in dispatch order"),
            Field.Integer("controls_applied", "交通管制次数", "Road controls applied (lane closures, speed limits, board messages)", required: true) with { Min = 0 },
            Field.Integer("releases_published", "发布信息条数", "Public information releases published", required: true) with { Min = 0 },
            Field.Text("closed_by", "关闭人", "Closed (or dismissed) by", required: true) with { Personal = PersonalKind.Name },
            Field.Text("closed_by_organisation", "关闭人单位", "Organisation of the person who closed it", required: true),
        ],
    };

    public static IReadOnlyList<DatasetDefinition> All { get; } = [IncidentHistory];
}
