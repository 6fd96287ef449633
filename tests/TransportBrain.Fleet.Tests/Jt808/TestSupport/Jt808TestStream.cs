using System.Buffers;
using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Tests.Jt808;

/// <summary>What one <see cref="Jt808FrameReader.TryReadFrame"/> call produced, copied out of the reusable buffers.</summary>
internal sealed record ReadEvent(Jt808ReadStatus Status, Jt808Header Header, byte[] Body, byte[] Wire, Jt808FrameError? Error)
{
    public override string ToString() => Status == Jt808ReadStatus.Frame
        ? $"Frame 0x{Header.MessageId:X4} {Hex.Of(Wire)}"
        : $"Rejected {Error}";
}

internal sealed record ReadOutcome(IReadOnlyList<ReadEvent> Events, int PendingBytes)
{
    public IEnumerable<ReadEvent> Frames => Events.Where(e => e.Status == Jt808ReadStatus.Frame);

    public IEnumerable<ReadEvent> Rejections => Events.Where(e => e.Status == Jt808ReadStatus.Rejected);
}

/// <summary>
/// Drives the frame reader the way a connection loop does: bytes arrive in chunks, each read sees
/// the unconsumed bytes as a multi-segment sequence split at the chunk boundaries.
/// </summary>
internal static class Jt808TestStream
{
    public static ReadOutcome ReadAll(byte[] input, int chunkSize = int.MaxValue, int maxFrameBytes = Jt808FrameReader.DefaultMaxFrameBytes)
    {
        var events = new List<ReadEvent>();
        byte[] frameBuffer = new byte[maxFrameBytes];
        int consumed = 0;
        int available = 0;
        while (available < input.Length || available == 0)
        {
            available = (int)Math.Min((long)available + chunkSize, input.Length);
            while (true)
            {
                var buffer = Segmented(input, consumed, available, chunkSize);
                var status = Jt808FrameReader.TryReadFrame(ref buffer, maxFrameBytes, frameBuffer, out var frame, out var error);
                int before = consumed;
                consumed = available - (int)buffer.Length;
                if (status == Jt808ReadStatus.Frame)
                {
                    byte[] wire = input[(consumed - frame.WireLength)..consumed];
                    events.Add(new ReadEvent(status, frame.Header, frame.Body.ToArray(), wire, null));
                }
                else if (status == Jt808ReadStatus.Rejected)
                {
                    events.Add(new ReadEvent(status, default, [], error!.RawBytes.ToArray(), error));
                }

                if (status == Jt808ReadStatus.NeedMoreData)
                {
                    break;
                }

                if (consumed <= before && status != Jt808ReadStatus.NeedMoreData)
                {
                    throw new InvalidOperationException("The reader returned a result without consuming anything.");
                }
            }

            if (input.Length == 0)
            {
                break;
            }
        }

        return new ReadOutcome(events, input.Length - consumed);
    }

    /// <summary>input[start..end) as a sequence whose segments break at multiples of <paramref name="chunkSize"/>.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] input, int start, int end, int chunkSize)
    {
        if (start >= end)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment? first = null;
        Segment? last = null;
        int position = start;
        while (position < end)
        {
            int boundary = chunkSize == int.MaxValue ? end : (int)Math.Min(end, ((long)(position / chunkSize) + 1) * chunkSize);
            var memory = new ReadOnlyMemory<byte>(input, position, boundary - position);
            if (first is null)
            {
                first = last = new Segment(memory, 0);
            }
            else
            {
                last = last!.Append(memory);
            }

            position = boundary;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
