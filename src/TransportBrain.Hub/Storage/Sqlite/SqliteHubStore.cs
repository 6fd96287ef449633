using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Storage.Sqlite;

/// <summary>
/// The embedded default: one SQLite file in WAL mode. Instants are INTEGER microseconds since the
/// Unix epoch (UTC), which sorts and range-scans as fast as it can.
/// </summary>
public sealed class SqliteHubStore : SqlHubStore
{
    private readonly string _connectionString;

    /// <summary>Page size of a new database file; an existing one keeps the size it was created with.</summary>
    public const int NewDatabasePageSize = 16384;

    /// <summary>
    /// How much WAL a connection lets grow before a commit checkpoints it itself (SQLite's default is 1,000
    /// pages); in between, a background connection checkpoints (see <see cref="BackgroundCheckpointer"/>).
    /// Every connection has this threshold, not only the record writer's: with SQLite's default, whichever
    /// small write (a document, a registration) commits after the WAL passes 1,000 pages copies the record
    /// writer's whole backlog into the database and waits for its fsyncs, and a live source's group commits
    /// queue behind it.
    /// </summary>
    private const long WriterCheckpointBytes = 256L << 20;

    /// <summary>What the WAL file is cut back to after a checkpoint (it is otherwise left at its largest).</summary>
    private const long WalSizeLimitBytes = 64L << 20;

    static SqliteHubStore() => SqliteLibrary.Init();

