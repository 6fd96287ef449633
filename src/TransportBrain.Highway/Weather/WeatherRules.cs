using System.Globalization;
using TransportBrain.Highway.Stations;

namespace TransportBrain.Highway.Weather;

public enum WarningKind
{
    Fog,
    Ice,
    HeavyRain,
    StrongWind,
}

/// <summary>One observation of <c>highway.weather_observation</c>; a value a station does not measure is null.</summary>
public sealed record WeatherObservation(
    string StationId,
    DateTimeOffset ObsTime,
    double? VisibilityM = null,
    double? PrecipitationMmH = null,
    double? RoadSurfaceTempC = null,
    double? AirTempC = null,
    double? RelativeHumidityPct = null,
    double? WindSpeedMs = null,
    string? RoadSurfaceState = null)
{
    /// <summary>The row of <c>highway.weather_observation</c> in schema order.</summary>
    public object?[] ToRow() => [StationId, ObsTime, VisibilityM, PrecipitationMmH, RoadSurfaceTempC, AirTempC, RelativeHumidityPct, WindSpeedMs, RoadSurfaceState];

    /// <summary>Reads a typed row (schema order of <c>highway.weather_observation</c>); null when station or time is missing.</summary>
    public static WeatherObservation? FromRow(IReadOnlyList<object?> row)
    {
        var ds = HighwayWeatherDatasets.Observation;
        var id = RowValues.Text(row, ds.FieldIndex("station_id"));
        var time = RowValues.Instant(row, ds.FieldIndex("obs_time"));
        if (string.IsNullOrEmpty(id) || time is null)
        {
            return null;
        }
        return new WeatherObservation(id, time.Value.ToUniversalTime(),
            RowValues.Number(row, ds.FieldIndex("visibility_m")),
            RowValues.Number(row, ds.FieldIndex("precipitation_mm_h")),
            RowValues.Number(row, ds.FieldIndex("road_surface_temp_c")),
            RowValues.Number(row, ds.FieldIndex("air_temp_c")),
            RowValues.Number(row, ds.FieldIndex("relative_humidity_pct")),
            RowValues.Number(row, ds.FieldIndex("wind_speed_ms")),
            RowValues.Text(row, ds.FieldIndex("road_surface_state")));
    }
}

/// <summary>
/// Warning thresholds, levels 1-4 (blue, yellow, orange, red). Sources and reasoning in docs/highway-weather.md:
/// fog after GB/T 27964-2011 fog grades, the CMA fog signal and Art. 81 of the Road Traffic Safety Law
/// implementing regulations (200/100/50 m); rain after the CMA hourly precipitation grades and the rainstorm
/// signal; wind after GB/T 28591-2012 wind force grades and the CMA gale signal; ice after the CMA road-icing
/// signal. Hysteresis: raise after <see cref="RaiseAfter"/> consecutive observations at a level, clear (or step
/// down) after <see cref="ClearAfter"/> consecutive observations below it.
/// </summary>
public sealed record WeatherThresholds
{
    /// <summary>Fog level L when visibility is below FogVisibilityM[L-1] metres.</summary>
    public IReadOnlyList<double> FogVisibilityM { get; init; } = [500, 200, 100, 50];
    /// <summary>Heavy-rain level L when intensity is at least RainMmH[L-1] mm/h.</summary>
    public IReadOnlyList<double> RainMmH { get; init; } = [5, 10, 20, 33.3];
    /// <summary>Strong-wind level L when the mean wind is at least WindMs[L-1] m/s (force 6, 8, 10, 12).</summary>
    public IReadOnlyList<double> WindMs { get; init; } = [10.8, 17.2, 24.5, 32.7];
    /// <summary>Road surface at or below this is freezing (°C).</summary>
    public double FreezingC { get; init; } = 0;
    /// <summary>Blue ice level: surface at or below this (°C) with moisture.</summary>
    public double NearFreezingC { get; init; } = 2;
    /// <summary>Blue ice level: humidity at or above this with the surface near freezing (frost, black ice).</summary>
    public double FrostHumidityPct { get; init; } = 95;
    /// <summary>Any precipitation at or above this counts as precipitation (mm/h; 0.1 is the gauge's resolution).</summary>
    public double TracePrecipitationMmH { get; init; } = 0.1;
    /// <summary>An icy state reported on a surface warmer than this (°C) is implausible and quarantined.</summary>
    public double IcyStateMaxSurfaceC { get; init; } = 8;
    public int RaiseAfter { get; init; } = 2;
    public int ClearAfter { get; init; } = 3;
    /// <summary>Cover of a station without a "covers_m" attribute, each way along the route (m).</summary>
    public double DefaultCoversM { get; init; } = 5_000;

