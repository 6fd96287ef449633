using System.Buffers;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Benchmarks;

/// <summary>
/// JT/T 808 decode of a 0x0200 location report with 12 additional items (0x01 mileage, 0x02 fuel, 0x03 recorder
/// speed, 0x04, 0x11, 0x12, 0x13, 0x25, 0x2A, 0x2B, 0x30 signal, 0x31 satellites): framing from bytes through
/// <see cref="Jt808FrameReader.TryReadFrame"/> (0x7E search, unescape, check code, header) and the body.
/// One operation is one frame, so Allocated is bytes per frame and Frames/s is 1 s / Mean.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Jt808BenchmarkConfig))]
public class Jt808DecodeBenchmarks
{
    public const int StreamFrames = 1_000;

    private byte[] _frameBuffer = [];
    private ReadOnlySequence<byte> _frame;
    private ReadOnlySequence<byte> _stream;
    private ReadOnlySequence<byte> _segmentedStream;

    [GlobalSetup]
    public void Setup()
    {
        _frameBuffer = new byte[Jt808FrameReader.DefaultMaxFrameBytes];
        _frame = new ReadOnlySequence<byte>(Jt808BenchmarkFrames.TwelveItemFrame(Jt808BenchmarkFrames.EscapedFlowNumber));
        byte[] stream = Jt808BenchmarkFrames.Stream(StreamFrames);
        _stream = new ReadOnlySequence<byte>(stream);
        _segmentedStream = Jt808BenchmarkFrames.Segmented(stream, 4096);

        // Fail the run rather than measure something that does not decode.
        if (OneFrame() == 0 || StreamContiguous() != StreamFrames * Jt808BenchmarkFrames.ExpectedMileage || StreamSegmented() != StreamFrames * Jt808BenchmarkFrames.ExpectedMileage)
        {
            throw new InvalidOperationException("The benchmark frames do not decode.");
        }
    }

    /// <summary>One escaped frame: TryReadFrame, then the body with raw items as a view (the gateway's hot path).</summary>
    [Benchmark(Description = "ours: 1 frame, read + decode")]
    public long OneFrame()
    {
        var buffer = _frame;
        Jt808FrameReader.TryReadFrame(ref buffer, Jt808FrameReader.DefaultMaxFrameBytes, _frameBuffer, out var frame, out _);
        Jt808LocationReport.TryDecodeBorrowed(frame.GetBodyMemory(_frameBuffer), out var report, out _);
        return Use(report);
    }

    /// <summary>As <see cref="OneFrame"/>, then every raw item visited (id and value), as a consumer that stores them would.</summary>
    [Benchmark(Description = "ours: 1 frame, read + decode + walk the 7 raw items")]
    public long OneFrameWalkingRawItems()
    {
        var buffer = _frame;
        Jt808FrameReader.TryReadFrame(ref buffer, Jt808FrameReader.DefaultMaxFrameBytes, _frameBuffer, out var frame, out _);
        Jt808LocationReport.TryDecodeBorrowed(frame.GetBodyMemory(_frameBuffer), out var report, out _);
        long sum = Use(report);
        foreach (var item in report.OtherItems)
        {
            sum += item.Id + item.Value.Span[^1];
        }

        return sum;
    }

    /// <summary>As <see cref="OneFrame"/>, then the report copied out to be kept past the frame (one array for the raw items).</summary>
    [Benchmark(Description = "ours: 1 frame, read + decode + ToOwned()")]
    public long OneFrameKept()
    {
        var buffer = _frame;
        Jt808FrameReader.TryReadFrame(ref buffer, Jt808FrameReader.DefaultMaxFrameBytes, _frameBuffer, out var frame, out _);
        Jt808LocationReport.TryDecodeBorrowed(frame.GetBodyMemory(_frameBuffer), out var report, out _);
        return Use(report.ToOwned());
    }

    /// <summary>1,000 frames back to back in one buffer, read and decoded in a loop as a connection would.</summary>
    [Benchmark(Description = "ours: stream of 1,000 frames, one buffer", OperationsPerInvoke = StreamFrames)]
    public long StreamContiguous() => ReadAll(_stream);

    /// <summary>The same stream as 4 KiB segments (what a Pipe hands over): frames that straddle a boundary take the sequence path.</summary>
    [Benchmark(Description = "ours: stream of 1,000 frames, 4 KiB segments", OperationsPerInvoke = StreamFrames)]
    public long StreamSegmented() => ReadAll(_segmentedStream);

