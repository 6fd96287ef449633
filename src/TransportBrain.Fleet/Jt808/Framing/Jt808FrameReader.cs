using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// Reads JT/T 808 frames from a byte stream, Kestrel style: pure and static, consuming from
/// <c>ref buffer</c> exactly what it has dealt with. One call returns at most one frame or one
/// rejection, so a connection loop calls it until it reports <see cref="Jt808ReadStatus.NeedMoreData"/>.
/// Bad input never throws; it comes back as a <see cref="Jt808FrameError"/> (bytes copied only then).
/// </summary>
public static class Jt808FrameReader
{
    /// <summary>12-byte 2013 header plus the check code.</summary>
    public const int MinContentLength = Jt808Header.Length2013 + 1;

    /// <summary>2019 header with sub-package fields, the largest body and the check code.</summary>
    public const int MaxContentLength = Jt808Header.Length2019 + Jt808Header.SubPackageFieldsLength + Jt808Header.MaxBodyLength + 1;

    /// <summary>The largest legal frame on the wire: every content byte escaped, plus both delimiters.</summary>
    public const int DefaultMaxFrameBytes = (2 * MaxContentLength) + 2;

    /// <summary>
    /// Finds the next 0x7E … 0x7E frame in <paramref name="buffer"/>, skipping garbage before it,
    /// unescapes it into <paramref name="frameBuffer"/>, verifies the check code and parses the header.
    /// </summary>
    /// <param name="buffer">Received bytes; on return, sliced past what was consumed.</param>
    /// <param name="maxFrameBytes">
    /// Largest frame accepted, in wire bytes including both delimiters. A frame start followed by this
    /// many bytes without a closing 0x7E is rejected at once rather than buffered.
    /// </param>
    /// <param name="frameBuffer">
    /// Where the frame is unescaped; at least <paramref name="maxFrameBytes"/> - 2 bytes. The frame's
    /// body points into it, so reuse it only after the body has been decoded. When it is an array (or other
    /// memory), <see cref="Jt808Frame.GetBodyMemory"/> gives the body as memory for decoders that keep a view.
    /// </param>
    public static Jt808ReadStatus TryReadFrame(
        ref ReadOnlySequence<byte> buffer,
        int maxFrameBytes,
        Span<byte> frameBuffer,
        out Jt808Frame frame,
        out Jt808FrameError? error)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, MinContentLength + 2);
        if (frameBuffer.Length < maxFrameBytes - 2)
        {
            ThrowFrameBufferTooSmall(maxFrameBytes, nameof(frameBuffer));
        }

        frame = default;
        error = null;

        // Fast path: the whole frame lies in the first segment (always, for a single-segment buffer), so it is
        // found and unescaped with span searches and the sequence is sliced once. Anything else (no closing
        // 0x7E in the first segment, a frame spanning segments, garbage only) goes to the general path below.
        var first = buffer.FirstSpan;
        int scanned = 0;
        while (true)
        {
            // Frames usually follow each other directly, so the next byte is the opening 0x7E.
            int start = scanned < first.Length && first[scanned] == Jt808Escaping.Delimiter ? 0 : first[scanned..].IndexOf(Jt808Escaping.Delimiter);
            if (start < 0)
            {
                if (buffer.IsSingleSegment)
                {
                    // Nothing but garbage: none of it can belong to a frame.
                    buffer = buffer.Slice(buffer.End);
                    return Jt808ReadStatus.NeedMoreData;
                }

                buffer = buffer.Slice(first.Length);
                break;
            }

            start += scanned;
            int window = Math.Min(first.Length - start, maxFrameBytes) - 1;
            int end = first.Slice(start + 1, window).IndexOf(Jt808Escaping.Delimiter);
            if (end < 0)
            {
                buffer = buffer.Slice(start);
                break;
            }

            if (end == 0)
            {
                // 0x7E 0x7E: the end of one frame and the start of the next, or a stray delimiter.
                scanned = start + 1;
                continue;
            }

            int wireLength = end + 2;
            var kind = Jt808Escaping.TryUnescape(first.Slice(start + 1, end), frameBuffer, out int contentLength, out int badEscapeOffset)
                ? Parse(frameBuffer[..contentLength], verifyChecksum: true, out var header, out var body, out string? reason)
                : BadEscape(badEscapeOffset, out header, out body, out reason);
            if (kind == Jt808FrameErrorKind.None)
            {
                frame = new Jt808Frame(header, body, wireLength);
                buffer = buffer.Slice(start + wireLength);
                return Jt808ReadStatus.Frame;
            }

            error = new Jt808FrameError(kind, reason!, first.Slice(start, wireLength).ToArray());

            // Keep the closing 0x7E: after a damaged frame it may really be the next frame's opening one.
            buffer = buffer.Slice(start + wireLength - 1);
            return Jt808ReadStatus.Rejected;
        }

        while (true)
        {
            var start = buffer.PositionOf(Jt808Escaping.Delimiter);
            if (start is null)
            {
                // Nothing but garbage: none of it can belong to a frame.
                buffer = buffer.Slice(buffer.End);
                return Jt808ReadStatus.NeedMoreData;
            }

            buffer = buffer.Slice(start.Value);
            var window = buffer.Slice(1, Math.Min(buffer.Length, maxFrameBytes) - 1);
            var end = window.PositionOf(Jt808Escaping.Delimiter);
            if (end is null)
            {
                if (buffer.Length < maxFrameBytes)
                {
                    return Jt808ReadStatus.NeedMoreData;
                }

                error = Oversized(buffer, maxFrameBytes);
                buffer = buffer.Slice(maxFrameBytes);
                return Jt808ReadStatus.Rejected;
            }

            var escaped = window.Slice(0, end.Value);
            if (escaped.IsEmpty)
            {
                // 0x7E 0x7E: the end of one frame and the start of the next, or a stray delimiter.
                buffer = buffer.Slice(1);
                continue;
            }

            int wireLength = (int)escaped.Length + 2;
            var kind = Jt808Escaping.TryUnescape(escaped, frameBuffer, out int contentLength, out long badEscapeOffset)
                ? Parse(frameBuffer[..contentLength], verifyChecksum: true, out var header, out var body, out string? reason)
                : BadEscape(badEscapeOffset, out header, out body, out reason);
            if (kind == Jt808FrameErrorKind.None)
            {
                frame = new Jt808Frame(header, body, wireLength);
                buffer = buffer.Slice(wireLength);
                return Jt808ReadStatus.Frame;
            }

            error = new Jt808FrameError(kind, reason!, buffer.Slice(0, wireLength).ToArray());

            // Keep the closing 0x7E: after a damaged frame it may really be the next frame's opening one.
            buffer = buffer.Slice(wireLength - 1);
            return Jt808ReadStatus.Rejected;
        }
    }

    private static Jt808FrameErrorKind BadEscape(long badEscapeOffset, out Jt808Header header, out ReadOnlySpan<byte> body, out string? reason)
    {
        header = default;
        body = default;
        reason = Reasons.BadEscape(badEscapeOffset);
        return Jt808FrameErrorKind.BadEscape;
    }

    private static Jt808FrameError Oversized(in ReadOnlySequence<byte> buffer, int maxFrameBytes) =>
        new(Jt808FrameErrorKind.Oversized, Reasons.Oversized(maxFrameBytes), buffer.Slice(0, maxFrameBytes).ToArray());

    [DoesNotReturn]
    private static void ThrowFrameBufferTooSmall(int maxFrameBytes, string paramName) =>
        throw new ArgumentException($"The frame buffer needs at least {maxFrameBytes - 2} bytes.", paramName);

    /// <summary>
    /// Rejection reasons, formatted out of line: an interpolated string in the hot methods would make every
    /// call zero its formatting state on entry, rejected frame or not.
    /// </summary>
    private static class Reasons
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static string BadEscape(long offset) => $"0x7D at frame offset {offset + 1} is not followed by 0x01 or 0x02";

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static string Oversized(int maxFrameBytes) => $"no closing 0x7E within {maxFrameBytes} bytes of the frame start";

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static string TooShortContent(int length) =>
            $"{length} bytes after unescaping; the shortest frame has {MinContentLength} (12-byte header and check code)";

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static string BadChecksum(byte sent, byte computed) =>
            $"check code 0x{sent:X2} does not match the XOR of the frame, 0x{computed:X2}";

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static string TooShortForHeader(int length, bool layout2019, bool isSubPackage, int headerLength) =>
            $"{length} bytes before the check code; the {(layout2019 ? "2019" : "2013")} header{(isSubPackage ? " with sub-package fields" : "")} alone needs {headerLength}";

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static string BodyLengthMismatch(int declared, int carried) =>
            $"body properties declare {declared} body bytes but the frame carries {carried}";
    }

    /// <summary>
    /// Parses unescaped frame content (between the delimiters, check code last). With
    /// <paramref name="verifyChecksum"/> false the check code is ignored, for forensic reading of
    /// captures whose numbers were anonymised after the fact; the gateway always verifies.
    /// </summary>
    public static bool TryParseContent(
        ReadOnlySpan<byte> content,
        bool verifyChecksum,
        out Jt808Header header,
        out ReadOnlySpan<byte> body,
        [NotNullWhen(false)] out Jt808FrameError? error)
    {
        var kind = Parse(content, verifyChecksum, out header, out body, out string? reason);
        error = kind == Jt808FrameErrorKind.None ? null : new Jt808FrameError(kind, reason!, content.ToArray());
        return error is null;
    }

    private static Jt808FrameErrorKind Parse(
        ReadOnlySpan<byte> content,
        bool verifyChecksum,
        out Jt808Header header,
        out ReadOnlySpan<byte> body,
        out string? reason)
    {
        header = default;
        body = default;
        reason = null;
        if (content.Length < MinContentLength)
        {
            reason = Reasons.TooShortContent(content.Length);
            return Jt808FrameErrorKind.TooShort;
        }

        var payload = content[..^1];
        if (verifyChecksum)
        {
            byte computed = Jt808Escaping.ComputeChecksum(payload);
            if (computed != content[^1])
            {
                reason = Reasons.BadChecksum(content[^1], computed);
                return Jt808FrameErrorKind.BadChecksum;
            }
        }

        ushort messageId = BinaryPrimitives.ReadUInt16BigEndian(payload);
        ushort properties = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
        int declaredBodyLength = properties & Jt808Header.BodyLengthMask;
        bool isSubPackage = (properties & Jt808Header.SubPackageBit) != 0;
        int subPackageLength = isSubPackage ? Jt808Header.SubPackageFieldsLength : 0;
        bool layout2019 = (properties & Jt808Header.VersionFlagBit) != 0;
        bool quirk = false;
        if (layout2019
            && payload.Length != Jt808Header.Length2019 + subPackageLength + declaredBodyLength
            && payload.Length == Jt808Header.Length2013 + subPackageLength + declaredBodyLength)
        {
            layout2019 = false;
            quirk = true;
        }

        int headerLength = (layout2019 ? Jt808Header.Length2019 : Jt808Header.Length2013) + subPackageLength;
        if (payload.Length < headerLength)
        {
            reason = Reasons.TooShortForHeader(payload.Length, layout2019, isSubPackage, headerLength);
            return Jt808FrameErrorKind.TooShort;
        }

        if (payload.Length - headerLength != declaredBodyLength)
        {
            reason = Reasons.BodyLengthMismatch(declaredBodyLength, payload.Length - headerLength);
            return Jt808FrameErrorKind.BodyLengthMismatch;
        }

        int offset = 4;
        byte protocolVersion = 0;
        Jt808TerminalPhone phone;
        if (layout2019)
        {
            protocolVersion = payload[offset++];
            phone = Jt808TerminalPhone.FromBcd(payload.Slice(offset, 10));
            offset += 10;
        }
        else
        {
            phone = Jt808TerminalPhone.FromBcd(payload.Slice(offset, 6));
            offset += 6;
        }

        ushort flowNumber = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
        offset += 2;
        ushort count = 0;
        ushort index = 0;
        if (isSubPackage)
        {
            count = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
            index = BinaryPrimitives.ReadUInt16BigEndian(payload[(offset + 2)..]);
        }

        header = new Jt808Header
        {
            MessageId = messageId,
            BodyProperties = properties,
            ProtocolVersion = protocolVersion,
            Phone = phone,
            FlowNumber = flowNumber,
            SubPackageCount = count,
            SubPackageIndex = index,
            IsVersionFlagQuirk = quirk,
        };
        body = payload[headerLength..];
        return Jt808FrameErrorKind.None;
    }
}
