using System.Buffers;
using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Tests.Jt808;

public sealed class Jt808EncoderRoundTripTests
{
    // Flow number 0x7E7D and ids/values containing 0x7E and 0x7D make every frame exercise escaping.
    private const ushort EscapingFlowNumber = 0x7E7D;

    public static TheoryData<Jt808Edition> Editions => [Jt808Edition.V2011, Jt808Edition.V2013, Jt808Edition.V2019];

    [Theory]
    [MemberData(nameof(Editions))]
    public void A_platform_general_reply_reads_back_as_sent(Jt808Edition edition)
    {
        var sent = new Jt808PlatformGeneralReply(0x7D7E, Jt808MessageIds.LocationReport, Jt808ReplyResult.AlarmConfirmed);

        var (header, body) = RoundTrip(edition, sent);

        Assert.True(Jt808PlatformGeneralReply.TryDecode(body, out var received, out _));
        Assert.Equal(sent, received);
        Assert.Equal(5, header.BodyLength);
    }

    [Theory]
    [MemberData(nameof(Editions))]
    public void A_registration_reply_with_an_auth_code_reads_back_as_sent(Jt808Edition edition)
    {
        var sent = new Jt808RegistrationReply(0x007E, Jt808RegistrationResult.Success, "鉴权码~}7E");

        var (_, body) = RoundTrip(edition, sent);

        Assert.True(Jt808RegistrationReply.TryDecode(body, out var received, out _));
        Assert.Equal(sent, received);
    }

    [Theory]
    [MemberData(nameof(Editions))]
    public void A_failed_registration_reply_carries_no_auth_code(Jt808Edition edition)
    {
        var sent = new Jt808RegistrationReply(9, Jt808RegistrationResult.VehicleAlreadyRegistered, "ignored");

        var (header, body) = RoundTrip(edition, sent);

        Assert.Equal(3, header.BodyLength);
        Assert.True(Jt808RegistrationReply.TryDecode(body, out var received, out _));
        Assert.Equal(sent with { AuthCode = null }, received);
    }

    [Theory]
    [MemberData(nameof(Editions))]
    public void Set_terminal_parameters_read_back_as_sent(Jt808Edition edition)
    {
        var sent = new Jt808SetTerminalParameters(
        [
            Jt808TerminalParameter.FromUInt32(0x0001, 30),               // heartbeat interval, s
            Jt808TerminalParameter.FromString(0x0013, "gw.example.cn~"), // main server address
            Jt808TerminalParameter.FromUInt16(0x0031, 0x7E7D),           // electronic fence radius, m
            Jt808TerminalParameter.FromByte(0x0084, 2),                  // plate colour
            Jt808TerminalParameter.FromString(0x0083, "贵A12345"),       // plate
        ]);

        var (_, body) = RoundTrip(edition, sent);

        Assert.True(Jt808SetTerminalParameters.TryDecode(body, out var received, out _));
        Assert.Equal(
            sent.Parameters.Select(p => (p.Id, Hex.Of(p.Value.Span))),
            received!.Parameters.Select(p => (p.Id, Hex.Of(p.Value.Span))));
        Assert.True(received.Parameters[0].TryGetUInt32(out uint heartbeatS));
        Assert.Equal(30u, heartbeatS);
        Assert.Equal("贵A12345", received.Parameters[4].GetString());
    }

    [Theory]
    [MemberData(nameof(Editions))]
    public void A_location_query_has_an_empty_body(Jt808Edition edition)
    {
        var (header, body) = RoundTrip(edition, new Jt808QueryLocation());

        Assert.Equal(Jt808MessageIds.QueryLocation, header.MessageId);
        Assert.Empty(body);
        Assert.True(Jt808QueryLocation.TryDecode(body, out _, out _));
    }

    [Theory]
    [MemberData(nameof(Editions))]
    public void A_gbk_text_message_reads_back_as_sent(Jt808Edition edition)
    {
        var sent = new Jt808TextMessage(Jt808TextFlags.Display | Jt808TextFlags.Tts, "前方拥堵，请减速慢行 ~}", Jt808TextType.Service);

        var (header, body) = RoundTrip(edition, sent);

        Assert.True(Jt808TextMessage.TryDecode(body, header.Edition, out var received, out _));
        Assert.Equal(edition == Jt808Edition.V2019 ? sent : sent with { TextType = Jt808TextType.Notice }, received);
        Assert.Equal(edition == Jt808Edition.V2019 ? 2 : 1, header.BodyLength - Jt808Text.Gbk.GetByteCount(sent.Text));
    }

