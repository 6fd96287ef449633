using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Simulation;

/// <summary>What a terminal says about itself when it registers (0x0100).</summary>
/// <param name="DeviceId">The terminal's device id (up to 7 characters in 2013, 30 in 2019).</param>
public sealed record TerminalIdentity(Jt808TerminalPhone Phone, Jt808Edition Edition, string Plate, Jt808PlateColor PlateColor, string DeviceId,
    ushort Province = 52, ushort City = 100, string Maker = "TBSIM", string Model = "BRAIN-SIM");

/// <summary>One position a terminal reports (0x0200): time, WGS-84 position, speed, heading, ACC, odometer.</summary>
public readonly record struct TerminalFix(DateTimeOffset Time, double Latitude, double Longitude, double SpeedKmh, int Heading, bool AccOn, uint MileageDeciKm);

/// <summary>
/// A JT/T 808 terminal over TCP, for the simulator, the digital twin and tests: connects, registers
/// (0x0100) and authenticates (0x0102) with the code it was given, reports positions (0x0200), and
/// answers the platform's position queries (0x8201 → 0x0201, with <see cref="CurrentFix"/>), text
/// messages and parameter settings (→ 0x0001). Counts acknowledgements (0x8001) and their latency.
/// </summary>
public sealed class Jt808TerminalClient(TerminalIdentity identity) : IDisposable
{
    private readonly Dictionary<ushort, long> _inflight = [];
    private readonly List<double> _latencies = [];
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private Socket? _socket;
    private Task? _receive;
    private TaskCompletionSource<(ushort MessageId, byte[] Body)>? _awaiting;
    private ushort _awaitingId;
    private int _flow;
    private volatile bool _disposing;
    private readonly Dictionary<ushort, TaskCompletionSource<bool>> _waiters = [];
    private long _acked, _ackedNotSuccess;

    public Jt808TerminalPhone Phone => identity.Phone;

    /// <summary>The position the terminal answers a query (0x8201) with; null answers with the last one sent.</summary>
    public Func<TerminalFix>? CurrentFix { get; set; }

    public TerminalFix? LastFix { get; private set; }
    public bool Connected { get; private set; }
    public bool Authenticated { get; private set; }
    public string? Error { get; private set; }
    public long Acked => Interlocked.Read(ref _acked);
    public long AckedNotSuccess => Interlocked.Read(ref _ackedNotSuccess);

    public IReadOnlyList<double> LatenciesMs
    {
        get
        {
            lock (_inflight)
            {
                return [.. _latencies];
            }
        }
    }

    private Jt808Recipient Me => new(Phone, identity.Edition, 1);

    public async Task ConnectAsync(string host, int port, CancellationToken ct)
    {
        _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await _socket.ConnectAsync(host, port, ct);
        Connected = true;
        _receive = Task.Run(ReceiveLoopAsync, CancellationToken.None);

        var reply = await RequestAsync(Jt808MessageIds.TerminalRegistration, RegistrationBody(), Jt808MessageIds.RegistrationReply, ct);
        if (reply.Length < 3 || reply[2] != 0)
        {
            throw new InvalidOperationException($"registration refused (result {(reply.Length >= 3 ? reply[2] : -1)})");
        }
        var code = Jt808Text.DecodeTrimmed(reply.AsSpan(3));
        var ack = await RequestAsync(Jt808MessageIds.TerminalAuthentication, AuthenticationBody(code), Jt808MessageIds.PlatformGeneralReply, ct);
        if (ack.Length < 5 || ack[4] != 0)
        {
            throw new InvalidOperationException($"authentication refused (result {(ack.Length >= 5 ? ack[4] : -1)})");
        }
        Authenticated = true;
    }

