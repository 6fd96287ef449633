using System.Globalization;

namespace TransportBrain.Governance.Incidents;

/// <summary>Names and the drafting of public information from an incident (zh-CN first, English second).</summary>
public static class IncidentTexts
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    public static string KindZh(IncidentKind k) => k switch
    {
        IncidentKind.Collision => "交通事故",
        IncidentKind.Breakdown => "车辆故障",
        IncidentKind.Congestion => "交通拥堵",
        IncidentKind.DangerousGoods => "危险品车辆事故",
        IncidentKind.Weather => "恶劣天气",
        IncidentKind.RoadWorks => "道路施工",
        IncidentKind.Obstacle => "路面障碍物",
        _ => "突发事件",
    };

    public static string KindEn(IncidentKind k) => k switch
    {
        IncidentKind.Collision => "a traffic collision",
        IncidentKind.Breakdown => "a vehicle breakdown",
        IncidentKind.Congestion => "congestion",
        IncidentKind.DangerousGoods => "a dangerous-goods vehicle incident",
        IncidentKind.Weather => "severe weather",
        IncidentKind.RoadWorks => "road works",
        IncidentKind.Obstacle => "an obstacle on the road",
        _ => "an incident",
    };

    public static string Slug(IncidentKind k) => k switch
    {
        IncidentKind.DangerousGoods => "dangerous_goods",
        IncidentKind.RoadWorks => "road_works",
        _ => k.ToString().ToLowerInvariant(),
    };

    public static bool TryParseKind(string? text, out IncidentKind kind)
    {
        foreach (var k in Enum.GetValues<IncidentKind>())
        {
            if (string.Equals(text, Slug(k), StringComparison.OrdinalIgnoreCase) || string.Equals(text, k.ToString(), StringComparison.OrdinalIgnoreCase) || text == KindZh(k))
            {
                kind = k;
                return true;
            }
        }
        kind = IncidentKind.Other;
        return false;
    }

    public static string SeverityZh(IncidentSeverity s) => s switch
    {
        IncidentSeverity.Critical => "特别重大 (I级)",
        IncidentSeverity.Serious => "重大 (II级)",
        IncidentSeverity.Major => "较大 (III级)",
        _ => "一般 (IV级)",
    };

    public static string Where(IncidentLocation l) =>
        string.Join(" ", new[] { l.Route, l.Stake, l.Direction }.Where(s => !string.IsNullOrWhiteSpace(s))) is { Length: > 0 } w ? w : l.PlaceZh ?? "";

    private static string LanesZh(IReadOnlyList<int> lanes) =>
        lanes.Count == 0 ? "" : "占用第" + string.Join("、", lanes.Order().Select(i => i.ToString(CultureInfo.InvariantCulture))) + "车道";

    /// <summary>Drafts the board text (two short lines) and the public notice (zh-CN and English) from the incident and its active controls.</summary>
    public static (string Board, string Title, string Notice, string NoticeEn) DraftRelease(Incident i)
    {
        var where = Where(i.Location);
        var local = i.DetectedAt.ToOffset(Beijing);
        var lanes = LanesZh(i.LanesBlocked);
        var limit = i.Controls.LastOrDefault(c => c.State == ControlState.Active && c.Kind == ControlKind.SpeedLimit)?.SpeedLimitKmh;
        var closed = i.Controls.Where(c => c.State == ControlState.Active && c.Kind == ControlKind.LaneClosure).SelectMany(c => c.Lanes ?? []).Distinct().Order().ToList();

        var line1 = $"{i.Location.Stake ?? i.Location.Route ?? ""}{KindZh(i.Kind)}".Trim();
        var line2 = limit is { } l ? $"限速{l} 减速慢行" : closed.Count > 0 ? "车道封闭 注意避让" : "减速慢行 注意安全";
        var board = line1 + "\n" + line2;

        var title = $"{(string.IsNullOrWhiteSpace(i.Location.Route) ? "" : i.Location.Route + " ")}{KindZh(i.Kind)}路况通告";
        var parts = new List<string> { $"{local:M月d日H:mm}左右，{where}{(string.IsNullOrWhiteSpace(i.Location.PlaceZh) || where == i.Location.PlaceZh ? "" : "（" + i.Location.PlaceZh + "）")}发生{KindZh(i.Kind)}" };
        if (lanes.Length > 0)
        {
            parts[0] += "，" + lanes;
        }
        if (closed.Count > 0)
        {
            parts.Add("现场已封闭第" + string.Join("、", closed.Select(c => c.ToString(CultureInfo.InvariantCulture))) + "车道");
        }
        if (limit is { } lim)
        {
            parts.Add($"该路段临时限速{lim}公里/小时");
        }
        parts.Add("请途经车辆减速慢行、注意避让，服从现场指挥，合理安排出行路线");
        var notice = string.Join("。", parts) + "。";

        var en = $"At about {local:HH:mm} on {local:d MMM} (Beijing time), {KindEn(i.Kind)} occurred at {where}"
            + (i.LanesBlocked.Count > 0 ? $", blocking lane{(i.LanesBlocked.Count > 1 ? "s" : "")} {string.Join(", ", i.LanesBlocked.Order())}" : "")
            + "." + (closed.Count > 0 ? $" Lane{(closed.Count > 1 ? "s" : "")} {string.Join(", ", closed)} {(closed.Count > 1 ? "are" : "is")} closed." : "")
            + (limit is { } le ? $" A temporary speed limit of {le} km/h applies." : "")
            + " Please slow down, keep clear of the scene and follow instructions on site.";
        return (board, title, notice, en);
    }
}