    [Theory]
    [MemberData(nameof(Editions))]
    public void A_resend_request_reads_back_as_sent_with_the_count_width_of_the_edition(Jt808Edition edition)
    {
        var sent = new Jt808ResendSubPackagesRequest(0x7E00, [2, 0x7E, 0x7D]);

        var (header, body) = RoundTrip(edition, sent);

        Assert.Equal(2 + (edition == Jt808Edition.V2019 ? 2 : 1) + 6, header.BodyLength);
        Assert.True(Jt808ResendSubPackagesRequest.TryDecode(body, header.Edition, out var received, out _));
        Assert.Equal(sent.FirstFlowNumber, received!.FirstFlowNumber);
        Assert.Equal(sent.PackageIndices, received.PackageIndices);
    }

    [Theory]
    [MemberData(nameof(Editions))]
    public void A_multimedia_upload_reply_asking_for_packets_again_reads_back_as_sent(Jt808Edition edition)
    {
        var sent = new Jt808MultimediaDataUploadReply(0x7E7D7E7D, [1, 0x7E, 0x7D7E, 65535]);

        var (header, body) = RoundTrip(edition, sent);

        Assert.Equal(4 + 1 + 8, header.BodyLength);
        Assert.True(Jt808MultimediaDataUploadReply.TryDecode(body, out var received, out _));
        Assert.Equal(sent.MediaId, received!.MediaId);
        Assert.Equal(sent.RetransmitPacketIds, received.RetransmitPacketIds);
    }

    [Theory]
    [InlineData(Jt808Edition.V2011, "7E8800000500012345678900000000008100857E")] // SmallChi JT808_0x8800Test.Test2011_1
    [InlineData(Jt808Edition.V2013, "7E88000004000123456789000000000081847E")]   // SmallChi Test2013_1: no fields after the id
    public void A_multimedia_upload_reply_with_everything_received_is_byte_for_byte_what_smallchi_sends(Jt808Edition edition, string wire)
    {
        var recipient = new Jt808Recipient(Jt808TerminalPhone.Parse("123456789"), edition);

        byte[] encoded = Jt808FrameWriter.ToArray(recipient, 0, new Jt808MultimediaDataUploadReply(129));

        Assert.Equal(wire, Hex.Of(encoded));
        var frame = Assert.Single(Jt808TestStream.ReadAll(encoded).Frames);
        Assert.True(Jt808MultimediaDataUploadReply.TryDecode(frame.Body, out var received, out _));
        Assert.Equal((129u, 0), (received!.MediaId, received.RetransmitPacketIds.Count));
    }

    [Fact]
    public void A_multimedia_upload_reply_is_byte_for_byte_what_smallchi_sends()
    {
        // SmallChi/JT808 JT808_0x8800Test.Test1 (MIT): media 129, packets 0x0102 and 0x0304.
        var recipient = new Jt808Recipient(Jt808TerminalPhone.Parse("123456789"), Jt808Edition.V2013);

        byte[] encoded = Jt808FrameWriter.ToArray(recipient, 0, new Jt808MultimediaDataUploadReply(129, [0x0102, 0x0304]));

        Assert.Equal("7E8800000900012345678900000000008102010203048F7E", Hex.Of(encoded));
    }

    [Theory]
    [InlineData("00000081", true, "")]
    [InlineData("0000008100", true, "")]
    [InlineData("000000810201020304", true, "258,772")]
    [InlineData("000000", false, "0x8800 has 3 bytes; needs the 4-byte media id")]
    [InlineData("0000008102010203", false, "0x8800 declares 2 packets but carries 3 list bytes")]
    public void A_multimedia_upload_reply_body_decodes_in_both_forms_and_a_broken_one_is_refused(string body, bool ok, string expected)
    {
        Assert.Equal(ok, Jt808MultimediaDataUploadReply.TryDecode(Hex.Bytes(body), out var reply, out string? error));
        Assert.Equal(expected, ok ? string.Join(",", reply!.RetransmitPacketIds) : error);
    }

    [Fact]
    public void More_than_255_packets_do_not_fit_a_multimedia_upload_reply()
    {
        var recipient = new Jt808Recipient(Jt808TerminalPhone.Parse("13912345678"), Jt808Edition.V2019);
        var reply = new Jt808MultimediaDataUploadReply(7, Enumerable.Range(1, 256).Select(i => (ushort)i).ToArray());

        Assert.Throws<ArgumentException>(() => Jt808FrameWriter.ToArray(recipient, 1, reply));
        Assert.Equal(5 + 510, (reply with { RetransmitPacketIds = reply.RetransmitPacketIds.Take(255).ToArray() }).GetBodyLength(Jt808Edition.V2019));
    }