    private async Task<byte[]> RequestAsync(ushort messageId, byte[] body, ushort replyId, CancellationToken ct)
    {
        var tcs = new TaskCompletionSource<(ushort, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        _awaitingId = replyId;
        _awaiting = tcs;
        await SendAsync(messageId, body);
        var (_, replyBody) = await tcs.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        return replyBody;
    }

    /// <summary>Sends a position without waiting for its acknowledgement (counted in <see cref="Acked"/> when it comes).</summary>
    public async Task<bool> SendLocationAsync(TerminalFix fix)
    {
        if (_socket is null || Error is not null)
        {
            return false;
        }
        LastFix = fix;
        var flow = (ushort)Interlocked.Increment(ref _flow);
        lock (_inflight)
        {
            _inflight[flow] = Stopwatch.GetTimestamp();
        }
        try
        {
            await SendAsync(Jt808MessageIds.LocationReport, LocationBody(fix), flow);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Error ??= e.Message;
            return false;
        }
    }

    /// <summary>
    /// Sends a position and waits for the platform's acknowledgement: true when it was acknowledged as a
    /// success (so it is stored), false on a refusal, a timeout or a broken connection.
    /// </summary>
    public async Task<bool> ReportAsync(TerminalFix fix, TimeSpan timeout, CancellationToken ct = default)
    {
        if (_socket is null || Error is not null)
        {
            return false;
        }
        LastFix = fix;
        var flow = (ushort)Interlocked.Increment(ref _flow);
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_inflight)
        {
            _inflight[flow] = Stopwatch.GetTimestamp();
            _waiters[flow] = done;
        }
        try
        {
            await SendAsync(Jt808MessageIds.LocationReport, LocationBody(fix), flow);
            return await done.Task.WaitAsync(timeout, ct);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or TimeoutException)
        {
            Error ??= e.Message;
            return false;
        }
        finally
        {
            lock (_inflight)
            {
                _waiters.Remove(flow);
            }
        }
    }

    /// <summary>Sends a heartbeat (0x0002).</summary>
    public async Task<bool> SendHeartbeatAsync()
    {
        if (_socket is null || Error is not null)
        {
            return false;
        }
        try
        {
            await SendAsync(Jt808MessageIds.Heartbeat, []);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Error ??= e.Message;
            return false;
        }
    }

