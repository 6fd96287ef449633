using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

/// <summary>Result byte of the general replies 0x0001 and 0x8001.</summary>
public enum Jt808ReplyResult : byte
{
    Success = 0,
    Failure = 1,
    BadMessage = 2,
    Unsupported = 3,

    /// <summary>0x8001 only: the platform confirms an alarm.</summary>
    AlarmConfirmed = 4,
}

/// <summary>0x0001 terminal general reply: the terminal acknowledges a platform message.</summary>
public readonly record struct Jt808TerminalGeneralReply(ushort ReplyFlowNumber, ushort ReplyMessageId, Jt808ReplyResult Result)
{
    public const int BodyLength = 5;

    public static bool TryDecode(ReadOnlySpan<byte> body, out Jt808TerminalGeneralReply reply, [NotNullWhen(false)] out string? error)
    {
        bool ok = GeneralReplyLayout.TryRead(body, "terminal general reply", out ushort flow, out ushort id, out byte result, out error);
        reply = new Jt808TerminalGeneralReply(flow, id, (Jt808ReplyResult)result);
        return ok;
    }
}

/// <summary>0x8001 platform general reply: the platform acknowledges a terminal message.</summary>
public readonly record struct Jt808PlatformGeneralReply(ushort ReplyFlowNumber, ushort ReplyMessageId, Jt808ReplyResult Result) : IJt808OutboundBody
{
    public const int BodyLength = 5;

    public ushort MessageId => Jt808MessageIds.PlatformGeneralReply;

    public int GetBodyLength(Jt808Edition edition) => BodyLength;

    public int WriteBody(Span<byte> destination, Jt808Edition edition)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, ReplyFlowNumber);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], ReplyMessageId);
        destination[4] = (byte)Result;
        return BodyLength;
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out Jt808PlatformGeneralReply reply, [NotNullWhen(false)] out string? error)
    {
        bool ok = GeneralReplyLayout.TryRead(body, "platform general reply", out ushort flow, out ushort id, out byte result, out error);
        reply = new Jt808PlatformGeneralReply(flow, id, (Jt808ReplyResult)result);
        return ok;
    }
}

internal static class GeneralReplyLayout
{
    public static bool TryRead(ReadOnlySpan<byte> body, string what, out ushort flowNumber, out ushort messageId, out byte result, [NotNullWhen(false)] out string? error)
    {
        if (body.Length < 5)
        {
            flowNumber = messageId = result = 0;
            error = $"{what} has {body.Length} bytes; needs 5";
            return false;
        }

        flowNumber = BinaryPrimitives.ReadUInt16BigEndian(body);
        messageId = BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
        result = body[4];
        error = null;
        return true;
    }
}
