namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// 电子围栏: outside an Allowed fence raises GeofenceExit, inside a Prohibited fence raises
/// GeofenceEntry; the condition clears when the vehicle is confirmed back on the right side, the
/// fence's active window closes, or the fence is removed or stops applying to the vehicle.
/// </summary>
/// <remarks>
/// Hysteresis: a fix within BorderMarginM of the border counts for neither side, and the
/// inside/outside state changes only after ConfirmFixes consecutive fixes on the other side.
/// The first fixes seen for a vehicle confirm its side the same way, so a vehicle first seen
/// outside an Allowed fence (or inside a Prohibited one) is alarmed too.
/// </remarks>
internal sealed class GeofenceRule(LocalClock clock)
{
    private readonly List<string> _stale = [];

    public void Process(in FixContext c, GeofenceSet fences, SignalWriter writer)
    {
        var settings = c.Settings.Geofence;
        var vehicle = c.Vehicle;

        // Fences removed, no longer applicable, or the rule switched off: end and forget.
        _stale.Clear();
        foreach (var (id, state) in vehicle.Geofences)
        {
            if (!settings.Enabled || !fences.TryGet(id, out var fence) || !fence.AppliesTo(vehicle.TerminalId, vehicle.Category))
            {
                if (state.AlarmOpen)
                {
                    WriteEnded(c, id, state, writer, "围栏已删除或不再适用", "fence removed or no longer applicable");
                }

                _stale.Add(id);
            }
        }

        foreach (var id in _stale)
        {
            vehicle.Geofences.Remove(id);
        }

        if (!settings.Enabled || !c.Located)
        {
            return;
        }

        foreach (var fence in fences.Ordered)
        {
            if (!fence.AppliesTo(vehicle.TerminalId, vehicle.Category))
            {
                continue;
            }

            var side = Classify(fence.Area, c.Latitude, c.Longitude, settings.BorderMarginM);
            vehicle.Geofences.TryGetValue(fence.Id, out var state);
            if (state is null)
            {
                if (side == GeofencePresence.Unknown)
                {
                    continue;
                }

                state = new GeofenceState();
                vehicle.Geofences[fence.Id] = state;
            }

            state.FenceName = fence.Name;
            var justConfirmed = Confirm(state, side, c.Time, settings.ConfirmFixes);

            var active = fence.ActiveWindow is not { } window || clock.Contains(window, c.Time);
            var violating = active && (fence.Kind == GeofenceKind.Allowed
                ? state.Presence == GeofencePresence.Outside
                : state.Presence == GeofencePresence.Inside);

            if (violating && !state.AlarmOpen)
            {
                var startedAt = justConfirmed && state.PresenceSince is { } since ? since : c.Time;
                state.AlarmOpen = true;
                state.AlarmKind = fence.Kind == GeofenceKind.Allowed ? AlarmKind.GeofenceExit : AlarmKind.GeofenceEntry;
                state.AlarmStartedAt = startedAt;
                var distance = fence.Area.DistanceToBoundaryM(c.Latitude, c.Longitude);
                var (zh, en) = fence.Kind == GeofenceKind.Allowed
                    ? ($"驶出允许区域「{fence.Name}」（{fence.Id}），距边界 {DetailText.N(distance)} 米", $"Left the allowed area '{fence.Name}' ({fence.Id}), {DetailText.N(distance)} m from its border")
                    : ($"驶入禁入区域「{fence.Name}」（{fence.Id}），距边界 {DetailText.N(distance)} 米", $"Entered the prohibited area '{fence.Name}' ({fence.Id}), {DetailText.N(distance)} m inside its border");
                writer.Raise(state.AlarmKind, fence.Kind == GeofenceKind.Allowed ? AlarmSeverity.Warning : AlarmSeverity.Serious,
                    startedAt, c.Time, c.Latitude, c.Longitude, zh, en,
                    new Dictionary<string, double> { ["distanceToBorderM"] = Math.Round(distance, 1), ["confirmFixes"] = settings.ConfirmFixes },
                    fence.Id);
            }
            else if (!violating && state.AlarmOpen)
            {
                WriteEnded(c, fence.Id, state, writer,
                    active ? (fence.Kind == GeofenceKind.Allowed ? "已返回允许区域" : "已驶离禁入区域") : "围栏生效时段已结束",
                    active ? (fence.Kind == GeofenceKind.Allowed ? "back inside the allowed area" : "left the prohibited area") : "the fence's active window is over");
            }
        }
    }

    private static GeofencePresence Classify(GeoArea area, double latitude, double longitude, double marginM)
    {
        if (!area.Bounds.Contains(latitude, longitude, marginM))
        {
            return GeofencePresence.Outside;
        }

        if (marginM > 0 && area.DistanceToBoundaryM(latitude, longitude) < marginM)
        {
            return GeofencePresence.Unknown; // within the border band: no information
        }

        return area.Contains(latitude, longitude) ? GeofencePresence.Inside : GeofencePresence.Outside;
    }

    /// <returns>True when this fix confirmed a change of side.</returns>
    private static bool Confirm(GeofenceState state, GeofencePresence side, DateTimeOffset time, int confirmFixes)
    {
        if (side == GeofencePresence.Unknown)
        {
            return false;
        }

        if (side == state.Presence)
        {
            state.Candidate = GeofencePresence.Unknown;
            state.CandidateFixes = 0;
            state.CandidateSince = null;
            return false;
        }

        if (state.Candidate != side)
        {
            state.Candidate = side;
            state.CandidateFixes = 0;
            state.CandidateSince = time;
        }

        state.CandidateFixes++;
        if (state.CandidateFixes < confirmFixes)
        {
            return false;
        }

        state.Presence = side;
        state.PresenceSince = state.CandidateSince;
        state.Candidate = GeofencePresence.Unknown;
        state.CandidateFixes = 0;
        state.CandidateSince = null;
        return true;
    }

    private void WriteEnded(in FixContext c, string fenceId, GeofenceState state, SignalWriter writer, string whyZh, string whyEn)
    {
        var startedAt = state.AlarmStartedAt ?? c.Time;
        var severity = state.AlarmKind == AlarmKind.GeofenceExit ? AlarmSeverity.Warning : AlarmSeverity.Serious;
        writer.End(state.AlarmKind, severity, startedAt, c.Time, c.Latitude, c.Longitude,
            $"围栏报警结束（{whyZh}）：「{state.FenceName}」（{fenceId}），自 {clock.Format(startedAt)} 起持续 {DetailText.DurationZh((c.Time - startedAt).TotalSeconds)}",
            $"Geofence alarm ended ({whyEn}): '{state.FenceName}' ({fenceId}), lasted {DetailText.Duration((c.Time - startedAt).TotalSeconds)} from {clock.Format(startedAt)}",
            new Dictionary<string, double> { ["durationS"] = (c.Time - startedAt).TotalSeconds },
            fenceId);
        state.AlarmOpen = false;
        state.AlarmStartedAt = null;
    }
}
