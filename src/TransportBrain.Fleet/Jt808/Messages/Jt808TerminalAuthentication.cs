using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// 0x0102 terminal authentication. Before 2019 the whole body is the auth code; 2019 prefixes it with
/// its length and adds IMEI (15 bytes) and software version (20 bytes), which are null when absent.
/// </summary>
public sealed record Jt808TerminalAuthentication(string AuthCode, string? Imei, string? SoftwareVersion)
{
    private const int ImeiLength = 15;
    private const int SoftwareVersionLength = 20;

    public static bool TryDecode(ReadOnlySpan<byte> body, in Jt808Header header, [NotNullWhen(true)] out Jt808TerminalAuthentication? authentication, [NotNullWhen(false)] out string? error)
    {
        authentication = null;
        error = null;
        if (!header.Uses2019Layout)
        {
            authentication = new Jt808TerminalAuthentication(Jt808Text.DecodeTrimmed(body), null, null);
            return true;
        }

        if (body.IsEmpty || body[0] > body.Length - 1)
        {
            error = body.IsEmpty
                ? "2019 authentication body is empty; needs the auth code length"
                : $"2019 auth code declares {body[0]} bytes but {body.Length - 1} follow";
            return false;
        }

        int codeLength = body[0];
        string code = Jt808Text.DecodeTrimmed(body.Slice(1, codeLength));
        var rest = body[(1 + codeLength)..];
        string? imei = rest.Length >= ImeiLength ? Jt808Text.DecodeTrimmed(rest[..ImeiLength]) : null;
        string? software = rest.Length >= ImeiLength + SoftwareVersionLength
            ? Jt808Text.DecodeTrimmed(rest.Slice(ImeiLength, SoftwareVersionLength))
            : null;
        authentication = new Jt808TerminalAuthentication(code, imei, software);
        return true;
    }
}
