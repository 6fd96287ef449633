using System.Buffers;
using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Tests.Jt808;

public sealed class Jt808FrameReaderTests
{
    // SmallChi/JT808 JT808_0x0002Test (MIT): heartbeat whose check code is 0x7E, so it travels as 7D 02.
    private const string HeartbeatWithEscapedChecksum = "7E00020000040021679287002B7D027E";

    // SmallChi/JT808 Demo14 (MIT): 2013 header with bit 14 set anyway.
    private const string AuthenticationWithVersionFlagQuirk = "7E0102400C01003000068109024A3130303330303030363831857E";

    [Fact]
    public void A_heartbeat_whose_check_code_is_escaped_is_unescaped_and_accepted()
    {
        var outcome = Jt808TestStream.ReadAll(Hex.Bytes(HeartbeatWithEscapedChecksum));

        var frame = Assert.Single(outcome.Frames);
        Assert.Equal(Jt808MessageIds.Heartbeat, frame.Header.MessageId);
        Assert.Equal(Jt808TerminalPhone.Parse("040021679287"), frame.Header.Phone);
        Assert.Equal(43, frame.Header.FlowNumber);
        Assert.Empty(frame.Body);
        Assert.Equal(0, outcome.PendingBytes);
    }

    [Fact]
    public void An_escape_split_across_two_segments_is_unescaped_like_a_contiguous_one()
    {
        byte[] wire = Hex.Bytes(HeartbeatWithEscapedChecksum);
        int marker = Array.LastIndexOf(wire, Jt808Escaping.EscapeMarker);
        var buffer = Jt808TestStream.Segmented(wire, 0, wire.Length, marker + 1);
        Assert.False(buffer.IsSingleSegment);

        var status = Jt808FrameReader.TryReadFrame(ref buffer, 64, new byte[64], out var frame, out _);

        Assert.Equal(Jt808ReadStatus.Frame, status);
        Assert.Equal(43, frame.Header.FlowNumber);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Garbage_before_a_frame_is_skipped_and_a_frame_start_without_an_end_waits()
    {
        byte[] input = [.. Hex.Bytes("DEADBEEF"), .. Hex.Bytes(HeartbeatWithEscapedChecksum), 0x01, 0x02, 0x7E, 0x00, 0x02];
        var buffer = new ReadOnlySequence<byte>(input);
        byte[] frameBuffer = new byte[Jt808FrameReader.DefaultMaxFrameBytes];

        Assert.Equal(Jt808ReadStatus.Frame, Jt808FrameReader.TryReadFrame(ref buffer, Jt808FrameReader.DefaultMaxFrameBytes, frameBuffer, out var frame, out _));
        Assert.Equal(43, frame.Header.FlowNumber);
        Assert.Equal(Jt808ReadStatus.NeedMoreData, Jt808FrameReader.TryReadFrame(ref buffer, Jt808FrameReader.DefaultMaxFrameBytes, frameBuffer, out _, out _));
        Assert.Equal("7E0002", Hex.Of(buffer.ToArray()));
    }

    [Fact]
    public void An_unterminated_frame_reaching_the_size_limit_is_rejected_without_waiting_for_more_bytes()
    {
        byte[] input = [0x7E, .. Enumerable.Repeat((byte)0x11, 100)];
        var buffer = new ReadOnlySequence<byte>(input);

        var status = Jt808FrameReader.TryReadFrame(ref buffer, 64, new byte[64], out _, out var error);

        Assert.Equal(Jt808ReadStatus.Rejected, status);
        Assert.Equal(Jt808FrameErrorKind.Oversized, error!.Kind);
        Assert.Equal(64, error.RawBytes.Length);
        Assert.Equal(input.Length - 64, buffer.Length);
        Assert.Equal(Jt808ReadStatus.NeedMoreData, Jt808FrameReader.TryReadFrame(ref buffer, 64, new byte[64], out _, out _));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void A_terminated_frame_over_the_size_limit_is_rejected_as_oversized_and_the_next_frame_still_reads()
    {
        byte[] input = [0x7E, .. Enumerable.Repeat((byte)0x11, 70), 0x7E, .. Hex.Bytes(HeartbeatWithEscapedChecksum)];

        var outcome = Jt808TestStream.ReadAll(input, maxFrameBytes: 64);

        Assert.Equal(Jt808FrameErrorKind.Oversized, outcome.Events[0].Error!.Kind);
        Assert.Equal(43, outcome.Frames.Single().Header.FlowNumber);
    }

    [Fact]
    public void An_unterminated_frame_under_the_size_limit_waits_for_more_bytes()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("7E0002000004002167"));

        var status = Jt808FrameReader.TryReadFrame(ref buffer, 64, new byte[64], out _, out var error);

        Assert.Equal(Jt808ReadStatus.NeedMoreData, status);
        Assert.Null(error);
        Assert.Equal(9, buffer.Length);
    }

    [Theory]
    [InlineData("7E00020000040021679287002B7D037E", "0x7D at frame offset 13")]
    [InlineData("7E00020000040021679287002B007D7E", "0x7D at frame offset 14")]
    public void A_bad_escape_is_rejected_with_the_offset_of_the_escape_byte(string wire, string reason)
    {
        var outcome = Jt808TestStream.ReadAll(Hex.Bytes(wire));

        var rejection = Assert.Single(outcome.Rejections);
        Assert.Equal(Jt808FrameErrorKind.BadEscape, rejection.Error!.Kind);
        Assert.StartsWith(reason, rejection.Error.Reason, StringComparison.Ordinal);
        Assert.Equal(wire, Hex.Of(rejection.Error.RawBytes.Span));
    }

