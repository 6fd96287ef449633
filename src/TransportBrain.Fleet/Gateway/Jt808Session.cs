using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using TransportBrain.Fleet.Jt808;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Quality;

namespace TransportBrain.Fleet.Gateway;

/// <summary>What a terminal answered to a downlink command.</summary>
public sealed record DownlinkReply(ushort MessageId, Jt808ReplyResult Result, VehicleFix? Location, DateTimeOffset At);

/// <summary>
/// One terminal's TCP connection: frames in (Kestrel-style reader over a pipe), replies out through a
/// bounded send queue, registration and authentication, positions handed to the group-commit writer
/// and acknowledged once durable, sub-package reassembly, downlink commands awaiting their replies.
/// A connection never throws into the gateway: bad frames are counted, answered where the protocol
/// allows, and the connection is closed only when it is hopeless (too many errors, idle, never authenticated).
/// </summary>
public sealed class Jt808Session
{
    private const int MaxConsecutiveErrors = 32;
    private const int MaxAuthFailures = 3;

    private readonly Socket _socket;
    private readonly Jt808Gateway _gateway;
    // Wait (never awaited: TryWrite answers false when full, where DropWrite would answer true and drop the frame).
    private readonly Channel<byte[]> _send = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Lock _sendSync = new();
    private int _queuedFrames; // frames in the send queue or being written by the send loop (under _sendSync)
    private bool _directSends;
    private readonly CancellationTokenSource _closed = new();
    private readonly ConcurrentDictionary<ushort, TaskCompletionSource<DownlinkReply>> _pending = new();
    private Jt808SubPackageReassembler? _reassembler;
    private PositionsDurable? _onDurable;
    private int _flow;
    private int _consecutiveErrors;
    private int _authFailures;
    private long _lastActivityTicks;

    internal Jt808Session(Socket socket, Jt808Gateway gateway)
    {
        _socket = socket;
        _gateway = gateway;
        RemoteEndPoint = socket.RemoteEndPoint as IPEndPoint;
        ConnectedAt = gateway.Clock.GetUtcNow();
        _lastActivityTicks = ConnectedAt.UtcTicks;
    }

    public IPEndPoint? RemoteEndPoint { get; }
    public DateTimeOffset ConnectedAt { get; }
    public DateTimeOffset LastActivity => new(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero);
    public string? TerminalId { get; private set; }
    public Jt808Edition Edition { get; private set; } = Jt808Edition.V2013;
    public bool IsAuthenticated { get; private set; }
    public long FramesReceived { get; private set; }
    public long Errors { get; private set; }
    public string? CloseReason { get; private set; }

    private Jt808Recipient Recipient { get; set; }

