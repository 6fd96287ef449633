using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// One terminal parameter (终端参数项): a DWORD id and up to 255 value bytes whose type depends on the id
/// (0x0001 heartbeat interval s DWORD, 0x0013 main server address STRING, 0x0029 default report interval s DWORD …).
/// </summary>
public readonly record struct Jt808TerminalParameter(uint Id, ReadOnlyMemory<byte> Value)
{
    public const int MaxValueLength = byte.MaxValue;

    public static Jt808TerminalParameter FromUInt32(uint id, uint value)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new Jt808TerminalParameter(id, bytes);
    }

    public static Jt808TerminalParameter FromUInt16(uint id, ushort value)
    {
        byte[] bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return new Jt808TerminalParameter(id, bytes);
    }

    public static Jt808TerminalParameter FromByte(uint id, byte value) => new(id, new[] { value });

    public static Jt808TerminalParameter FromString(uint id, string value) => new(id, Jt808Text.Gbk.GetBytes(value));

    public bool TryGetUInt32(out uint value)
    {
        value = Value.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(Value.Span) : 0;
        return Value.Length == 4;
    }

    public string GetString() => Jt808Text.DecodeTrimmed(Value.Span);

    internal static int MeasureList(IReadOnlyList<Jt808TerminalParameter> parameters)
    {
        if (parameters.Count > byte.MaxValue)
        {
            throw new ArgumentException($"At most {byte.MaxValue} parameters fit one message, got {parameters.Count}.", nameof(parameters));
        }

        int length = 1;
        foreach (var parameter in parameters)
        {
            if (parameter.Value.Length > MaxValueLength)
            {
                throw new ArgumentException($"Parameter 0x{parameter.Id:X4} has {parameter.Value.Length} value bytes; at most {MaxValueLength}.", nameof(parameters));
            }

            length += 5 + parameter.Value.Length;
        }

        return length;
    }

    internal static int WriteList(IReadOnlyList<Jt808TerminalParameter> parameters, Span<byte> destination)
    {
        destination[0] = (byte)parameters.Count;
        int offset = 1;
        foreach (var parameter in parameters)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], parameter.Id);
            destination[offset + 4] = (byte)parameter.Value.Length;
            parameter.Value.Span.CopyTo(destination[(offset + 5)..]);
            offset += 5 + parameter.Value.Length;
        }

        return offset;
    }

    /// <summary>Reads the count byte and the items; false when an item runs past the end.</summary>
    internal static bool TryReadList(ReadOnlySpan<byte> list, out int declaredCount, out List<Jt808TerminalParameter> parameters, [NotNullWhen(false)] out string? error)
    {
        parameters = [];
        declaredCount = 0;
        if (list.IsEmpty)
        {
            error = "parameter list is empty; needs the count byte";
            return false;
        }

        declaredCount = list[0];
        int offset = 1;
        while (offset < list.Length)
        {
            if (list.Length - offset < 5 || list[offset + 4] > list.Length - offset - 5)
            {
                error = $"parameter {parameters.Count + 1} of {declaredCount} runs past the end of the body at offset {offset}";
                return false;
            }

            int length = list[offset + 4];
            parameters.Add(new Jt808TerminalParameter(
                BinaryPrimitives.ReadUInt32BigEndian(list[offset..]),
                list.Slice(offset + 5, length).ToArray()));
            offset += 5 + length;
        }

        error = null;
        return true;
    }
}

/// <summary>0x8103 set terminal parameters.</summary>
public sealed record Jt808SetTerminalParameters(IReadOnlyList<Jt808TerminalParameter> Parameters) : IJt808OutboundBody
{
    public ushort MessageId => Jt808MessageIds.SetTerminalParameters;

    public int GetBodyLength(Jt808Edition edition) => Jt808TerminalParameter.MeasureList(Parameters);

    public int WriteBody(Span<byte> destination, Jt808Edition edition) => Jt808TerminalParameter.WriteList(Parameters, destination);

    public static bool TryDecode(ReadOnlySpan<byte> body, [NotNullWhen(true)] out Jt808SetTerminalParameters? message, [NotNullWhen(false)] out string? error)
    {
        message = Jt808TerminalParameter.TryReadList(body, out _, out var parameters, out error)
            ? new Jt808SetTerminalParameters(parameters)
            : null;
        return message is not null;
    }
}

/// <summary>0x0104 query terminal parameters reply: the 0x8104/0x8106 flow number, then the parameter list.</summary>
public sealed record Jt808TerminalParametersReply(ushort ReplyFlowNumber, int DeclaredCount, IReadOnlyList<Jt808TerminalParameter> Parameters)
{
    public static bool TryDecode(ReadOnlySpan<byte> body, [NotNullWhen(true)] out Jt808TerminalParametersReply? reply, [NotNullWhen(false)] out string? error)
    {
        reply = null;
        if (body.Length < 3)
        {
            error = $"parameters reply has {body.Length} bytes; needs flow number and count (3)";
            return false;
        }

        if (!Jt808TerminalParameter.TryReadList(body[2..], out int declaredCount, out var parameters, out error))
        {
            return false;
        }

        reply = new Jt808TerminalParametersReply(BinaryPrimitives.ReadUInt16BigEndian(body), declaredCount, parameters);
        return true;
    }
}
