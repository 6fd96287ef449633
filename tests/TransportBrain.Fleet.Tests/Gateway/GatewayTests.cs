using System.Buffers.Binary;
using TransportBrain.Fleet.Jt808;
using TransportBrain.Fleet.Simulation;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Fleet.Tracking;

namespace TransportBrain.Fleet.Tests.Gateway;

/// <summary>The JT/T 808 gateway over real loopback TCP, on a real SQLite store.</summary>
public class GatewayTests
{
    private static readonly SupervisionConfig NightDrivingOff =
        SupervisionConfig.Default.WithCategory(VehicleCategory.Coach, s => s with { NightDriving = s.NightDriving with { Enabled = false } });

    [Theory]
    [InlineData(Jt808Edition.V2013)]
    [InlineData(Jt808Edition.V2019)]
    public async Task Simulated_terminals_register_authenticate_and_every_location_is_acknowledged_and_stored(Jt808Edition edition)
    {
        await using var h = await GatewayHarness.StartAsync();
        var report = await Jt808Simulator.RunAsync(new SimulatorOptions
        {
            Port = h.Port,
            Terminals = 20,
            Rate = 200,
            Duration = TimeSpan.FromSeconds(2),
            Edition = edition,
        });

        Assert.Empty(report.Errors);
        Assert.Equal(20, report.Authenticated);
        // how many the simulator manages in 2 s depends on the machine's load (timings belong in benchmarks);
        // what must hold is that every one it sent was acknowledged and stored
        Assert.True(report.Sent >= 20, $"sent only {report.Sent}");
        Assert.Equal(report.Sent, report.Acknowledged);
        Assert.Equal(0, report.AcknowledgedNotSuccess);
        // An acknowledgement means stored: sent = stored, nothing quarantined.
        Assert.Equal(report.Sent, await h.StoredPositionsAsync());
        Assert.Empty(await h.QuarantinedPositionsAsync());
        Assert.Equal(20, h.Fleet.Registry.Count);
        Assert.All(h.Fleet.Registry.All, t => Assert.StartsWith("贵A", t.Plate));
        await GatewayHarness.EventuallyAsync(() => h.Fleet.Tracker.AllLatest.Count == 20, "every vehicle has a latest position");
        Assert.All(h.Fleet.Tracker.AllLatest.Values, l => Assert.InRange(l.Fix.Latitude, 25.0, 29.0));
    }

    [Fact]
    public async Task A_location_is_acknowledged_only_once_it_is_in_the_store()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var t = new TestTerminal("013800000001");
        await t.ConnectAsync(h.Port);
        await t.AuthenticateAsync();

        var now = DateTimeOffset.UtcNow.AddSeconds(-5);
        var flow = await t.SendAsync(Jt808MessageIds.LocationReport, TestTerminal.LocationBody(26.58, 106.71, 62.5, now));
        Assert.Equal(Jt808ReplyResult.Success, await t.ExpectReplyAsync(flow));
        Assert.Equal(1, await h.StoredPositionsAsync());

