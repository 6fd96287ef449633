namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// Relays the terminal's own JT/T 808 alarm bits: Raised on a 0→1 edge, Ended on 1→0. A late
/// (补传) fix cannot move the edge state; a bit it carries that is not active and not part of an
/// episode already signalled within LateMergeWindow is relayed as a Raised and an Ended at the
/// fix's time, so an SOS pressed in a tunnel still reaches the operator once.
/// </summary>
internal sealed class DeviceAlarmRule(LocalClock clock)
{
    public void Process(in FixContext c, SignalWriter writer)
    {
        var settings = c.Settings.DeviceAlarms;
        var state = c.Vehicle.Device;
        var current = settings.Enabled ? c.Fix.DeviceAlarmFlags & settings.RelayedBits : 0u;
        var rising = current & ~state.ActiveMask;
        var falling = state.ActiveMask & ~current;

        for (var bit = 0; bit < 32 && (rising | falling) != 0; bit++)
        {
            var mask = 1u << bit;
            if ((rising & mask) != 0)
            {
                var bitState = BitState(state, bit);
                bitState.StartedAt = c.Time;
                bitState.EndedAt = null;
                WriteRaised(bit, c.Time, c.Time, c.Latitude, c.Longitude, late: false, writer);
                rising &= ~mask;
            }
            else if ((falling & mask) != 0)
            {
                var bitState = BitState(state, bit);
                var startedAt = bitState.StartedAt ?? c.Time;
                bitState.EndedAt = c.Time;
                WriteEnded(bit, startedAt, c.Time, c.Latitude, c.Longitude, late: false, writer);
                falling &= ~mask;
            }
        }

        state.ActiveMask = current;
    }

    public void ProcessLate(VehicleFix fix, DateTimeOffset time, VehicleState vehicle, RuleSettings settings, SignalWriter writer)
    {
        var options = settings.DeviceAlarms;
        var state = vehicle.Device;
        var carried = options.Enabled ? fix.DeviceAlarmFlags & options.RelayedBits & ~state.ActiveMask : 0u;
        var window = options.LateMergeWindow;
        for (var bit = 0; bit < 32 && carried != 0; bit++)
        {
            var mask = 1u << bit;
            if ((carried & mask) == 0)
            {
                continue;
            }

            carried &= ~mask;
            var bitState = BitState(state, bit);
            var inEpisode = bitState.StartedAt is { } start && time >= start - window
                && (bitState.EndedAt is not { } end || time <= end + window);
            var seenLate = bitState.LateSeenAt is { } seen && (time - seen).Duration() <= window;
            bitState.LateSeenAt = seenLate && bitState.LateSeenAt > time ? bitState.LateSeenAt : time;
            if (inEpisode || seenLate)
            {
                continue;
            }

            WriteRaised(bit, time, time, fix.Latitude, fix.Longitude, late: true, writer);
            WriteEnded(bit, time, time, fix.Latitude, fix.Longitude, late: true, writer);
        }
    }

    private static DeviceBitState BitState(DeviceAlarmState state, int bit)
    {
        if (!state.Bits.TryGetValue(bit, out var bitState))
        {
            state.Bits[bit] = bitState = new DeviceBitState();
        }

        return bitState;
    }

    private void WriteRaised(int bit, DateTimeOffset startedAt, DateTimeOffset at, double latitude, double longitude, bool late, SignalWriter writer)
    {
        var info = DeviceAlarmBits.Describe(bit);
        var lateZh = late ? "（补传数据）" : "";
        var lateEn = late ? " (reported late)" : "";
        writer.Raise(info.Kind, info.Severity, startedAt, at, latitude, longitude,
            $"终端报警：{info.NameZh}（JT/T 808 报警位 {bit}）{lateZh}，{clock.Format(startedAt)}",
            $"Terminal alarm: {info.NameEn} (JT/T 808 alarm bit {bit}){lateEn} at {clock.Format(startedAt)}",
            Evidence(bit, 0, late),
            info.Kind == AlarmKind.DeviceOther ? $"bit{bit}" : null);
    }

    private void WriteEnded(int bit, DateTimeOffset startedAt, DateTimeOffset at, double latitude, double longitude, bool late, SignalWriter writer)
    {
        var info = DeviceAlarmBits.Describe(bit);
        var durationS = (at - startedAt).TotalSeconds;
        var zh = late
            ? $"终端报警（补传）：{info.NameZh}（报警位 {bit}）在后续位置中已清除"
            : $"终端报警解除：{info.NameZh}（JT/T 808 报警位 {bit}），持续 {DetailText.DurationZh(durationS)}";
        var en = late
            ? $"Terminal alarm (reported late): {info.NameEn} (bit {bit}) is already clear in later positions"
            : $"Terminal alarm cleared: {info.NameEn} (JT/T 808 alarm bit {bit}) after {DetailText.Duration(durationS)}";
        writer.End(info.Kind, info.Severity, startedAt, at, latitude, longitude, zh, en,
            Evidence(bit, durationS, late),
            info.Kind == AlarmKind.DeviceOther ? $"bit{bit}" : null);
    }

    private static Dictionary<string, double> Evidence(int bit, double durationS, bool late)
    {
        var evidence = new Dictionary<string, double> { ["bit"] = bit, ["durationS"] = durationS };
        if (late)
        {
            evidence["late"] = 1;
        }

        return evidence;
    }
}