    private long ReadAll(ReadOnlySequence<byte> buffer)
    {
        long sum = 0;
        while (Jt808FrameReader.TryReadFrame(ref buffer, Jt808FrameReader.DefaultMaxFrameBytes, _frameBuffer, out var frame, out _) == Jt808ReadStatus.Frame)
        {
            if (Jt808LocationReport.TryDecodeBorrowed(frame.GetBodyMemory(_frameBuffer), out var report, out _))
            {
                sum += report.MileageDeciKm.GetValueOrDefault();
            }
        }

        return sum;
    }

    private static long Use(in Jt808LocationReport report) =>
        report.MileageDeciKm.GetValueOrDefault() + report.LatitudeMicroDegrees + report.OtherItems.Count
        + report.DeviceTimeUtc.GetValueOrDefault().Ticks + report.GnssSatellites.GetValueOrDefault();
}

/// <summary>The frames the JT/T 808 benchmarks decode; shared with the side-by-side comparison outside the repo.</summary>
public static class Jt808BenchmarkFrames
{
    /// <summary>Both bytes need escaping (7D 02 7D 01 on the wire).</summary>
    public const ushort EscapedFlowNumber = 0x7E7D;

    /// <summary>Item 0x01 of <see cref="TwelveItemBody"/>, in 0.1 km.</summary>
    public const long ExpectedMileage = 100;

    /// <summary>
    /// The 0x0200 body of SmallChi/JT808's own decode benchmark (JT808SerializerContext, MIT): basic part and 12
    /// additional items. Public test data; only the flow number in the header differs from their frame.
    /// </summary>
    public static ReadOnlySpan<byte> TwelveItemBody =>
    [
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0xBA, 0x7F, 0x0E, 0x07, 0xE4, 0xF1, 0x1C, 0x00, 0x28, 0x00, 0x3C,
        0x00, 0x00, 0x18, 0x07, 0x15, 0x10, 0x10, 0x10,
        0x01, 0x04, 0x00, 0x00, 0x00, 0x64,
        0x02, 0x02, 0x00, 0x37,
        0x03, 0x02, 0x00, 0x38,
        0x04, 0x02, 0x00, 0x01,
        0x11, 0x05, 0x01, 0x00, 0x00, 0x00, 0x01,
        0x12, 0x06, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01,
        0x13, 0x07, 0x00, 0x00, 0x00, 0x02, 0x00, 0x22, 0x01,
        0x25, 0x04, 0x00, 0x00, 0x00, 0x17,
        0x2A, 0x02, 0x00, 0xF4,
        0x2B, 0x04, 0x00, 0x00, 0x00, 0xF2,
        0x30, 0x01, 0x02,
        0x31, 0x01, 0x05,
    ];

    /// <summary>The 2013-header 0x0200 frame for terminal 112233445566 with <see cref="TwelveItemBody"/>, on the wire.</summary>
    public static byte[] TwelveItemFrame(ushort flowNumber)
    {
        var output = new ArrayBufferWriter<byte>(128);
        var recipient = new Jt808Recipient(Jt808TerminalPhone.Parse("112233445566"), Jt808Edition.V2013);
        Jt808FrameWriter.Write(output, recipient, Jt808MessageIds.LocationReport, flowNumber, TwelveItemBody);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <paramref name="frames"/> frames back to back with flow numbers counting up from 0x7E00, so the first
    /// frames escape one or two header bytes and some check codes need escaping too.
    /// </summary>
    public static byte[] Stream(int frames)
    {
        var stream = new List<byte>(frames * 110);
        for (int i = 0; i < frames; i++)
        {
            stream.AddRange(TwelveItemFrame((ushort)(0x7E00 + i)));
        }

        return [.. stream];
    }

    /// <summary><paramref name="bytes"/> as a sequence of <paramref name="segmentSize"/>-byte segments.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentSize)
    {
        var first = new Segment(bytes.AsMemory(0, Math.Min(segmentSize, bytes.Length)), 0);
        var last = first;
        for (int start = segmentSize; start < bytes.Length; start += segmentSize)
        {
            last = last.Append(bytes.AsMemory(start, Math.Min(segmentSize, bytes.Length - start)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
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

/// <summary>Adds Frames/s next to Mean; for benchmarks whose operation is one frame.</summary>
public sealed class Jt808BenchmarkConfig : ManualConfig
{
    public Jt808BenchmarkConfig() => AddColumn(new FramesPerSecondColumn());

    private sealed class FramesPerSecondColumn : IColumn
    {
        public string Id => nameof(FramesPerSecondColumn);

        public string ColumnName => "Frames/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Frames read and decoded per second on one core: 1 s / Mean (one operation is one frame)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return meanNs is > 0 ? (1e9 / meanNs.Value).ToString("N0", CultureInfo.InvariantCulture) : "NA";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
