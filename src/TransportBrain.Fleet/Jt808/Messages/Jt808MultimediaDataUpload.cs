using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

public enum Jt808MediaType : byte
{
    Image = 0,
    Audio = 1,
    Video = 2,
}

public enum Jt808MediaFormat : byte
{
    Jpeg = 0,
    Tif = 1,
    Mp3 = 2,
    Wav = 3,
    Wmv = 4,
}

/// <summary>
/// 0x0801 multimedia data upload: media id, type, format, event code, channel, the 28-byte basic
/// location at capture time, then the media bytes. Large media arrive in sub-packages and only the
/// reassembled body (or the first sub-package) starts with these fields.
/// </summary>
public sealed record Jt808MultimediaDataUpload(
    uint MediaId,
    Jt808MediaType MediaType,
    Jt808MediaFormat Format,
    byte EventCode,
    byte ChannelId,
    Jt808LocationReport Location,
    ReadOnlyMemory<byte> Data)
{
    private const int FixedLength = 8 + Jt808LocationReport.BasicLength;

    public static bool TryDecode(ReadOnlySpan<byte> body, [NotNullWhen(true)] out Jt808MultimediaDataUpload? upload, [NotNullWhen(false)] out string? error)
    {
        upload = null;
        if (body.Length < FixedLength)
        {
            error = $"multimedia upload has {body.Length} bytes; its fixed fields need {FixedLength}";
            return false;
        }

        if (!Jt808LocationReport.TryDecode(body.Slice(8, Jt808LocationReport.BasicLength), out var location, out error))
        {
            return false;
        }

        upload = new Jt808MultimediaDataUpload(
            BinaryPrimitives.ReadUInt32BigEndian(body),
            (Jt808MediaType)body[4],
            (Jt808MediaFormat)body[5],
            body[6],
            body[7],
            location,
            body[FixedLength..].ToArray());
        return true;
    }
}
