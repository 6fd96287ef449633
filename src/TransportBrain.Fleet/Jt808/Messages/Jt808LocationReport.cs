using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// 0x0200 location report body (also the item of 0x0704, the tail of 0x0201 and the 28 bytes inside 0x0801).
/// Coordinates are WGS-84/CGCS2000 as sent. A report without unknown items decodes without allocating;
/// unknown or malformed items are copied once into <see cref="OtherItems"/>.
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

    private readonly IReadOnlyList<Jt808AdditionalItem>? _otherItems;

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

    /// <summary>Every additional item not decoded above, in the order received.</summary>
    public IReadOnlyList<Jt808AdditionalItem> OtherItems
    {
        get => _otherItems ?? [];
        init => _otherItems = value;
    }

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

    public static bool TryDecode(ReadOnlySpan<byte> body, out Jt808LocationReport report, [NotNullWhen(false)] out string? error)
    {
        report = default;
        if (body.Length < BasicLength)
        {
            error = $"location body has {body.Length} bytes; the basic part alone needs {BasicLength}";
            return false;
        }

        error = null;
        DateTimeOffset? deviceTime = Jt808Bcd.TryReadChinaTime(body.Slice(22, Jt808Bcd.TimeLength), out var utc) ? utc : null;
        var items = body[BasicLength..];
        var typed = default(TypedItems);
        int otherCount = ScanItems(items, ref typed, others: null, copy: default);
        Jt808AdditionalItem[]? others = null;
        if (otherCount > 0)
        {
            // One copy, because the body lives in the reader's reusable frame buffer.
            byte[] copy = items.ToArray();
            others = new Jt808AdditionalItem[otherCount];
            typed = default;
            ScanItems(items, ref typed, others, copy);
        }

        report = new Jt808LocationReport
        {
            Alarms = (Jt808AlarmFlags)BinaryPrimitives.ReadUInt32BigEndian(body),
            Status = (Jt808StatusFlags)BinaryPrimitives.ReadUInt32BigEndian(body[4..]),
            LatitudeMicroDegrees = BinaryPrimitives.ReadUInt32BigEndian(body[8..]),
            LongitudeMicroDegrees = BinaryPrimitives.ReadUInt32BigEndian(body[12..]),
            AltitudeM = BinaryPrimitives.ReadUInt16BigEndian(body[16..]),
            SpeedDeciKmh = BinaryPrimitives.ReadUInt16BigEndian(body[18..]),
            DirectionDeg = BinaryPrimitives.ReadUInt16BigEndian(body[20..]),
            DeviceTimeUtc = deviceTime,
            MileageDeciKm = typed.Mileage,
            FuelDeciLitres = typed.Fuel,
            RecorderSpeedDeciKmh = typed.RecorderSpeed,
            SignalStrength = typed.Signal,
            GnssSatellites = typed.Satellites,
            OtherItems = (IReadOnlyList<Jt808AdditionalItem>?)others ?? [],
        };
        return true;
    }

    /// <summary>
    /// Walks the TLV items, filling the typed ones and, when <paramref name="others"/> is given,
    /// the raw ones. Returns how many are raw. Run twice (count, then fill) with identical results.
    /// </summary>
    private static int ScanItems(ReadOnlySpan<byte> items, ref TypedItems typed, Jt808AdditionalItem[]? others, ReadOnlyMemory<byte> copy)
    {
        int otherCount = 0;
        int offset = 0;
        while (offset < items.Length)
        {
            byte id = items[offset];
            int remaining = items.Length - offset;
            Jt808AdditionalItemState state;
            int declared;
            int rawLength;
            if (remaining < 2)
            {
                declared = 0;
                rawLength = remaining;
                state = Jt808AdditionalItemState.Truncated;
            }
            else
            {
                declared = items[offset + 1];
                if (declared > remaining - 2)
                {
                    rawLength = remaining;
                    state = Jt808AdditionalItemState.Truncated;
                }
                else
                {
                    rawLength = declared + 2;
                    state = typed.TryTake(id, items.Slice(offset + 2, declared));
                }
            }

            if (state != TypedItems.Taken)
            {
                if (others is not null)
                {
                    others[otherCount] = new Jt808AdditionalItem(id, declared, state, copy.Slice(offset, rawLength));
                }

                otherCount++;
            }

            offset += rawLength;
        }

        return otherCount;
    }

    private struct TypedItems
    {
        public const Jt808AdditionalItemState Taken = (Jt808AdditionalItemState)(-1);

        public uint? Mileage;
        public ushort? Fuel;
        public ushort? RecorderSpeed;
        public byte? Signal;
        public byte? Satellites;

        public Jt808AdditionalItemState TryTake(byte id, ReadOnlySpan<byte> value)
        {
            switch (id)
            {
                case MileageItemId:
                    return Take(ref Mileage, value, 4, static v => BinaryPrimitives.ReadUInt32BigEndian(v));
                case FuelItemId:
                    return Take(ref Fuel, value, 2, static v => BinaryPrimitives.ReadUInt16BigEndian(v));
                case RecorderSpeedItemId:
                    return Take(ref RecorderSpeed, value, 2, static v => BinaryPrimitives.ReadUInt16BigEndian(v));
                case SignalStrengthItemId:
                    return Take(ref Signal, value, 1, static v => v[0]);
                case GnssSatellitesItemId:
                    return Take(ref Satellites, value, 1, static v => v[0]);
                default:
                    return Jt808AdditionalItemState.Undecoded;
            }
        }

        private delegate T Reader<T>(ReadOnlySpan<byte> value);

        private static Jt808AdditionalItemState Take<T>(ref T? slot, ReadOnlySpan<byte> value, int length, Reader<T> read)
            where T : struct
        {
            if (value.Length != length)
            {
                return Jt808AdditionalItemState.WrongLength;
            }

            if (slot.HasValue)
            {
                return Jt808AdditionalItemState.Duplicate;
            }

            slot = read(value);
            return Taken;
        }
    }
}