    public static WeatherThresholds Default { get; } = new();

    private static readonly HashSet<string> Moist = ["moist", "wet", "standing_water", "slush", "chemical_wet"];
    private static readonly HashSet<string> Icy = ["ice", "snow", "frost"];

    public static bool IsIcy(string? state) => state is not null && Icy.Contains(state);

    /// <summary>The level (0 = condition not met) of a kind for an observation; null when the station did not measure what it needs.</summary>
    public int? Level(WarningKind kind, WeatherObservation o) => kind switch
    {
        WarningKind.Fog => o.VisibilityM is { } v ? Below(v, FogVisibilityM) : null,
        WarningKind.HeavyRain => o.PrecipitationMmH is { } p ? AtLeast(p, RainMmH) : null,
        WarningKind.StrongWind => o.WindSpeedMs is { } w ? AtLeast(w, WindMs) : null,
        _ => IceLevel(o),
    };

    private int? IceLevel(WeatherObservation o)
    {
        if (o.RoadSurfaceTempC is null && o.RoadSurfaceState is null)
        {
            return null;
        }
        var precipitating = o.PrecipitationMmH >= TracePrecipitationMmH;
        var moist = precipitating || (o.RoadSurfaceState is { } s && Moist.Contains(s));
        if (o.RoadSurfaceState is "ice" or "snow" && precipitating)
        {
            return 4; // ice or snow on the road and still precipitating
        }
        if (IsIcy(o.RoadSurfaceState))
        {
            return 3; // ice, snow or frost observed on the road
        }
        if (o.RoadSurfaceTempC <= FreezingC && moist)
        {
            return 2; // CMA road-icing yellow: surface below 0 °C with precipitation
        }
        if (o.RoadSurfaceTempC <= NearFreezingC && (moist || o.RelativeHumidityPct >= FrostHumidityPct))
        {
            return 1; // near freezing with moisture: icing (frost, black ice) likely soon
        }
        return 0;
    }

    private static int Below(double value, IReadOnlyList<double> limits)
    {
        var level = 0;
        for (var i = 0; i < limits.Count; i++)
        {
            if (value < limits[i])
            {
                level = i + 1;
            }
        }
        return level;
    }

    private static int AtLeast(double value, IReadOnlyList<double> limits)
    {
        var level = 0;
        for (var i = 0; i < limits.Count; i++)
        {
            if (value >= limits[i])
            {
                level = i + 1;
            }
        }
        return level;
    }

    /// <summary>What the observation shows for a kind, for the evidence text.</summary>
    public static string Describe(WarningKind kind, WeatherObservation o) => kind switch
    {
        WarningKind.Fog => F($"visibility {o.VisibilityM:0} m"),
        WarningKind.HeavyRain => F($"rain {o.PrecipitationMmH:0.0} mm/h"),
        WarningKind.StrongWind => F($"wind {o.WindSpeedMs:0.0} m/s"),
        _ => F($"surface {o.RoadSurfaceTempC:0.0} °C {o.RoadSurfaceState ?? "state n/a"}, rain {o.PrecipitationMmH:0.0} mm/h, RH {o.RelativeHumidityPct:0} %"),
    };

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Control advice per kind and level (限速 / 关闭), in Chinese and English.</summary>
public static class WeatherAdvice
{
    public static string KindName(WarningKind k) => k switch
    {
        WarningKind.Fog => "fog",
        WarningKind.Ice => "ice",
        WarningKind.HeavyRain => "heavy_rain",
        _ => "strong_wind",
    };

    public static string LevelName(int level) => level switch
    {
        1 => "blue",
        2 => "yellow",
        3 => "orange",
        _ => "red",
    };

