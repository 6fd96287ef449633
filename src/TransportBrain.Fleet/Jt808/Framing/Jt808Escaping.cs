using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// Byte stuffing and checksum. On the wire 0x7E delimits frames, so inside a frame
/// 0x7E is sent as 0x7D 0x02 and 0x7D as 0x7D 0x01; any other byte after 0x7D is an error.
/// </summary>
public static class Jt808Escaping
{
    public const byte Delimiter = 0x7E;
    public const byte EscapeMarker = 0x7D;
    private const byte EscapedDelimiter = 0x02;
    private const byte EscapedMarker = 0x01;

    private static readonly SearchValues<byte> s_needsEscape = SearchValues.Create([Delimiter, EscapeMarker]);

    /// <summary>XOR of every byte: the check code computed over header and body.</summary>
    public static byte ComputeChecksum(ReadOnlySpan<byte> content)
    {
        ulong wide = 0;
        int i = 0;
        if (Vector128.IsHardwareAccelerated && content.Length >= 2 * Vector128<byte>.Count)
        {
            // XOR is lane-independent: fold 16-byte blocks, then the lanes, then the tail.
            var acc = Vector128<byte>.Zero;
            ref byte start = ref MemoryMarshal.GetReference(content);
            for (; i + Vector128<byte>.Count <= content.Length; i += Vector128<byte>.Count)
            {
                acc ^= Vector128.LoadUnsafe(ref start, (nuint)i);
            }

            var lanes = acc.AsUInt64();
            wide = lanes.GetElement(0) ^ lanes.GetElement(1);
        }

        for (; i + sizeof(ulong) <= content.Length; i += sizeof(ulong))
        {
            wide ^= BinaryPrimitives.ReadUInt64LittleEndian(content[i..]);
        }

        wide ^= wide >> 32;
        wide ^= wide >> 16;
        wide ^= wide >> 8;
        byte checksum = (byte)wide;
        for (; i < content.Length; i++)
        {
            checksum ^= content[i];
        }

        return checksum;
    }

    public static int GetEscapedLength(ReadOnlySpan<byte> content) =>
        content.Length + content.Count(Delimiter) + content.Count(EscapeMarker);

    /// <summary>Escapes <paramref name="content"/> (no delimiters added); returns bytes written.</summary>
    public static int Escape(ReadOnlySpan<byte> content, Span<byte> destination)
    {
        int written = 0;
        while (true)
        {
            int special = content.IndexOfAny(s_needsEscape);
            if (special < 0)
            {
                content.CopyTo(destination[written..]);
                return written + content.Length;
            }

            content[..special].CopyTo(destination[written..]);
            written += special;
            destination[written++] = EscapeMarker;
            destination[written++] = content[special] == Delimiter ? EscapedDelimiter : EscapedMarker;
            content = content[(special + 1)..];
        }
    }

    /// <summary>
    /// Reverses the byte stuffing. False when 0x7D is followed by anything but 0x01/0x02 or ends the input;
    /// <paramref name="badEscapeOffset"/> is then the offset of that 0x7D in <paramref name="escaped"/>.
    /// </summary>
    public static bool TryUnescape(ReadOnlySpan<byte> escaped, Span<byte> destination, out int written, out int badEscapeOffset)
    {
        if (destination.Length < escaped.Length)
        {
            throw new ArgumentException("The destination must be at least as long as the escaped input.", nameof(destination));
        }

        written = 0;
        badEscapeOffset = -1;
        int offset = 0;
        while (true)
        {
            var rest = escaped[offset..];
            int marker = rest.IndexOf(EscapeMarker);
            if (marker < 0)
            {
                rest.CopyTo(destination[written..]);
                written += rest.Length;
                return true;
            }

            rest[..marker].CopyTo(destination[written..]);
            written += marker;
            offset += marker;
            if (offset + 1 >= escaped.Length || !TryUnescapeByte(escaped[offset + 1], out byte value))
            {
                badEscapeOffset = offset;
                return false;
            }

            destination[written++] = value;
            offset += 2;
        }
    }

    /// <inheritdoc cref="TryUnescape(ReadOnlySpan{byte}, Span{byte}, out int, out int)"/>
    public static bool TryUnescape(in ReadOnlySequence<byte> escaped, Span<byte> destination, out int written, out long badEscapeOffset)
    {
        if (escaped.IsSingleSegment)
        {
            bool ok = TryUnescape(escaped.FirstSpan, destination, out written, out int offset);
            badEscapeOffset = offset;
            return ok;
        }

        if (destination.Length < escaped.Length)
        {
            throw new ArgumentException("The destination must be at least as long as the escaped input.", nameof(destination));
        }

        written = 0;
        badEscapeOffset = -1;
        long segmentStart = 0;
        bool markerPending = false;
        foreach (var memory in escaped)
        {
            var span = memory.Span;
            int i = 0;
            if (markerPending && span.Length > 0)
            {
                if (!TryUnescapeByte(span[0], out byte value))
                {
                    badEscapeOffset = segmentStart - 1;
                    return false;
                }

                destination[written++] = value;
                markerPending = false;
                i = 1;
            }

            while (i < span.Length)
            {
                var rest = span[i..];
                int marker = rest.IndexOf(EscapeMarker);
                if (marker < 0)
                {
                    rest.CopyTo(destination[written..]);
                    written += rest.Length;
                    break;
                }

                rest[..marker].CopyTo(destination[written..]);
                written += marker;
                i += marker;
                if (i + 1 == span.Length)
                {
                    // The escaped byte is in the next segment.
                    markerPending = true;
                    break;
                }

                if (!TryUnescapeByte(span[i + 1], out byte value))
                {
                    badEscapeOffset = segmentStart + i;
                    return false;
                }

                destination[written++] = value;
                i += 2;
            }

            segmentStart += span.Length;
        }

        if (markerPending)
        {
            badEscapeOffset = segmentStart - 1;
            return false;
        }

        return true;
    }

    private static bool TryUnescapeByte(byte escaped, out byte value)
    {
        switch (escaped)
        {
            case EscapedDelimiter:
                value = Delimiter;
                return true;
            case EscapedMarker:
                value = EscapeMarker;
                return true;
            default:
                value = 0;
                return false;
        }
    }
}
