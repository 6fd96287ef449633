using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using TransportBrain.Fleet.Jt808;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Fleet.Tests.Gateway;

/// <summary>A platform slice for gateway tests: a fresh SQLite store, the fleet service and its gateway on a loopback port.</summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    private GatewayHarness(string dir, IHubStore store, DatasetRegistry catalog, FleetService fleet, FleetOptions options)
    {
        Directory = dir;
        Store = store;
        Catalog = catalog;
        Fleet = fleet;
        Options = options;
    }

    public string Directory { get; }
    public IHubStore Store { get; }
    public DatasetRegistry Catalog { get; }
    public FleetService Fleet { get; private set; }
    public FleetOptions Options { get; }
    public int Port => Fleet.Gateway!.EndPoint!.Port;

    public static async Task<GatewayHarness> StartAsync(TimeSpan? authTimeout = null, string? dir = null, TransportBrain.Fleet.Supervision.SupervisionConfig? supervision = null)
    {
        dir ??= System.IO.Directory.CreateTempSubdirectory("brain-gw-").FullName;
        var catalog = new DatasetRegistry(FleetDatasets.All);
        var store = HubStores.Open("sqlite", dir);
        await store.InitializeAsync(catalog);
        var options = new FleetOptions
        {
            Jt808EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            MediaDirectory = Path.Combine(dir, "media"),
            AuthTimeout = authTimeout ?? TimeSpan.FromSeconds(60),
            SweepInterval = TimeSpan.FromMilliseconds(100),
            Tracker = new Tracking.FleetTrackerOptions { TickInterval = TimeSpan.FromMilliseconds(200), CheckpointInterval = TimeSpan.FromSeconds(1) },
            Supervision = supervision ?? TransportBrain.Fleet.Supervision.SupervisionConfig.Default,
        };
        var fleet = await FleetService.StartAsync(store, catalog, TimeProvider.System, options);
        return new GatewayHarness(dir, store, catalog, fleet, options);
    }

    /// <summary>Stops the fleet service and starts a new one over the same store, as a process restart would.</summary>
    public async Task RestartAsync()
    {
        await Fleet.DisposeAsync();
        Fleet = await FleetService.StartAsync(Store, Catalog, TimeProvider.System, Options);
    }

    public Task<long> StoredPositionsAsync() => Store.CountRecordsAsync(FleetDatasets.Position);

    public async Task<IReadOnlyList<QuarantinedRecord>> QuarantinedPositionsAsync() =>
        await Store.ListQuarantineAsync(FleetDatasets.Position.Id, QuarantineStatus.Open, 0, 1000);

    public static async Task EventuallyAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("timed out waiting until " + what);
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Fleet.DisposeAsync();
        await Store.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A hand-driven terminal over a real socket: sends frames, collects what the platform sends back.</summary>
internal sealed class TestTerminal : IAsyncDisposable
{
    private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly Channel<(Jt808Header Header, byte[] Body)> _inbox = Channel.CreateUnbounded<(Jt808Header, byte[])>();
    private readonly TaskCompletionSource _stopReading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _receive;
    private ushort _flow;

    /// <param name="receiveBufferBytes">A small socket receive buffer, for a terminal that will stop reading.</param>
    public TestTerminal(string phone, Jt808Edition edition = Jt808Edition.V2013, int? receiveBufferBytes = null)
    {
        Phone = Jt808TerminalPhone.Parse(phone);
        Edition = edition;
        if (receiveBufferBytes is { } bytes)
        {
            _socket.ReceiveBufferSize = bytes;
        }
    }

    /// <summary>From now on nothing is read from the socket: what the platform sends piles up.</summary>
    public void StopReading() => _stopReading.TrySetResult();

    public Jt808TerminalPhone Phone { get; }
    public Jt808Edition Edition { get; }
    public bool Closed { get; private set; }

    public async Task ConnectAsync(int port)
    {
        await _socket.ConnectAsync(IPAddress.Loopback, port);
        _receive = Task.Run(ReceiveAsync);
    }

    public Task SendRawAsync(byte[] bytes) => _socket.SendAsync(bytes, SocketFlags.None);

    public byte[] Frame(ushort messageId, ReadOnlySpan<byte> body, ushort? flow = null)
    {
        var output = new ArrayBufferWriter<byte>();
        Jt808FrameWriter.Write(output, new Jt808Recipient(Phone, Edition), messageId, flow ?? ++_flow, body);
        return output.WrittenSpan.ToArray();
    }

