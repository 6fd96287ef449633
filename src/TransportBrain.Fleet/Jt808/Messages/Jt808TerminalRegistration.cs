using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

/// <summary>Plate colour codes (JT/T 697.7); 0 means not yet plated, and the plate field then holds the VIN.</summary>
public enum Jt808PlateColor : byte
{
    NotPlated = 0,
    Blue = 1,
    Yellow = 2,
    Black = 3,
    White = 4,
    Green = 5,
    Other = 9,
}

/// <summary>
/// 0x0100 terminal registration. Field widths by edition (maker id / model / terminal id):
/// 2011 5/8/7, 2013 5/20/7, 2019 11/30/30. Fixed fields are trimmed of trailing 0x00 only,
/// so vendor padding such as leading ASCII zeros is kept as sent.
/// </summary>
public sealed record Jt808TerminalRegistration(
    Jt808Edition Edition,
    ushort ProvinceId,
    ushort CityId,
    string MakerId,
    string TerminalModel,
    string TerminalId,
    Jt808PlateColor PlateColor,
    string PlateText)
{
    private const int Fixed2011 = 2 + 2 + 5 + 8 + 7 + 1;
    private const int Fixed2013 = 2 + 2 + 5 + 20 + 7 + 1;
    private const int Fixed2019 = 2 + 2 + 11 + 30 + 30 + 1;

    /// <summary>
    /// 2019 from the header's version flag; otherwise a body shorter than the 2013 fixed part
    /// (37 bytes) can only be 2011. A 2011 body of 37 bytes or more would need a 12-byte plate,
    /// longer than any GBK plate.
    /// </summary>
    public static Jt808Edition DetectEdition(in Jt808Header header, int bodyLength) =>
        header.Uses2019Layout ? Jt808Edition.V2019
        : bodyLength < Fixed2013 ? Jt808Edition.V2011
        : Jt808Edition.V2013;

    public static bool TryDecode(ReadOnlySpan<byte> body, in Jt808Header header, [NotNullWhen(true)] out Jt808TerminalRegistration? registration, [NotNullWhen(false)] out string? error)
    {
        registration = null;
        var edition = DetectEdition(header, body.Length);
        (int makerLength, int modelLength, int idLength, int fixedLength) = edition switch
        {
            Jt808Edition.V2019 => (11, 30, 30, Fixed2019),
            Jt808Edition.V2011 => (5, 8, 7, Fixed2011),
            _ => (5, 20, 7, Fixed2013),
        };
        if (body.Length < fixedLength)
        {
            error = $"{edition} registration needs at least {fixedLength} bytes, got {body.Length}";
            return false;
        }

        int offset = 4;
        string maker = Jt808Text.DecodeTrimmed(body.Slice(offset, makerLength));
        offset += makerLength;
        string model = Jt808Text.DecodeTrimmed(body.Slice(offset, modelLength));
        offset += modelLength;
        string terminalId = Jt808Text.DecodeTrimmed(body.Slice(offset, idLength));
        offset += idLength;
        var color = (Jt808PlateColor)body[offset++];
        registration = new Jt808TerminalRegistration(
            edition,
            BinaryPrimitives.ReadUInt16BigEndian(body),
            BinaryPrimitives.ReadUInt16BigEndian(body[2..]),
            maker,
            model,
            terminalId,
            color,
            Jt808Text.DecodeTrimmed(body[offset..]));
        error = null;
        return true;
    }
}
