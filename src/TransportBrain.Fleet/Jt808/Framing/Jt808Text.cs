using System.Text;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// STRING fields are GBK (plates, text messages); fixed-width fields are padded with 0x00 at the end.
/// Undecodable bytes become replacement characters rather than exceptions.
/// </summary>
internal static class Jt808Text
{
    public static Encoding Gbk { get; } = CreateGbk();

    public static string DecodeTrimmed(ReadOnlySpan<byte> bytes) =>
        Gbk.GetString(bytes.TrimEnd((byte)0));

    private static Encoding CreateGbk()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(936);
    }
}