    public SqliteHubStore(string path) : base(new SqliteDialect())
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
        using var c = new SqliteConnection(_connectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        // 16 KiB pages: fewer, fuller B-tree pages for the bulk writer to split and log (page_size only
        // takes effect while the file is still empty, before WAL mode fixes it).
        cmd.CommandText = $"PRAGMA page_size={NewDatabasePageSize}; PRAGMA journal_mode=WAL;";
        cmd.ExecuteNonQuery();
        cmd.CommandText = "PRAGMA page_size";
        var pageSize = Math.Max(512, Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture));
        // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
        // The checkpoint threshold: see WriterCheckpointBytes. The pool adds the busy timeout.
        _connections = new SqliteConnections(_connectionString,
            "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; " +
            $"PRAGMA wal_autocheckpoint={Math.Max(1000, WriterCheckpointBytes / pageSize).ToString(CultureInfo.InvariantCulture)};");
    }

    /// <summary>The store's connections (Microsoft.Data.Sqlite's own pool is off: see <see cref="SqliteConnections"/>).</summary>
    private readonly SqliteConnections _connections;

    public string Path { get; }
    public override string Kind => "sqlite";
    public override string Location => Path;

    protected override ValueTask<DbConnection> OpenAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult<DbConnection>(_connections.Rent());
    }

    /// <summary>Native connections the store has opened so far (its pool reuses them).</summary>
    internal int ConnectionsOpened => _connections.Opened;

    public override async ValueTask DisposeAsync()
    {
        _connections.Dispose();
        await base.DisposeAsync();
    }

    protected override async Task<HashSet<string>> ExistingColumnsAsync(DbConnection connection, string table, CancellationToken ct)
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var cmd = Command(connection, null, $"PRAGMA table_info({table})");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            set.Add(r.GetString(1));
        }
        return set;
    }

    protected override async Task<IRecordWriter> CreateWriterAsync(DatasetDefinition dataset, long batchId, CancellationToken ct)
    {
        var connection = (SqliteConnection)await OpenAsync(ct);
        try
        {
            // The writer checkpoints only when the WAL passes 256 MiB (as every connection does); before that
            // the background checkpointer has copied most of it into the database file, so the writer thread
            // does not wait for the checkpoint's two fsyncs (WAL, then database) after every few chunks.
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"PRAGMA journal_size_limit={WalSizeLimitBytes.ToString(CultureInfo.InvariantCulture)}";
            cmd.ExecuteNonQuery();
            return new SqliteRecordWriter(this, connection, dataset, batchId, new BackgroundCheckpointer(this));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Owns one connection for the writer's lifetime and writes each chunk in one transaction. The
    /// insert statement is prepared once and driven through <see cref="Native"/>: every value of a row
    /// is bound without allocating (text is encoded into one pinned buffer that SQLite reads in place),
    /// which matters because the writer thread is what limits an import.
    /// </summary>
    private sealed class SqliteRecordWriter : IRecordWriter
    {
        private readonly SqliteHubStore _store;
        private readonly SqliteConnection _connection;
        private readonly DatasetDefinition _dataset;
        private readonly long _batchId;
        private readonly bool _unique;
        private readonly string _insertSql;
        private readonly BackgroundCheckpointer _checkpointer;
        private sqlite3_stmt? _insert;
        private byte[] _text = GC.AllocateUninitializedArray<byte>(16 * 1024, pinned: true);
        private long _rowsSinceCheckpoint;
        private long _lastCheckpointRequest = Environment.TickCount64;

        public SqliteRecordWriter(SqliteHubStore store, SqliteConnection connection, DatasetDefinition dataset, long batchId, BackgroundCheckpointer checkpointer)
        {
            _checkpointer = checkpointer;
            _store = store;
            _connection = connection;
            _dataset = dataset;
            _batchId = batchId;
            _unique = dataset.UniqueKey.Count > 0;
            _insertSql =
                $"INSERT INTO {DatasetIds.TableName(dataset.Id)} (_batch, _pos, {string.Join(", ", dataset.Fields.Select(f => $"\"{f.Name}\""))}) " +
                $"VALUES (?, ?, {string.Join(", ", dataset.Fields.Select(_ => "?"))})" +
                (_unique ? " ON CONFLICT DO NOTHING" : "");
        }

        public async ValueTask<ChunkResult> WriteAsync(IngestChunk chunk, CancellationToken ct = default)
        {
            if (chunk.Encoded is not null)
            {
                throw new ArgumentException("the chunk's records were encoded for another store", nameof(chunk));
            }
            var rows = chunk.Rows;
            if (chunk.Positions.Count != rows.Count || chunk.Raws.Count != rows.Count)
            {
                throw new ArgumentException("the chunk's rows, positions and raws differ in number", nameof(chunk));
            }
            var db = _connection.Handle!;
            if (_insert is null)
            {
                Check(raw.sqlite3_prepare_v2(db, _insertSql, out var statement), db);
                _insert = statement;
            }
            var duplicates = new List<Quality.Violation>();
            List<int>? duplicateRows = null;
            List<QuarantinedRecord>? dupes = null;
            using var tx = _connection.BeginTransaction();
            var stored = InsertRows(chunk, db, ref duplicateRows);
            if (duplicateRows is not null)
            {
                var at = DateTimeOffset.UtcNow;
                var rule = string.Join("+", _dataset.UniqueKey);
                dupes = new List<QuarantinedRecord>(duplicateRows.Count);
                foreach (var r in duplicateRows)
                {
                    var q = Duplicate(_dataset, _batchId, chunk.Positions[r], chunk.Raws[r], chunk.Format, [.. _dataset.UniqueKey.Select(k => rows[r][_dataset.FieldIndex(k)])], at);
                    dupes.Add(q);
                    duplicates.Add(new Quality.Violation(Quality.RuleKind.Unique, rule, q.Reason));
                }
            }
            if (chunk.Rejected.Count > 0 || dupes is not null)
            {
                using var qi = _store.PrepareQuarantineInsert(_connection, tx);
                foreach (var q in chunk.Rejected)
                {
                    await _store.InsertQuarantineAsync(qi, q, ct);
                }
                foreach (var q in dupes ?? [])
                {
                    await _store.InsertQuarantineAsync(qi, q, ct);
                }
            }
            tx.Commit();
            _rowsSinceCheckpoint += rows.Count + chunk.Rejected.Count;
            // A live source commits small groups, each rewriting a few whole pages: its WAL grows much faster
            // than its rows say, so it is checkpointed at least every second as well.
            if (_rowsSinceCheckpoint >= BackgroundCheckpointer.EveryRows || Environment.TickCount64 - _lastCheckpointRequest >= 1000)
            {
                _rowsSinceCheckpoint = 0;
                _lastCheckpointRequest = Environment.TickCount64;
                _checkpointer.Request();
            }
            return new ChunkResult(stored, duplicates) { DuplicateRows = duplicateRows ?? (IReadOnlyList<int>)[] };
        }

        /// <summary>Inserts the chunk's rows in order; a row the unique key refuses is listed in <paramref name="duplicateRows"/>.</summary>
        private int InsertRows(IngestChunk chunk, sqlite3 db, ref List<int>? duplicateRows)
        {
            var fields = _dataset.Fields;
            var stmt = _insert!.DangerousGetHandle();
            var dbHandle = db.DangerousGetHandle();
            var rows = chunk.Rows;
            var stored = 0;
            for (var r = 0; r < rows.Count; r++)
            {
                var row = rows[r];
                EnsureTextCapacity(row);
                var text = _text;
                var textBase = Marshal.UnsafeAddrOfPinnedArrayElement(text, 0);
                var used = 0;
                Native.BindInt64(stmt, 1, _batchId);
                Native.BindInt64(stmt, 2, chunk.Positions[r]);
                for (var i = 0; i < fields.Count; i++)
                {
                    var index = i + 3;
                    switch (row[i])
                    {
                        case null:
                            Native.BindNull(stmt, index);
                            break;
                        case string s:
                            // SQLITE_STATIC: SQLite reads the bytes in place; they stay put until the next row is bound.
                            var n = Encoding.UTF8.GetBytes(s, text.AsSpan(used));
                            Native.BindText(stmt, index, textBase + used, n, IntPtr.Zero);
                            used += n;
                            break;
                        case long l:
                            Native.BindInt64(stmt, index, l);
                            break;
                        case DateTimeOffset t:
                            Native.BindInt64(stmt, index, SqliteDialect.ToMicros(t));
                            break;
                        case double d:
                            Native.BindDouble(stmt, index, d);
                            break;
                        case bool b:
                            Native.BindInt64(stmt, index, b ? 1 : 0);
                            break;
                        default:
                            var other = Encoding.UTF8.GetBytes(Convert.ToString(row[i], CultureInfo.InvariantCulture) ?? "");
                            raw.sqlite3_bind_text(_insert, index, other);
                            break;
                    }
                }
                var rc = Native.Step(stmt);
                Native.Reset(stmt);
                if (rc != raw.SQLITE_DONE)
                {
                    Check(rc, db);
                }
                if (!_unique || Native.Changes(dbHandle) == 1)
                {
                    stored++;
                }
                else
                {
                    (duplicateRows ??= []).Add(r);
                }
            }
            return stored;
        }

        /// <summary>Makes the pinned text buffer big enough for every string of the row, before any is bound.</summary>
        private void EnsureTextCapacity(object?[] row)
        {
            var need = 0;
            foreach (var v in row)
            {
                if (v is string s)
                {
                    need += Encoding.UTF8.GetMaxByteCount(s.Length);
                }
            }
            if (need > _text.Length)
            {
                _text = GC.AllocateUninitializedArray<byte>(Math.Max(need, _text.Length * 2), pinned: true);
            }
        }

        private static void Check(int rc, sqlite3 db)
        {
            if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
            {
                throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _insert?.Dispose();
            await _checkpointer.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Copies the WAL into the database file on its own connection and thread while the writer goes on
    /// (a PASSIVE checkpoint: it takes no lock the writer needs). Requests that arrive while one runs
    /// are merged into one more run.
    /// </summary>
    private sealed class BackgroundCheckpointer(SqliteHubStore store) : IAsyncDisposable
    {
        /// <summary>Rows written between requests: about 10 MB of WAL for a typical record.</summary>
        public const int EveryRows = 4 * 8192;

        private readonly Lock _sync = new();
        private SqliteConnection? _connection;
        private Task _running = Task.CompletedTask;
        private bool _active;
        private bool _again;
        private bool _disposed;

        public void Request()
        {
            lock (_sync)
            {
                if (_disposed)
                {
                    return;
                }
                if (_active)
                {
                    _again = true;
                    return;
                }
                _active = true;
                _running = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
        }

        private void Run()
        {
            while (true)
            {
                try
                {
                    _connection ??= store._connections.Rent();
                    using var cmd = _connection.CreateCommand();
                    cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                    cmd.ExecuteNonQuery();
                }
                catch (Exception e) when (e is SqliteException or InvalidOperationException)
                {
                    // Best effort: the writer's own checkpoint (at 256 MiB of WAL) still bounds the WAL.
                }
                lock (_sync)
                {
                    if (!_again || _disposed)
                    {
                        _active = false;
                        return;
                    }
                    _again = false;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            Task running;
            lock (_sync)
            {
                _disposed = true;
                running = _running;
            }
            await running;
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The few SQLite calls of the insert loop, imported straight from the e_sqlite3 library that
    /// SQLitePCLRaw loads, with raw handles and blittable arguments: SQLitePCL's own wrappers add a
    /// SafeHandle reference count and marshalling to each of the ~20 calls a row takes. The bind calls
    /// are short and never call back, so they also skip the GC transition; step does I/O and keeps it.
    /// </summary>
    private static class Native
    {
        private const string Library = "e_sqlite3";

        [DllImport(Library, EntryPoint = "sqlite3_bind_int64"), SuppressGCTransition]
        public static extern int BindInt64(IntPtr stmt, int index, long value);

        [DllImport(Library, EntryPoint = "sqlite3_bind_double"), SuppressGCTransition]
        public static extern int BindDouble(IntPtr stmt, int index, double value);

        [DllImport(Library, EntryPoint = "sqlite3_bind_null"), SuppressGCTransition]
        public static extern int BindNull(IntPtr stmt, int index);

        [DllImport(Library, EntryPoint = "sqlite3_bind_text"), SuppressGCTransition]
        public static extern int BindText(IntPtr stmt, int index, IntPtr utf8, int bytes, IntPtr destructor);

        [DllImport(Library, EntryPoint = "sqlite3_step")]
        public static extern int Step(IntPtr stmt);

        [DllImport(Library, EntryPoint = "sqlite3_reset"), SuppressGCTransition]
        public static extern int Reset(IntPtr stmt);

        [DllImport(Library, EntryPoint = "sqlite3_changes"), SuppressGCTransition]
        public static extern int Changes(IntPtr db);
    }
}

internal sealed class SqliteDialect : SqlDialect
{
    public override string IdentityPrimaryKey => "INTEGER PRIMARY KEY";
    public override string BytesType => "BLOB";

    public override string ColumnType(FieldType type) => type switch
    {
        FieldType.String => "TEXT",
        FieldType.Double => "REAL",
        _ => "INTEGER",
    };

    public override object ToDb(object? value, FieldType type) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset t => ToMicros(t),
        bool b => b ? 1L : 0L,
        _ => value,
    };

    public static long ToMicros(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public override object? FromDb(DbDataReader reader, int ordinal, FieldType type) => type switch
    {
        FieldType.Instant => new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + reader.GetInt64(ordinal) * 10, TimeSpan.Zero),
        FieldType.Boolean => reader.GetInt64(ordinal) != 0,
        FieldType.Int64 => reader.GetInt64(ordinal),
        FieldType.Double => reader.GetDouble(ordinal),
        _ => reader.GetString(ordinal),
    };
}
