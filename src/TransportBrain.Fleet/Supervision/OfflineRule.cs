namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// 终端离线: a vehicle whose last fix showed it on duty (ACC on or moving) has sent nothing for
/// OfflineAfter. Raised by <see cref="SupervisionEngine.Tick"/>, ended by the next in-order fix.
/// Silence longer than OnDutyWindow raises nothing (a vehicle parked for days is not "offline").
/// </summary>
internal sealed class OfflineRule(LocalClock clock)
{
    public void OnFix(in FixContext c, SignalWriter writer)
    {
        var state = c.Vehicle.Offline;
        if (!state.Open)
        {
            return;
        }

        var startedAt = state.StartedAt ?? c.Time;
        var silentS = (c.Time - startedAt).TotalSeconds;
        writer.End(AlarmKind.Offline, AlarmSeverity.Warning, startedAt, c.Time, c.Latitude, c.Longitude,
            $"终端恢复上线：离线 {DetailText.DurationZh(silentS)}（自 {clock.Format(startedAt)}）",
            $"Terminal back online after {DetailText.Duration(silentS)} of silence (since {clock.Format(startedAt)})",
            new Dictionary<string, double> { ["silentS"] = silentS });
        state.Open = false;
        state.StartedAt = null;
    }

    public void Tick(VehicleState vehicle, RuleSettings settings, DateTimeOffset now, SignalWriter writer)
    {
        var state = vehicle.Offline;
        if (state.Open || !settings.Offline.Enabled || vehicle.LastFix is not { } last)
        {
            return;
        }

        var onDuty = last.AccOn || last.Moving;
        var silence = now - last.Time;
        if (!onDuty || silence < settings.Offline.OfflineAfter || silence > settings.Offline.OnDutyWindow)
        {
            return;
        }

        state.Open = true;
        state.StartedAt = last.Time;
        writer.Raise(AlarmKind.Offline, AlarmSeverity.Warning, last.Time, now, last.Latitude, last.Longitude,
            $"终端离线：自 {clock.Format(last.Time)} 起 {DetailText.DurationZh(silence.TotalSeconds)} 未上报位置（最后状态：{(last.AccOn ? "ACC开" : "ACC关")}，{DetailText.N(last.SpeedKmh)} km/h）",
            $"Terminal offline: no position for {DetailText.Duration(silence.TotalSeconds)} since {clock.Format(last.Time)} (last seen ACC {(last.AccOn ? "on" : "off")}, {DetailText.N(last.SpeedKmh)} km/h)",
            new Dictionary<string, double>
            {
                ["silentS"] = silence.TotalSeconds,
                ["offlineAfterS"] = settings.Offline.OfflineAfter.TotalSeconds,
                ["lastSpeedKmh"] = last.SpeedKmh,
            });
    }
}
