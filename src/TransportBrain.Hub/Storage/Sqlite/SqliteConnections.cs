using System.Data;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace TransportBrain.Hub.Storage.Sqlite;

/// <summary>
/// The store's own pool of open SQLite connections, used instead of Microsoft.Data.Sqlite's (the connection
/// string turns that one off with <c>Pooling=False</c>).
/// <para>
/// Microsoft.Data.Sqlite's pool can hand one native connection to two owners (reported against 10.0.11; the
/// fix, efcore#39009, is not in a release we can restore, and 6.0, used until session 12, has it too).
/// When its pool runs dry it "reclaims" every connection that is active without an owner, and a connection
/// is briefly in that state while it is handed out and while it is given back (dotnet/efcore#39008). Two
/// threads on one connection then interleave their transactions ("cannot start a transaction within a
/// transaction", HTTP 500s under load) or, without SQLite's connection mutex, corrupt its memory.
/// </para>
/// <para>
/// Here a connection is either idle in this pool or owned by whoever opened it, and both moves happen under one
/// lock. A new connection gets the store's pragmas once, and waits up to 30 s for another connection's lock.
/// </para>
/// </summary>
internal sealed class SqliteConnections(string connectionString, string pragmas, int maxIdle = 16) : IDisposable
{
    /// <summary>
    /// How long a statement waits for another connection's lock before it fails with "database is locked".
    /// SQLite retries after 1, 2, 5, 10 ... 100 ms. (The SQLite of SQLitePCLRaw 2.0.6, used until session 12,
    /// was built without <c>usleep</c> and slept a whole second between tries.)
    /// </summary>
    private const string BusyTimeout = "PRAGMA busy_timeout=30000; ";

    static SqliteConnections() => SqliteLibrary.Init();

    private readonly Stack<PooledConnection> _idle = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Native connections opened so far (for tests and diagnostics).</summary>
    public int Opened { get; private set; }

    /// <summary>
    /// An open connection that the caller owns until it disposes it (which gives it back). After the pool is
    /// disposed (the store is closing) a connection is still opened, and closed when its owner disposes it.
    /// </summary>
    public SqliteConnection Rent()
    {
        lock (_gate)
        {
            if (_idle.TryPop(out var idle))
            {
                idle.InPool = false;
                return idle;
            }
            Opened++;
        }
        var created = new PooledConnection(connectionString, this);
        try
        {
            created.Open();
            using (var cmd = created.CreateCommand())
            {
                cmd.CommandText = BusyTimeout + pragmas;
                cmd.ExecuteNonQuery();
            }
            return created;
        }
        catch
        {
            created.CloseForGood();
            throw;
        }
    }

    /// <summary>Takes a connection back when it is open, outside a transaction and the pool has room.</summary>
    private bool TryReturn(PooledConnection c)
    {
        lock (_gate)
        {
            if (c.InPool)
            {
                return true; // disposed twice: it is already back
            }
            if (_disposed || _idle.Count >= maxIdle || c.State != ConnectionState.Open || raw.sqlite3_get_autocommit(c.Handle) == 0)
            {
                return false;
            }
            c.InPool = true;
            _idle.Push(c);
            return true;
        }
    }

    /// <summary>Closes the idle connections; connections still rented close when their owners dispose them.</summary>
    public void Dispose()
    {
        List<PooledConnection> idle;
        lock (_gate)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }
        foreach (var c in idle)
        {
            c.CloseForGood();
        }
    }

    private sealed class PooledConnection(string connectionString, SqliteConnections pool) : SqliteConnection(connectionString)
    {
        /// <summary>Idle in the pool (changed only under the pool's lock).</summary>
        public bool InPool { get; set; }

        public void CloseForGood() => base.Dispose(true);

        protected override void Dispose(bool disposing)
        {
            if (disposing && pool.TryReturn(this))
            {
                return;
            }
            base.Dispose(disposing);
        }
    }
}
