using System.Globalization;

namespace TransportBrain.Fleet.Supervision;

/// <summary>Local (China Standard Time by default) clock arithmetic for day boundaries and daily windows.</summary>
internal sealed class LocalClock(TimeZoneInfo zone)
{
    /// <summary>China Standard Time, UTC+8 with no daylight saving (none since 1991).</summary>
    public static TimeZoneInfo ChinaStandardTime { get; } =
        TimeZoneInfo.CreateCustomTimeZone("China Standard Time", TimeSpan.FromHours(8), "(UTC+08:00) China Standard Time", "China Standard Time");

    public TimeZoneInfo Zone { get; } = zone;

    public DateTime Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone).DateTime;

    public DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(Local(instant));

    public TimeOnly LocalTime(DateTimeOffset instant) => TimeOnly.FromDateTime(Local(instant));

    public DateTimeOffset ToUtc(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, Zone.GetUtcOffset(unspecified)).ToUniversalTime();
    }

    /// <summary>The instant the local calendar day <paramref name="day"/> begins.</summary>
    public DateTimeOffset StartOfDay(DateOnly day) => ToUtc(day.ToDateTime(TimeOnly.MinValue));

    public bool Contains(DailyTimeWindow window, DateTimeOffset instant) => window.Contains(LocalTime(instant));

    /// <summary>Seconds of <c>[from, to)</c> that fall inside the daily window.</summary>
    public double OverlapSeconds(DateTimeOffset from, DateTimeOffset to, DailyTimeWindow window)
    {
        var total = 0.0;
        foreach (var (start, end) in Overlaps(from, to, window))
        {
            total += (end - start).TotalSeconds;
        }

        return total;
    }

    /// <summary>The instant in <c>[from, to]</c> at which the time spent inside the window since <paramref name="from"/> reaches <paramref name="seconds"/>; <paramref name="to"/> if it never does.</summary>
    public DateTimeOffset WhenOverlapReaches(DateTimeOffset from, DateTimeOffset to, DailyTimeWindow window, double seconds)
    {
        var accumulated = 0.0;
        foreach (var (start, end) in Overlaps(from, to, window))
        {
            var length = (end - start).TotalSeconds;
            if (accumulated + length >= seconds)
            {
                return start + TimeSpan.FromSeconds(Math.Max(0, seconds - accumulated));
            }

            accumulated += length;
        }

        return to;
    }

    /// <summary>The parts of <c>[from, to)</c> inside the daily window, in time order.</summary>
    private IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Overlaps(DateTimeOffset from, DateTimeOffset to, DailyTimeWindow window)
    {
        if (to <= from || window.IsEmpty)
        {
            yield break;
        }

        var lastDay = LocalDate(to);
        for (var day = LocalDate(from).AddDays(-1); day <= lastDay; day = day.AddDays(1))
        {
            var start = ToUtc(day.ToDateTime(window.Start));
            var endDay = window.End > window.Start ? day : day.AddDays(1);
            var end = ToUtc(endDay.ToDateTime(window.End));
            var overlapStart = start > from ? start : from;
            var overlapEnd = end < to ? end : to;
            if (overlapEnd > overlapStart)
            {
                yield return (overlapStart, overlapEnd);
            }
        }
    }

    public string Format(DateTimeOffset instant) => Local(instant).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}

/// <summary>What every rule needs to know about one in-order fix.</summary>
internal readonly record struct FixContext(
    VehicleFix Fix,
    VehicleState Vehicle,
    FixSnapshot? Previous,
    RuleSettings Settings,
    DateTimeOffset Time,
    bool Located,
    double SpeedKmh,
    bool Moving,
    double? RoadLimitKmh,
    int? RoadGrade)
{
    public double Latitude => Fix.Latitude;

    public double Longitude => Fix.Longitude;
}

/// <summary>Builds signals for the vehicle being processed and collects them in order.</summary>
internal sealed class SignalWriter
{
    private readonly List<AlarmSignalEvent> _signals = [];
    private VehicleState? _vehicle;

    public void Begin(VehicleState vehicle) => _vehicle = vehicle;

    public void Raise(AlarmKind kind, AlarmSeverity severity, DateTimeOffset startedAt, DateTimeOffset at, double latitude, double longitude,
        string detailZh, string detailEn, Dictionary<string, double> evidence, string? qualifier = null) =>
        Write(AlarmSignal.Raised, kind, severity, startedAt, at, latitude, longitude, detailZh, detailEn, evidence, qualifier);

    public void End(AlarmKind kind, AlarmSeverity severity, DateTimeOffset startedAt, DateTimeOffset at, double latitude, double longitude,
        string detailZh, string detailEn, Dictionary<string, double> evidence, string? qualifier = null) =>
        Write(AlarmSignal.Ended, kind, severity, startedAt, at, latitude, longitude, detailZh, detailEn, evidence, qualifier);

    private void Write(AlarmSignal signal, AlarmKind kind, AlarmSeverity severity, DateTimeOffset startedAt, DateTimeOffset at,
        double latitude, double longitude, string detailZh, string detailEn, Dictionary<string, double> evidence, string? qualifier)
    {
        var vehicle = _vehicle ?? throw new InvalidOperationException("SignalWriter.Begin was not called.");
        _signals.Add(new AlarmSignalEvent(
            signal,
            AlarmIds.For(vehicle.TerminalId, kind, startedAt, qualifier),
            kind,
            severity,
            vehicle.TerminalId,
            vehicle.Plate,
            vehicle.Category,
            startedAt,
            at,
            latitude,
            longitude,
            detailZh,
            detailEn,
            evidence));
    }

    public IReadOnlyList<AlarmSignalEvent> Drain()
    {
        _vehicle = null;
        if (_signals.Count == 0)
        {
            return [];
        }

        var result = _signals.ToArray();
        _signals.Clear();
        return result;
    }
}

internal static class DetailText
{
    public static string N(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    public static string DurationZh(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}小时{span.Minutes:00}分")
            : span.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}分{span.Seconds:00}秒")
                : string.Create(CultureInfo.InvariantCulture, $"{span.Seconds}秒");
    }

    public static string Duration(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h{span.Minutes:00}m")
            : span.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m{span.Seconds:00}s")
                : string.Create(CultureInfo.InvariantCulture, $"{span.Seconds}s");
    }
}
