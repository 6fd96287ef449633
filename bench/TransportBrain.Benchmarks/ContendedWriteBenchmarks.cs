using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using TransportBrain.Hub.Storage.Sqlite;

namespace TransportBrain.Benchmarks;

/// <summary>
/// How long a SQLite write waits when it meets another connection's transaction that commits 20 ms later: with
/// SQLite's own busy handler (<c>PRAGMA busy_timeout</c>, which in the e_sqlite3 build of SQLitePCLRaw 2.0.6
/// sleeps whole seconds) against the store's connections (<see cref="BusyWait"/>). Each operation is one
/// such meeting: a holder takes the write lock, the measured write starts on another thread, the holder commits
/// after 20 ms, and the operation ends when the write is done.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 10, invocationCount: 1)]
public class ContendedWriteBenchmarks
{
    private string _dir = "";
    private SqliteConnections? _pool;
    private SqliteConnection? _holder;
    private SqliteConnection? _writer;

    [Params("busy_timeout (SQLite's handler)", "store connection (BusyWait)")]
    public string Waiting { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        SQLitePCL.Batteries_V2.Init();
        _dir = Directory.CreateTempSubdirectory("brain-bench-contended-").FullName;
        var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dir, "contended.db"), Pooling = false }.ToString();
        _holder = new SqliteConnection(cs);
        _holder.Open();
        Exec(_holder, "PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER)");
        if (Waiting.StartsWith("busy_timeout", StringComparison.Ordinal))
        {
            _writer = new SqliteConnection(cs);
            _writer.Open();
            Exec(_writer, "PRAGMA busy_timeout=30000");
        }
        else
        {
            _pool = new SqliteConnections(cs, "PRAGMA synchronous=NORMAL");
            _writer = _pool.Rent();
        }
    }

    [Benchmark(Description = "a write meeting a lock released after 20 ms")]
    public void WriteMeetingALock()
    {
        Exec(_holder!, "BEGIN IMMEDIATE; INSERT INTO t VALUES (1)");
        var write = Task.Factory.StartNew(() => Exec(_writer!, "INSERT INTO t VALUES (2)"), TaskCreationOptions.LongRunning);
        Thread.Sleep(20);
        Exec(_holder!, "COMMIT");
        write.GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer?.Dispose();
        _pool?.Dispose();
        _holder?.Dispose();
        Directory.Delete(_dir, true);
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
