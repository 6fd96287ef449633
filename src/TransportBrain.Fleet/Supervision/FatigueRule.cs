namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// 疲劳驾驶: continuous driving beyond the limit without a rest of MinRest (FatigueContinuous,
/// also beyond the night limit inside the night window), and driving time per local calendar
/// day beyond the daily limit (FatigueDaily).
/// </summary>
/// <remarks>
/// The time between two consecutive fixes is classified once: up to MaxFixGap it takes the
/// earlier fix's state (moving: driving, stopped: rest); a longer gap is rest when the vehicle
/// barely moved across it (or both ends are stopped and displacement is unknown), otherwise it is
/// unknown: it neither adds driving nor counts as rest, so switching the terminal off does not
/// reset a stint. Short stops neither add to nor reset the continuous-driving time.
/// </remarks>
internal sealed class FatigueRule(LocalClock clock)
{
    private enum Interval
    {
        Driving,
        Rest,
        Unknown,
    }

    public void Process(in FixContext c, SignalWriter writer)
    {
        var settings = c.Settings.Fatigue;
        var state = c.Vehicle.Fatigue;
        if (!settings.Enabled)
        {
            EndContinuous(c, state, settings, writer, "规则已停用", "rule disabled");
            EndDaily(c, state, settings, writer, c.Time, "规则已停用", "rule disabled");
            state.ContinuousDrivingS = state.ContinuousNightDrivingS = state.RestS = 0;
            state.StintStartedAt = null;
            state.Day = null;
            state.DailyDrivingS = 0;
            return;
        }

        if (c.Previous is not { } previous || c.Time <= previous.Time)
        {
            RollDay(c, state, settings, writer, c.Time);
            return;
        }

        var from = previous.Time;
        var to = c.Time;
        var interval = Classify(c, previous, settings);

        switch (interval)
        {
            case Interval.Driving:
                state.RestS = 0;
                if (state.ContinuousDrivingS == 0)
                {
                    state.StintStartedAt = from;
                }

                var continuousBefore = state.ContinuousDrivingS;
                var nightBefore = state.ContinuousNightDrivingS;
                state.ContinuousDrivingS += (to - from).TotalSeconds;
                state.ContinuousNightDrivingS += clock.OverlapSeconds(from, to, settings.NightWindow);
                AddDaily(c, state, settings, writer, from, to);
                CheckContinuous(c, state, settings, writer, from, continuousBefore, nightBefore);
                break;

            case Interval.Rest:
                state.RestS += (to - from).TotalSeconds;
                RollDay(c, state, settings, writer, to);
                if (state.RestS >= settings.MinRest.TotalSeconds)
                {
                    EndContinuous(c, state, settings, writer, $"已休息 {DetailText.DurationZh(state.RestS)}", $"rested {DetailText.Duration(state.RestS)}");
                    state.ContinuousDrivingS = 0;
                    state.ContinuousNightDrivingS = 0;
                    state.StintStartedAt = null;
                }

                break;

            default:
                // The vehicle moved while silent: whatever stop was in progress is over.
                state.RestS = 0;
                RollDay(c, state, settings, writer, to);
                break;
        }
    }

    private static Interval Classify(in FixContext c, FixSnapshot previous, FatigueSettings settings)
    {
        if (c.Time - previous.Time <= c.Settings.MaxFixGap)
        {
            return previous.Moving ? Interval.Driving : Interval.Rest;
        }

        if (previous.Located && c.Located)
        {
            var displacement = Geo.HaversineM(previous.Latitude, previous.Longitude, c.Latitude, c.Longitude);
            return displacement <= settings.GapRestMaxDisplacementM ? Interval.Rest : Interval.Unknown;
        }

        return !previous.Moving && !c.Moving ? Interval.Rest : Interval.Unknown;
    }

    private void CheckContinuous(in FixContext c, FatigueState state, FatigueSettings settings, SignalWriter writer,
        DateTimeOffset intervalStart, double continuousBefore, double nightBefore)
    {
        if (state.ContinuousOpen)
        {
            return;
        }

        var limitS = settings.ContinuousLimit.TotalSeconds;
        var overDay = state.ContinuousDrivingS > limitS;
        var nightLimitS = settings.NightContinuousLimit?.TotalSeconds;
        var overNight = nightLimitS is { } n && state.ContinuousNightDrivingS > n;
        if (!overDay && !overNight)
        {
            return;
        }

        // The condition began when the accumulated time reached the limit inside this interval.
        var startedAt = overDay
            ? intervalStart + TimeSpan.FromSeconds(Math.Max(0, limitS - continuousBefore))
            : clock.WhenOverlapReaches(intervalStart, c.Time, settings.NightWindow, nightLimitS!.Value - nightBefore);
        if (startedAt > c.Time)
        {
            startedAt = c.Time;
        }

        state.ContinuousOpen = true;
        state.ContinuousStartedAt = startedAt;
        var evidence = ContinuousEvidence(state, settings);
        var stint = state.StintStartedAt is { } s ? clock.Format(s) : "?";
        if (overDay)
        {
            writer.Raise(AlarmKind.FatigueContinuous, AlarmSeverity.Serious, startedAt, c.Time, c.Latitude, c.Longitude,
                $"疲劳驾驶：自 {stint} 起连续驾驶 {DetailText.DurationZh(state.ContinuousDrivingS)}，超过 {DetailText.DurationZh(limitS)} 且未休息 {DetailText.DurationZh(settings.MinRest.TotalSeconds)}",
                $"Fatigue: continuous driving {DetailText.Duration(state.ContinuousDrivingS)} since {stint}, over {DetailText.Duration(limitS)} without a {DetailText.Duration(settings.MinRest.TotalSeconds)} rest",
                evidence);
        }
        else
        {
            writer.Raise(AlarmKind.FatigueContinuous, AlarmSeverity.Serious, startedAt, c.Time, c.Latitude, c.Longitude,
                $"疲劳驾驶（夜间）：本次连续驾驶中夜间驾驶 {DetailText.DurationZh(state.ContinuousNightDrivingS)}，超过 {DetailText.DurationZh(nightLimitS!.Value)}",
                $"Fatigue (night): {DetailText.Duration(state.ContinuousNightDrivingS)} of night driving in this stint, over {DetailText.Duration(nightLimitS!.Value)}",
                evidence);
        }
    }

