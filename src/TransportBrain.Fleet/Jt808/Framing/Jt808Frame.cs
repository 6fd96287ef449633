namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// One checked frame. <see cref="Body"/> points into the caller's frame buffer and is valid
/// until that buffer is reused for the next frame: decode or copy it before reading on.
/// </summary>
public readonly ref struct Jt808Frame
{
    public Jt808Frame(Jt808Header header, ReadOnlySpan<byte> body, int wireLength)
    {
        Header = header;
        Body = body;
        WireLength = wireLength;
    }

    public Jt808Header Header { get; }

    public ReadOnlySpan<byte> Body { get; }

    /// <summary>Bytes the frame took on the wire, both 0x7E delimiters and escapes included.</summary>
    public int WireLength { get; }
}