    [Fact]
    public void A_bad_check_code_is_rejected_with_both_values_in_the_reason()
    {
        var outcome = Jt808TestStream.ReadAll(Hex.Bytes("7E00020000040021679287002B017E"));

        var error = Assert.Single(outcome.Rejections).Error!;
        Assert.Equal(Jt808FrameErrorKind.BadChecksum, error.Kind);
        Assert.Equal("check code 0x01 does not match the XOR of the frame, 0x7E", error.Reason);
    }

    [Fact]
    public void A_damaged_frame_keeps_its_closing_delimiter_so_a_frame_that_shares_it_is_still_read()
    {
        // A too-short fragment, then a heartbeat that reuses the fragment's closing 0x7E as its opening one.
        byte[] heartbeat = Hex.Bytes(HeartbeatWithEscapedChecksum);
        byte[] input = [0x7E, 0x01, 0x02, .. heartbeat];

        var outcome = Jt808TestStream.ReadAll(input);

        Assert.Equal(Jt808FrameErrorKind.TooShort, outcome.Events[0].Error!.Kind);
        Assert.Equal(43, outcome.Frames.Single().Header.FlowNumber);
    }

    [Fact]
    public void A_body_length_that_disagrees_with_the_frame_is_rejected()
    {
        // go-jt808 "body数据和解析头不符合": declares 5 body bytes, carries 4.
        var outcome = Jt808TestStream.ReadAll(Hex.Bytes("7E0801200500123456789002DE001A000228080001517E"));

        var error = Assert.Single(outcome.Rejections).Error!;
        Assert.Equal(Jt808FrameErrorKind.BodyLengthMismatch, error.Kind);
        Assert.Equal("body properties declare 5 body bytes but the frame carries 4", error.Reason);
    }

    [Fact]
    public void Sub_package_fields_are_read_from_the_2013_header()
    {
        // go-jt808 "正确的分包数据": part 2 of 26 of a 0x0801.
        var frame = Jt808TestStream.ReadAll(Hex.Bytes("7E0801200500123456789002DE001A00022808000102537E")).Frames.Single();

        Assert.True(frame.Header.IsSubPackage);
        Assert.Equal((26, 2, 734), (frame.Header.SubPackageCount, frame.Header.SubPackageIndex, frame.Header.FlowNumber));
        Assert.Equal(16, frame.Header.Length);
        Assert.Equal("2808000102", Hex.Of(frame.Body));
    }

    [Fact]
    public void A_2019_header_carries_the_protocol_version_and_a_20_digit_phone()
    {
        // yezhihao/jt808-server (Apache-2.0): 2019 heartbeat.
        var frame = Jt808TestStream.ReadAll(Hex.Bytes("7E000240000112345678901234567890FFFF437E")).Frames.Single();

        Assert.Equal(Jt808Edition.V2019, frame.Header.Edition);
        Assert.Equal(1, frame.Header.ProtocolVersion);
        Assert.Equal("12345678901234567890", frame.Header.Phone.ToString());
        Assert.Equal(65535, frame.Header.FlowNumber);
    }

    [Fact]
    public void A_2013_header_with_the_version_flag_set_is_read_as_2013_and_marked()
    {
        var frame = Jt808TestStream.ReadAll(Hex.Bytes(AuthenticationWithVersionFlagQuirk)).Frames.Single();

        Assert.True(frame.Header.HasVersionFlag);
        Assert.True(frame.Header.IsVersionFlagQuirk);
        Assert.Equal(Jt808Edition.V2013, frame.Header.Edition);
        Assert.Equal("010030000681", frame.Header.Phone.ToString());
        Assert.True(Jt808TerminalAuthentication.TryDecode(frame.Body, frame.Header, out var auth, out _));
        Assert.Equal(new Jt808TerminalAuthentication("J10030000681", null, null), auth);
    }

    [Fact]
    public void Ignoring_the_check_code_lets_a_capture_with_an_anonymised_phone_be_read()
    {
        byte[] content = Hex.Bytes("00020000040021679287002B01");

        Assert.False(Jt808FrameReader.TryParseContent(content, verifyChecksum: true, out _, out _, out var error));
        Assert.Equal(Jt808FrameErrorKind.BadChecksum, error!.Kind);
        Assert.True(Jt808FrameReader.TryParseContent(content, verifyChecksum: false, out var header, out _, out _));
        Assert.Equal(43, header.FlowNumber);
    }

    [Fact]
    public void Reading_a_location_frame_and_writing_its_reply_allocates_nothing()
    {
        // SmallChi/JT808 JT808_0x0200Test (MIT): location with typed items only (0x01 mileage, 0x02 fuel).
        byte[] wire = Hex.Bytes("7E0200002611223344556622B8000000010000000200BA7F0E07E4F11C0028003C000018071510101001040000006402020037577E");
        byte[] frameBuffer = new byte[Jt808FrameReader.DefaultMaxFrameBytes];
        var output = new ArrayBufferWriter<byte>(256);
        long sum = 0;

        void ReadDecodeReply()
        {
            var buffer = new ReadOnlySequence<byte>(wire);
            Jt808FrameReader.TryReadFrame(ref buffer, Jt808FrameReader.DefaultMaxFrameBytes, frameBuffer, out var frame, out _);
            Jt808LocationReport.TryDecode(frame.Body, out var location, out _);
            sum += location.MileageDeciKm!.Value + location.OtherItems.Count;
            var recipient = new Jt808Recipient(frame.Header.Phone, frame.Header.Edition);
            output.ResetWrittenCount();
            Jt808FrameWriter.Write(output, recipient, 1, new Jt808PlatformGeneralReply(frame.Header.FlowNumber, frame.Header.MessageId, Jt808ReplyResult.Success));
        }

        for (int i = 0; i < 2_000; i++)
        {
            ReadDecodeReply();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            ReadDecodeReply();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3_000 * 100, sum);
    }
}