    private void EndContinuous(in FixContext c, FatigueState state, FatigueSettings settings, SignalWriter writer, string whyZh, string whyEn)
    {
        if (!state.ContinuousOpen)
        {
            return;
        }

        var startedAt = state.ContinuousStartedAt ?? c.Time;
        writer.End(AlarmKind.FatigueContinuous, AlarmSeverity.Serious, startedAt, c.Time, c.Latitude, c.Longitude,
            $"疲劳驾驶结束（{whyZh}）：连续驾驶共 {DetailText.DurationZh(state.ContinuousDrivingS)}",
            $"Fatigue ended ({whyEn}): {DetailText.Duration(state.ContinuousDrivingS)} of continuous driving in all",
            ContinuousEvidence(state, settings));
        state.ContinuousOpen = false;
        state.ContinuousStartedAt = null;
    }

    private static Dictionary<string, double> ContinuousEvidence(FatigueState state, FatigueSettings settings)
    {
        var evidence = new Dictionary<string, double>
        {
            ["continuousDrivingS"] = Math.Round(state.ContinuousDrivingS),
            ["limitS"] = settings.ContinuousLimit.TotalSeconds,
            ["nightDrivingS"] = Math.Round(state.ContinuousNightDrivingS),
            ["minRestS"] = settings.MinRest.TotalSeconds,
        };
        if (settings.NightContinuousLimit is { } night)
        {
            evidence["nightLimitS"] = night.TotalSeconds;
        }

        return evidence;
    }

    /// <summary>Adds driving <c>[from, to)</c> to the local days it covers, rolling days over at local midnight.</summary>
    private void AddDaily(in FixContext c, FatigueState state, FatigueSettings settings, SignalWriter writer, DateTimeOffset from, DateTimeOffset to)
    {
        var pieceStart = from;
        while (pieceStart < to)
        {
            RollDay(c, state, settings, writer, pieceStart);
            var nextMidnight = clock.StartOfDay(clock.LocalDate(pieceStart).AddDays(1));
            var pieceEnd = nextMidnight < to ? nextMidnight : to;
            var before = state.DailyDrivingS;
            state.DailyDrivingS += (pieceEnd - pieceStart).TotalSeconds;
            if (settings.DailyLimit is { } limit && !state.DailyOpen && state.DailyDrivingS > limit.TotalSeconds)
            {
                var startedAt = pieceStart + TimeSpan.FromSeconds(Math.Max(0, limit.TotalSeconds - before));
                state.DailyOpen = true;
                state.DailyStartedAt = startedAt;
                writer.Raise(AlarmKind.FatigueDaily, AlarmSeverity.Serious, startedAt, c.Time, c.Latitude, c.Longitude,
                    $"当日累计驾驶超时：{state.Day:yyyy-MM-dd} 已驾驶 {DetailText.DurationZh(state.DailyDrivingS)}，超过 {DetailText.DurationZh(limit.TotalSeconds)}",
                    $"Daily driving time exceeded: {DetailText.Duration(state.DailyDrivingS)} driven on {state.Day:yyyy-MM-dd}, over {DetailText.Duration(limit.TotalSeconds)}",
                    DailyEvidence(state, limit));
            }

            pieceStart = pieceEnd;
        }

        RollDay(c, state, settings, writer, to);
    }

    /// <summary>Moves the daily counter to the local day of <paramref name="instant"/>, ending the daily alarm at midnight.</summary>
    private void RollDay(in FixContext c, FatigueState state, FatigueSettings settings, SignalWriter writer, DateTimeOffset instant)
    {
        var day = clock.LocalDate(instant);
        if (state.Day == day)
        {
            return;
        }

        if (state.Day is { } oldDay && state.DailyOpen)
        {
            EndDaily(c, state, settings, writer, clock.StartOfDay(oldDay.AddDays(1)), "新的一天开始", "a new day began");
        }

        state.Day = day;
        state.DailyDrivingS = 0;
    }

    private void EndDaily(in FixContext c, FatigueState state, FatigueSettings settings, SignalWriter writer, DateTimeOffset at, string whyZh, string whyEn)
    {
        if (!state.DailyOpen)
        {
            return;
        }

        var limit = settings.DailyLimit ?? TimeSpan.Zero;
        writer.End(AlarmKind.FatigueDaily, AlarmSeverity.Serious, state.DailyStartedAt ?? at, at, c.Latitude, c.Longitude,
            $"当日累计驾驶超时结束（{whyZh}）：{state.Day:yyyy-MM-dd} 共驾驶 {DetailText.DurationZh(state.DailyDrivingS)}",
            $"Daily driving time alarm ended ({whyEn}): {DetailText.Duration(state.DailyDrivingS)} driven on {state.Day:yyyy-MM-dd}",
            DailyEvidence(state, limit));
        state.DailyOpen = false;
        state.DailyStartedAt = null;
    }

    private static Dictionary<string, double> DailyEvidence(FatigueState state, TimeSpan limit) => new()
    {
        ["dailyDrivingS"] = Math.Round(state.DailyDrivingS),
        ["limitS"] = limit.TotalSeconds,
    };
}