    public static (string Zh, string En) For(WarningKind kind, int level) => (kind, level) switch
    {
        (WarningKind.Fog, 1) => ("大雾蓝色预警：能见度低于500米，开启雾灯和近光灯，情报板提示减速慢行。", "Fog, blue: visibility below 500 m; fog and dipped lights on, message signs advise slowing down."),
        (WarningKind.Fog, 2) => ("大雾黄色预警：能见度低于200米，限速60公里/小时，与同车道前车保持100米以上距离（《道路交通安全法实施条例》第八十一条）。", "Fog, yellow: visibility below 200 m; limit 60 km/h, keep 100 m from the vehicle ahead (Art. 81, Road Traffic Safety Law implementing regulations)."),
        (WarningKind.Fog, 3) => ("大雾橙色预警：能见度低于100米，限速40公里/小时，保持50米以上车距，开启危险报警闪光灯；入口分流控制。", "Fog, orange: visibility below 100 m; limit 40 km/h, keep 50 m, hazard lights on; meter the entrances."),
        (WarningKind.Fog, _) => ("大雾红色预警：能见度低于50米，限速20公里/小时，车辆从最近出口驶离；建议关闭覆盖路段入口，必要时警车带道。", "Fog, red: visibility below 50 m; limit 20 km/h, vehicles leave at the nearest exit; close the entrances of the covered sections, escort convoys if needed."),
        (WarningKind.Ice, 1) => ("路面结冰蓝色预警：路面温度接近0℃且潮湿，可能出现霜冻或暗冰；做好撒布融雪剂准备，提示谨慎驾驶。", "Ice, blue: road surface near 0 °C and moist, frost or black ice possible; prepare de-icing, advise caution."),
        (WarningKind.Ice, 2) => ("路面结冰黄色预警：路面温度低于0℃并有降水或积水，限速60公里/小时，撒布融雪剂，桥面、隧道口重点巡查。", "Ice, yellow: road surface below 0 °C with precipitation or water; limit 60 km/h, spread de-icer, patrol bridges and tunnel portals."),
        (WarningKind.Ice, 3) => ("路面结冰橙色预警：已观测到结冰/积雪/霜，限速40公里/小时，禁止危险货物运输车辆驶入，除冰作业。", "Ice, orange: ice, snow or frost observed; limit 40 km/h, keep dangerous-goods vehicles out, clear the ice."),
        (WarningKind.Ice, _) => ("路面结冰红色预警：路面结冰或积雪且降水持续，建议关闭覆盖路段入口，实施交通管制，车辆就近驶离或在服务区等待。", "Ice, red: ice or snow on the road with continuing precipitation; close the entrances of the covered sections, control traffic, vehicles leave or wait at service areas."),
        (WarningKind.HeavyRain, 1) => ("强降雨蓝色预警：小时雨强达到大雨量级，限速80公里/小时，开启近光灯，注意路面积水。", "Heavy rain, blue: hourly rate of heavy rain; limit 80 km/h, dipped lights on, beware of water on the road."),
        (WarningKind.HeavyRain, 2) => ("强降雨黄色预警：小时雨强达到暴雨量级，限速60公里/小时，防范水漂，巡查边坡和低洼路段。", "Heavy rain, yellow: hourly rate of a rainstorm; limit 60 km/h, beware of aquaplaning, patrol slopes and low spots."),
        (WarningKind.HeavyRain, 3) => ("强降雨橙色预警：小时雨强达到大暴雨量级，限速40公里/小时，高边坡、隧道口重点监测，必要时分流。", "Heavy rain, orange: hourly rate of a torrential rainstorm; limit 40 km/h, watch high slopes and tunnel portals, divert if needed."),
        (WarningKind.HeavyRain, _) => ("强降雨红色预警：特强降雨，建议关闭覆盖路段入口，防范积水、塌方和泥石流。", "Heavy rain, red: extreme rain; close the entrances of the covered sections, guard against flooding, landslides and debris flows."),
        (WarningKind.StrongWind, 1) => ("大风蓝色预警：平均风力6级以上，注意横风，高大车辆和空载货车减速。", "Strong wind, blue: force 6 or more; beware of crosswinds, high-sided and empty trucks slow down."),
        (WarningKind.StrongWind, 2) => ("大风黄色预警：平均风力8级以上，限速60公里/小时，桥梁、垭口路段禁止高大车辆通行。", "Strong wind, yellow: force 8 or more; limit 60 km/h, high-sided vehicles kept off bridges and passes."),
        (WarningKind.StrongWind, 3) => ("大风橙色预警：平均风力10级以上，限速40公里/小时，禁止货车和客车通行桥梁路段。", "Strong wind, orange: force 10 or more; limit 40 km/h, trucks and coaches kept off bridge sections."),
        _ => ("大风红色预警：平均风力12级以上，建议关闭覆盖路段。", "Strong wind, red: force 12 or more; close the covered sections."),
    };
}
