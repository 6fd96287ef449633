using System.Buffers.Binary;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// The terminal phone number (终端手机号) from the header: 6 BCD bytes (12 digits) before 2019,
/// 10 BCD bytes (20 digits) in 2019. Kept as 20 nibbles, left-padded with zeros, so the same SIM
/// is one key whichever edition it arrived in. Nibbles above 9 occur in the wild (devices that
/// put hex ids there) and are kept and printed as lower-case hex letters rather than rejected.
/// </summary>
public readonly struct Jt808TerminalPhone : IEquatable<Jt808TerminalPhone>
{
    public const int MaxBcdBytes = 10;
    private const int MaxNibbles = 2 * MaxBcdBytes;
    private const int ShortFormNibbles = 12;

    // The 10 BCD bytes as a big-endian number in the low 80 bits.
    private readonly UInt128 _bcd;

    private Jt808TerminalPhone(UInt128 bcd) => _bcd = bcd;

    /// <summary>True when the number fits the 6-byte field of the 2011/2013 header.</summary>
    public bool FitsSixBytes => (_bcd >> 48) == UInt128.Zero;

    public static Jt808TerminalPhone FromBcd(ReadOnlySpan<byte> bcd)
    {
        if (bcd.Length > MaxBcdBytes)
        {
            throw new ArgumentException($"A terminal phone has at most {MaxBcdBytes} BCD bytes, got {bcd.Length}.", nameof(bcd));
        }

        switch (bcd.Length)
        {
            case 6: // 2011/2013 header
                return new Jt808TerminalPhone(((ulong)BinaryPrimitives.ReadUInt16BigEndian(bcd) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bcd[2..]));
            case MaxBcdBytes: // 2019 header
                return new Jt808TerminalPhone(new UInt128(BinaryPrimitives.ReadUInt16BigEndian(bcd), BinaryPrimitives.ReadUInt64BigEndian(bcd[2..])));
            default:
                UInt128 value = UInt128.Zero;
                foreach (byte b in bcd)
                {
                    value = (value << 8) | b;
                }

                return new Jt808TerminalPhone(value);
        }
    }

    /// <summary>Parses up to 20 digits (hex letters accepted for the non-BCD nibbles some devices send).</summary>
    public static bool TryParse(ReadOnlySpan<char> digits, out Jt808TerminalPhone phone)
    {
        phone = default;
        if (digits.IsEmpty || digits.Length > MaxNibbles)
        {
            return false;
        }

        UInt128 value = UInt128.Zero;
        foreach (char c in digits)
        {
            int nibble = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => -1,
            };
            if (nibble < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)nibble;
        }

        phone = new Jt808TerminalPhone(value);
        return true;
    }

    public static Jt808TerminalPhone Parse(string digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        return TryParse(digits, out var phone)
            ? phone
            : throw new FormatException($"'{digits}' is not a terminal phone number of 1 to {MaxNibbles} digits.");
    }

    /// <summary>
    /// Writes the number as <paramref name="destination"/>.Length BCD bytes (6 or 10 in practice),
    /// left-padded with zeros. False when the number has more digits than fit.
    /// </summary>
    public bool TryWriteBcd(Span<byte> destination)
    {
        if (destination.Length > MaxBcdBytes)
        {
            return false;
        }

        if (destination.Length < MaxBcdBytes && (_bcd >> (8 * destination.Length)) != UInt128.Zero)
        {
            return false;
        }

        UInt128 value = _bcd;
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)(value & 0xFFu);
            value >>= 8;
        }

        return true;
    }

    /// <summary>The digits with leading zeros trimmed down to the 12-digit form of the 2013 header.</summary>
    public override string ToString()
    {
        Span<char> chars = stackalloc char[MaxNibbles];
        UInt128 value = _bcd;
        for (int i = MaxNibbles - 1; i >= 0; i--)
        {
            int nibble = (int)(value & 0xFu);
            chars[i] = (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
            value >>= 4;
        }

        int start = 0;
        while (start < MaxNibbles - ShortFormNibbles && chars[start] == '0')
        {
            start++;
        }

        return new string(chars[start..]);
    }

    public bool Equals(Jt808TerminalPhone other) => _bcd == other._bcd;

    public override bool Equals(object? obj) => obj is Jt808TerminalPhone other && Equals(other);

    public override int GetHashCode() => _bcd.GetHashCode();

    public static bool operator ==(Jt808TerminalPhone left, Jt808TerminalPhone right) => left.Equals(right);

    public static bool operator !=(Jt808TerminalPhone left, Jt808TerminalPhone right) => !left.Equals(right);
}
