using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

/// <summary>0x0002 terminal heartbeat: an empty body that keeps the session alive.</summary>
public readonly record struct Jt808Heartbeat
{
    public static bool TryDecode(ReadOnlySpan<byte> body, out Jt808Heartbeat heartbeat, [NotNullWhen(false)] out string? error)
    {
        heartbeat = default;
        return EmptyBody.Check(body, "heartbeat", out error);
    }
}

/// <summary>0x0003 terminal deregistration (注销): empty body; the platform forgets the auth code.</summary>
public readonly record struct Jt808Deregistration
{
    public static bool TryDecode(ReadOnlySpan<byte> body, out Jt808Deregistration deregistration, [NotNullWhen(false)] out string? error)
    {
        deregistration = default;
        return EmptyBody.Check(body, "deregistration", out error);
    }
}

/// <summary>0x8201 query location (位置信息查询): empty body; the terminal answers with 0x0201.</summary>
public readonly record struct Jt808QueryLocation : IJt808OutboundBody
{
    public ushort MessageId => Jt808MessageIds.QueryLocation;

    public int GetBodyLength(Jt808Edition edition) => 0;

    public int WriteBody(Span<byte> destination, Jt808Edition edition) => 0;

    public static bool TryDecode(ReadOnlySpan<byte> body, out Jt808QueryLocation query, [NotNullWhen(false)] out string? error)
    {
        query = default;
        return EmptyBody.Check(body, "query location", out error);
    }
}

internal static class EmptyBody
{
    public static bool Check(ReadOnlySpan<byte> body, string what, [NotNullWhen(false)] out string? error)
    {
        error = body.IsEmpty ? null : $"{what} must have an empty body but carries {body.Length} bytes";
        return error is null;
    }
}