    private async Task SendAsync(ushort messageId, byte[] body, ushort? flow = null)
    {
        var output = new ArrayBufferWriter<byte>(128);
        Jt808FrameWriter.Write(output, Me, messageId, flow ?? (ushort)Interlocked.Increment(ref _flow), body);
        await _sendLock.WaitAsync();
        try
        {
            var data = output.WrittenMemory;
            while (!data.IsEmpty)
            {
                data = data[await _socket!.SendAsync(data, SocketFlags.None)..];
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var stream = new NetworkStream(_socket!, ownsSocket: false);
        var input = PipeReader.Create(stream);
        var scratch = new byte[Jt808FrameReader.DefaultMaxFrameBytes];
        var work = new List<(Jt808Header Header, byte[] Body)>();
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                work.Clear();
                while (true)
                {
                    var status = Jt808FrameReader.TryReadFrame(ref buffer, Jt808FrameReader.DefaultMaxFrameBytes, scratch, out var frame, out _);
                    if (status == Jt808ReadStatus.NeedMoreData)
                    {
                        break;
                    }
                    if (status == Jt808ReadStatus.Frame)
                    {
                        work.Add((frame.Header, frame.Body.ToArray()));
                    }
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                foreach (var (header, body) in work)
                {
                    await OnFrameAsync(header, body);
                }
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            await input.CompleteAsync();
            if (Authenticated && !_disposing)
            {
                Error ??= "connection closed by the platform";
            }
        }
    }

    private async Task OnFrameAsync(Jt808Header header, byte[] body)
    {
        if (_awaiting is { } waiting && header.MessageId == _awaitingId)
        {
            _awaiting = null;
            waiting.TrySetResult((header.MessageId, body));
            return;
        }
        switch (header.MessageId)
        {
            case Jt808MessageIds.PlatformGeneralReply when body.Length >= 5:
                var replyFlow = BinaryPrimitives.ReadUInt16BigEndian(body);
                long sentAt;
                TaskCompletionSource<bool>? waiter;
                lock (_inflight)
                {
                    if (!_inflight.Remove(replyFlow, out sentAt))
                    {
                        return;
                    }
                    _latencies.Add(Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
                    _waiters.Remove(replyFlow, out waiter);
                }
                waiter?.TrySetResult(body[4] == 0);
                Interlocked.Increment(ref _acked);
                if (body[4] != 0)
                {
                    Interlocked.Increment(ref _ackedNotSuccess);
                }
                return;
            case Jt808MessageIds.QueryLocation:
                var answer = new byte[2 + 28 + 12];
                BinaryPrimitives.WriteUInt16BigEndian(answer, header.FlowNumber);
                var current = CurrentFix?.Invoke() ?? LastFix ?? new TerminalFix(DateTimeOffset.UtcNow, 0, 0, 0, 0, false, 0);
                LocationBody(current).CopyTo(answer, 2);
                await SendAsync(Jt808MessageIds.LocationQueryReply, answer);
                return;
            case Jt808MessageIds.TextMessage or Jt808MessageIds.SetTerminalParameters:
                var ok = new byte[5];
                BinaryPrimitives.WriteUInt16BigEndian(ok, header.FlowNumber);
                BinaryPrimitives.WriteUInt16BigEndian(ok.AsSpan(2), header.MessageId);
                await SendAsync(Jt808MessageIds.TerminalGeneralReply, ok);
                return;
        }
    }

    private static byte[] LocationBody(in TerminalFix fix)
    {
        var b = new byte[28 + 6 + 3 + 3];
        BinaryPrimitives.WriteUInt32BigEndian(b, 0);                         // alarms
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), fix.AccOn ? 0b11u : 0b10u); // ACC, positioned
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), (uint)Math.Round(fix.Latitude * 1e6));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), (uint)Math.Round(fix.Longitude * 1e6));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(16), 1100);          // altitude m
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(18), (ushort)Math.Clamp(Math.Round(fix.SpeedKmh * 10), 0, ushort.MaxValue));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(20), (ushort)(((fix.Heading % 360) + 360) % 360));
        WriteBcdTime(b.AsSpan(22), fix.Time.ToOffset(TimeSpan.FromHours(8)));
        b[28] = 0x01; b[29] = 4; BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(30), fix.MileageDeciKm);
        b[34] = 0x30; b[35] = 1; b[36] = 25;                                  // signal
        b[37] = 0x31; b[38] = 1; b[39] = 12;                                  // satellites
        return b;
    }

    private static void WriteBcdTime(Span<byte> d, DateTimeOffset t)
    {
        static byte Bcd(int v) => (byte)(((v / 10) << 4) | (v % 10));
        d[0] = Bcd(t.Year % 100);
        d[1] = Bcd(t.Month);
        d[2] = Bcd(t.Day);
        d[3] = Bcd(t.Hour);
        d[4] = Bcd(t.Minute);
        d[5] = Bcd(t.Second);
    }

    private byte[] RegistrationBody()
    {
        var (maker, model, id) = identity.Edition == Jt808Edition.V2019 ? (11, 30, 30) : (5, 20, 7);
        var plate = Jt808Text.Gbk.GetBytes(identity.Plate);
        var b = new byte[4 + maker + model + id + 1 + plate.Length];
        BinaryPrimitives.WriteUInt16BigEndian(b, identity.Province);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), identity.City);
        Fixed(identity.Maker, maker).CopyTo(b.AsSpan(4));
        Fixed(identity.Model, model).CopyTo(b.AsSpan(4 + maker));
        Fixed(identity.DeviceId, id).CopyTo(b.AsSpan(4 + maker + model));
        b[4 + maker + model + id] = (byte)identity.PlateColor;
        plate.CopyTo(b.AsSpan(5 + maker + model + id));
        return b;
    }

    private byte[] AuthenticationBody(string code)
    {
        var codeBytes = Jt808Text.Gbk.GetBytes(code);
        if (identity.Edition != Jt808Edition.V2019)
        {
            return codeBytes;
        }
        var b = new byte[1 + codeBytes.Length + 15 + 20];
        b[0] = (byte)codeBytes.Length;
        codeBytes.CopyTo(b, 1);
        Encoding.ASCII.GetBytes("860000000000000").CopyTo(b, 1 + codeBytes.Length);
        Encoding.ASCII.GetBytes("TBSIM-1.0").CopyTo(b, 16 + codeBytes.Length);
        return b;
    }

    private static byte[] Fixed(string text, int length)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        return bytes.Length <= length ? bytes : bytes[..length];
    }

    public void Dispose()
    {
        _disposing = true;
        try
        {
            _socket?.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        var s = _socket;
        _socket = null;
        s?.Dispose();
        lock (_inflight)
        {
            foreach (var w in _waiters.Values)
            {
                w.TrySetResult(false);
            }
            _waiters.Clear();
        }
        _sendLock.Dispose();
    }
}
