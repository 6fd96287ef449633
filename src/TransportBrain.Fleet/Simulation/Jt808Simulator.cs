using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Simulation;

public sealed record SimulatorOptions
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 6808;
    public int Terminals { get; init; } = 10;
    /// <summary>Locations per second across all terminals.</summary>
    public double Rate { get; init; } = 10;
    public Jt808Edition Edition { get; init; } = Jt808Edition.V2013;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Phone numbers are this prefix followed by the terminal's index, zero-padded to 12 (2013) or 20 (2019) digits.</summary>
    public string PhonePrefix { get; init; } = "0139";
    /// <summary>How long to wait for outstanding acknowledgements after the last send.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Terminals connecting and registering at once.</summary>
    public int ConnectConcurrency { get; init; } = 100;
    /// <summary>Seed of the simulated movements.</summary>
    public int Seed { get; init; } = 808;
    /// <summary>Start area (Guizhou by default): south, west, north, east.</summary>
    public (double South, double West, double North, double East) Area { get; init; } = (25.0, 104.0, 29.0, 109.3);
}

public sealed record SimulatorReport(
    int Terminals, int Connected, int Authenticated, long Sent, long Acknowledged, long AcknowledgedNotSuccess,
    double AckP50Ms, double AckP90Ms, double AckP99Ms, double AckMaxMs, TimeSpan Elapsed, IReadOnlyList<string> Errors)
{
    public long Unacknowledged => Sent - Acknowledged;
    public double SentPerSecond => Elapsed.TotalSeconds > 0 ? Sent / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Simulated JT/T 808 terminals for load tests and the demo: each connects, registers (0x0100),
/// authenticates (0x0102) with the code it was given, then reports a plausible moving position
/// (0x0200) at its share of the rate, and answers the platform's position queries (0x8201 → 0x0201)
/// and text messages (0x8300 → 0x0001). Measures sent / acknowledged and acknowledgement latency.
/// </summary>
public static class Jt808Simulator
{
    public static async Task<SimulatorReport> RunAsync(SimulatorOptions o, Action<string>? progress = null, CancellationToken ct = default)
    {
        var errors = new List<string>();
        var terminals = new SimTerminal[o.Terminals];
        var random = new Random(o.Seed);
        var digits = o.Edition == Jt808Edition.V2019 ? 20 : 12;
        for (var i = 0; i < terminals.Length; i++)
        {
            var phone = o.PhonePrefix + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits - o.PhonePrefix.Length, '0');
            terminals[i] = new SimTerminal(i, Jt808TerminalPhone.Parse(phone), o.Edition,
                o.Area.South + random.NextDouble() * (o.Area.North - o.Area.South),
                o.Area.West + random.NextDouble() * (o.Area.East - o.Area.West),
                random.Next(360), 40 + random.Next(60), o.Area);
        }

        progress?.Invoke($"connecting {o.Terminals} terminals to {o.Host}:{o.Port} ({(int)o.Edition})");
        using (var gate = new SemaphoreSlim(o.ConnectConcurrency))
        {
            await Task.WhenAll(terminals.Select(async t =>
            {
                await gate.WaitAsync(ct);
                try
                {
                    await t.ConnectAsync(o.Host, o.Port, ct);
                }
                catch (Exception e) when (e is SocketException or IOException or TimeoutException or InvalidOperationException)
                {
                    lock (errors)
                    {
                        if (errors.Count < 20)
                        {
                            errors.Add($"terminal {t.Phone}: {e.Message}");
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        var live = terminals.Where(t => t.Authenticated).ToArray();
        progress?.Invoke($"{live.Length} of {o.Terminals} terminals authenticated; reporting {o.Rate:0} locations/s for {o.Duration.TotalSeconds:0} s");

        var clock = Stopwatch.StartNew();
        long sent = 0;
        var next = 0;
        var lastProgress = 0L;
        if (live.Length > 0)
        {
            while (clock.Elapsed < o.Duration && !ct.IsCancellationRequested)
            {
                var due = (long)(o.Rate * clock.Elapsed.TotalSeconds) - sent;
                for (var k = 0; k < due; k++)
                {
                    var t = live[next];
                    next = (next + 1) % live.Length;
                    if (await t.SendLocationAsync())
                    {
                        sent++;
                    }
                }
                if (clock.ElapsedMilliseconds - lastProgress >= 5000)
                {
                    lastProgress = clock.ElapsedMilliseconds;
                    progress?.Invoke($"{clock.Elapsed.TotalSeconds:0} s: sent {sent:N0}, acknowledged {live.Sum(t => t.Acked):N0}");
                }
                await Task.Delay(2, ct);
            }
        }
        var sendingTime = clock.Elapsed;
        var deadline = Stopwatch.StartNew();
        while (live.Sum(t => t.Acked) < sent && deadline.Elapsed < o.AckTimeout)
        {
            await Task.Delay(20, CancellationToken.None);
        }
        foreach (var t in terminals)
        {
            t.Dispose();
        }
        var latencies = live.SelectMany(t => t.LatenciesMs).Order().ToArray();
        double P(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        foreach (var t in terminals.Where(t => t.Error is not null).Take(20 - Math.Min(20, errors.Count)))
        {
            errors.Add($"terminal {t.Phone}: {t.Error}");
        }
        return new SimulatorReport(o.Terminals, terminals.Count(t => t.Connected), live.Length, sent, live.Sum(t => t.Acked), live.Sum(t => t.AckedNotSuccess),
            P(0.50), P(0.90), P(0.99), latencies.Length == 0 ? double.NaN : latencies[^1], sendingTime, errors);
    }
}

/// <summary>One simulated terminal: a socket, its flow numbers, its movement, and the acks it is waiting for.</summary>
internal sealed class SimTerminal(int index, Jt808TerminalPhone phone, Jt808Edition edition, double lat, double lon, int heading, int speedKmh,
    (double South, double West, double North, double East) area) : IDisposable
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
    private double _lat = lat, _lon = lon;
    private int _heading = heading;
    private long _lastMoveTicks = Stopwatch.GetTimestamp();
    private long _acked, _ackedNotSuccess;
    private uint _mileageDeciKm = (uint)(index * 1000);

    public Jt808TerminalPhone Phone { get; } = phone;
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

    private Jt808Recipient Me => new(Phone, edition, 1);

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

    public async Task<bool> SendLocationAsync()
    {
        if (_socket is null || Error is not null)
        {
            return false;
        }
        Move();
        var flow = (ushort)Interlocked.Increment(ref _flow);
        lock (_inflight)
        {
            _inflight[flow] = Stopwatch.GetTimestamp();
        }
        try
        {
            await SendAsync(Jt808MessageIds.LocationReport, LocationBody(DateTimeOffset.UtcNow), flow);
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
                lock (_inflight)
                {
                    if (!_inflight.Remove(replyFlow, out sentAt))
                    {
                        return;
                    }
                    _latencies.Add(Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
                }
                Interlocked.Increment(ref _acked);
                if (body[4] != 0)
                {
                    Interlocked.Increment(ref _ackedNotSuccess);
                }
                return;
            case Jt808MessageIds.QueryLocation:
                var answer = new byte[2 + 28 + 12];
                BinaryPrimitives.WriteUInt16BigEndian(answer, header.FlowNumber);
                LocationBody(DateTimeOffset.UtcNow).CopyTo(answer, 2);
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

    private void Move()
    {
        var now = Stopwatch.GetTimestamp();
        var dt = Stopwatch.GetElapsedTime(_lastMoveTicks, now).TotalHours;
        _lastMoveTicks = now;
        var km = speedKmh * dt;
        _mileageDeciKm += (uint)Math.Round(km * 10);
        _lat += km / 111.2 * Math.Cos(_heading * Math.PI / 180);
        _lon += km / (111.2 * Math.Cos(_lat * Math.PI / 180)) * Math.Sin(_heading * Math.PI / 180);
        if (_lat < area.South || _lat > area.North || _lon < area.West || _lon > area.East)
        {
            _heading = (_heading + 180) % 360;
            _lat = Math.Clamp(_lat, area.South, area.North);
            _lon = Math.Clamp(_lon, area.West, area.East);
        }
    }

    private byte[] LocationBody(DateTimeOffset now)
    {
        var b = new byte[28 + 6 + 3 + 3];
        BinaryPrimitives.WriteUInt32BigEndian(b, 0);                         // alarms
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), 0b11);            // ACC on, positioned
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), (uint)Math.Round(_lat * 1e6));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), (uint)Math.Round(_lon * 1e6));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(16), 1100);          // altitude m
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(18), (ushort)(speedKmh * 10));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(20), (ushort)_heading);
        WriteBcdTime(b.AsSpan(22), now.ToOffset(TimeSpan.FromHours(8)));
        b[28] = 0x01; b[29] = 4; BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(30), _mileageDeciKm);
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
        var (maker, model, id) = edition == Jt808Edition.V2019 ? (11, 30, 30) : (5, 20, 7);
        var plate = Jt808Text.Gbk.GetBytes($"贵A{(index % 100000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture)}");
        var b = new byte[4 + maker + model + id + 1 + plate.Length];
        BinaryPrimitives.WriteUInt16BigEndian(b, 52);          // Guizhou
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), 100);
        Encoding.ASCII.GetBytes("TBSIM").CopyTo(b.AsSpan(4));
        Encoding.ASCII.GetBytes("BRAIN-SIM").CopyTo(b.AsSpan(4 + maker));
        Encoding.ASCII.GetBytes($"S{index:D6}").AsSpan(0, Math.Min(7, id)).CopyTo(b.AsSpan(4 + maker + model));
        b[4 + maker + model + id] = (byte)Jt808PlateColor.Yellow;
        plate.CopyTo(b.AsSpan(5 + maker + model + id));
        return b;
    }

    private byte[] AuthenticationBody(string code)
    {
        var codeBytes = Jt808Text.Gbk.GetBytes(code);
        if (edition != Jt808Edition.V2019)
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
        _sendLock.Dispose();
    }
}
