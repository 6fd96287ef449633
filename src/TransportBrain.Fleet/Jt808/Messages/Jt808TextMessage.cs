using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// 0x8300 text flag byte, with the 2013 meanings. 2019 reads bits 0-1 as a level
/// (01 service, 10 emergency, 11 notice) and drops the advertising screen bit.
/// </summary>
[Flags]
public enum Jt808TextFlags : byte
{
    None = 0,
    Emergency = 0x01,
    Display = 0x04,
    Tts = 0x08,
    AdvertisingDisplay = 0x10,

    /// <summary>Set: CAN fault code information; clear: navigation information from the centre.</summary>
    CanFaultCode = 0x20,
}

/// <summary>2019 text type byte.</summary>
public enum Jt808TextType : byte
{
    Notice = 1,
    Service = 2,
}

/// <summary>0x8300 text message (文本信息下发): flag, (2019) text type, GBK text.</summary>
public readonly record struct Jt808TextMessage(Jt808TextFlags Flags, string Text, Jt808TextType TextType = Jt808TextType.Notice) : IJt808OutboundBody
{
    public ushort MessageId => Jt808MessageIds.TextMessage;

    public int GetBodyLength(Jt808Edition edition) => FixedLength(edition) + Jt808Text.Gbk.GetByteCount(Text ?? string.Empty);

    public int WriteBody(Span<byte> destination, Jt808Edition edition)
    {
        destination[0] = (byte)Flags;
        int offset = 1;
        if (edition == Jt808Edition.V2019)
        {
            destination[offset++] = (byte)TextType;
        }

        return offset + Jt808Text.Gbk.GetBytes(Text ?? string.Empty, destination[offset..]);
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, Jt808Edition edition, out Jt808TextMessage message, [NotNullWhen(false)] out string? error)
    {
        message = default;
        int fixedLength = FixedLength(edition);
        if (body.Length < fixedLength)
        {
            error = $"{edition} text message has {body.Length} bytes; needs {fixedLength} before the text";
            return false;
        }

        var type = edition == Jt808Edition.V2019 ? (Jt808TextType)body[1] : Jt808TextType.Notice;
        message = new Jt808TextMessage((Jt808TextFlags)body[0], Jt808Text.DecodeTrimmed(body[fixedLength..]), type);
        error = null;
        return true;
    }

    private static int FixedLength(Jt808Edition edition) => edition == Jt808Edition.V2019 ? 2 : 1;
}
