namespace TransportBrain.Fleet.Jt808;

public enum Jt808FrameErrorKind
{
    None = 0,

    /// <summary>Fewer bytes than the header the body properties call for, plus the check code.</summary>
    TooShort,

    /// <summary>0x7D followed by something other than 0x01 or 0x02, or ending the frame.</summary>
    BadEscape,

    /// <summary>The XOR of header and body differs from the check code.</summary>
    BadChecksum,

    /// <summary>The body length in the body properties differs from the bytes present.</summary>
    BodyLengthMismatch,

    /// <summary>No closing 0x7E within the maximum frame size.</summary>
    Oversized,
}

public enum Jt808ReadStatus
{
    /// <summary>No complete frame yet; garbage before the next 0x7E has been consumed.</summary>
    NeedMoreData,

    /// <summary>A checked frame was read and consumed.</summary>
    Frame,

    /// <summary>A frame was found but rejected; its bytes were consumed (the closing 0x7E kept as a possible opening one).</summary>
    Rejected,
}

/// <summary>Why a frame was rejected, with a copy of the rejected bytes for quarantine.</summary>
public sealed class Jt808FrameError
{
    public Jt808FrameError(Jt808FrameErrorKind kind, string reason, ReadOnlyMemory<byte> rawBytes)
    {
        Kind = kind;
        Reason = reason;
        RawBytes = rawBytes;
    }

    public Jt808FrameErrorKind Kind { get; }

    public string Reason { get; }

    /// <summary>
    /// The rejected bytes: from <see cref="Jt808FrameReader.TryReadFrame"/> the wire bytes with
    /// delimiters (the first maximum-frame-size bytes when oversized); from
    /// <see cref="Jt808FrameReader.TryParseContent"/> the unescaped content.
    /// </summary>
    public ReadOnlyMemory<byte> RawBytes { get; }

    public override string ToString() => $"{Kind}: {Reason}";
}
