using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// 0x0900 uplink transparent data: a type byte (0x00 GNSS detail, 0x0B road transport IC card,
/// 0x41/0x42 serial ports 1/2, 0xF0-0xFF user defined) and opaque content, copied out of the frame.
/// </summary>
public sealed record Jt808TransparentData(byte MessageType, ReadOnlyMemory<byte> Content)
{
    public static bool TryDecode(ReadOnlySpan<byte> body, [NotNullWhen(true)] out Jt808TransparentData? data, [NotNullWhen(false)] out string? error)
    {
        if (body.IsEmpty)
        {
            data = null;
            error = "transparent data body is empty; needs the type byte";
            return false;
        }

        data = new Jt808TransparentData(body[0], body[1..].ToArray());
        error = null;
        return true;
    }
}
