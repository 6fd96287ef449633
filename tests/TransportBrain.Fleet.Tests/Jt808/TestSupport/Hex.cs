namespace TransportBrain.Fleet.Tests.Jt808;

internal static class Hex
{
    /// <summary>Parses hex, ignoring spaces; an odd trailing nibble is dropped (two go-jt808 stream vectors have one).</summary>
    public static byte[] Bytes(string hex)
    {
        string compact = hex.Replace(" ", "", StringComparison.Ordinal);
        if (compact.Length % 2 == 1)
        {
            compact = compact[..^1];
        }

        return Convert.FromHexString(compact);
    }

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
