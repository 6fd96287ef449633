using BenchmarkDotNet.Attributes;
using Npgsql;
using TransportBrain.Highway;
using TransportBrain.Highway.SampleData;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Benchmarks;

/// <summary>
/// The peer of <see cref="GantryImportGrowingBenchmarks"/>: PostgreSQL alone, with a client that does no work.
/// The same 16 days of 200k gantry transactions are imported once by the store during setup and exported as
/// binary COPY streams, two per day (alternate 8,192-row chunks, as the writer's two connections send them).
/// Every iteration then sends one day's two streams, byte for byte, over two connections at once into a
/// growing copy of the dataset table. What is left is the server's own work: parsing binary COPY, the heap,
/// the indexes and WAL. No import on the same machine can be faster than this.
/// <para>
/// <see cref="Indexes"/>: the table as the store makes it (the unique transaction-id index and the
/// (time, _seq) index), or without the unique index, which shows what the uniqueness check costs the server.
/// </para>
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PlatformRuntimeConfig))]
public class PostgresCopyCeilingBenchmarks
{
    private const int Files = GantryImportGrowingBenchmarks.Files;
    private const string Table = "bench_copy_ceiling";
    private string _dir = "";
    private string _url = "";
    private string _columns = "";
    private readonly List<(string A, string B)> _streams = [];
    private int _next;
    private NpgsqlConnection _first = null!;
    private NpgsqlConnection _second = null!;

    [Params("unique key + time", "time only")]
    public string Indexes { get; set; } = "unique key + time";

    [GlobalSetup]
    public void Setup()
    {
        _url = Environment.GetEnvironmentVariable("BRAIN_BENCH_POSTGRES")
            ?? throw new InvalidOperationException("set BRAIN_BENCH_POSTGRES=postgres://... to benchmark PostgreSQL alone");
        _dir = Directory.CreateTempSubdirectory("brain-bench-ceiling-").FullName;
        var registry = new DatasetRegistry(HighwayDatasets.All);
        var source = DatasetIds.TableName(HighwayDatasets.GantryTransaction.Id);
        var now = DateTimeOffset.UtcNow;
        var store = HubStores.Open(_url, Path.Combine(_dir, "data"));
        try
        {
            store.InitializeAsync(registry).GetAwaiter().GetResult();
            PostgresReset.Truncate(_url, registry);
            using var connection = Open();
            _columns = string.Join(", ", Query(connection,
                $"SELECT attname FROM pg_attribute WHERE attrelid = '{source}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"));
            var ingest = new IngestService(store, registry, TimeProvider.System);
            for (var day = 0; day < Files; day++)
            {
                var files = GantryImportGrowingBenchmarks.Day(_dir, day, now);
                if (day == 0)
                {
                    using var gantries = new CsvRecordSource(File.OpenRead(files.Gantries), HighwayDatasets.Gantry, SourceEncodings.Parse("utf-8"));
                    ingest.IngestAsync(HighwayDatasets.Gantry, gantries, "gantries").GetAwaiter().GetResult();
                }
                using (var csv = new CsvRecordSource(File.OpenRead(files.GantryTransactions), HighwayDatasets.GantryTransaction, SourceEncodings.Parse("utf-8")))
                {
                    ingest.IngestAsync(HighwayDatasets.GantryTransaction, csv, "ceiling").GetAwaiter().GetResult();
                }
                var batch = long.Parse(Query(connection, $"SELECT max(_batch) FROM {source}").Single(), System.Globalization.CultureInfo.InvariantCulture);
                var a = Path.Combine(_dir, $"day{day}-a.bin");
                var b = Path.Combine(_dir, $"day{day}-b.bin");
                Export(connection, $"SELECT {_columns} FROM {source} WHERE _batch = {batch} AND (_pos / 8192) % 2 = 0 ORDER BY _seq", a);
                Export(connection, $"SELECT {_columns} FROM {source} WHERE _batch = {batch} AND (_pos / 8192) % 2 = 1 ORDER BY _seq", b);
                _streams.Add((a, b));
                Directory.Delete(Path.Combine(_dir, "day" + day), true);
            }
            PostgresReset.Truncate(_url, registry);
            Execute(connection, $"DROP TABLE IF EXISTS {Table}");
            Execute(connection, $"CREATE TABLE {Table} (LIKE {source} INCLUDING ALL)");
            if (Indexes == "time only")
            {
                foreach (var index in Query(connection, $"SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = '{Table}'::regclass AND indisunique"))
                {
                    Execute(connection, $"DROP INDEX {index}");
                }
            }
            Execute(connection, "CHECKPOINT");
        }
        finally
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        _first = Open();
        _second = Open();
    }

    [Benchmark(Description = "PostgreSQL alone: 200k gantry transactions as two binary COPY streams at once, a new day into a growing table")]
    public async Task Copy()
    {
        if (_next == _streams.Count)
        {
            throw new InvalidOperationException($"the benchmark ran more than {Files} copies; raise Files");
        }
        var (a, b) = _streams[_next++];
        await Task.WhenAll(Send(_first, a), Send(_second, b));
    }

    private async Task Send(NpgsqlConnection connection, string file)
    {
        await using var copy = await connection.BeginRawBinaryCopyAsync($"COPY {Table} ({_columns}) FROM STDIN (FORMAT BINARY)");
        await using var bytes = File.OpenRead(file);
        await bytes.CopyToAsync(copy);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Execute(_first, $"DROP TABLE IF EXISTS {Table}");
        _first.Dispose();
        _second.Dispose();
        Directory.Delete(_dir, true);
    }

    private NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(TransportBrain.Hub.Storage.Postgres.PostgresConnectionString.Parse(_url).ToString());
        connection.Open();
        return connection;
    }

    private static void Export(NpgsqlConnection connection, string query, string file)
    {
        using var copy = connection.BeginRawBinaryCopy($"COPY ({query}) TO STDOUT (FORMAT BINARY)");
        using var output = File.Create(file);
        copy.CopyTo(output);
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static List<string> Query(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }
        return values;
    }
}
