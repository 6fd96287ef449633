using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

public enum Jt808RegistrationResult : byte
{
    Success = 0,
    VehicleAlreadyRegistered = 1,
    VehicleNotInDatabase = 2,
    TerminalAlreadyRegistered = 3,
    TerminalNotInDatabase = 4,
}

/// <summary>
/// 0x8100 registration reply: the 0x0100 flow number, the result and, on success only, the auth code
/// (GBK) the terminal presents in 0x0102 from then on.
/// </summary>
public readonly record struct Jt808RegistrationReply(ushort ReplyFlowNumber, Jt808RegistrationResult Result, string? AuthCode) : IJt808OutboundBody
{
    public ushort MessageId => Jt808MessageIds.RegistrationReply;

    public int GetBodyLength(Jt808Edition edition) =>
        3 + (Result == Jt808RegistrationResult.Success ? Jt808Text.Gbk.GetByteCount(AuthCode ?? string.Empty) : 0);

    public int WriteBody(Span<byte> destination, Jt808Edition edition)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, ReplyFlowNumber);
        destination[2] = (byte)Result;
        return Result == Jt808RegistrationResult.Success
            ? 3 + Jt808Text.Gbk.GetBytes(AuthCode ?? string.Empty, destination[3..])
            : 3;
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out Jt808RegistrationReply reply, [NotNullWhen(false)] out string? error)
    {
        reply = default;
        if (body.Length < 3)
        {
            error = $"registration reply has {body.Length} bytes; needs 3";
            return false;
        }

        var result = (Jt808RegistrationResult)body[2];
        reply = new Jt808RegistrationReply(
            BinaryPrimitives.ReadUInt16BigEndian(body),
            result,
            result == Jt808RegistrationResult.Success ? Jt808Text.DecodeTrimmed(body[3..]) : null);
        error = null;
        return true;
    }
}
