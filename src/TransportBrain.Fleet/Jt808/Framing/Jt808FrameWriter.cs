using System.Buffers;
using System.Buffers.Binary;

namespace TransportBrain.Fleet.Jt808;

/// <summary>Who an outbound frame is for: the terminal's phone and the edition it registered with.</summary>
/// <param name="ProtocolVersion">Version byte of the 2019 header; the standard starts it at 1.</param>
public readonly record struct Jt808Recipient(Jt808TerminalPhone Phone, Jt808Edition Edition, byte ProtocolVersion = 1);

/// <summary>A message body the platform sends; the edition decides the layout of some bodies.</summary>
public interface IJt808OutboundBody
{
    ushort MessageId { get; }

    /// <summary>Exact body length in bytes before escaping.</summary>
    int GetBodyLength(Jt808Edition edition);

    /// <summary>Writes the body (unescaped) and returns the bytes written.</summary>
    int WriteBody(Span<byte> destination, Jt808Edition edition);
}

/// <summary>
/// Builds outbound frames: header for the recipient's edition, body, XOR check code, escaping and
/// delimiters, written straight into the connection's <see cref="IBufferWriter{T}"/>.
/// Invalid arguments (a body over 1023 bytes, a 20-digit phone for a 2013 terminal) are
/// programming errors and throw.
/// </summary>
public static class Jt808FrameWriter
{
    private const int MaxContentLength = Jt808Header.Length2019 + Jt808Header.MaxBodyLength + 1;

    public static int Write<TBody>(IBufferWriter<byte> output, in Jt808Recipient recipient, ushort flowNumber, in TBody body)
        where TBody : IJt808OutboundBody
    {
        ArgumentNullException.ThrowIfNull(output);
        int bodyLength = body.GetBodyLength(recipient.Edition);
        Span<byte> content = stackalloc byte[MaxContentLength];
        int headerLength = WriteHeader(content, recipient, body.MessageId, flowNumber, bodyLength);
        int written = body.WriteBody(content.Slice(headerLength, bodyLength), recipient.Edition);
        if (written != bodyLength)
        {
            throw new InvalidOperationException($"Body 0x{body.MessageId:X4} wrote {written} bytes but measured {bodyLength}.");
        }

        return WriteEscaped(output, content[..(headerLength + bodyLength + 1)]);
    }

    public static int Write(IBufferWriter<byte> output, in Jt808Recipient recipient, ushort messageId, ushort flowNumber, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<byte> content = stackalloc byte[MaxContentLength];
        int headerLength = WriteHeader(content, recipient, messageId, flowNumber, body.Length);
        body.CopyTo(content[headerLength..]);
        return WriteEscaped(output, content[..(headerLength + body.Length + 1)]);
    }

    /// <summary>Convenience for cold paths and tests; the gateway writes into its pipe instead.</summary>
    public static byte[] ToArray<TBody>(in Jt808Recipient recipient, ushort flowNumber, in TBody body)
        where TBody : IJt808OutboundBody
    {
        var output = new ArrayBufferWriter<byte>(64);
        Write(output, recipient, flowNumber, body);
        return output.WrittenSpan.ToArray();
    }

    private static int WriteHeader(Span<byte> content, in Jt808Recipient recipient, ushort messageId, ushort flowNumber, int bodyLength)
    {
        if ((uint)bodyLength > Jt808Header.MaxBodyLength)
        {
            throw new ArgumentOutOfRangeException(nameof(bodyLength), bodyLength, $"A body holds at most {Jt808Header.MaxBodyLength} bytes; larger messages need sub-packages.");
        }

        bool layout2019 = recipient.Edition == Jt808Edition.V2019;
        ushort properties = (ushort)(bodyLength | (layout2019 ? Jt808Header.VersionFlagBit : 0));
        BinaryPrimitives.WriteUInt16BigEndian(content, messageId);
        BinaryPrimitives.WriteUInt16BigEndian(content[2..], properties);
        int offset = 4;
        if (layout2019)
        {
            content[offset++] = recipient.ProtocolVersion;
        }

        int phoneLength = layout2019 ? 10 : 6;
        if (!recipient.Phone.TryWriteBcd(content.Slice(offset, phoneLength)))
        {
            throw new ArgumentException($"Terminal phone {recipient.Phone} does not fit the {phoneLength}-byte field of the {recipient.Edition} header.", nameof(recipient));
        }

        offset += phoneLength;
        BinaryPrimitives.WriteUInt16BigEndian(content[offset..], flowNumber);
        return offset + 2;
    }

    private static int WriteEscaped(IBufferWriter<byte> output, Span<byte> content)
    {
        content[^1] = Jt808Escaping.ComputeChecksum(content[..^1]);
        int frameLength = Jt808Escaping.GetEscapedLength(content) + 2;
        var destination = output.GetSpan(frameLength);
        destination[0] = Jt808Escaping.Delimiter;
        Jt808Escaping.Escape(content, destination[1..]);
        destination[frameLength - 1] = Jt808Escaping.Delimiter;
        output.Advance(frameLength);
        return frameLength;
    }
}
