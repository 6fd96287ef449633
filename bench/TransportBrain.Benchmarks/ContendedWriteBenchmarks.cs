using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using TransportBrain.Hub.Storage.Sqlite;

namespace TransportBrain.Benchmarks;

/// <summary>
/// How long a SQLite write on one of the store's connections waits when it meets another connection's
/// transaction that commits 20 ms later (the SQLite of SQLitePCLRaw 2.0.6, used until session 12, slept a whole
/// second between tries: 1,004 ms; see docs/benchmarks.md). Each operation is one such meeting: a holder takes
/// the write lock, the measured write starts on another thread, the holder commits after 20 ms, and the
/// operation ends when the write is done.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 10, invocationCount: 1)]
public class ContendedWriteBenchmarks
{
    private string _dir = "";
    private SqliteConnections? _pool;
    private SqliteConnection? _holder;
    private SqliteConnection? _writer;

    [GlobalSetup]
    public void Setup()
    {
        SqliteLibrary.Init();
        _dir = Directory.CreateTempSubdirectory("brain-bench-contended-").FullName;
        var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dir, "contended.db"), Pooling = false }.ToString();
        _holder = new SqliteConnection(cs);
        _holder.Open();
        Exec(_holder, "PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER)");
        _pool = new SqliteConnections(cs, "PRAGMA synchronous=NORMAL");
        _writer = _pool.Rent();
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