    internal async Task RunAsync()
    {
        var sender = Task.Run(SendLoopAsync);
        var stream = new NetworkStream(_socket, ownsSocket: false);
        try
        {
            // Synchronous sends must never block the thread that acknowledges (see Enqueue); receives stay
            // asynchronous through the stream, which only insists on a blocking socket when it is created.
            _socket.Blocking = false;
            _directSends = true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        // Zero-byte reads: an idle connection waits without holding a buffer (what keeps 10,000 terminals cheap).
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1024, minimumReadSize: 256, useZeroByteReads: true));
        var maxFrame = _gateway.Options.MaxFrameBytes;
        var inbound = new List<InboundFrame>();
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                var result = await input.ReadAsync(_closed.Token);
                var buffer = result.Buffer;
                Interlocked.Add(ref _gateway.Counters.BytesReceived, buffer.Length);
                inbound.Clear();
                ReadFrames(ref buffer, maxFrame, inbound);
                input.AdvanceTo(buffer.Start, buffer.End);
                foreach (var f in inbound)
                {
                    await HandleAsync(f);
                }
                if (_consecutiveErrors >= MaxConsecutiveErrors)
                {
                    Close($"{MaxConsecutiveErrors} bad frames in a row");
                }
                if (result.IsCompleted)
                {
                    Close("the terminal closed the connection");
                }
            }
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close("connection error: " + e.Message);
        }
        catch (Exception e)
        {
            // A bug in a handler must cost one connection, never the gateway.
            _gateway.Log($"session {TerminalId ?? RemoteEndPoint?.ToString()}: {e}");
            Close("internal error: " + e.Message);
        }
        finally
        {
            Close(CloseReason ?? "closed");
            await input.CompleteAsync();
            await stream.DisposeAsync();
            _send.Writer.TryComplete();
            try
            {
                await sender;
            }
            catch (Exception)
            {
                // the send loop reports nothing we can still act on
            }
            foreach (var p in _pending.Values)
            {
                p.TrySetCanceled();
            }
            _socket.Dispose();
            _gateway.OnClosed(this);
        }
    }

    /// <summary>Closes the connection (idempotent); the receive loop ends and the gateway forgets the session.</summary>
    public void Close(string reason)
    {
        if (_closed.IsCancellationRequested)
        {
            return;
        }
        CloseReason ??= reason;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _closed.Cancel();
    }

    private void ReadFrames(ref ReadOnlySequence<byte> buffer, int maxFrame, List<InboundFrame> frames)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(maxFrame);
        try
        {
            while (true)
            {
                var status = Jt808FrameReader.TryReadFrame(ref buffer, maxFrame, scratch, out var frame, out var error);
                if (status == Jt808ReadStatus.NeedMoreData)
                {
                    return;
                }
                Touch();
                if (status == Jt808ReadStatus.Rejected)
                {
                    OnFrameError(error!);
                    continue;
                }
                FramesReceived++;
                _consecutiveErrors = 0;
                Interlocked.Increment(ref _gateway.Counters.FramesReceived);
                frames.Add(new InboundFrame(frame.Header, frame.Body.ToArray()));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private void OnFrameError(Jt808FrameError error)
    {
        Errors++;
        _consecutiveErrors++;
        Interlocked.Increment(ref _gateway.Counters.FrameErrors);
        if (error.Kind == Jt808FrameErrorKind.BadChecksum)
        {
            Interlocked.Increment(ref _gateway.Counters.ChecksumErrors);
        }
        else if (error.Kind == Jt808FrameErrorKind.Oversized)
        {
            Interlocked.Increment(ref _gateway.Counters.OversizedFrames);
        }
    }

    private readonly record struct InboundFrame(Jt808Header Header, byte[] Body);

    private async Task HandleAsync(InboundFrame f)
    {
        var h = f.Header;
        if (h.IsSubPackage)
        {
            Interlocked.Increment(ref _gateway.Counters.SubPackages);
            _reassembler ??= new Jt808SubPackageReassembler(_gateway.Options.Reassembly, _gateway.Clock);
            var r = _reassembler.Add(h, f.Body);
            switch (r.Status)
            {
                case Jt808ReassemblyStatus.Completed:
                    // Handle the joined message as if it came whole; it answers the last part's flow number.
                    var whole = h with { BodyProperties = (ushort)(h.BodyProperties & ~0x2000), SubPackageCount = 0, SubPackageIndex = 0 };
                    await HandleMessageAsync(whole, r.Body.ToArray());
                    return;
                case Jt808ReassemblyStatus.Rejected:
                    BodyError(h, r.Reason ?? "sub-package rejected");
                    Reply(h, Jt808ReplyResult.BadMessage);
                    return;
                default:
                    Reply(h, Jt808ReplyResult.Success);
                    return;
            }
        }
        await HandleMessageAsync(h, f.Body);
    }

    private async Task HandleMessageAsync(Jt808Header h, byte[] body)
    {
        if (h.IsEncrypted)
        {
            BodyError(h, "RSA-encrypted bodies are not supported");
            Reply(h, Jt808ReplyResult.Unsupported);
            return;
        }
        switch (h.MessageId)
        {
            case Jt808MessageIds.TerminalRegistration:
                await RegisterAsync(h, body);
                return;
            case Jt808MessageIds.TerminalAuthentication:
                Authenticate(h, body);
                return;
        }
        if (!IsAuthenticated || TerminalId != h.Phone.ToString())
        {
            Interlocked.Increment(ref _gateway.Counters.Unauthenticated);
            Reply(h, Jt808ReplyResult.Failure);
            return;
        }
        switch (h.MessageId)
        {
            case Jt808MessageIds.Heartbeat:
                Interlocked.Increment(ref _gateway.Counters.Heartbeats);
                Reply(h, Jt808ReplyResult.Success);
                return;
            case Jt808MessageIds.Deregistration:
                await _gateway.Registry.DeregisterAsync(TerminalId);
                Reply(h, Jt808ReplyResult.Success);
                IsAuthenticated = false;
                return;
            case Jt808MessageIds.LocationReport:
                await LocationAsync(h, body);
                return;
            case Jt808MessageIds.LocationBatchUpload:
                await BatchAsync(h, body);
                return;
            case Jt808MessageIds.LocationQueryReply:
                await QueryReplyAsync(h, body);
                return;
            case Jt808MessageIds.TerminalGeneralReply:
                if (Jt808TerminalGeneralReply.TryDecode(body, out var reply, out var err))
                {
                    Complete(reply.ReplyFlowNumber, new DownlinkReply(reply.ReplyMessageId, reply.Result, null, _gateway.Clock.GetUtcNow()));
                }
                else
                {
                    BodyError(h, err);
                }
                return;
            case Jt808MessageIds.TerminalParametersReply:
                if (body.Length >= 2)
                {
                    Complete(BinaryPrimitives.ReadUInt16BigEndian(body), new DownlinkReply(h.MessageId, Jt808ReplyResult.Success, null, _gateway.Clock.GetUtcNow()));
                }
                return;
            case Jt808MessageIds.MultimediaDataUpload:
                await MediaAsync(h, body);
                return;
            case Jt808MessageIds.TransparentData:
                Interlocked.Increment(ref _gateway.Counters.TransparentMessages);
                Reply(h, Jt808TransparentData.TryDecode(body, out _, out var terr) ? Jt808ReplyResult.Success : BodyErrorResult(h, terr));
                return;
            default:
                Interlocked.Increment(ref _gateway.Counters.UnknownMessages);
                Reply(h, Jt808ReplyResult.Unsupported);
                return;
        }
    }

    // ---- registration and authentication ---------------------------------------------------

    private async Task RegisterAsync(Jt808Header h, byte[] body)
    {
        if (!Jt808TerminalRegistration.TryDecode(body, h, out var reg, out var error))
        {
            BodyError(h, error);
            Send(h, new Jt808RegistrationReply(h.FlowNumber, Jt808RegistrationResult.TerminalNotInDatabase, null), reg?.Edition ?? h.Edition);
            return;
        }
        Edition = reg.Edition;
        var terminalId = h.Phone.ToString();
        var (result, code) = await _gateway.Registry.RegisterAsync(terminalId, reg);
        Interlocked.Increment(ref result == Jt808RegistrationResult.Success ? ref _gateway.Counters.Registrations : ref _gateway.Counters.RegistrationsRefused);
        Send(h, new Jt808RegistrationReply(h.FlowNumber, result, code), reg.Edition);
    }

    private void Authenticate(Jt808Header h, byte[] body)
    {
        var terminalId = h.Phone.ToString();
        if (!Jt808TerminalAuthentication.TryDecode(body, h, out var auth, out var error))
        {
            BodyError(h, error);
            Reply(h, Jt808ReplyResult.BadMessage);
            return;
        }
        if (!_gateway.Registry.Authenticate(terminalId, auth.AuthCode))
        {
            Interlocked.Increment(ref _gateway.Counters.AuthenticationFailures);
            Reply(h, Jt808ReplyResult.Failure);
            if (++_authFailures >= MaxAuthFailures)
            {
                Close($"{MaxAuthFailures} failed authentications");
            }
            return;
        }
        var info = _gateway.Registry.Find(terminalId);
        Edition = h.Uses2019Layout ? Jt808Edition.V2019 : info?.Edition == 2011 ? Jt808Edition.V2011 : Jt808Edition.V2013;
        TerminalId = terminalId;
        IsAuthenticated = true;
        Interlocked.Increment(ref _gateway.Counters.Authentications);
        _gateway.Bind(this);
        Reply(h, Jt808ReplyResult.Success);
    }

    // ---- positions --------------------------------------------------------------------------

    private async Task LocationAsync(Jt808Header h, byte[] body)
    {
        LiveRecord record;
        VehicleFix? fix = null;
        if (Jt808LocationReport.TryDecode(body, out var report, out var error))
        {
            var info = _gateway.Registry.Find(TerminalId!);
            record = LiveRecord.Typed(PositionValues.From(report, TerminalId!, info, h.FlowNumber, 0, "realtime", _gateway.Clock.GetUtcNow()), body, h.FlowNumber);
            fix = ToFix(report, info);
        }
        else
        {
            BodyError(h, error);
            record = FormatError(body, h, $"0x0200 body: {error}");
        }
        await SubmitAsync(h, [record], [fix]);
    }

    private async Task BatchAsync(Jt808Header h, byte[] body)
    {
        object received = _gateway.Clock.GetUtcNow();
        if (!Jt808LocationBatchUpload.TryDecode(body, out var batch, out var error))
        {
            BodyError(h, error);
            await SubmitAsync(h, [FormatError(body, h, $"0x0704 body: {error}")], [null]);
            return;
        }
        var source = batch.Type == Jt808BatchLocationType.BlindArea ? "backfill" : "realtime";
        var records = new List<LiveRecord>(batch.Locations.Count + batch.MalformedItems.Count);
        var fixes = new List<VehicleFix?>(records.Capacity);
        var info = _gateway.Registry.Find(TerminalId!);
        var item = 0;
        foreach (var location in batch.Locations)
        {
            item++;
            records.Add(LiveRecord.Typed(PositionValues.From(location, TerminalId!, info, h.FlowNumber, item, source, received), body, h.FlowNumber));
            fixes.Add(ToFix(location, info));
        }
        foreach (var bad in batch.MalformedItems)
        {
            records.Add(new LiveRecord(null, bad.Raw, h.FlowNumber, new Violation(RuleKind.Format, null, $"0x0704 item {bad.Index + 1} from terminal {TerminalId}: {bad.Reason}")));
            fixes.Add(null);
        }
        if (records.Count == 0)
        {
            Reply(h, Jt808ReplyResult.Success);
            return;
        }
        await SubmitAsync(h, [.. records], [.. fixes]);
    }

    private async Task QueryReplyAsync(Jt808Header h, byte[] body)
    {
        var received = _gateway.Clock.GetUtcNow();
        if (!Jt808LocationQueryReply.TryDecode(body, out var reply, out var error))
        {
            BodyError(h, error);
            await SubmitAsync(h, [FormatError(body, h, $"0x0201 body: {error}")], [null]);
            return;
        }
        var info = _gateway.Registry.Find(TerminalId!);
        var fix = ToFix(reply.Location, info);
        Complete(reply.ReplyFlowNumber, new DownlinkReply(h.MessageId, Jt808ReplyResult.Success, fix, received));
        await SubmitAsync(h, [LiveRecord.Typed(PositionValues.From(reply.Location, TerminalId!, info, h.FlowNumber, 0, "query", received), body, h.FlowNumber)], [fix]);
    }

    private LiveRecord FormatError(byte[] body, Jt808Header h, string reason) =>
        new(null, body, h.FlowNumber, new Violation(RuleKind.Format, null, $"terminal {TerminalId}, flow {h.FlowNumber}: {reason}"));

    private ValueTask SubmitAsync(Jt808Header h, LiveRecord[] records, VehicleFix?[] fixes) =>
        _gateway.Positions.SubmitAsync(new PositionSubmission
        {
            Records = records,
            Fixes = fixes,
            MessageId = h.MessageId,
            FlowNumber = h.FlowNumber,
            OnDurable = _onDurable ??= OnDurable,
        }, _closed.Token);

    /// <summary>
    /// Runs on the position writer's loop once a submission's group is committed: the 0x8001 goes out.
    /// Success once kept (stored, or a resend of something stored); a record the rules refused is kept in
    /// quarantine and answered as a bad message so the terminal's log shows it. Not stored (the store
    /// failed): no acknowledgement, the terminal resends.
    /// </summary>
    private void OnDurable(PositionSubmission submission, ReadOnlySpan<LiveOutcome> outcomes, bool committed)
    {
        if (!committed)
        {
            return;
        }
        var bad = outcomes.Contains(LiveOutcome.Quarantined);
        Reply(submission.FlowNumber, submission.MessageId, bad ? Jt808ReplyResult.BadMessage : Jt808ReplyResult.Success);
    }

    private VehicleFix? ToFix(in Jt808LocationReport r, TerminalInfo? info)
    {
        if (r.DeviceTimeUtc is not { } time)
        {
            return null;
        }
        return new VehicleFix(TerminalId!, info?.Plate, info?.Category ?? VehicleCategory.Unknown, time,
            r.LatitudeDegrees, r.LongitudeDegrees, r.SpeedKmh, r.DirectionDeg, (uint)r.Alarms,
            (r.Status & Jt808StatusFlags.AccOn) != 0, (r.Status & Jt808StatusFlags.Positioned) != 0);
    }

    // ---- multimedia ------------------------------------------------------------------------

    private async Task MediaAsync(Jt808Header h, byte[] body)
    {
        if (!Jt808MultimediaDataUpload.TryDecode(body, out var upload, out var error))
        {
            BodyError(h, error);
            Reply(h, Jt808ReplyResult.BadMessage);
            return;
        }
        var ext = upload.Format switch
        {
            Jt808MediaFormat.Jpeg => "jpg",
            Jt808MediaFormat.Tif => "tif",
            Jt808MediaFormat.Mp3 => "mp3",
            Jt808MediaFormat.Wav => "wav",
            Jt808MediaFormat.Wmv => "wmv",
            _ => "bin",
        };
        var dir = Path.Combine(_gateway.Options.MediaDirectory, TerminalId!);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{upload.MediaId.ToString(CultureInfo.InvariantCulture)}-ch{upload.ChannelId}-ev{upload.EventCode}.{ext}");
        await File.WriteAllBytesAsync(path + ".part", upload.Data.ToArray(), _closed.Token);
        File.Move(path + ".part", path, overwrite: true);
        Interlocked.Increment(ref _gateway.Counters.MediaFiles);
        // 0x8800: all packets received, nothing to retransmit.
        var output = new ArrayBufferWriter<byte>(32);
        Jt808FrameWriter.Write(output, Recipient with { Edition = Edition }, NextFlow(), new Jt808MultimediaDataUploadReply(upload.MediaId));
        Enqueue(output.WrittenSpan);
    }

    // ---- downlink ---------------------------------------------------------------------------

    /// <summary>Sends a command and waits for the terminal's answer (0x0001, 0x0201 or 0x0104).</summary>
    public async Task<DownlinkReply> CommandAsync<TBody>(TBody body, TimeSpan timeout, CancellationToken ct = default)
        where TBody : IJt808OutboundBody
    {
        var flow = NextFlow();
        var tcs = new TaskCompletionSource<DownlinkReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[flow] = tcs;
        try
        {
            var output = new ArrayBufferWriter<byte>(64);
            Jt808FrameWriter.Write(output, Recipient with { Edition = Edition }, flow, body);
            Enqueue(output.WrittenSpan);
            return await tcs.Task.WaitAsync(timeout, ct);
        }
        finally
        {
            _pending.TryRemove(flow, out _);
        }
    }

    private void Complete(ushort replyFlow, DownlinkReply reply)
    {
        if (_pending.TryRemove(replyFlow, out var tcs))
        {
            tcs.TrySetResult(reply);
        }
    }

    // ---- housekeeping (called by the gateway's sweeper) -----------------------------------------

    internal void Sweep(DateTimeOffset now)
    {
        if (_closed.IsCancellationRequested)
        {
            return; // closing already: a sweep that comes before its session is gone must not count it again
        }
        var idle = now - LastActivity;
        if (!IsAuthenticated && now - ConnectedAt > _gateway.Options.AuthTimeout && idle > TimeSpan.Zero)
        {
            Interlocked.Increment(ref _gateway.Counters.AuthTimeouts);
            Close($"not authenticated within {_gateway.Options.AuthTimeout.TotalSeconds:0} s");
            return;
        }
        if (idle > _gateway.Options.IdleTimeout)
        {
            Interlocked.Increment(ref _gateway.Counters.IdleTimeouts);
            Close($"idle for {idle.TotalSeconds:0} s");
            return;
        }
        if (_reassembler is { PendingCount: > 0 } ra)
        {
            foreach (var overdue in ra.CollectOverdue())
            {
                if (!overdue.Abandoned && overdue.MissingIndices.Count > 0)
                {
                    Interlocked.Increment(ref _gateway.Counters.ResendRequests);
                    var output = new ArrayBufferWriter<byte>(64);
                    Jt808FrameWriter.Write(output, Recipient with { Edition = Edition }, NextFlow(), overdue.ToResendRequest());
                    Enqueue(output.WrittenSpan);
                }
            }
        }
    }

    // ---- sending ------------------------------------------------------------------------------

    private void Reply(Jt808Header h, Jt808ReplyResult result)
    {
        Recipient = new Jt808Recipient(h.Phone, h.Uses2019Layout ? Jt808Edition.V2019 : Edition == Jt808Edition.V2019 ? Jt808Edition.V2013 : Edition, h.Uses2019Layout ? h.ProtocolVersion : (byte)1);
        Reply(h.FlowNumber, h.MessageId, result);
    }

    private void Reply(ushort flow, ushort messageId, Jt808ReplyResult result)
    {
        // Acknowledgements are most of what goes out: encode them in a buffer kept per thread (a frame is
        // copied only when the socket cannot take it at once).
        var output = t_replyBuffer ??= new ArrayBufferWriter<byte>(64);
        output.ResetWrittenCount();
        Jt808FrameWriter.Write(output, Recipient, NextFlow(), new Jt808PlatformGeneralReply(flow, messageId, result));
        if (Enqueue(output.WrittenSpan))
        {
            Interlocked.Increment(ref _gateway.Counters.AcksSent);
        }
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_replyBuffer;

    private void Send<TBody>(Jt808Header h, TBody body, Jt808Edition edition)
        where TBody : IJt808OutboundBody
    {
        Recipient = new Jt808Recipient(h.Phone, edition, h.Uses2019Layout ? h.ProtocolVersion : (byte)1);
        var output = new ArrayBufferWriter<byte>(64);
        Jt808FrameWriter.Write(output, Recipient, NextFlow(), body);
        Enqueue(output.WrittenSpan);
    }

    /// <summary>
    /// Sends a frame. When nothing is waiting ahead of it, it is written to the socket at once, without
    /// blocking (acknowledgements go out from the position writer's loop this way, with no hop through
    /// the send loop); what the socket cannot take now waits in the send queue for the send loop, and
    /// later frames queue behind it so the order is kept.
    /// </summary>
    private bool Enqueue(ReadOnlySpan<byte> frame)
    {
        string? failure = null;
        lock (_sendSync)
        {
            if (_queuedFrames == 0 && _directSends)
            {
                int n;
                SocketError error;
                try
                {
                    n = _socket.Send(frame, SocketFlags.None, out error);
                }
                catch (ObjectDisposedException)
                {
                    return false;
                }
                if (error == SocketError.Success && n == frame.Length)
                {
                    return true;
                }
                if (error is SocketError.Success or SocketError.WouldBlock)
                {
                    frame = frame[Math.Max(0, n)..];
                }
                else
                {
                    failure = "send failed: " + error;
                }
            }
            if (failure is null)
            {
                if (_send.Writer.TryWrite(frame.ToArray()))
                {
                    _queuedFrames++;
                    return true;
                }
                if (!_closed.IsCancellationRequested)
                {
                    // The terminal does not read what we send: it cannot be a working terminal.
                    Interlocked.Increment(ref _gateway.Counters.SendQueueOverflows);
                    failure = "send queue full: the terminal does not read its replies";
                }
            }
        }
        if (failure is not null)
        {
            Close(failure);
        }
        return false;
    }

    private async Task SendLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var reader = _send.Reader;
        while (await reader.WaitToReadAsync())
        {
            buffer.ResetWrittenCount();
            var frames = 0;
            while (buffer.WrittenCount < 16 * 1024 && reader.TryRead(out var frame))
            {
                buffer.Write(frame);
                frames++;
            }
            try
            {
                var data = buffer.WrittenMemory;
                while (!data.IsEmpty)
                {
                    var n = await _socket.SendAsync(data, SocketFlags.None);
                    data = data[n..];
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Close("send failed: " + e.Message);
                return;
            }
            lock (_sendSync)
            {
                _queuedFrames -= frames;
            }
        }
    }

    private ushort NextFlow() => (ushort)Interlocked.Increment(ref _flow);

    private void Touch() => Interlocked.Exchange(ref _lastActivityTicks, _gateway.Clock.GetUtcNow().UtcTicks);

    private void BodyError(Jt808Header h, string? reason)
    {
        Errors++;
        Interlocked.Increment(ref _gateway.Counters.BodyErrors);
        _gateway.Log($"terminal {h.Phone} 0x{h.MessageId:X4} flow {h.FlowNumber}: {reason}");
    }

    private Jt808ReplyResult BodyErrorResult(Jt808Header h, string? reason)
    {
        BodyError(h, reason);
        return Jt808ReplyResult.BadMessage;
    }
}
