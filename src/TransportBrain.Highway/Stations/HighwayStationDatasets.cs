using TransportBrain.Hub.Catalog;

namespace TransportBrain.Highway.Stations;

/// <summary>Datasets derived from survey stations (B3): the daily detector health results.</summary>
public static class HighwayStationDatasets
{
    private const string Owner = "省交通运输厅 高速公路运行监测中心 (Provincial DoT, expressway operations centre)";

    /// <summary>The statuses of <see cref="DetectorHealth"/>, in the order the checks are applied.</summary>
    public static readonly IReadOnlyList<string> HealthStatuses = ["ok", "no_data", "too_little_data", "constant", "zero_flow_with_occupancy", "implausible"];

    public static readonly DatasetDefinition DetectorHealth = new()
    {
        Id = "highway.detector_health",
        NameZh = "交调站检测器健康状况",
        NameEn = "Survey station detector health",
        DescriptionZh = "交调站每车道每日的检测器诊断结果（参照加州PeMS检测器诊断方法）：无数据、数据过少、数值恒定、零流量有占有率、数值不合理；车道号0为整站（单方向）结果。某日结果用于判定次日数据能否参与融合。",
        DescriptionEn = "Daily detector diagnostics per survey-station lane, after the Caltrans PeMS detector diagnostics: no data, too little data, constant values, zero flow with occupancy, implausible values; lane 0 is the whole station in one direction. A day's result decides whether the next day's data may be fused.",
        OwnerOrganisation = Owner,
        Grade = DataGrade.Internal,
        Sharing = SharingType.Unconditional,
        IsOpen = true,
        UpdateFrequency = "daily",
        SourceSystem = "TransportBrain 检测器诊断 (detector diagnostics, docs/highway-stations.md)",
        Lineage = new Lineage(["highway.survey_station_5min", "highway.survey_station"], "DetectorDiagnostics: PeMS-style daily tests over 05:00-22:00 China time, see docs/highway-stations.md"),
        TimeField = "day_start",
        UniqueKey = ["station_id", "direction", "lane_no", "day"],
        MaxAge = TimeSpan.FromDays(3650),
        Fields =
        [
            Field.Text("station_id", "站点编号", "Station id", required: true) with { References = "highway.survey_station.station_id" },
            Field.Integer("direction", "方向(1上行,2下行)", "Direction (1 up, 2 down)", required: true) with { AllowedValues = ["1", "2"] },
            Field.Integer("lane_no", "车道号(0为整站)", "Lane number (0 = the station in this direction)", required: true) with { Min = 0, Max = 8 },
            Field.Text("day", "诊断日期(北京时间)", "Day diagnosed (China time, yyyy-MM-dd)", required: true) with { Pattern = "[0-9]{4}-[0-9]{2}-[0-9]{2}", PatternDescription = "a date such as 2026-11-20" },
            Field.Time("day_start", "诊断日零时", "Start of the day diagnosed (00:00 China time)", required: true),
            Field.Text("status", "状态", "Status", required: true) with { AllowedValues = HealthStatuses },
            Field.Integer("samples", "有效样本数", "5-minute samples received in the diagnostic window", required: true, unit: "samples") with { Min = 0, Max = 100_000 },
            Field.Integer("expected", "应有样本数", "5-minute samples expected in the diagnostic window", required: true, unit: "samples") with { Min = 0, Max = 100_000 },
            Field.Text("detail", "诊断说明", "What the test found (counts and thresholds)"),
        ],
    };

    public static IReadOnlyList<DatasetDefinition> All => [DetectorHealth];
}
