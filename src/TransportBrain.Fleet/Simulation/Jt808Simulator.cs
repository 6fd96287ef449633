using System.Diagnostics;
using System.Net.Sockets;
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

/// <summary>One simulated terminal of the load simulator: a client and a random walk inside the area.</summary>
internal sealed class SimTerminal : IDisposable
{
    private readonly Jt808TerminalClient _client;
    private readonly (double South, double West, double North, double East) _area;
    private readonly int _speedKmh;
    private double _lat, _lon;
    private int _heading;
    private long _lastMoveTicks = Stopwatch.GetTimestamp();
    private uint _mileageDeciKm;

    public SimTerminal(int index, Jt808TerminalPhone phone, Jt808Edition edition, double lat, double lon, int heading, int speedKmh,
        (double South, double West, double North, double East) area)
    {
        _client = new Jt808TerminalClient(new TerminalIdentity(phone, edition,
            $"贵A{(index % 100000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture)}", Jt808PlateColor.Yellow, $"S{index:D6}"));
        _client.CurrentFix = () => Fix(DateTimeOffset.UtcNow);
        (_lat, _lon, _heading, _speedKmh, _area) = (lat, lon, heading, speedKmh, area);
        _mileageDeciKm = (uint)(index * 1000);
    }

    public Jt808TerminalPhone Phone => _client.Phone;
    public bool Connected => _client.Connected;
    public bool Authenticated => _client.Authenticated;
    public string? Error => _client.Error;
    public long Acked => _client.Acked;
    public long AckedNotSuccess => _client.AckedNotSuccess;
    public IReadOnlyList<double> LatenciesMs => _client.LatenciesMs;

    public Task ConnectAsync(string host, int port, CancellationToken ct) => _client.ConnectAsync(host, port, ct);

    public Task<bool> SendLocationAsync()
    {
        Move();
        return _client.SendLocationAsync(Fix(DateTimeOffset.UtcNow));
    }

    private TerminalFix Fix(DateTimeOffset now) => new(now, _lat, _lon, _speedKmh, _heading, true, _mileageDeciKm);

    private void Move()
    {
        var now = Stopwatch.GetTimestamp();
        var dt = Stopwatch.GetElapsedTime(_lastMoveTicks, now).TotalHours;
        _lastMoveTicks = now;
        var km = _speedKmh * dt;
        _mileageDeciKm += (uint)Math.Round(km * 10);
        _lat += km / 111.2 * Math.Cos(_heading * Math.PI / 180);
        _lon += km / (111.2 * Math.Cos(_lat * Math.PI / 180)) * Math.Sin(_heading * Math.PI / 180);
        if (_lat < _area.South || _lat > _area.North || _lon < _area.West || _lon > _area.East)
        {
            _heading = (_heading + 180) % 360;
            _lat = Math.Clamp(_lat, _area.South, _area.North);
            _lon = Math.Clamp(_lon, _area.West, _area.East);
        }
    }

    public void Dispose() => _client.Dispose();
}
