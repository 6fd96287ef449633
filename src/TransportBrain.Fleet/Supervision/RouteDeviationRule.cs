namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// 路线偏离: outside the corridor of every route plan valid at the fix's time for MinDuration or
/// MinFixes (whichever first). Ends at the first fix back inside a corridor, or when no plan is
/// valid any more.
/// </summary>
internal sealed class RouteDeviationRule(LocalClock clock)
{
    public void Process(in FixContext c, RoutePlanSet plans, SignalWriter writer)
    {
        var settings = c.Settings.RouteDeviation;
        var state = c.Vehicle.Route;

        double? nearestM = null;
        double widthM = 0;
        if (settings.Enabled)
        {
            foreach (var plan in plans.For(c.Vehicle.TerminalId))
            {
                if (!plan.IsValidAt(c.Time))
                {
                    continue;
                }

                // Compare by the distance beyond each corridor's half-width, so plans of different widths mix.
                var distance = plan.DistanceToRouteM(c.Latitude, c.Longitude);
                if (nearestM is null || distance - plan.CorridorWidthM / 2 < nearestM.Value - widthM / 2)
                {
                    nearestM = distance;
                    widthM = plan.CorridorWidthM;
                }
            }
        }

        if (nearestM is not { } nearest)
        {
            if (state.Condition.Open)
            {
                WriteEnded(c, state, writer, settings.Enabled ? "无有效的计划路线" : "规则已停用", settings.Enabled ? "no valid route plan" : "rule disabled");
            }

            state.Condition.Reset();
            return;
        }

        if (!c.Located)
        {
            return;
        }

        var outside = nearest > widthM / 2;
        var transition = state.Condition.Step(
            outside, c.Time, new Persistence(settings.MinDuration, settings.MinFixes), new Persistence(TimeSpan.Zero, null), c.Settings.MaxFixGap, out var startedCandidate);
        if (startedCandidate)
        {
            state.MaxDistanceM = 0;
        }

        if (outside)
        {
            state.MaxDistanceM = Math.Max(state.MaxDistanceM, nearest);
            state.CorridorWidthM = widthM;
        }

        if (transition == ConditionTransition.Raised)
        {
            var startedAt = state.Condition.StartedAt!.Value;
            writer.Raise(AlarmKind.RouteDeviation, AlarmSeverity.Serious, startedAt, c.Time, c.Latitude, c.Longitude,
                $"偏离计划路线：距路线 {DetailText.N(nearest)} 米（走廊宽 {DetailText.N(widthM)} 米），自 {clock.Format(startedAt)} 起",
                $"Off the planned route: {DetailText.N(nearest)} m from it (corridor {DetailText.N(widthM)} m wide) since {clock.Format(startedAt)}",
                Evidence(state, (c.Time - startedAt).TotalSeconds, state.Condition.CandidateFixes));
        }
        else if (transition == ConditionTransition.Ended)
        {
            WriteEnded(c, state, writer, "已回到计划路线", "back on the planned route");
        }
    }

    private void WriteEnded(in FixContext c, RouteDeviationState state, SignalWriter writer, string whyZh, string whyEn)
    {
        var startedAt = state.Condition.StartedAt!.Value;
        var durationS = (c.Time - startedAt).TotalSeconds;
        writer.End(AlarmKind.RouteDeviation, AlarmSeverity.Serious, startedAt, c.Time, c.Latitude, c.Longitude,
            $"路线偏离结束（{whyZh}）：最远偏离 {DetailText.N(state.MaxDistanceM)} 米，持续 {DetailText.DurationZh(durationS)}",
            $"Route deviation ended ({whyEn}): at most {DetailText.N(state.MaxDistanceM)} m off, lasted {DetailText.Duration(durationS)}",
            Evidence(state, durationS, null));
        state.Condition.Reset();
    }

    private static Dictionary<string, double> Evidence(RouteDeviationState state, double durationS, int? fixes)
    {
        var evidence = new Dictionary<string, double>
        {
            ["maxDistanceM"] = Math.Round(state.MaxDistanceM, 1),
            ["corridorWidthM"] = state.CorridorWidthM,
            ["durationS"] = durationS,
        };
        if (fixes is { } n)
        {
            evidence["fixesOutside"] = n;
        }

        return evidence;
    }
}
