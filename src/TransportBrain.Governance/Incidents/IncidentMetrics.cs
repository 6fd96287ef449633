namespace TransportBrain.Governance.Incidents;

/// <summary>How fast an incident went through the workflow, in seconds from detection (null: not reached).</summary>
public sealed record IncidentTimings(double? ToConfirmS, double? ToDispatchS, double? ToArriveS, double? ToClearS, double? ToCloseS)
{
    public static IncidentTimings Of(Incident i)
    {
        double? Since(DateTimeOffset? at) => at is { } t ? Math.Max(0, (t - i.DetectedAt).TotalSeconds) : null;
        return new IncidentTimings(
            Since(i.FirstAt(IncidentActions.Confirm)),
            Since(i.Dispatches.Count == 0 ? null : i.Dispatches.Min(d => d.DispatchedAt)),
            Since(i.Dispatches.Where(d => d.ArrivedAt is not null).Select(d => d.ArrivedAt).Min()),
            Since(i.FirstAt(IncidentActions.Clear)),
            Since(i.FirstAt(IncidentActions.Close)));
    }
}

/// <summary>One timing over many incidents: how many reached it, mean, median and 90th percentile (seconds).</summary>
public sealed record TimingSummary(int Count, double? MeanS, double? MedianS, double? P90S)
{
    public static TimingSummary Of(IEnumerable<double?> values)
    {
        var v = values.Where(x => x is not null).Select(x => x!.Value).Order().ToArray();
        if (v.Length == 0)
        {
            return new TimingSummary(0, null, null, null);
        }
        return new TimingSummary(v.Length, v.Average(), Percentile(v, 0.5), Percentile(v, 0.9));
    }

    private static double Percentile(double[] sorted, double p)
    {
        var rank = p * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}

public sealed record IncidentMetrics(int Total, int Open, IReadOnlyDictionary<string, int> ByState, IReadOnlyDictionary<string, int> ByKind,
    TimingSummary TimeToConfirm, TimingSummary TimeToDispatch, TimingSummary TimeToArrive, TimingSummary TimeToClear, TimingSummary TimeToClose)
{
    public static IncidentMetrics Of(IReadOnlyCollection<Incident> incidents)
    {
        var timings = incidents.Select(IncidentTimings.Of).ToList();
        return new IncidentMetrics(
            incidents.Count,
            incidents.Count(i => i.IsOpen),
            incidents.GroupBy(i => IncidentActions.StateSlug(i.State)).ToDictionary(g => g.Key, g => g.Count()),
            incidents.GroupBy(i => IncidentTexts.Slug(i.Kind)).ToDictionary(g => g.Key, g => g.Count()),
            TimingSummary.Of(timings.Select(t => t.ToConfirmS)),
            TimingSummary.Of(timings.Select(t => t.ToDispatchS)),
            TimingSummary.Of(timings.Select(t => t.ToArriveS)),
            TimingSummary.Of(timings.Select(t => t.ToClearS)),
            TimingSummary.Of(timings.Select(t => t.ToCloseS)));
    }
}

/// <summary>The workflow's step names, as recorded in <see cref="IncidentStep.Action"/>.</summary>
public static class IncidentActions
{
    public const string Open = "open";
    public const string Confirm = "confirm";
    public const string Dismiss = "dismiss";
    public const string Plan = "plan";
    public const string Dispatch = "dispatch";
    public const string Arrive = "arrive";
    public const string ReleaseResource = "release_resource";
    public const string Clear = "clear";
    public const string Close = "close";
    public const string SetControl = "set_control";
    public const string LiftControl = "lift_control";
    public const string DraftRelease = "draft_release";
    public const string ApproveRelease = "approve_release";
    public const string RejectRelease = "reject_release";
    public const string PublishRelease = "publish_release";
    public const string WithdrawRelease = "withdraw_release";

    public static string StateSlug(IncidentState s) => s switch
    {
        IncidentState.OnScene => "on_scene",
        _ => s.ToString().ToLowerInvariant(),
    };

    public static string StateZh(IncidentState s) => s switch
    {
        IncidentState.Candidate => "待核实",
        IncidentState.Confirmed => "已确认",
        IncidentState.Planned => "已制定预案",
        IncidentState.Dispatched => "已调度",
        IncidentState.OnScene => "已到场",
        IncidentState.Cleared => "已清障",
        IncidentState.Closed => "已关闭",
        _ => "已排除",
    };
}
