using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Gateway;

public sealed class Jt808GatewayOptions
{
    /// <summary>Largest frame accepted, in wire bytes (the largest legal frame by default).</summary>
    public int MaxFrameBytes { get; init; } = Jt808FrameReader.DefaultMaxFrameBytes;

    /// <summary>A connection with no frame for this long is closed (JT/T 808 heartbeats default to 60 s).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>A connection that has not authenticated (0x0102) within this time is closed.</summary>
    public TimeSpan AuthTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Connections beyond this are refused at accept, so memory stays bounded.</summary>
    public int MaxConnections { get; init; } = 50_000;

    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(5);

    public Jt808ReassemblyOptions Reassembly { get; init; } = new();

    /// <summary>Where 0x0801 multimedia files are written, one folder per terminal.</summary>
    public required string MediaDirectory { get; init; }
}

/// <summary>
/// The JT/T 808 TCP gateway hosted in the platform process: accepts terminals, keeps one session per
/// authenticated terminal (a reconnecting terminal replaces its stale session), sweeps idle and
/// never-authenticated connections, and owns the group-commit position writer.
/// </summary>
public sealed class Jt808Gateway : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Jt808Session, byte> _connections = new();
    private readonly ConcurrentDictionary<string, Jt808Session> _byTerminal = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<string>? _log;
    private Socket? _listener;
    private Task? _acceptLoop;
    private Task? _sweepLoop;

    public Jt808Gateway(Jt808GatewayOptions options, TerminalRegistry registry, PositionWriter positions, GatewayCounters counters, TimeProvider clock, Action<string>? log = null)
    {
        Options = options;
        Registry = registry;
        Positions = positions;
        Counters = counters;
        Clock = clock;
        _log = log;
    }

    public Jt808GatewayOptions Options { get; }
    public TerminalRegistry Registry { get; }
    public PositionWriter Positions { get; }
    public GatewayCounters Counters { get; }
    public TimeProvider Clock { get; }

    /// <summary>The bound endpoint once started (port 0 picks a free one).</summary>
    public IPEndPoint? EndPoint { get; private set; }

    public int ConnectionCount => _connections.Count;

    public int AuthenticatedCount => _byTerminal.Count;

    public void Start(IPEndPoint endPoint)
    {
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(endPoint);
        listener.Listen(4096);
        _listener = listener;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoopAsync);
        _sweepLoop = Task.Run(SweepLoopAsync);
    }

    /// <summary>The live session of an authenticated terminal, if it is connected.</summary>
    public Jt808Session? Find(string terminalId) => _byTerminal.GetValueOrDefault(terminalId);

    public bool IsOnline(string terminalId) => _byTerminal.ContainsKey(terminalId);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                Log("accept failed: " + e.Message);
                continue;
            }
            if (_connections.Count >= Options.MaxConnections)
            {
                Interlocked.Increment(ref Counters.ConnectionsRefused);
                socket.Dispose();
                continue;
            }
            socket.NoDelay = true;
            Interlocked.Increment(ref Counters.ConnectionsAccepted);
            var session = new Jt808Session(socket, this);
            _connections[session] = 0;
            _ = Task.Run(session.RunAsync);
        }
    }

    private async Task SweepLoopAsync()
    {
        using var timer = new PeriodicTimer(Options.SweepInterval, Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = Clock.GetUtcNow();
                foreach (var s in _connections.Keys)
                {
                    s.Sweep(now);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal void Bind(Jt808Session session)
    {
        var previous = _byTerminal.GetValueOrDefault(session.TerminalId!);
        _byTerminal[session.TerminalId!] = session;
        if (previous is not null && !ReferenceEquals(previous, session))
        {
            previous.Close("replaced by a new connection of the same terminal");
        }
    }

    internal void OnClosed(Jt808Session session)
    {
        _connections.TryRemove(session, out _);
        if (session.TerminalId is { } id)
        {
            // Only forget the terminal if this session is still the one bound to it.
            _byTerminal.TryRemove(new KeyValuePair<string, Jt808Session>(id, session));
        }
        Interlocked.Increment(ref Counters.ConnectionsClosed);
    }

    internal void Log(string message) => _log?.Invoke(message);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Dispose();
        foreach (var s in _connections.Keys)
        {
            s.Close("gateway stopping");
        }
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }
        if (_sweepLoop is not null)
        {
            await _sweepLoop;
        }
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!_connections.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        _stop.Dispose();
    }
}
