using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    /// <summary>
    /// <see cref="Body"/> as memory over <paramref name="frameBuffer"/>, the buffer this frame was read into by
    /// <see cref="Jt808FrameReader.TryReadFrame"/> (the content starts at its first byte, so the body starts
    /// after the header). For decoders that keep a view instead of copying, such as
    /// <see cref="Jt808LocationReport.TryDecodeBorrowed"/>; the same lifetime rule as for <see cref="Body"/> applies.
    /// </summary>
    /// <exception cref="ArgumentException">The frame was not read into <paramref name="frameBuffer"/>.</exception>
    public ReadOnlyMemory<byte> GetBodyMemory(ReadOnlyMemory<byte> frameBuffer)
    {
        int offset = Header.Length;
        if ((uint)offset > (uint)frameBuffer.Length
            || (uint)Body.Length > (uint)(frameBuffer.Length - offset)
            || !Unsafe.AreSame(
                ref MemoryMarshal.GetReference(frameBuffer.Span[offset..]),
                ref MemoryMarshal.GetReference(Body)))
        {
            throw new ArgumentException("The frame was not read into this buffer.", nameof(frameBuffer));
        }

        return frameBuffer.Slice(offset, Body.Length);
    }
}
