using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

/// <summary>0x0201 location query reply: the flow number of the 0x8201 it answers, then a location report.</summary>
public readonly record struct Jt808LocationQueryReply(ushort ReplyFlowNumber, Jt808LocationReport Location)
{
    public static bool TryDecode(ReadOnlySpan<byte> body, out Jt808LocationQueryReply reply, [NotNullWhen(false)] out string? error)
    {
        reply = default;
        if (body.Length < 2)
        {
            error = $"location query reply has {body.Length} bytes; needs the 2-byte flow number and a location";
            return false;
        }

        if (!Jt808LocationReport.TryDecode(body[2..], out var location, out error))
        {
            return false;
        }

        reply = new Jt808LocationQueryReply(BinaryPrimitives.ReadUInt16BigEndian(body), location);
        return true;
    }
}
