using Microsoft.Data.Sqlite;
using TransportBrain.Hub.Storage.Sqlite;

namespace TransportBrain.Hub.Tests.Storage;

/// <summary>The SQLite store's own connection pool and its waits for locks (see <see cref="SqliteConnections"/>).</summary>
public sealed class SqliteConnectionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("brain-sqlite-pool-").FullName;

    private SqliteConnections Pool(int maxIdle = 16)
    {
        SqliteLibrary.Init();
        var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dir, "pool.db"), Pooling = false }.ToString();
        using (var c = new SqliteConnection(cs))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS t (owner INTEGER, n INTEGER)";
            cmd.ExecuteNonQuery();
        }
        return new SqliteConnections(cs, "PRAGMA synchronous=NORMAL", maxIdle);
    }

    [Fact]
    public async Task Connections_rented_and_given_back_from_many_threads_never_have_two_owners_at_once()
    {
        using var pool = Pool(maxIdle: 4);
        var owners = new System.Collections.Concurrent.ConcurrentDictionary<IntPtr, int>();
        var shared = 0;
        var written = 0;
        // 8 workers on 2 cores and room for 4 idle: the pool runs dry, refills and closes extra connections all the time.
        await Task.WhenAll(Enumerable.Range(1, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                var c = pool.Rent();
                var handle = c.Handle!.DangerousGetHandle();
                if (!owners.TryAdd(handle, worker))
                {
                    Interlocked.Increment(ref shared);
                }
                using (var tx = c.BeginTransaction())
                using (var cmd = c.CreateCommand())
                {
                    cmd.Transaction = tx;
                    cmd.CommandText = "INSERT INTO t VALUES ($w, $n)";
                    cmd.Parameters.AddWithValue("$w", worker);
                    cmd.Parameters.AddWithValue("$n", i);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                    Interlocked.Increment(ref written);
                }
                owners.TryRemove(handle, out _);
                c.Dispose();
                if (i % 50 == 0)
                {
                    c.Dispose(); // disposed twice: must not put it in the pool twice
                }
            }
        })));

        Assert.Equal(0, shared);
        Assert.Equal(8 * 300, written);
        using var check = pool.Rent();
        using var count = check.CreateCommand();
        count.CommandText = "SELECT count(*) FROM t";
        Assert.Equal(8L * 300, (long)count.ExecuteScalar()!);
    }

    [Fact]
    public void A_connection_given_back_inside_a_transaction_is_closed_not_reused()
    {
        using var pool = Pool();
        var c = pool.Rent();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "BEGIN IMMEDIATE; INSERT INTO t VALUES (1, 1)";
            cmd.ExecuteNonQuery();
        }
        c.Dispose();
        Assert.Equal(System.Data.ConnectionState.Closed, c.State);

        using var next = pool.Rent();
        Assert.Equal(2, pool.Opened); // a new native connection, not the one given back
        using var count = next.CreateCommand();
        count.CommandText = "SELECT count(*) FROM t";
        Assert.Equal(0L, (long)count.ExecuteScalar()!); // the open transaction was rolled back with its connection
    }

    [Fact]
    public void A_connection_given_back_is_the_next_one_rented_with_its_pragmas_kept()
    {
        using var pool = Pool();
        IntPtr first;
        using (var c = pool.Rent())
        {
            first = c.Handle!.DangerousGetHandle();
        }
        using var again = pool.Rent();
        Assert.Equal(first, again.Handle!.DangerousGetHandle());
        Assert.Equal(1, pool.Opened);
        using var cmd = again.CreateCommand();
        cmd.CommandText = "PRAGMA synchronous";
        Assert.Equal(1L, (long)cmd.ExecuteScalar()!); // NORMAL
        cmd.CommandText = "PRAGMA busy_timeout";
        Assert.Equal(30_000L, (long)cmd.ExecuteScalar()!); // every pooled connection waits for another's lock
    }

    [Fact]
    public async Task A_write_that_meets_a_lock_waits_for_it_to_be_released_instead_of_failing()
    {
        using var pool = Pool();
        using var holder = pool.Rent();
        using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE; INSERT INTO t VALUES (1, 1)";
            begin.ExecuteNonQuery();
        }
        var waiter = Task.Run(() =>
        {
            using var c = pool.Rent();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO t VALUES (2, 2)";
            return cmd.ExecuteNonQuery();
        });
        await Task.Delay(300);
        Assert.False(waiter.IsCompleted);
        using (var commit = holder.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            commit.ExecuteNonQuery();
        }
        Assert.Equal(1, await waiter);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }
}
