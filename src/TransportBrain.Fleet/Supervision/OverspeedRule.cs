namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// 超速: speed above min(road limit, category limit) (× the night factor) plus tolerance for at
/// least MinDuration; ends after the speed stays at or below the limit for EndHold.
/// </summary>
internal sealed class OverspeedRule(LocalClock clock)
{
    public void Process(in FixContext c, SignalWriter writer)
    {
        var settings = c.Settings.Overspeed;
        var state = c.Vehicle.Overspeed;
        if (!settings.Enabled)
        {
            if (state.Condition.Open)
            {
                WriteEnded(c, state, settings, writer, "规则已停用", "rule disabled");
            }

            state.Condition.Reset();
            return;
        }

        var limit = LimitKmh(c, settings);
        var allowed = limit is { } l ? l * (1 + settings.TolerancePercent / 100) + settings.ToleranceKmh : double.PositiveInfinity;
        var fast = c.SpeedKmh > allowed;

        var transition = state.Condition.Step(
            fast, c.Time, new Persistence(settings.MinDuration, null), new Persistence(settings.EndHold, null), c.Settings.MaxFixGap, out var startedCandidate);

        if (startedCandidate)
        {
            state.MaxSpeedKmh = 0;
            state.LimitKmh = double.PositiveInfinity;
            state.MaxExcessRatio = 0;
        }

        if (fast && limit is { } fastLimit)
        {
            state.MaxSpeedKmh = Math.Max(state.MaxSpeedKmh, c.SpeedKmh);
            state.LimitKmh = Math.Min(state.LimitKmh, fastLimit);
            state.MaxExcessRatio = Math.Max(state.MaxExcessRatio, (c.SpeedKmh - fastLimit) / fastLimit);
        }

        if (transition == ConditionTransition.Raised)
        {
            var startedAt = state.Condition.StartedAt!.Value;
            var evidence = Evidence(state, (c.Time - startedAt).TotalSeconds);
            writer.Raise(AlarmKind.Overspeed, Severity(state, settings), startedAt, c.Time, c.Latitude, c.Longitude,
                $"超速：最高 {DetailText.N(state.MaxSpeedKmh)} km/h，限速 {DetailText.N(state.LimitKmh)} km/h，已持续 {DetailText.DurationZh(evidence["durationS"])}",
                $"Overspeed: max {DetailText.N(state.MaxSpeedKmh)} km/h, limit {DetailText.N(state.LimitKmh)} km/h, for {DetailText.Duration(evidence["durationS"])}",
                evidence);
        }
        else if (transition == ConditionTransition.Ended)
        {
            WriteEnded(c, state, settings, writer, "车速已恢复至限速以内", "speed back within the limit");
        }
    }

    private void WriteEnded(in FixContext c, OverspeedState state, OverspeedSettings settings, SignalWriter writer, string whyZh, string whyEn)
    {
        var startedAt = state.Condition.StartedAt!.Value;
        var endedAt = state.Condition.ClearSince ?? c.Time;
        var evidence = Evidence(state, (endedAt - startedAt).TotalSeconds);
        writer.End(AlarmKind.Overspeed, Severity(state, settings), startedAt, c.Time, c.Latitude, c.Longitude,
            $"超速结束（{whyZh}）：{clock.Format(startedAt)} 起持续 {DetailText.DurationZh(evidence["durationS"])}，最高 {DetailText.N(state.MaxSpeedKmh)} km/h，限速 {DetailText.N(state.LimitKmh)} km/h",
            $"Overspeed ended ({whyEn}): lasted {DetailText.Duration(evidence["durationS"])} from {clock.Format(startedAt)}, max {DetailText.N(state.MaxSpeedKmh)} km/h, limit {DetailText.N(state.LimitKmh)} km/h",
            evidence);
        state.Condition.Reset();
    }

    internal double? LimitKmh(in FixContext c, OverspeedSettings settings)
    {
        var category = c.RoadGrade is > 0 ? settings.OtherRoadLimitKmh ?? settings.ExpresswayLimitKmh : settings.ExpresswayLimitKmh;
        double? limit = (category, c.RoadLimitKmh) switch
        {
            (null, null) => null,
            ({ } a, null) => a,
            (null, { } b) => b,
            ({ } a, { } b) => Math.Min(a, b),
        };

        if (limit is { } day && settings.NightSpeedFactor < 1 && clock.Contains(settings.NightWindow, c.Time))
        {
            return day * settings.NightSpeedFactor;
        }

        return limit;
    }

    private static AlarmSeverity Severity(OverspeedState state, OverspeedSettings settings) =>
        state.MaxExcessRatio >= settings.CriticalExcessRatio ? AlarmSeverity.Critical
        : state.MaxExcessRatio >= settings.SeriousExcessRatio ? AlarmSeverity.Serious
        : AlarmSeverity.Warning;

    private static Dictionary<string, double> Evidence(OverspeedState state, double durationS) => new()
    {
        ["maxSpeedKmh"] = state.MaxSpeedKmh,
        ["limitKmh"] = state.LimitKmh,
        ["excessPercent"] = Math.Round(state.MaxExcessRatio * 100, 1),
        ["durationS"] = durationS,
    };
}
