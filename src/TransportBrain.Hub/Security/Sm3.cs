using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace TransportBrain.Hub.Security;

/// <summary>SM3 (GB/T 32905-2016), the hash the commercial-cryptography rules ask for.</summary>
public static class Sm3
{
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new SM3Digest();
        var input = data.ToArray();
        digest.BlockUpdate(input, 0, input.Length);
        var output = new byte[digest.GetDigestSize()];
        digest.DoFinal(output, 0);
        return output;
    }

    public static string HashHex(string text) => Convert.ToHexStringLower(Hash(Encoding.UTF8.GetBytes(text)));
}
