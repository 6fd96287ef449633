using TransportBrain.Fleet.Jt808;
using Xunit.Abstractions;

namespace TransportBrain.Fleet.Tests.Jt808;

public sealed class Jt808SubPackageReassemblerTests(ITestOutputHelper output)
{
    private static readonly Jt808TerminalPhone s_phone = Jt808TerminalPhone.Parse("013912345678");
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Parts_arriving_in_order_complete_into_the_joined_body()
    {
        var reassembler = new Jt808SubPackageReassembler(timeProvider: _clock);

        Assert.Equal(Jt808ReassemblyStatus.Incomplete, reassembler.Add(Part(100, 3, 1), [1, 2]).Status);
        Assert.Equal(Jt808ReassemblyStatus.Incomplete, reassembler.Add(Part(101, 3, 2), [3]).Status);
        var done = reassembler.Add(Part(102, 3, 3), [4, 5, 6]);

        Assert.Equal(Jt808ReassemblyStatus.Completed, done.Status);
        Assert.Equal(new Jt808SubPackageKey(s_phone, 0x0801, 100), done.Key);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, done.Body.ToArray());
        Assert.Equal((0, 0L), (reassembler.PendingCount, reassembler.BufferedBytes));
    }

    [Fact]
    public void Parts_arriving_out_of_order_join_in_index_order()
    {
        var reassembler = new Jt808SubPackageReassembler(timeProvider: _clock);

        reassembler.Add(Part(12, 3, 3), [3]);
        reassembler.Add(Part(10, 3, 1), [1]);
        var done = reassembler.Add(Part(11, 3, 2), [2]);

        Assert.Equal(new byte[] { 1, 2, 3 }, done.Body.ToArray());
        Assert.Equal(10, done.Key.FirstFlowNumber);
    }

    [Fact]
    public void A_repeated_part_is_a_duplicate_and_the_first_copy_is_kept()
    {
        var reassembler = new Jt808SubPackageReassembler(timeProvider: _clock);

        reassembler.Add(Part(1, 2, 1), [1]);
        Assert.Equal(Jt808ReassemblyStatus.Duplicate, reassembler.Add(Part(1, 2, 1), [9]).Status);

        Assert.Equal(new byte[] { 1, 2 }, reassembler.Add(Part(2, 2, 2), [2]).Body.ToArray());
    }

    [Fact]
    public void Flow_numbers_wrapping_past_65535_still_key_one_message()
    {
        var reassembler = new Jt808SubPackageReassembler(timeProvider: _clock);

        reassembler.Add(Part(65535, 2, 1), [1]);
        var done = reassembler.Add(Part(0, 2, 2), [2]);

        Assert.Equal((Jt808ReassemblyStatus.Completed, (ushort)65535), (done.Status, done.Key.FirstFlowNumber));
    }

    [Fact]
    public void Parts_from_a_device_that_sends_other_messages_in_between_still_join()
    {
        // Seen in the corpus (SmallChi 0x0104): part 1 has flow 1233, part 2 flow 1250.
        var reassembler = new Jt808SubPackageReassembler(timeProvider: _clock);

        reassembler.Add(Part(1233, 2, 1, messageId: 0x0104), [1]);
        var done = reassembler.Add(Part(1250, 2, 2, messageId: 0x0104), [2]);

        Assert.Equal(Jt808ReassemblyStatus.Completed, done.Status);
        Assert.Equal(1233, done.Key.FirstFlowNumber);
    }

    [Fact]
    public void The_same_flow_numbers_from_two_terminals_do_not_mix()
    {
        var reassembler = new Jt808SubPackageReassembler(timeProvider: _clock);
        var other = Jt808TerminalPhone.Parse("013900000000");

        reassembler.Add(Part(1, 2, 1), [1]);
        reassembler.Add(Part(1, 2, 1) with { Phone = other }, [7]);
        var mine = reassembler.Add(Part(2, 2, 2), [2]);
        var theirs = reassembler.Add(Part(2, 2, 2) with { Phone = other }, [8]);

        Assert.Equal(new byte[] { 1, 2 }, mine.Body.ToArray());
        Assert.Equal(new byte[] { 7, 8 }, theirs.Body.ToArray());
    }

    [Fact]
    public void Missing_parts_are_reported_after_the_timeout_as_a_resend_request()
    {
        var reassembler = new Jt808SubPackageReassembler(new Jt808ReassemblyOptions { PartTimeout = TimeSpan.FromSeconds(30) }, _clock);
        reassembler.Add(Part(200, 5, 1), [1]);
        reassembler.Add(Part(202, 5, 3), [3]);

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(reassembler.CollectOverdue());
        _clock.Advance(TimeSpan.FromSeconds(1));
        var overdue = Assert.Single(reassembler.CollectOverdue());

        Assert.Equal(new Jt808SubPackageKey(s_phone, 0x0801, 200), overdue.Key);
        Assert.Equal(new ushort[] { 2, 4, 5 }, overdue.MissingIndices);
        Assert.False(overdue.Abandoned);

        // The request the gateway sends, read back as the terminal would.
        var recipient = new Jt808Recipient(s_phone, Jt808Edition.V2013);
        var frame = Jt808TestStream.ReadAll(Jt808FrameWriter.ToArray(recipient, 7, overdue.ToResendRequest())).Frames.Single();
        Assert.True(Jt808ResendSubPackagesRequest.TryDecode(frame.Body, Jt808Edition.V2013, out var request, out _));
        Assert.Equal(200, request!.FirstFlowNumber);
        Assert.Equal(new ushort[] { 2, 4, 5 }, request.PackageIndices);
    }

    [Fact]
    public void Resent_parts_complete_the_message_after_a_resend_request()
    {
        var reassembler = new Jt808SubPackageReassembler(new Jt808ReassemblyOptions { PartTimeout = TimeSpan.FromSeconds(5) }, _clock);
        reassembler.Add(Part(50, 3, 1), [1]);
        reassembler.Add(Part(52, 3, 3), [3]);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(new ushort[] { 2 }, Assert.Single(reassembler.CollectOverdue()).MissingIndices);

        // The resent part arrives with a new flow number.
        var done = reassembler.Add(Part(61, 3, 2), [2]);

        Assert.Equal(new byte[] { 1, 2, 3 }, done.Body.ToArray());
    }

    [Fact]
    public void A_message_is_abandoned_after_the_allowed_resend_requests()
    {
        var reassembler = new Jt808SubPackageReassembler(new Jt808ReassemblyOptions { PartTimeout = TimeSpan.FromSeconds(10), MaxResendRequests = 2 }, _clock);
        reassembler.Add(Part(1, 2, 1), [1]);

        var rounds = new List<bool>();
        for (int i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(10));
            rounds.AddRange(reassembler.CollectOverdue().Select(o => o.Abandoned));
        }

        Assert.Equal([false, false, true], rounds);
        Assert.Equal((0, 0L), (reassembler.PendingCount, reassembler.BufferedBytes));
    }

    [Fact]
    public void The_least_recently_active_message_is_evicted_when_the_pending_limit_is_reached()
    {
        var reassembler = new Jt808SubPackageReassembler(new Jt808ReassemblyOptions { MaxPendingPackages = 2 }, _clock);
        reassembler.Add(Part(10, 2, 1), [1]);
        _clock.Advance(TimeSpan.FromSeconds(1));
        reassembler.Add(Part(20, 2, 1), [2]);
        _clock.Advance(TimeSpan.FromSeconds(1));

        reassembler.Add(Part(30, 2, 1), [3]);

        Assert.Equal((2, 1L), (reassembler.PendingCount, reassembler.EvictedPackages));
        Assert.Equal(Jt808ReassemblyStatus.Completed, reassembler.Add(Part(21, 2, 2), [2]).Status);
        Assert.Equal(Jt808ReassemblyStatus.Incomplete, reassembler.Add(Part(11, 2, 2), [1]).Status); // 10's part 1 is gone

        // Part 2 of the evicted message must not be glued onto message 30, which started later.
        Assert.Equal(2, reassembler.PendingCount);
    }

    [Fact]
    public void A_part_far_outside_the_interleaving_window_starts_its_own_message()
    {
        var reassembler = new Jt808SubPackageReassembler(new Jt808ReassemblyOptions { MaxInterleavedFlowGap = 32 }, _clock);

        reassembler.Add(Part(100, 2, 1), [1]);
        Assert.Equal(Jt808ReassemblyStatus.Incomplete, reassembler.Add(Part(134, 2, 2), [2]).Status);
        Assert.Equal(Jt808ReassemblyStatus.Completed, reassembler.Add(Part(133, 2, 2), [2]).Status);
    }

    [Fact]
    public void Buffered_bytes_stay_under_the_limit_by_evicting_older_messages()
    {
        var reassembler = new Jt808SubPackageReassembler(new Jt808ReassemblyOptions { MaxBufferedBytes = 2048 }, _clock);
        byte[] kilobyte = new byte[1000];

        reassembler.Add(Part(1, 2, 1), kilobyte);
        reassembler.Add(Part(100, 2, 1), kilobyte);
        reassembler.Add(Part(200, 2, 1), kilobyte);

        Assert.Equal((2000L, 1L), (reassembler.BufferedBytes, reassembler.EvictedPackages));
    }

    [Theory]
    [InlineData(0, 0, "sub-package index 0 of 0 is out of range")]
    [InlineData(3, 0, "sub-package index 0 of 3 is out of range")]
    [InlineData(3, 4, "sub-package index 4 of 3 is out of range")]
    [InlineData(5000, 1, "5000 sub-packages exceed the limit of 4096")]
    public void Impossible_sub_package_numbers_are_rejected_with_a_reason(int count, int index, string reason)
    {
        var reassembler = new Jt808SubPackageReassembler(timeProvider: _clock);

        var result = reassembler.Add(Part(1, (ushort)count, (ushort)index), [1]);

        Assert.Equal((Jt808ReassemblyStatus.Rejected, reason), (result.Status, result.Reason));
        Assert.Equal(0, reassembler.PendingCount);
    }

    [Fact]
    public void Forgetting_a_terminal_releases_everything_it_had_pending()
    {
        var reassembler = new Jt808SubPackageReassembler(timeProvider: _clock);
        reassembler.Add(Part(1, 2, 1), [1, 2, 3]);
        reassembler.Add(Part(9, 3, 1, messageId: 0x0104), [4]);

        Assert.Equal(2, reassembler.Forget(s_phone));
        Assert.Equal((0, 0L), (reassembler.PendingCount, reassembler.BufferedBytes));
    }

    [Fact]
    public void The_two_part_parameter_reply_from_the_corpus_reassembles_and_decodes()
    {
        if (Jt808Corpus.UnavailableMessage() is { } message)
        {
            output.WriteLine(message);
            return;
        }

        var packets = Jt808Corpus.LoadPackets();
        var reassembler = new Jt808SubPackageReassembler(timeProvider: _clock);
        Jt808ReassemblyResult last = default;
        foreach (var packet in packets.Where(p => p.SourceRepo == "SmallChi/JT808" && p.MessageId == "0x0104"))
        {
            var frame = Jt808TestStream.ReadAll(packet.Wire).Frames.Single();
            last = reassembler.Add(frame.Header, frame.Body);
        }

        Assert.Equal(Jt808ReassemblyStatus.Completed, last.Status);
        Assert.Equal(1008 + 211, last.Body.Length);
        Assert.True(Jt808TerminalParametersReply.TryDecode(last.Body.Span, out var reply, out string? error), error);
        Assert.NotEmpty(reply!.Parameters);
        Assert.Equal(reply.DeclaredCount, reply.Parameters.Count);
        Assert.Equal(0x0001u, reply.Parameters[0].Id); // heartbeat interval
        Assert.True(reply.Parameters[0].TryGetUInt32(out uint heartbeatS));
        Assert.Equal(600u, heartbeatS);
    }

    [Fact]
    public void The_two_part_jt1078_resource_list_from_the_corpus_reassembles()
    {
        if (Jt808Corpus.UnavailableMessage() is { } message)
        {
            output.WriteLine(message);
            return;
        }

        var reassembler = new Jt808SubPackageReassembler(timeProvider: _clock);
        var results = Jt808Corpus.LoadPackets()
            .Where(p => p.MessageId == "0x1205")
            .Select(p => Jt808TestStream.ReadAll(p.Wire).Frames.Single())
            .Select(f => reassembler.Add(f.Header, f.Body))
            .ToList();

        Assert.Equal([Jt808ReassemblyStatus.Incomplete, Jt808ReassemblyStatus.Completed], results.Select(r => r.Status));
        Assert.Equal(930 + 56, results[1].Body.Length);
        Assert.Equal(235, results[1].Key.FirstFlowNumber);
    }

    [Fact]
    public void The_two_captured_parts_of_a_ten_part_image_report_the_eight_missing_ones()
    {
        if (Jt808Corpus.UnavailableMessage() is { } message)
        {
            output.WriteLine(message);
            return;
        }

        // SmallChi's 0x0801 captures have anonymised phones (bad XOR), so they are parsed ignoring the check code.
        var reassembler = new Jt808SubPackageReassembler(new Jt808ReassemblyOptions { PartTimeout = TimeSpan.FromSeconds(10) }, _clock);
        foreach (var packet in Jt808Corpus.LoadPackets().Where(p => p.SourceRepo == "SmallChi/JT808" && p.MessageId == "0x0801"))
        {
            byte[] wire = packet.Wire;
            byte[] content = new byte[wire.Length];
            Assert.True(Jt808Escaping.TryUnescape(wire.AsSpan(1, wire.Length - 2), content, out int n, out _));
            Assert.True(Jt808FrameReader.TryParseContent(content.AsSpan(0, n), verifyChecksum: false, out var header, out var body, out _));
            Assert.Equal(Jt808ReassemblyStatus.Incomplete, reassembler.Add(header, body).Status);
        }

        _clock.Advance(TimeSpan.FromSeconds(10));
        var overdue = Assert.Single(reassembler.CollectOverdue());

        Assert.Equal(8241, overdue.Key.FirstFlowNumber);
        Assert.Equal(Enumerable.Range(3, 8).Select(i => (ushort)i), overdue.MissingIndices);
    }

    private static Jt808Header Part(ushort flow, ushort count, ushort index, ushort messageId = 0x0801) => new()
    {
        MessageId = messageId,
        BodyProperties = Jt808Header.SubPackageBit,
        Phone = s_phone,
        FlowNumber = flow,
        SubPackageCount = count,
        SubPackageIndex = index,
    };
}
