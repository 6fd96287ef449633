namespace TransportBrain.Fleet.Jt808;

/// <summary>BCD[6] times (YYMMDDhhmmss). JT/T 808 sends them in China Standard Time, UTC+8 all year.</summary>
internal static class Jt808Bcd
{
    public const int TimeLength = 6;
    private static readonly TimeSpan s_chinaStandardTime = TimeSpan.FromHours(8);

    /// <summary>False for non-BCD nibbles or impossible dates (devices without a fix often send zeros).</summary>
    public static bool TryReadChinaTime(ReadOnlySpan<byte> bcd, out DateTimeOffset utc)
    {
        utc = default;
        if (bcd.Length < TimeLength
            || !TryReadByte(bcd[0], out int yy)
            || !TryReadByte(bcd[1], out int month)
            || !TryReadByte(bcd[2], out int day)
            || !TryReadByte(bcd[3], out int hour)
            || !TryReadByte(bcd[4], out int minute)
            || !TryReadByte(bcd[5], out int second))
        {
            return false;
        }

        int year = 2000 + yy;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        // Straight to UTC ticks: the same instant as new DateTimeOffset(..., +8h).ToUniversalTime(), with less work per report.
        long ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks - s_chinaStandardTime.Ticks;
        utc = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    public static void WriteChinaTime(DateTimeOffset instant, Span<byte> destination)
    {
        var local = instant.ToOffset(s_chinaStandardTime);
        if (local.Year is < 2000 or > 2099)
        {
            throw new ArgumentOutOfRangeException(nameof(instant), instant, "BCD[6] times cover 2000-2099 only.");
        }

        destination[0] = ToBcd(local.Year - 2000);
        destination[1] = ToBcd(local.Month);
        destination[2] = ToBcd(local.Day);
        destination[3] = ToBcd(local.Hour);
        destination[4] = ToBcd(local.Minute);
        destination[5] = ToBcd(local.Second);
    }

    private static bool TryReadByte(byte b, out int value)
    {
        int high = b >> 4;
        int low = b & 0x0F;
        value = (high * 10) + low;
        return high <= 9 && low <= 9;
    }

    private static byte ToBcd(int value) => (byte)(((value / 10) << 4) | (value % 10));
}
