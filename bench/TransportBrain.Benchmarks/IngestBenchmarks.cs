using BenchmarkDotNet.Attributes;
using TransportBrain.Highway;
using TransportBrain.Highway.SampleData;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Storage;
using TransportBrain.Hub.Storage.Postgres;

namespace TransportBrain.Benchmarks;

/// <summary>
/// Import of ETC gantry transactions with every rule on (required, type, range, pattern, enumeration,
/// reference, timeliness, uniqueness): the hub's hottest path. Rows/s = Rows / mean time.
/// Set BRAIN_BENCH_POSTGRES to a postgres:// URL to add the PostgreSQL store to the same run.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PlatformRuntimeConfig))]
public class GantryImportBenchmarks
{
    public const int Rows = 200_000;
    private string _dir = "";
    private SampleFiles _files = null!;
    private DatasetRegistry _registry = null!;
    private IHubStore? _store;
    private string _data = "";

    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("brain-bench-").FullName;
        _files = HighwaySampleGenerator.Generate(Path.Combine(_dir, "files"), Rows, DateTimeOffset.UtcNow, badFraction: 0.01);
        _registry = new DatasetRegistry(HighwayDatasets.All);
    }

    /// <summary>
    /// SQLite: a new database file per iteration. PostgreSQL: one store for the whole run, as in
    /// `brain serve`, whose connection pool keeps the server's backends (a fresh backend spends ~5% of
    /// the import faulting in shared memory); its tables are emptied before every iteration.
    /// </summary>
    [IterationSetup]
    public void FreshStore()
    {
        var url = Environment.GetEnvironmentVariable("BRAIN_BENCH_POSTGRES");
        if (Store == "postgres" && url is null)
        {
            throw new InvalidOperationException("set BRAIN_BENCH_POSTGRES=postgres://... to benchmark the PostgreSQL store");
        }
        if (Store == "postgres" && Environment.GetEnvironmentVariable("BRAIN_BENCH_POSTGRES_COLD") != "1" && _store is not null)
        {
            PostgresReset.Truncate(url!, _registry);
        }
        else
        {
            _data = Path.Combine(_dir, "data-" + Guid.NewGuid().ToString("N"));
            _store = HubStores.Open(Store == "sqlite" ? null : url, _data);
            _store.InitializeAsync(_registry).GetAwaiter().GetResult();
            if (Store == "postgres")
            {
                PostgresReset.Truncate(url!, _registry);
            }
        }
        var ingest = new IngestService(_store!, _registry, TimeProvider.System);
        using var gantries = new CsvRecordSource(File.OpenRead(_files.Gantries), HighwayDatasets.Gantry, SourceEncodings.Parse("utf-8"));
        ingest.IngestAsync(HighwayDatasets.Gantry, gantries, "gantries").GetAwaiter().GetResult();
    }

    [Benchmark(Description = "import 200k gantry transactions (all rules)")]
    public async Task<QualityReport> Import()
    {
        var ingest = new IngestService(_store!, _registry, TimeProvider.System);
        using var source = new CsvRecordSource(File.OpenRead(_files.GantryTransactions), HighwayDatasets.GantryTransaction, SourceEncodings.Parse("utf-8"));
        return await ingest.IngestAsync(HighwayDatasets.GantryTransaction, source, "bench");
    }

    /// <summary>
    /// Drops the iteration's SQLite file, so the next iteration does not share the disk with the
    /// write-back of this one's (a single import would not).
    /// </summary>
    [IterationCleanup]
    public void Cleanup()
    {
        if (Store == "postgres" && Environment.GetEnvironmentVariable("BRAIN_BENCH_POSTGRES_COLD") != "1")
        {
            return;
        }
        _store!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store = null;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, true);
        }
    }

    [GlobalCleanup]
    public void RemoveFiles()
    {
        _store?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, true);
    }
}

/// <summary>
/// The same import as <see cref="GantryImportBenchmarks"/>, but as a day of files arrives: every iteration imports
/// a new 200k-row file (a different day) into the same table, which is never emptied, and nothing is
/// checkpointed in between. The table and its indexes grow by 200k rows per iteration, and the store writes
/// back the pages of the imports before while it takes the next. <see cref="GantryImportBenchmarks"/> empties
/// the tables and checkpoints before every iteration, so its server never writes data pages while it is measured.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PlatformRuntimeConfig))]
public class GantryImportGrowingBenchmarks
{
    /// <summary>Enough files for BenchmarkDotNet's jitting, warm-up and measured invocations, each a new day.</summary>
    public const int Files = 16;