    [Theory]
    [InlineData("7E80010005012345678900000A0064020000617E", "12345678900", Jt808Edition.V2013, 10, 100, 0x0200, 0)]  // SmallChi JT808_0x8001Test
    [InlineData("7E800100051234567890120001007B01C803BE7E", "123456789012", Jt808Edition.V2013, 1, 123, 456, 3)]   // yezhihao 单元测试记录 L2
    [InlineData("7E800140050112345678901234567890FFFF007B01C803747E", "12345678901234567890", Jt808Edition.V2019, 65535, 123, 456, 3)] // yezhihao L26
    public void A_general_reply_is_byte_for_byte_what_other_implementations_send(string wire, string phone, Jt808Edition edition, int flow, int replyFlow, int replyId, int result)
    {
        var recipient = new Jt808Recipient(Jt808TerminalPhone.Parse(phone), edition);

        byte[] encoded = Jt808FrameWriter.ToArray(recipient, (ushort)flow, new Jt808PlatformGeneralReply((ushort)replyFlow, (ushort)replyId, (Jt808ReplyResult)result));

        Assert.Equal(wire, Hex.Of(encoded));
    }

    [Theory]
    [InlineData("7E81000009012345678900000A006400313233343536687E", "12345678900", Jt808Edition.V2013, 10, Jt808RegistrationResult.Success, "123456")] // SmallChi
    [InlineData("7E81000003012345678900000A006404617E", "12345678900", Jt808Edition.V2013, 10, Jt808RegistrationResult.TerminalNotInDatabase, null)] // SmallChi
    [InlineData("7E8100401E0112345678901234567890FFFF970C006368774430534531666368774430534531666368774430534531660C7E", "12345678901234567890", Jt808Edition.V2019, 65535, Jt808RegistrationResult.Success, "chwD0SE1fchwD0SE1fchwD0SE1f")] // yezhihao L3212
    public void A_registration_reply_is_byte_for_byte_what_other_implementations_send(string wire, string phone, Jt808Edition edition, int flow, Jt808RegistrationResult result, string? code)
    {
        var recipient = new Jt808Recipient(Jt808TerminalPhone.Parse(phone), edition);
        ushort replyFlow = edition == Jt808Edition.V2019 ? (ushort)38668 : (ushort)100;

        byte[] encoded = Jt808FrameWriter.ToArray(recipient, (ushort)flow, new Jt808RegistrationReply(replyFlow, result, code));

        Assert.Equal(wire, Hex.Of(encoded));
    }

    [Fact]
    public void Writing_a_20_digit_phone_into_a_2013_header_is_refused()
    {
        var recipient = new Jt808Recipient(Jt808TerminalPhone.Parse("12345678901234567890"), Jt808Edition.V2013);

        Assert.Throws<ArgumentException>(() => Jt808FrameWriter.ToArray(recipient, 1, new Jt808QueryLocation()));
    }

    [Fact]
    public void A_body_over_1023_bytes_is_refused()
    {
        var recipient = new Jt808Recipient(Jt808TerminalPhone.Parse("13912345678"), Jt808Edition.V2013);

        Assert.Throws<ArgumentOutOfRangeException>(() => Jt808FrameWriter.ToArray(recipient, 1, new Jt808TextMessage(Jt808TextFlags.Display, new string('a', 1023))));
    }

    [Fact]
    public void More_than_255_resend_indices_do_not_fit_a_2013_request()
    {
        var recipient = new Jt808Recipient(Jt808TerminalPhone.Parse("13912345678"), Jt808Edition.V2013);
        var request = new Jt808ResendSubPackagesRequest(1, Enumerable.Range(1, 256).Select(i => (ushort)i).ToArray());

        Assert.Throws<ArgumentException>(() => Jt808FrameWriter.ToArray(recipient, 1, request));
        Assert.Equal(2 + 2 + 512, request.GetBodyLength(Jt808Edition.V2019));
    }

    /// <summary>Encodes for the edition, then reads the frame back through the real reader.</summary>
    private static (Jt808Header Header, byte[] Body) RoundTrip<T>(Jt808Edition edition, T message)
        where T : IJt808OutboundBody
    {
        var phone = edition == Jt808Edition.V2019 ? Jt808TerminalPhone.Parse("12345678901234567890") : Jt808TerminalPhone.Parse("013912345678");
        var output = new ArrayBufferWriter<byte>();
        int written = Jt808FrameWriter.Write(output, new Jt808Recipient(phone, edition, ProtocolVersion: 1), EscapingFlowNumber, message);

        byte[] wire = output.WrittenSpan.ToArray();
        Assert.Equal(wire.Length, written);
        Assert.Equal(2, wire.Count(b => b == Jt808Escaping.Delimiter));
        var frame = Assert.Single(Jt808TestStream.ReadAll(wire).Frames);
        Assert.Equal(message.MessageId, frame.Header.MessageId);
        Assert.Equal(phone, frame.Header.Phone);
        Assert.Equal(EscapingFlowNumber, frame.Header.FlowNumber);
        Assert.Equal(edition == Jt808Edition.V2019 ? Jt808Edition.V2019 : Jt808Edition.V2013, frame.Header.Edition);
        Assert.Equal(edition == Jt808Edition.V2019 ? 1 : 0, frame.Header.ProtocolVersion);
        Assert.False(frame.Header.IsSubPackage);
        return (frame.Header, frame.Body);
    }
}
