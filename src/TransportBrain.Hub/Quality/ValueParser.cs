using System.Globalization;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Quality;

/// <summary>
/// Turns field text into typed values. Times without an offset are China Standard Time (UTC+8),
/// which is how Chinese government exports write them; every instant is returned in UTC.
/// </summary>
public static class ValueParser
{
    public static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    private const long SmallMin = -1024;
    private const long SmallMax = 32767;
    private static readonly object True = true;
    private static readonly object False = false;
    // Boxes of small whole numbers (codes, counts, fees), shared: an import keeps millions of values
    // alive between the gate and the store, and most of them are the same few hundred numbers.
    private static readonly object?[] SmallLongs = new object?[SmallMax - SmallMin + 1];

    /// <summary>A boxed long, shared for small values. Boxes are immutable, so sharing is invisible.</summary>
    public static object Box(long value)
    {
        if (value is < SmallMin or > SmallMax)
        {
            return value;
        }
        ref var slot = ref SmallLongs[value - SmallMin];
        return slot ??= value;
    }

    public static bool TryParse(FieldType type, string text, out object? value, out string? error)
    {
        switch (type)
        {
            case FieldType.String:
                value = text;
                error = null;
                return true;
            case FieldType.Int64:
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    value = Box(l);
                    error = null;
                    return true;
                }
                value = null;
                error = $"'{Shorten(text)}' is not a whole number";
                return false;
            case FieldType.Double:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                {
                    value = d;
                    error = null;
                    return true;
                }
                value = null;
                error = $"'{Shorten(text)}' is not a number";
                return false;
            case FieldType.Boolean:
                if (TryParseBoolean(text, out var b))
                {
                    value = b ? True : False;
                    error = null;
                    return true;
                }
                value = null;
                error = $"'{Shorten(text)}' is not true/false";
                return false;
            default:
                if (TryParseInstant(text, out var t))
                {
                    value = t;
                    error = null;
                    return true;
                }
                value = null;
                error = $"'{Shorten(text)}' is not a valid time (expected e.g. 2025-05-01 08:30:00 or ISO-8601 with offset)";
                return false;
        }
    }

    private static bool TryParseBoolean(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "y" or "yes" or "是":
                value = true;
                return true;
            case "false" or "0" or "n" or "no" or "否":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>
    /// Fast path for "yyyy-MM-dd HH:mm:ss[.fffffff][Z|±hh:mm]" (space or 'T'); anything else goes
    /// through the framework's ISO-8601 parser. Impossible dates (2月30日, 25:00) are rejected.
    /// </summary>
    public static bool TryParseInstant(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        s = s.Trim();
        if (s.Length >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' && s[16] == ':'
            && TryDigits(s, 0, 4, out var year) && TryDigits(s, 5, 2, out var month) && TryDigits(s, 8, 2, out var day)
            && TryDigits(s, 11, 2, out var hour) && TryDigits(s, 14, 2, out var minute) && TryDigits(s, 17, 2, out var second))
        {
            var pos = 19;
            long ticks = 0;
            if (pos < s.Length && s[pos] == '.')
            {
                pos++;
                var scale = TimeSpan.TicksPerSecond / 10;
                var start = pos;
                while (pos < s.Length && char.IsAsciiDigit(s[pos]))
                {
                    ticks += (s[pos] - '0') * scale;
                    scale /= 10;
                    pos++;
                }
                if (pos == start)
                {
                    return false;
                }
            }
            var offset = ChinaStandardTime;
            if (pos < s.Length)
            {
                var rest = s[pos..];
                if (rest is "Z" or "z")
                {
                    offset = TimeSpan.Zero;
                }
                else if (rest.Length == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':'
                    && TryDigits(rest, 1, 2, out var oh) && TryDigits(rest, 4, 2, out var om) && oh <= 14 && om < 60)
                {
                    offset = new TimeSpan(oh, om, 0);
                    if (rest[0] == '-')
                    {
                        offset = -offset;
                    }
                }
                else
                {
                    return false;
                }
            }
            if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
            {
                return false;
            }
            var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
            var utcTicks = local.Ticks - offset.Ticks;
            if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
            {
                return false; // e.g. 0001-01-01 00:00 at UTC+8 falls before year 1 in UTC
            }
            value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
            return true;
        }
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var parsed)
            && (s.Contains('T') || s.Contains('-')))
        {
            // DateTimeOffset.TryParse assumes the machine's zone when none is written; we assume UTC+8.
            var hasZone = s.EndsWith("Z", StringComparison.OrdinalIgnoreCase) || s.LastIndexOfAny('+', '-') > 10;
            var utcTicks = hasZone ? parsed.UtcTicks : parsed.DateTime.Ticks - ChinaStandardTime.Ticks;
            if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
            {
                return false;
            }
            value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
            return true;
        }
        return false;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var c = s[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return true;
    }

    public static string Format(object? value) => value switch
    {
        null => "",
        DateTimeOffset t => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => value.ToString() ?? "",
    };

    internal static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
