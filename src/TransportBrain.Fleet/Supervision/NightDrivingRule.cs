namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// 夜间禁行: a coach or charter coach moving inside the night window (02:00-05:00 local) on a
/// restricted road for at least MinDuration. Ends once it has been stopped (or on an unrestricted
/// road) for EndHold, or at once when the window closes.
/// </summary>
internal sealed class NightDrivingRule(LocalClock clock)
{
    public void Process(in FixContext c, SignalWriter writer)
    {
        var settings = c.Settings.NightDriving;
        var state = c.Vehicle.NightDriving;
        var inWindow = settings.Enabled && clock.Contains(settings.Window, c.Time);
        if (!inWindow)
        {
            if (state.Condition.Open)
            {
                WriteEnded(c, state, writer, settings.Enabled ? "禁行时段已结束" : "规则已停用", settings.Enabled ? "the ban window is over" : "rule disabled");
            }

            state.Condition.Reset();
            state.Condition.LastTime = c.Time;
            return;
        }

        var restricted = c.RoadGrade is { } grade ? grade >= settings.MinRestrictedRoadGrade : settings.RestrictUnknownGrade;
        var violating = c.Moving && restricted;
        var transition = state.Condition.Step(
            violating, c.Time, new Persistence(settings.MinDuration, null), new Persistence(settings.EndHold, null), c.Settings.MaxFixGap, out var startedCandidate);
        if (startedCandidate)
        {
            state.MaxSpeedKmh = 0;
        }

        if (violating)
        {
            state.MaxSpeedKmh = Math.Max(state.MaxSpeedKmh, c.SpeedKmh);
            state.RoadGrade = c.RoadGrade;
        }

        if (transition == ConditionTransition.Raised)
        {
            var startedAt = state.Condition.StartedAt!.Value;
            var road = c.RoadGrade is { } g ? GradeZh(g) : "等级未知道路";
            var roadEn = c.RoadGrade is { } ge ? $"road grade {ge}" : "a road of unknown grade";
            writer.Raise(AlarmKind.NightDriving, AlarmSeverity.Serious, startedAt, c.Time, c.Latitude, c.Longitude,
                $"夜间禁行时段（{settings.Window}）行驶：{clock.Format(startedAt)} 起在{road}上行驶，车速 {DetailText.N(c.SpeedKmh)} km/h",
                $"Driving during the night ban ({settings.Window}): moving on {roadEn} since {clock.Format(startedAt)}, {DetailText.N(c.SpeedKmh)} km/h",
                Evidence(state, (c.Time - startedAt).TotalSeconds));
        }
        else if (transition == ConditionTransition.Ended)
        {
            WriteEnded(c, state, writer, "车辆已停驶", "the vehicle stopped");
        }
    }

    private void WriteEnded(in FixContext c, NightDrivingState state, SignalWriter writer, string whyZh, string whyEn)
    {
        var startedAt = state.Condition.StartedAt!.Value;
        var endedAt = state.Condition.ClearSince ?? c.Time;
        writer.End(AlarmKind.NightDriving, AlarmSeverity.Serious, startedAt, c.Time, c.Latitude, c.Longitude,
            $"夜间禁行时段行驶结束（{whyZh}）：自 {clock.Format(startedAt)} 起持续 {DetailText.DurationZh((endedAt - startedAt).TotalSeconds)}",
            $"Night-ban driving ended ({whyEn}): lasted {DetailText.Duration((endedAt - startedAt).TotalSeconds)} from {clock.Format(startedAt)}",
            Evidence(state, (endedAt - startedAt).TotalSeconds));
        state.Condition.Reset();
    }

    private static Dictionary<string, double> Evidence(NightDrivingState state, double durationS)
    {
        var evidence = new Dictionary<string, double>
        {
            ["maxSpeedKmh"] = state.MaxSpeedKmh,
            ["durationS"] = durationS,
        };
        if (state.RoadGrade is { } grade)
        {
            evidence["roadGrade"] = grade;
        }

        return evidence;
    }

    internal static string GradeZh(int grade) => grade switch
    {
        0 => "高速公路",
        1 => "一级公路",
        2 => "二级公路",
        3 => "三级公路",
        4 => "四级公路",
        _ => "等级未知道路",
    };
}
