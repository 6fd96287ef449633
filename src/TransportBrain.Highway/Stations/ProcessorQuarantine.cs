using System.Globalization;

namespace TransportBrain.Highway.Stations;

/// <summary>A record a processor refused, with the rule it failed and a copy of its values.</summary>
public sealed record QuarantinedRecord(string Dataset, string Reason, string Detail, IReadOnlyList<object?> Values);

/// <summary>
/// What a stream processor (station states, detector diagnostics, weather warnings) refused and why. The
/// hub's quality gate has already quarantined what breaks a dataset's declared rules; records reach a
/// processor only once stored, so this holds what fails the processor's own rules (unknown station for the
/// network model, direction not served, lane beyond the station's lanes, interval not on a 5-minute
/// boundary, clock skew, too late for the state already evicted, duplicates). Every refusal is counted by
/// reason; the most recent <see cref="Capacity"/> are kept with their values so an operator can see them.
/// Thread-safe.
/// </summary>
public sealed class ProcessorQuarantine(int capacity = 1_000)
{
    public const string UnknownStation = "unknown_station";
    public const string DirectionNotServed = "direction_not_served";
    public const string LaneOutOfRange = "lane_out_of_range";
    public const string Misaligned = "interval_misaligned";
    public const string ClockSkew = "clock_skew";
    public const string TooLate = "too_late";
    public const string Duplicate = "duplicate";
    public const string Malformed = "malformed";
    public const string Implausible = "implausible";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Queue<QuarantinedRecord> _recent = new();

    public int Capacity { get; } = capacity;

    /// <summary>Refusals by reason since start.</summary>
    public IReadOnlyDictionary<string, long> Counts
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, long>(_counts, StringComparer.Ordinal);
            }
        }
    }

    public long Count(string reason)
    {
        lock (_gate)
        {
            return _counts.GetValueOrDefault(reason);
        }
    }

    public long Total
    {
        get
        {
            lock (_gate)
            {
                return _counts.Values.Sum();
            }
        }
    }

    /// <summary>The most recent refused records, oldest first.</summary>
    public IReadOnlyList<QuarantinedRecord> Recent
    {
        get
        {
            lock (_gate)
            {
                return [.. _recent];
            }
        }
    }

    /// <summary>Counts a refusal and keeps a copy of the values (duplicates are counted, not kept).</summary>
    public void Add(string dataset, string reason, string detail, IReadOnlyList<object?> values)
    {
        lock (_gate)
        {
            _counts[reason] = _counts.GetValueOrDefault(reason) + 1;
            if (reason == Duplicate || Capacity == 0)
            {
                return;
            }
            if (_recent.Count == Capacity)
            {
                _recent.Dequeue();
            }
            _recent.Enqueue(new QuarantinedRecord(dataset, reason, detail, [.. values]));
        }
    }
}

/// <summary>China Standard Time (UTC+8, no daylight saving): the day boundaries of daily diagnostics.</summary>
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>The local (UTC+8) calendar day of an instant.</summary>
    public static DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(t.ToOffset(Offset).DateTime);

    /// <summary>Local midnight of a day as an instant.</summary>
    public static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), Offset);

    public static string Format(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>Reading typed rows defensively: a value of the wrong type is treated as absent, never cast blindly.</summary>
internal static class RowValues
{
    public static string? Text(IReadOnlyList<object?> row, int i) => i >= 0 && i < row.Count ? row[i] as string : null;

    public static long? Integer(IReadOnlyList<object?> row, int i) => i >= 0 && i < row.Count
        ? row[i] switch
        {
            long l => l,
            int n => n,
            short s => s,
            _ => null,
        }
        : null;

    public static double? Number(IReadOnlyList<object?> row, int i)
    {
        if (i < 0 || i >= row.Count)
        {
            return null;
        }
        double? v = row[i] switch
        {
            double d => d,
            float f => f,
            long l => l,
            int n => n,
            decimal m => (double)m,
            _ => null,
        };
        return v is { } x && double.IsFinite(x) ? x : null;
    }

    public static DateTimeOffset? Instant(IReadOnlyList<object?> row, int i) => i >= 0 && i < row.Count
        ? row[i] switch
        {
            DateTimeOffset t => t,
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            _ => null,
        }
        : null;
}