    /// <summary>
    /// Day <paramref name="day"/> of <see cref="Files"/>: 200k rows covering the 24 hours before its end, so the days
    /// do not overlap and no id repeats; imported oldest first, as days arrive. <see cref="PostgresCopyCeilingBenchmarks"/>
    /// sends the same days.
    /// </summary>
    public static SampleFiles Day(string dir, int day, DateTimeOffset now) =>
        HighwaySampleGenerator.Generate(Path.Combine(dir, "day" + day), GantryImportBenchmarks.Rows, now.AddDays(day + 1 - Files), badFraction: 0.01, seed: 42 + day);
    private string _dir = "";
    private readonly List<string> _files = [];
    private int _next;
    private DatasetRegistry _registry = null!;
    private IHubStore _store = null!;

    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    [GlobalSetup]
    public void Setup()
    {
        var url = Environment.GetEnvironmentVariable("BRAIN_BENCH_POSTGRES");
        if (Store == "postgres" && url is null)
        {
            throw new InvalidOperationException("set BRAIN_BENCH_POSTGRES=postgres://... to benchmark the PostgreSQL store");
        }
        _dir = Directory.CreateTempSubdirectory("brain-bench-growing-").FullName;
        var now = DateTimeOffset.UtcNow;
        SampleFiles? first = null;
        for (var day = 0; day < Files; day++)
        {
            var files = Day(_dir, day, now);
            first ??= files;
            _files.Add(files.GantryTransactions);
        }
        _registry = new DatasetRegistry(HighwayDatasets.All);
        _store = HubStores.Open(Store == "sqlite" ? null : url, Path.Combine(_dir, "data"));
        _store.InitializeAsync(_registry).GetAwaiter().GetResult();
        if (Store == "postgres")
        {
            PostgresReset.Truncate(url!, _registry); // once: the run starts from empty tables
        }
        using var gantries = new CsvRecordSource(File.OpenRead(first!.Gantries), HighwayDatasets.Gantry, SourceEncodings.Parse("utf-8"));
        new IngestService(_store, _registry, TimeProvider.System).IngestAsync(HighwayDatasets.Gantry, gantries, "gantries").GetAwaiter().GetResult();
    }

    [Benchmark(Description = "import 200k gantry transactions (all rules), a new day's file into a growing table")]
    public async Task<QualityReport> Import()
    {
        if (_next == _files.Count)
        {
            throw new InvalidOperationException($"the benchmark ran more than {Files} imports; raise Files");
        }
        var ingest = new IngestService(_store, _registry, TimeProvider.System);
        using var source = new CsvRecordSource(File.OpenRead(_files[_next++]), HighwayDatasets.GantryTransaction, SourceEncodings.Parse("utf-8"));
        return await ingest.IngestAsync(HighwayDatasets.GantryTransaction, source, "bench");
    }

    [GlobalCleanup]
    public void RemoveFiles()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }
}

/// <summary>Parsing and the quality gate alone, without a store: what the reader thread costs per row.</summary>
[MemoryDiagnoser]
public class GateBenchmarks
{
    private byte[] _csv = [];
    private QualityGate _gate = null!;

    [GlobalSetup]
    public void Setup()
    {
        var dir = Directory.CreateTempSubdirectory("brain-bench-gate-").FullName;
        var files = HighwaySampleGenerator.Generate(dir, 100_000, DateTimeOffset.UtcNow);
        _csv = File.ReadAllBytes(files.GantryTransactions);
        var gantries = File.ReadLines(files.Gantries).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        _gate = new QualityGate(HighwayDatasets.GantryTransaction, new Dictionary<string, IReadOnlySet<string>> { ["highway.gantry.gantry_id"] = gantries }, DateTimeOffset.UtcNow);
        Directory.Delete(dir, true);
    }

    [Benchmark(Description = "CSV read + quality gate, 100k gantry transactions")]
    public int ReadAndCheck() => Read(encoded: null);

    /// <summary>What the import's reader thread does for PostgreSQL: the gate, then each accepted record encoded as binary COPY fields.</summary>
    [Benchmark(Description = "CSV read + quality gate + PostgreSQL encoding, 100k gantry transactions")]
    public int ReadCheckAndEncode()
    {
        // No server is contacted: the store only lends its encoding.
        using var rows = new PostgresHubStore("Host=127.0.0.1;Port=1;Username=bench;Database=bench").NewEncodedRows(HighwayDatasets.GantryTransaction)!;
        return Read(rows);
    }

