using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// 0x0200 location report body (also the item of 0x0704, the tail of 0x0201 and the 28 bytes inside 0x0801).
/// Coordinates are WGS-84/CGCS2000 as sent. Standard items 0x01, 0x02, 0x03, 0x30 and 0x31 are typed;
/// every other item (unknown, malformed, repeated) stays raw in <see cref="OtherItems"/>, a view over the item bytes.
/// <see cref="TryDecodeBorrowed"/> decodes without allocating and lets that view point into the caller's buffer;
/// <see cref="TryDecode"/> copies the item bytes once (only when there are raw items) so the report owns them.
/// </summary>
public readonly struct Jt808LocationReport
{
    /// <summary>Alarm, status, latitude, longitude, altitude, speed, direction, time.</summary>
    public const int BasicLength = 28;

    public const byte MileageItemId = 0x01;
    public const byte FuelItemId = 0x02;
    public const byte RecorderSpeedItemId = 0x03;
    public const byte SignalStrengthItemId = 0x30;
    public const byte GnssSatellitesItemId = 0x31;

    public Jt808AlarmFlags Alarms { get; init; }

    public Jt808StatusFlags Status { get; init; }

    /// <summary>Unsigned latitude in 1e-6 degrees, as sent; the sign is in <see cref="Jt808StatusFlags.SouthLatitude"/>.</summary>
    public uint LatitudeMicroDegrees { get; init; }

    /// <summary>Unsigned longitude in 1e-6 degrees, as sent; the sign is in <see cref="Jt808StatusFlags.WestLongitude"/>.</summary>
    public uint LongitudeMicroDegrees { get; init; }

    public ushort AltitudeM { get; init; }

    /// <summary>Speed in 0.1 km/h.</summary>
    public ushort SpeedDeciKmh { get; init; }

    /// <summary>Heading 0-359, clockwise from true north.</summary>
    public ushort DirectionDeg { get; init; }

    /// <summary>Device time converted from UTC+8 BCD; null when the BCD is not a valid time.</summary>
    public DateTimeOffset? DeviceTimeUtc { get; init; }

    /// <summary>Item 0x01, odometer in 0.1 km.</summary>
    public uint? MileageDeciKm { get; init; }

    /// <summary>Item 0x02, fuel in 0.1 L.</summary>
    public ushort? FuelDeciLitres { get; init; }

    /// <summary>Item 0x03, speed from the driving recorder in 0.1 km/h.</summary>
    public ushort? RecorderSpeedDeciKmh { get; init; }

    /// <summary>Item 0x30, wireless signal strength as sent by the terminal.</summary>
    public byte? SignalStrength { get; init; }

    /// <summary>Item 0x31, GNSS satellites in view.</summary>
    public byte? GnssSatellites { get; init; }

    /// <summary>
    /// Every additional item not decoded above, in the order received. After <see cref="TryDecodeBorrowed"/> it
    /// may point into the caller's buffer (<see cref="Jt808AdditionalItemList.IsBorrowed"/>): see <see cref="ToOwned"/>.
    /// </summary>
    public Jt808AdditionalItemList OtherItems { get; init; }

    public double LatitudeDegrees =>
        (Status & Jt808StatusFlags.SouthLatitude) != 0 ? -(LatitudeMicroDegrees / 1e6) : LatitudeMicroDegrees / 1e6;

    public double LongitudeDegrees =>
        (Status & Jt808StatusFlags.WestLongitude) != 0 ? -(LongitudeMicroDegrees / 1e6) : LongitudeMicroDegrees / 1e6;

    /// <summary>False when latitude or longitude are beyond ±90°/±180° (seen in synthetic fixtures with swapped axes).</summary>
    public bool HasPlausibleCoordinates => LatitudeMicroDegrees <= 90_000_000 && LongitudeMicroDegrees <= 180_000_000;

    public double SpeedKmh => SpeedDeciKmh / 10.0;

    public double? MileageKm => MileageDeciKm / 10.0;

    public double? FuelLitres => FuelDeciLitres / 10.0;

    public double? RecorderSpeedKmh => RecorderSpeedDeciKmh / 10.0;

    public Jt808LoadState LoadState => (Jt808LoadState)(((uint)Status >> 8) & 0x3);

    /// <summary>
    /// Decodes a location body into a report that owns its bytes: raw items, when there are any, are copied
    /// once (one array), so the report stays valid after <paramref name="body"/>'s buffer is reused. Never throws.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> body, out Jt808LocationReport report, [NotNullWhen(false)] out string? error)
    {
        if (!TryScan(body, out var typed, out int otherCount, out error))
        {
            report = default;
            return false;
        }

        var others = otherCount == 0
            ? Jt808AdditionalItemList.Empty
            : new Jt808AdditionalItemList(body[BasicLength..].ToArray(), otherCount, borrowed: false);
        report = Build(body, typed, others);
        return true;
    }

    /// <summary>
    /// Decodes a location body without allocating: <see cref="OtherItems"/> is a view into <paramref name="body"/>
    /// (<see cref="Jt808AdditionalItemList.IsBorrowed"/> when there are raw items). Use it on the hot path with
    /// <see cref="Jt808Frame.GetBodyMemory"/>, and call <see cref="ToOwned"/> before keeping the report past the
    /// point where the frame buffer is reused. Never throws.
    /// </summary>
    public static bool TryDecodeBorrowed(ReadOnlyMemory<byte> body, out Jt808LocationReport report, [NotNullWhen(false)] out string? error) =>
        TryDecode(body, borrowed: true, out report, out error);

    /// <summary>This report with its raw items copied into an array of their own; itself when nothing is borrowed.</summary>
    public Jt808LocationReport ToOwned() => OtherItems.IsBorrowed ? this with { OtherItems = OtherItems.ToOwned() } : this;

    /// <summary>Decodes with <see cref="OtherItems"/> over <paramref name="body"/>; <paramref name="borrowed"/> says whether the caller keeps the bytes alive.</summary>
    internal static bool TryDecode(ReadOnlyMemory<byte> body, bool borrowed, out Jt808LocationReport report, [NotNullWhen(false)] out string? error)
    {
        var span = body.Span;
        if (!TryScan(span, out var typed, out int otherCount, out error))
        {
            report = default;
            return false;
        }

        var others = otherCount == 0 ? Jt808AdditionalItemList.Empty : new Jt808AdditionalItemList(body[BasicLength..], otherCount, borrowed);
        report = Build(span, typed, others);
        return true;
    }

    /// <summary>Checks the length and walks the items once, typing the standard ones and counting the raw ones.</summary>
    private static bool TryScan(ReadOnlySpan<byte> body, out Jt808AdditionalItemScanner typed, out int otherCount, [NotNullWhen(false)] out string? error)
    {
        typed = default;
        otherCount = 0;
        if (body.Length < BasicLength)
        {
            error = TooShort(body.Length);
            return false;
        }

        error = null;
        var items = body[BasicLength..];
        int offset = 0;
        while (offset < items.Length)
        {
            if (typed.Next(items, ref offset, out _, out _) != Jt808AdditionalItemScanner.Taken)
            {
                otherCount++;
            }
        }

        return true;
    }

    // Out of line, so the decode path does not carry string formatting state.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string TooShort(int length) => $"location body has {length} bytes; the basic part alone needs {BasicLength}";

    private static Jt808LocationReport Build(ReadOnlySpan<byte> body, in Jt808AdditionalItemScanner typed, Jt808AdditionalItemList others)
    {
        var seen = typed.Flags;
        return new Jt808LocationReport
        {
            Alarms = (Jt808AlarmFlags)BinaryPrimitives.ReadUInt32BigEndian(body),
            Status = (Jt808StatusFlags)BinaryPrimitives.ReadUInt32BigEndian(body[4..]),
            LatitudeMicroDegrees = BinaryPrimitives.ReadUInt32BigEndian(body[8..]),
            LongitudeMicroDegrees = BinaryPrimitives.ReadUInt32BigEndian(body[12..]),
            AltitudeM = BinaryPrimitives.ReadUInt16BigEndian(body[16..]),
            SpeedDeciKmh = BinaryPrimitives.ReadUInt16BigEndian(body[18..]),
            DirectionDeg = BinaryPrimitives.ReadUInt16BigEndian(body[20..]),
            DeviceTimeUtc = Jt808Bcd.TryReadChinaTime(body.Slice(22, Jt808Bcd.TimeLength), out var utc) ? utc : null,
            MileageDeciKm = (seen & Jt808AdditionalItemScanner.Seen.Mileage) != 0 ? typed.Mileage : null,
            FuelDeciLitres = (seen & Jt808AdditionalItemScanner.Seen.Fuel) != 0 ? typed.Fuel : null,
            RecorderSpeedDeciKmh = (seen & Jt808AdditionalItemScanner.Seen.RecorderSpeed) != 0 ? typed.RecorderSpeed : null,
            SignalStrength = (seen & Jt808AdditionalItemScanner.Seen.Signal) != 0 ? typed.Signal : null,
            GnssSatellites = (seen & Jt808AdditionalItemScanner.Seen.Satellites) != 0 ? typed.Satellites : null,
            OtherItems = others,
        };
    }
}