        var page = await h.Store.ReadRecordsAsync(FleetDatasets.Position, new Hub.Storage.RecordQuery(null, null, 10, null));
        var row = Assert.Single(page.Records).Values;
        var d = FleetDatasets.Position;
        Assert.Equal("013800000001", row[d.FieldIndex("terminal_id")]);
        Assert.Equal("贵A12345", row[d.FieldIndex("plate")]);
        Assert.Equal(26.58, (double)row[d.FieldIndex("latitude")]!, 6);
        Assert.Equal(106.71, (double)row[d.FieldIndex("longitude")]!, 6);
        Assert.Equal(62.5, row[d.FieldIndex("speed_kmh")]);
        Assert.Equal(new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero), row[d.FieldIndex("gnss_time")]);
        Assert.Equal(true, row[d.FieldIndex("acc_on")]);

        // The same message resent (no ack arrived in time, say) is recognised: acknowledged, not stored twice.
        await t.SendRawAsync(t.Frame(Jt808MessageIds.LocationReport, TestTerminal.LocationBody(26.58, 106.71, 62.5, now), flow));
        Assert.Equal(Jt808ReplyResult.Success, await t.ExpectReplyAsync(flow));
        Assert.Equal(1, await h.StoredPositionsAsync());
    }

    [Fact]
    public async Task Garbage_bad_checksums_and_oversized_frames_are_counted_and_the_connection_keeps_serving()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var t = new TestTerminal("013800000002");
        await t.ConnectAsync(h.Port);
        await t.AuthenticateAsync();

        await t.SendRawAsync([0x01, 0x02, 0x03, 0xFF]);                              // garbage before any frame
        var bad = t.Frame(Jt808MessageIds.Heartbeat, []);
        bad[^2] ^= 0x5A;                                                             // wrong check code
        await t.SendRawAsync(bad);
        var oversized = new byte[Jt808FrameReader.DefaultMaxFrameBytes + 10];
        oversized[0] = 0x7E;
        Array.Fill(oversized, (byte)0x11, 1, oversized.Length - 1);
        await t.SendRawAsync(oversized);                                             // no closing 0x7E
        var ok = await t.SendAsync(Jt808MessageIds.Heartbeat, []);

        Assert.Equal(Jt808ReplyResult.Success, await t.ExpectReplyAsync(ok));
        var c = h.Fleet.Counters.Snapshot();
        Assert.Equal(1, c["checksumErrors"]);
        Assert.Equal(1, c["oversizedFrames"]);
        Assert.False(t.Closed);

        // An unknown message id gets "unsupported", not a dropped connection.
        var unknown = await t.SendAsync(0x0F0F, [1, 2, 3]);
        Assert.Equal(Jt808ReplyResult.Unsupported, await t.ExpectReplyAsync(unknown));
    }

    [Fact]
    public async Task Locations_from_a_terminal_that_has_not_authenticated_are_refused_and_not_stored()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var t = new TestTerminal("013800000003");
        await t.ConnectAsync(h.Port);
        var flow = await t.SendAsync(Jt808MessageIds.LocationReport, TestTerminal.LocationBody(26.5, 106.7, 50, DateTimeOffset.UtcNow));
        Assert.Equal(Jt808ReplyResult.Failure, await t.ExpectReplyAsync(flow));

        var auth = await t.SendAsync(Jt808MessageIds.TerminalAuthentication, "WRONGCODE"u8.ToArray());
        Assert.Equal(Jt808ReplyResult.Failure, await t.ExpectReplyAsync(auth));
        Assert.Equal(0, await h.StoredPositionsAsync());
        Assert.Equal(1, h.Fleet.Counters.Snapshot()["unauthenticated"]);
    }

    [Fact]
    public async Task A_truncated_or_implausible_location_is_quarantined_with_its_reason_and_answered_as_bad()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var t = new TestTerminal("013800000004");
        await t.ConnectAsync(h.Port);
        await t.AuthenticateAsync();

        var truncated = await t.SendAsync(Jt808MessageIds.LocationReport, TestTerminal.LocationBody(26.5, 106.7, 50, DateTimeOffset.UtcNow)[..20]);
        Assert.Equal(Jt808ReplyResult.BadMessage, await t.ExpectReplyAsync(truncated));
        var outside = await t.SendAsync(Jt808MessageIds.LocationReport, TestTerminal.LocationBody(60.1, 106.7, 50, DateTimeOffset.UtcNow));
        Assert.Equal(Jt808ReplyResult.BadMessage, await t.ExpectReplyAsync(outside));
        var good = await t.SendAsync(Jt808MessageIds.LocationReport, TestTerminal.LocationBody(26.5, 106.7, 50, DateTimeOffset.UtcNow));
        Assert.Equal(Jt808ReplyResult.Success, await t.ExpectReplyAsync(good));

        Assert.Equal(1, await h.StoredPositionsAsync());
        var q = await h.QuarantinedPositionsAsync();
        Assert.Equal(2, q.Count);
        Assert.Contains(q, r => r.Rule == "format" && r.Reason.Contains("0x0200", StringComparison.Ordinal) && r.Raw.Length == 20);
        Assert.Contains(q, r => r.Rule == "range:latitude" && r.Reason.Contains("60.1", StringComparison.Ordinal));
        // in = stored + quarantined
        Assert.Equal(3, h.Fleet.Positions.Ingest.TotalRead);
        Assert.Equal(h.Fleet.Positions.Ingest.TotalRead, h.Fleet.Positions.Ingest.TotalStored + h.Fleet.Positions.Ingest.TotalQuarantined);
    }

    [Fact]
    public async Task A_terminal_that_stops_reading_is_closed_and_does_not_hold_up_the_acknowledgements_of_others()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var stuck = new TestTerminal("013800000010", receiveBufferBytes: 2048);
        await stuck.ConnectAsync(h.Port);
        await stuck.AuthenticateAsync("贵A54321");
        await using var t = new TestTerminal("013800000011");
        await t.ConnectAsync(h.Port);
        await t.AuthenticateAsync();

        // The stuck terminal keeps sending but no longer reads: its replies fill the socket, then the send queue.
        stuck.StopReading();
        var heartbeat = stuck.Frame(Jt808MessageIds.Heartbeat, [], 1);
        var flood = new byte[heartbeat.Length * 4096];
        for (var i = 0; i < 4096; i++)
        {
            heartbeat.CopyTo(flood, i * heartbeat.Length);
        }
        using var sending = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var flooding = Task.Run(async () =>
        {
            while (!sending.IsCancellationRequested && h.Fleet.Counters.Snapshot()["sendQueueOverflows"] == 0)
            {
                await stuck.SendRawAsync(flood);
            }
        });

        // Meanwhile another terminal's location is acknowledged (acknowledgements never wait for a stuck socket).
        var flow = await t.SendAsync(Jt808MessageIds.LocationReport, TestTerminal.LocationBody(26.5, 106.7, 50, DateTimeOffset.UtcNow));
        Assert.Equal(Jt808ReplyResult.Success, await t.ExpectReplyAsync(flow));

        await GatewayHarness.EventuallyAsync(() => h.Fleet.Counters.Snapshot()["sendQueueOverflows"] == 1, "the stuck terminal overflows its send queue", 30_000);
        await sending.CancelAsync();
        try
        {
            await flooding;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // the gateway closed the connection under the flood
        }
        await GatewayHarness.EventuallyAsync(() => !h.Fleet.Gateway!.IsOnline("013800000010"), "the stuck terminal's session is closed");
        Assert.True(h.Fleet.Gateway!.IsOnline("013800000011"));
        var again = await t.SendAsync(Jt808MessageIds.LocationReport, TestTerminal.LocationBody(26.5, 106.7, 50, DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.Equal(Jt808ReplyResult.Success, await t.ExpectReplyAsync(again));
        Assert.Equal(2, await h.StoredPositionsAsync());
    }

    [Fact]
    public async Task A_connection_that_never_authenticates_is_closed_and_forgotten()
    {
        await using var h = await GatewayHarness.StartAsync(authTimeout: TimeSpan.FromMilliseconds(500));
        await using var t = new TestTerminal("013800000005");
        await t.ConnectAsync(h.Port);
        await GatewayHarness.EventuallyAsync(() => h.Fleet.Gateway!.ConnectionCount == 1, "the connection is accepted");
        await GatewayHarness.EventuallyAsync(() => t.Closed, "the gateway closes the unauthenticated connection");
        await GatewayHarness.EventuallyAsync(() => h.Fleet.Gateway!.ConnectionCount == 0, "the session is forgotten");
        Assert.Equal(1, h.Fleet.Counters.Snapshot()["authTimeouts"]);
    }

    [Fact]
    public async Task A_reconnecting_terminal_replaces_its_stale_session_and_no_session_leaks()
    {
        await using var h = await GatewayHarness.StartAsync();
        var first = new TestTerminal("013800000006");
        await first.ConnectAsync(h.Port);
        await first.AuthenticateAsync();
        await using var second = new TestTerminal("013800000006");
        await second.ConnectAsync(h.Port);
        await second.AuthenticateAsync();

        await GatewayHarness.EventuallyAsync(() => first.Closed, "the stale connection is closed");
        Assert.Equal(1, h.Fleet.Gateway!.AuthenticatedCount);
        Assert.True(h.Fleet.Gateway.IsOnline("013800000006"));
        await first.DisposeAsync();
        await second.DisposeAsync();
        await GatewayHarness.EventuallyAsync(() => h.Fleet.Gateway.ConnectionCount == 0 && h.Fleet.Gateway.AuthenticatedCount == 0, "every session is gone");
    }

    [Fact]
    public async Task Downlink_query_position_and_text_message_return_the_terminal_replies()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var t = new TestTerminal("013800000007");
        await t.ConnectAsync(h.Port);
        await t.AuthenticateAsync();
        var session = h.Fleet.Gateway!.Find("013800000007")!;

        var query = session.CommandAsync(new Jt808QueryLocation(), TimeSpan.FromSeconds(5));
        var (qh, _) = await t.ExpectAsync(Jt808MessageIds.QueryLocation);
        var answer = new byte[30];
        BinaryPrimitives.WriteUInt16BigEndian(answer, qh.FlowNumber);
        TestTerminal.LocationBody(27.1, 107.2, 33, DateTimeOffset.UtcNow).CopyTo(answer, 2);
        await t.SendAsync(Jt808MessageIds.LocationQueryReply, answer);
        var reply = await query;
        Assert.Equal(Jt808MessageIds.LocationQueryReply, reply.MessageId);
        Assert.Equal(27.1, reply.Location!.Latitude, 6);
        await GatewayHarness.EventuallyAsync(() => h.StoredPositionsAsync().Result == 1, "the queried position is stored");

        var text = session.CommandAsync(new Jt808TextMessage(Jt808TextFlags.Display, "请减速慢行"), TimeSpan.FromSeconds(5));
        var (th, tb) = await t.ExpectAsync(Jt808MessageIds.TextMessage);
        Assert.True(Jt808TextMessage.TryDecode(tb, Jt808Edition.V2013, out var decoded, out _));
        Assert.Equal("请减速慢行", decoded.Text);
        var ok = new byte[5];
        BinaryPrimitives.WriteUInt16BigEndian(ok, th.FlowNumber);
        BinaryPrimitives.WriteUInt16BigEndian(ok.AsSpan(2), Jt808MessageIds.TextMessage);
        await t.SendAsync(Jt808MessageIds.TerminalGeneralReply, ok);
        Assert.Equal(Jt808ReplyResult.Success, (await text).Result);

        await Assert.ThrowsAsync<TimeoutException>(() => session.CommandAsync(new Jt808QueryLocation(), TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task A_blind_area_batch_in_two_sub_packages_is_reassembled_and_every_item_stored()
    {
        await using var h = await GatewayHarness.StartAsync();
        await using var t = new TestTerminal("013800000008");
        await t.ConnectAsync(h.Port);
        await t.AuthenticateAsync();

        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var items = Enumerable.Range(0, 6).Select(i => TestTerminal.LocationBody(26.5 + i * 0.001, 106.7, 40, start.AddSeconds(30 * i))).ToList();
        var body = new List<byte> { 0, (byte)items.Count, 1 };                       // count, type 1 = blind-area backfill
        foreach (var item in items)
        {
            body.Add(0);
            body.Add((byte)item.Length);
            body.AddRange(item);
        }
        var whole = body.ToArray();
        var half = whole.Length / 2;
        await t.SendRawAsync(SubPackage(t, whole[..half], 1, 2, 100));
        await t.SendRawAsync(SubPackage(t, whole[half..], 2, 2, 101));
        Assert.Equal(Jt808ReplyResult.Success, await t.ExpectReplyAsync(101));

        Assert.Equal(6, await h.StoredPositionsAsync());
        var page = await h.Store.ReadRecordsAsync(FleetDatasets.Position, new Hub.Storage.RecordQuery(null, null, 10, null));
        Assert.All(page.Records, r => Assert.Equal("backfill", r.Values[FleetDatasets.Position.FieldIndex("source")]));
        Assert.Equal([1L, 2, 3, 4, 5, 6], page.Records.Select(r => (long)r.Values[FleetDatasets.Position.FieldIndex("item_no")]!).ToArray());
    }

    private static byte[] SubPackage(TestTerminal t, byte[] part, ushort index, ushort count, ushort flow)
    {
        // Header by hand: the sub-package bit and the count/index words after the flow number.
        var content = new List<byte>();
        content.AddRange([0x07, 0x04]);
        var props = (ushort)(part.Length | 0x2000);
        content.AddRange([(byte)(props >> 8), (byte)props]);
        var phone = new byte[6];
        Assert.True(t.Phone.TryWriteBcd(phone));
        content.AddRange(phone);
        content.AddRange([(byte)(flow >> 8), (byte)flow, (byte)(count >> 8), (byte)count, (byte)(index >> 8), (byte)index]);
        content.AddRange(part);
        byte check = 0;
        foreach (var b in content)
        {
            check ^= b;
        }
        content.Add(check);
        var wire = new List<byte> { 0x7E };
        foreach (var b in content)
        {
            if (b == 0x7E)
            {
                wire.AddRange([0x7D, 0x02]);
            }
            else if (b == 0x7D)
            {
                wire.AddRange([0x7D, 0x01]);
            }
            else
            {
                wire.Add(b);
            }
        }
        wire.Add(0x7E);
        return [.. wire];
    }

    [Fact]
    public async Task Overspeed_over_the_gateway_raises_one_alarm_that_is_handled_to_closure_and_survives_a_restart()
    {
        // The fixes are stamped with the wall clock, and between 02:00 and 05:00 China time a coach also breaks the
        // night-driving rule: that rule is off here, so the test means the same at any hour.
        await using var h = await GatewayHarness.StartAsync(supervision: NightDrivingOff);
        await h.Fleet.Registry.ProvisionAsync("013800000009", "贵A12345", 2, VehicleCategory.Coach);
        await using (var t = new TestTerminal("013800000009"))
        {
            await t.ConnectAsync(h.Port);
            await t.AuthenticateAsync();
            var start = DateTimeOffset.UtcNow.AddMinutes(-3);
            ushort last = 0;
            for (var i = 0; i < 13; i++)                                            // 60 s at 130 km/h, a fix every 5 s
            {
                last = await t.SendAsync(Jt808MessageIds.LocationReport, TestTerminal.LocationBody(26.5, 106.7 + i * 0.002, 130, start.AddSeconds(5 * i)));
            }
            Assert.Equal(Jt808ReplyResult.Success, await t.ExpectReplyAsync(last));
        }
        await GatewayHarness.EventuallyAsync(() => h.Fleet.Alarms.Query(new AlarmFilter(Kind: AlarmKind.Overspeed)).Count == 1, "an overspeed alarm is raised");
        var alarm = Assert.Single(h.Fleet.Alarms.Query(new AlarmFilter()));
        Assert.Equal(AlarmKind.Overspeed, alarm.Kind);
        Assert.Equal("贵A12345", alarm.Plate);
        Assert.Equal(VehicleCategory.Coach, alarm.Category);
        Assert.Equal(AlarmStatus.Raised, alarm.Status);
        Assert.Equal(1, await h.Store.CountRecordsAsync(FleetDatasets.Alarm));

        await Assert.ThrowsAsync<AlarmLifecycleException>(() => h.Fleet.Alarms.CloseAsync(alarm.Id, "值班员张三", null));
        await h.Fleet.Alarms.AcknowledgeAsync(alarm.Id, "值班员张三");
        await h.Fleet.Alarms.HandleAsync(alarm.Id, "值班员张三", "已电话提醒驾驶员减速");
        await h.Fleet.Alarms.CloseAsync(alarm.Id, "值班员张三", "驾驶员已减速");

        await h.RestartAsync();
        var restored = Assert.Single(h.Fleet.Alarms.Query(new AlarmFilter()));
        Assert.Equal(alarm.Id, restored.Id);
        Assert.Equal(AlarmStatus.Closed, restored.Status);
        Assert.Equal("已电话提醒驾驶员减速", restored.HandlingAction);
        Assert.Equal("值班员张三", restored.ClosedBy);
        Assert.NotNull(h.Fleet.Tracker.Latest("013800000009"));
    }
}
