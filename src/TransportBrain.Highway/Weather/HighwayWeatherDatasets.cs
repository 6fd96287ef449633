using TransportBrain.Hub.Catalog;

namespace TransportBrain.Highway.Weather;

/// <summary>Road weather datasets (B9): observations of road weather stations and the warnings derived from them.</summary>
public static class HighwayWeatherDatasets
{
    private const string Owner = "省交通运输厅 高速公路运行监测中心 (Provincial DoT, expressway operations centre)";

    /// <summary>Road surface states as road weather stations report them.</summary>
    public static readonly IReadOnlyList<string> SurfaceStates = ["dry", "moist", "wet", "standing_water", "frost", "ice", "snow", "slush", "chemical_wet"];

    public static readonly IReadOnlyList<string> WarningKinds = ["fog", "ice", "heavy_rain", "strong_wind"];

    /// <summary>Warning levels as China's warning signals name them (1 blue, 2 yellow, 3 orange, 4 red).</summary>
    public static readonly IReadOnlyList<string> WarningLevels = ["blue", "yellow", "orange", "red"];

    public static readonly DatasetDefinition Observation = new()
    {
        Id = "highway.weather_observation",
        NameZh = "公路交通气象站观测数据",
        NameEn = "Road weather station observations",
        DescriptionZh = "沿线交通气象站的观测：能见度、降水强度、路面温度、气温、相对湿度、风速和路面状态。",
        DescriptionEn = "Observations of road weather stations along expressways: visibility, precipitation intensity, road surface temperature, air temperature, relative humidity, wind speed and road surface state.",
        OwnerOrganisation = Owner,
        Grade = DataGrade.Internal,
        Sharing = SharingType.Unconditional,
        IsOpen = true,
        UpdateFrequency = "5min",
        SourceSystem = "公路交通气象监测系统 (road weather information system)",
        TimeField = "obs_time",
        UniqueKey = ["station_id", "obs_time"],
        MaxAge = TimeSpan.FromDays(730),
        Fields =
        [
            Field.Text("station_id", "气象站编号", "Weather station id", required: true),
            Field.Time("obs_time", "观测时间", "Observation time", required: true),
            Field.Number("visibility_m", "能见度", "Visibility", unit: "m") with { Min = 0, Max = 100_000 },
            Field.Number("precipitation_mm_h", "降水强度", "Precipitation intensity", unit: "mm/h") with { Min = 0, Max = 300 },
            Field.Number("road_surface_temp_c", "路面温度", "Road surface temperature", unit: "°C") with { Min = -50, Max = 80 },
            Field.Number("air_temp_c", "气温", "Air temperature", unit: "°C") with { Min = -50, Max = 55 },
            Field.Number("relative_humidity_pct", "相对湿度", "Relative humidity", unit: "%") with { Min = 0, Max = 100 },
            Field.Number("wind_speed_ms", "平均风速(10分钟)", "Wind speed (10-min mean)", unit: "m/s") with { Min = 0, Max = 75 },
            Field.Text("road_surface_state", "路面状态", "Road surface state") with { AllowedValues = SurfaceStates },
        ],
    };

    /// <summary>
    /// Warnings as an append-only log of versions: a row when a warning is raised, one each time its level
    /// changes, and one when it is cleared (<c>cleared_at</c> set), all sharing the <c>warning_id</c>.
    /// </summary>
    public static readonly DatasetDefinition Warning = new()
    {
        Id = "highway.weather_warning",
        NameZh = "公路交通气象预警",
        NameEn = "Road weather warnings",
        DescriptionZh = "由交通气象站观测产生的团雾/大雾、路面结冰、强降雨和大风预警，覆盖气象站前后一定范围内双向路段，附限速、关闭等管控建议。每次发布、升降级和解除各记一条版本记录。",
        DescriptionEn = "Fog, ice, heavy-rain and strong-wind warnings raised from road weather observations for the sections of both carriageways within a station's cover, with speed-limit or closure advice. One version row per raise, level change and clearance.",
        OwnerOrganisation = Owner,
        Grade = DataGrade.Public,
        Sharing = SharingType.Unconditional,
        IsOpen = true,
        UpdateFrequency = "realtime",
        SourceSystem = "TransportBrain 气象预警 (weather warnings, docs/highway-weather.md)",
        Lineage = new Lineage(["highway.weather_observation"], "WeatherWarnings: thresholds with hysteresis, see docs/highway-weather.md"),
        TimeField = "issued_at",
        UniqueKey = ["warning_id", "version"],
        MaxAge = TimeSpan.FromDays(3650),
        Fields =
        [
            Field.Text("warning_id", "预警编号", "Warning id", required: true),
            Field.Integer("version", "版本号", "Version (1 raised, then one per level change and the clearance)", required: true) with { Min = 1, Max = 100_000 },
            Field.Text("station_id", "气象站编号", "Weather station id", required: true),
            Field.Text("kind", "预警类型", "Kind (fog, ice, heavy_rain, strong_wind)", required: true) with { AllowedValues = WarningKinds },
            Field.Text("level", "预警级别(蓝黄橙红)", "Level (blue, yellow, orange, red)", required: true) with { AllowedValues = WarningLevels },
            Field.Time("issued_at", "发布时间", "Issued at", required: true),
            Field.Time("updated_at", "本版本时间", "Time of this version", required: true),
            Field.Time("cleared_at", "解除时间", "Cleared at (empty while active)"),
            Field.Text("section_ids", "覆盖路段", "Covered section ids (comma separated)", required: true),
            Field.Text("route", "路线编号", "Route code", required: true) with { Pattern = "[GS][0-9]{1,4}", PatternDescription = "a route code such as G60 or S30" },
            Field.Text("from_stake", "起点桩号", "From stake", required: true) with { Pattern = "K[0-9]{1,4}\\+[0-9]{1,3}", PatternDescription = "a stake mark such as K123+400" },
            Field.Text("to_stake", "终点桩号", "To stake", required: true) with { Pattern = "K[0-9]{1,4}\\+[0-9]{1,3}", PatternDescription = "a stake mark such as K123+400" },
            Field.Text("advice_zh", "管控建议", "Advice (Chinese)", required: true),
            Field.Text("advice_en", "管控建议(英文)", "Advice (English)", required: true),
            Field.Text("evidence", "依据", "Evidence: the observations that raised, changed or cleared it"),
        ],
    };

    public static IReadOnlyList<DatasetDefinition> All => [Observation, Warning];
}
