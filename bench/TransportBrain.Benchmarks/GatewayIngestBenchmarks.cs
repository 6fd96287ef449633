using System.Globalization;
using BenchmarkDotNet.Attributes;
using TransportBrain.Fleet;
using TransportBrain.Fleet.Gateway;
using TransportBrain.Fleet.Jt808;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Benchmarks;

/// <summary>
/// The JT/T 808 gateway's position writer without the network: decoded 0x0200 reports checked by the
/// hub's gate and group-committed to SQLite, as <c>PositionWriter</c> does, in groups of <see cref="Group"/>.
/// "text" is the old path (each field formatted as text, then parsed back by the gate); "typed" hands the
/// gate the decoded values. One operation is <see cref="Locations"/> locations.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class GatewayIngestBenchmarks
{
    public const int Locations = 8192;
    private const int Group = 64;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Jt808LocationReport[] _reports = new Jt808LocationReport[Locations];
    private readonly byte[][] _bodies = new byte[Locations][];
    private readonly TerminalInfo _info = new() { TerminalId = "013900000001", Plate = "贵A00001", Category = VehicleCategory.Coach };
    private string _dir = "";
    private IHubStore _store = null!;
    private LiveIngest _ingest = null!;
    private DateTimeOffset _base;
    private int _run;

    [GlobalSetup]
    public void Setup()
    {
        _base = DateTimeOffset.UtcNow.AddHours(-6);
        _dir = Directory.CreateTempSubdirectory("brain-bench-gw-").FullName;
        var registry = new DatasetRegistry(FleetDatasets.All);
        _store = HubStores.Open(null, _dir);
        _store.InitializeAsync(registry).GetAwaiter().GetResult();
        _ingest = new LiveIngest(_store, registry, FleetDatasets.Position, "bench", "jt808", TimeProvider.System);
        for (var i = 0; i < Locations; i++)
        {
            var body = new byte[40];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(4), 0b11);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(8), (uint)(26_500_000 + i));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(12), (uint)(106_700_000 + i));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(16), 1100);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(18), (ushort)(400 + i % 400));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(20), (ushort)(i % 360));
            var t = _base.ToOffset(TimeSpan.FromHours(8)).AddSeconds(i);                          // BCD, UTC+8
            body[22] = Bcd(t.Year % 100); body[23] = Bcd(t.Month); body[24] = Bcd(t.Day);
            body[25] = Bcd(t.Hour); body[26] = Bcd(t.Minute); body[27] = Bcd(t.Second);
            body[28] = 0x01; body[29] = 4; System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(30), (uint)(1000 + i));
            body[34] = 0x30; body[35] = 1; body[36] = 25;
            body[37] = 0x31; body[38] = 1; body[39] = 12;
            _bodies[i] = body;
            if (!Jt808LocationReport.TryDecode(body, out _reports[i], out var error))
            {
                throw new InvalidOperationException(error);
            }
        }
    }

    private static byte Bcd(int v) => (byte)(((v / 10) << 4) | (v % 10));

    [Benchmark(Baseline = true, Description = "text: format fields, gate parses them, group commit")]
    public Task<int> Text() => RunAsync(typed: false);

    [Benchmark(Description = "typed: gate checks decoded values, group commit")]
    public Task<int> Typed() => RunAsync(typed: true);

    [Benchmark(Description = "text: format fields, gate parses them (no store)")]
    public int TextGateOnly() => GateOnly(typed: false);

    [Benchmark(Description = "typed: gate checks decoded values (no store)")]
    public int TypedGateOnly() => GateOnly(typed: true);

    /// <summary>The check step alone, as LiveIngest runs it for each record of a group.</summary>
    private int GateOnly(bool typed)
    {
        var gate = new QualityGate(FleetDatasets.Position, new Dictionary<string, IReadOnlySet<string>>(), DateTimeOffset.UtcNow);
        var violations = new List<Violation>();
        var received = DateTimeOffset.UtcNow;
        object receivedBox = received;
        var ok = 0;
        for (var k = 0; k < Locations; k++)
        {
            violations.Clear();
            var r = _reports[k];
            if (typed)
            {
                ok += gate.CheckValues(PositionValues.From(r, _info.TerminalId, _info, (ushort)k, 0, "realtime", receivedBox), violations) ? 1 : 0;
            }
            else
            {
                var values = new object?[FleetDatasets.Position.Fields.Count];
                ok += gate.Check(Texts(r, _info, (ushort)k, 0, "realtime", received), values, violations) ? 1 : 0;
            }
        }
        return ok;
    }

    private async Task<int> RunAsync(bool typed)
    {
        // Each run stores new keys: the flow number and the item index move on with every run.
        var run = ++_run;
        var received = DateTimeOffset.UtcNow;
        object receivedBox = received;
        var records = new List<LiveRecord>(Group);
        var stored = 0;
        for (var i = 0; i < Locations; i += Group)
        {
            records.Clear();
            for (var k = i; k < i + Group; k++)
            {
                var flow = (ushort)k;
                var r = _reports[k];
                records.Add(typed
                    ? LiveRecord.Typed(PositionValues.From(r, _info.TerminalId, _info, flow, run, "realtime", receivedBox), _bodies[k], flow)
                    : new LiveRecord(Texts(r, _info, flow, run, "realtime", received), _bodies[k], flow));
            }
            var outcomes = await _ingest.WriteAsync(records);
            stored += outcomes.Count(o => o == LiveOutcome.Stored);
        }
        return stored;
    }

    /// <summary>The gateway's former text round trip (Jt808Session.PositionTexts before the typed path).</summary>
    private static string?[] Texts(in Jt808LocationReport r, TerminalInfo info, ushort flow, int item, string source, DateTimeOffset received) =>
    [
        info.TerminalId,
        info.Plate,
        TerminalRegistry.CategoryName(info.Category),
        r.DeviceTimeUtc is { } t ? ValueParser.Format(t) : null,
        ValueParser.Format(received),
        r.LatitudeDegrees.ToString("R", Inv),
        r.LongitudeDegrees.ToString("R", Inv),
        r.AltitudeM.ToString(Inv),
        r.SpeedKmh.ToString("R", Inv),
        r.DirectionDeg.ToString(Inv),
        ((uint)r.Alarms).ToString(Inv),
        ((uint)r.Status).ToString(Inv),
        (r.Status & Jt808StatusFlags.AccOn) != 0 ? "true" : "false",
        (r.Status & Jt808StatusFlags.Positioned) != 0 ? "true" : "false",
        r.MileageKm?.ToString("R", Inv),
        r.FuelLitres?.ToString("R", Inv),
        r.RecorderSpeedDeciKmh is { } rs ? (rs / 10.0).ToString("R", Inv) : null,
        r.SignalStrength?.ToString(Inv),
        r.GnssSatellites?.ToString(Inv),
        flow.ToString(Inv),
        item.ToString(Inv),
        source,
        r.OtherItems.Count.ToString(Inv),
    ];

    [GlobalCleanup]
    public void Cleanup()
    {
        _ingest.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }
}
