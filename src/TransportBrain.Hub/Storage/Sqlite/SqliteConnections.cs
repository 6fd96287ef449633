using System.Data;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace TransportBrain.Hub.Storage.Sqlite;

/// <summary>
/// The store's own pool of open SQLite connections, used instead of Microsoft.Data.Sqlite's (the connection
/// string turns that one off with <c>Pooling=False</c>).
/// <para>
/// Microsoft.Data.Sqlite 6.0 (the newest that restores here) can hand one native connection to two owners.
/// When its pool runs dry it "reclaims" every connection that is active without an owner, and a connection
/// is briefly in that state while it is handed out and while it is given back (dotnet/efcore#39008). Two
/// threads on one connection then interleave their transactions ("cannot start a transaction within a
/// transaction", HTTP 500s under load) or, without SQLite's connection mutex, corrupt its memory.
/// </para>
/// <para>
/// Here a connection is either idle in this pool or owned by whoever opened it, and both moves happen under one
/// lock. A new connection gets the store's pragmas once, and <see cref="BusyWait"/> as its busy handler.
/// </para>
/// </summary>
internal sealed class SqliteConnections(string connectionString, string pragmas, int maxIdle = 16) : IDisposable
{
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
                cmd.CommandText = pragmas;
                cmd.ExecuteNonQuery();
            }
            BusyWait.Install(created);
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

/// <summary>
/// The busy handler SQLite itself uses when its library is built with <c>usleep</c>: waits of 1, 2, 5, 10, 15,
/// 20, 25, 25, 25, 50, 50 ms, then 100 ms, until 30 s in all. The e_sqlite3 library of SQLitePCLRaw 2.0.6 was
/// built without <c>usleep</c>, so its own handler (<c>PRAGMA busy_timeout</c>) sleeps a whole second between
/// tries: a write that met a lock waited at least 1 s, and under a steady stream of other writers it could miss
/// the lock 30 times in a row and fail with "database is locked".
/// </summary>
internal static class BusyWait
{
    public const int TimeoutMs = 30_000;
    private static readonly int[] Delays = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
    private static readonly int[] Totals = [0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228];

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Handler(IntPtr state, int count);

    private static readonly Handler Callback = OnBusy;
    private static readonly IntPtr CallbackPointer = Marshal.GetFunctionPointerForDelegate(Callback);

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_busy_handler")]
    private static extern int SetBusyHandler(IntPtr db, IntPtr handler, IntPtr state);

    public static void Install(SqliteConnection connection)
    {
        var rc = SetBusyHandler(connection.Handle!.DangerousGetHandle(), CallbackPointer, IntPtr.Zero);
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"sqlite3_busy_handler failed ({rc})", rc);
        }
    }

    /// <summary>How long to sleep before try <paramref name="count"/> + 1, or 0 to give up (SQLITE_BUSY).</summary>
    public static int DelayMs(int count)
    {
        var (delay, prior) = count < Delays.Length ? (Delays[count], Totals[count]) : (Delays[^1], Totals[^1] + (count - (Delays.Length - 1)) * Delays[^1]);
        if (prior + delay > TimeoutMs)
        {
            delay = TimeoutMs - prior;
        }
        return Math.Max(0, delay);
    }

    private static int OnBusy(IntPtr state, int count)
    {
        var delay = DelayMs(count);
        if (delay <= 0)
        {
            return 0;
        }
        Thread.Sleep(delay);
        return 1;
    }
}