    public async Task<ushort> SendAsync(ushort messageId, byte[] body)
    {
        var flow = ++_flow;
        await SendRawAsync(Frame(messageId, body, flow));
        return flow;
    }

    public async Task<(Jt808Header Header, byte[] Body)> ExpectAsync(ushort messageId, int timeoutMs = 5000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        while (true)
        {
            var m = await _inbox.Reader.ReadAsync(cts.Token);
            if (m.Header.MessageId == messageId)
            {
                return m;
            }
        }
    }

    /// <summary>Waits for the 0x8001 answering <paramref name="flow"/> and returns its result.</summary>
    public async Task<Jt808ReplyResult> ExpectReplyAsync(ushort flow, int timeoutMs = 5000)
    {
        while (true)
        {
            var (_, body) = await ExpectAsync(Jt808MessageIds.PlatformGeneralReply, timeoutMs);
            if (BinaryPrimitives.ReadUInt16BigEndian(body) == flow)
            {
                return (Jt808ReplyResult)body[4];
            }
        }
    }

    public async Task AuthenticateAsync(string plate = "贵A12345")
    {
        var flow = await SendAsync(Jt808MessageIds.TerminalRegistration, RegistrationBody(plate));
        var (_, reply) = await ExpectAsync(Jt808MessageIds.RegistrationReply);
        Assert.Equal(flow, BinaryPrimitives.ReadUInt16BigEndian(reply));
        Assert.Equal(0, reply[2]);
        var code = reply.AsSpan(3).ToArray();
        var auth = await SendAsync(Jt808MessageIds.TerminalAuthentication, code);
        Assert.Equal(Jt808ReplyResult.Success, await ExpectReplyAsync(auth));
    }

    public static byte[] RegistrationBody(string plate)
    {
        var gbk = CodePagesEncodingProvider.Instance.GetEncoding(936)!;
        var p = gbk.GetBytes(plate);
        var b = new byte[37 + p.Length];
        BinaryPrimitives.WriteUInt16BigEndian(b, 52);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), 100);
        Encoding.ASCII.GetBytes("TEST1").CopyTo(b, 4);
        Encoding.ASCII.GetBytes("MODEL-X").CopyTo(b, 9);
        Encoding.ASCII.GetBytes("ID00001").CopyTo(b, 29);
        b[36] = 2;
        p.CopyTo(b, 37);
        return b;
    }

    /// <summary>A 0x0200 body: status ACC on + positioned, time as UTC+8 BCD.</summary>
    public static byte[] LocationBody(double lat, double lon, double speedKmh, DateTimeOffset time, uint alarms = 0, int heading = 90)
    {
        var b = new byte[28];
        BinaryPrimitives.WriteUInt32BigEndian(b, alarms);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), 0b11);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), (uint)Math.Round(Math.Abs(lat) * 1e6));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), (uint)Math.Round(Math.Abs(lon) * 1e6));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(16), 1000);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(18), (ushort)Math.Round(speedKmh * 10));
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(20), (ushort)heading);
        var t = time.ToOffset(TimeSpan.FromHours(8));
        static byte Bcd(int v) => (byte)(((v / 10) << 4) | (v % 10));
        b[22] = Bcd(t.Year % 100); b[23] = Bcd(t.Month); b[24] = Bcd(t.Day); b[25] = Bcd(t.Hour); b[26] = Bcd(t.Minute); b[27] = Bcd(t.Second);
        return b;
    }

    private async Task ReceiveAsync()
    {
        var input = PipeReader.Create(new NetworkStream(_socket, ownsSocket: false));
        var scratch = new byte[Jt808FrameReader.DefaultMaxFrameBytes];
        try
        {
            while (true)
            {
                var read = input.ReadAsync().AsTask();
                await Task.WhenAny(read, _stopReading.Task);
                if (_stopReading.Task.IsCompleted)
                {
                    await Task.Delay(Timeout.Infinite, _closing.Token);
                }
                var result = await read;
                var buffer = result.Buffer;
                while (Jt808FrameReader.TryReadFrame(ref buffer, Jt808FrameReader.DefaultMaxFrameBytes, scratch, out var frame, out _) is var s && s != Jt808ReadStatus.NeedMoreData)
                {
                    if (s == Jt808ReadStatus.Frame)
                    {
                        _inbox.Writer.TryWrite((frame.Header, frame.Body.ToArray()));
                    }
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        Closed = true;
        _inbox.Writer.TryComplete();
    }

    private readonly CancellationTokenSource _closing = new();

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
        if (_receive is not null)
        {
            await _receive;
        }
    }
}