    private int Read(EncodedRows? encoded)
    {
        using var source = new CsvRecordSource(new MemoryStream(_csv), HighwayDatasets.GantryTransaction, SourceEncodings.Parse("utf-8"));
        var values = new object?[HighwayDatasets.GantryTransaction.Fields.Count];
        var violations = new List<Violation>();
        var ok = 0;
        while (source.TryRead(out var r))
        {
            violations.Clear();
            if (r.FormatError is null && _gate.Check(r.Texts, values, violations))
            {
                ok++;
                if (encoded is not null)
                {
                    encoded.Add(values);
                    if (encoded.Count == 8192)
                    {
                        encoded.Clear(); // a chunk handed to the writer
                    }
                }
            }
        }
        return ok;
    }
}

/// <summary>
/// The PostgreSQL writer's duplicate check for one bulk chunk: index the chunk's 8,192 transaction ids
/// (marking repeats within it), then look the next chunk's ids up in it, as the writer does while that
/// chunk is in flight. The key table of session 9 side by side with the dictionary it replaced.
/// </summary>
[MemoryDiagnoser]
public class ChunkKeyBenchmarks
{
    private const int ChunkRows = 8192;
    private PostgresEncodedRows _chunk = null!;
    private PostgresEncodedRows _next = null!;
    private readonly ChunkKeys _keys = new();
    private readonly Dictionary<PreviousKey, int> _dictionary = new(ChunkRows);
    private bool[] _duplicate = [];
    private PreviousKey[] _chunkKeys = [];
    private PreviousKey[] _nextKeys = [];

    [GlobalSetup]
    public void Setup()
    {
        var dir = Directory.CreateTempSubdirectory("brain-bench-keys-").FullName;
        var files = HighwaySampleGenerator.Generate(dir, 2 * ChunkRows + 1000, DateTimeOffset.UtcNow, badFraction: 0);
        var rows = File.ReadLines(files.GantryTransactions).Skip(1).Select(l => l.Split(',')).ToList();
        Directory.Delete(dir, true);
        var d = HighwayDatasets.GantryTransaction;
        _chunk = Encode(rows.Take(ChunkRows), d);
        _next = Encode(rows.Skip(ChunkRows).Take(ChunkRows), d);
        _duplicate = new bool[ChunkRows];
        // Each key is hashed once per chunk in both: the writer used to hash it when it built the chunk's
        // dictionary, and now hashes it when the row is encoded. Neither is part of the measurement.
        _chunkKeys = [.. Enumerable.Range(0, _chunk.Count).Select(r => new PreviousKey(_chunk.KeyBytes(r).ToArray()))];
        _nextKeys = [.. Enumerable.Range(0, _next.Count).Select(r => new PreviousKey(_next.KeyBytes(r).ToArray()))];
    }

    private static PostgresEncodedRows Encode(IEnumerable<string[]> cells, DatasetDefinition d)
    {
        var encoded = new PostgresEncodedRows(d);
        foreach (var c in cells)
        {
            // Only the key is looked at; the other fields keep their texts' types where the dataset wants text.
            var values = new object?[d.Fields.Count];
            values[d.FieldIndex("transaction_id")] = c[0];
            encoded.Add(values);
        }
        return encoded;
    }

    [Benchmark(Baseline = true, Description = "Dictionary<EncodedKey, int> (before): index 8,192 keys, look up 8,192")]
    public int Dictionary()
    {
        _dictionary.Clear();
        Array.Clear(_duplicate);
        for (var r = 0; r < _chunk.Count; r++)
        {
            if (!_dictionary.TryAdd(_chunkKeys[r], r))
            {
                _duplicate[r] = true;
            }
        }
        var found = 0;
        for (var r = 0; r < _next.Count; r++)
        {
            found += _dictionary.ContainsKey(_nextKeys[r]) ? 1 : 0;
        }
        return found;
    }

    [Benchmark(Description = "ChunkKeys (open addressing on row numbers): index 8,192 keys, look up 8,192")]
    public int KeyTable()
    {
        Array.Clear(_duplicate);
        _keys.Build(_chunk, _duplicate);
        var found = 0;
        for (var r = 0; r < _next.Count; r++)
        {
            found += _keys.Find(_next.KeyBytes(r), _next.KeyHash(r)) >= 0 ? 1 : 0;
        }
        _keys.Release();
        return found;
    }

    /// <summary>The key the writer used before: the bytes with their hash, computed once per key.</summary>
    private readonly struct PreviousKey(ReadOnlyMemory<byte> bytes) : IEquatable<PreviousKey>
    {
        private readonly int _hash = PostgresEncodedRows.HashOf(bytes.Span);

        public ReadOnlyMemory<byte> Bytes { get; } = bytes;

        public bool Equals(PreviousKey other) => _hash == other._hash && Bytes.Span.SequenceEqual(other.Bytes.Span);

        public override bool Equals(object? obj) => obj is PreviousKey other && Equals(other);

        public override int GetHashCode() => _hash;
    }
}
