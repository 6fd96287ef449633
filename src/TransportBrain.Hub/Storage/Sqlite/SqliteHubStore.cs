using System.Data.Common;
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

    static SqliteHubStore() => SQLitePCL.Batteries_V2.Init();

    public SqliteHubStore(string path) : base(new SqliteDialect())
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
        using var c = new SqliteConnection(_connectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL;";
        cmd.ExecuteNonQuery();
    }

    public string Path { get; }
    public override string Kind => "sqlite";
    public override string Location => Path;

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken ct)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(ct);
        using var cmd = c.CreateCommand();
        // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
        cmd.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;";
        cmd.ExecuteNonQuery();
        return c;
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
        return new SqliteRecordWriter(this, connection, dataset, batchId);
    }

    private sealed class SqliteRecordWriter(SqliteHubStore store, SqliteConnection connection, DatasetDefinition dataset, long batchId) : IRecordWriter
    {
        private readonly string _insertSql =
            $"INSERT INTO {DatasetIds.TableName(dataset.Id)} (_batch, _pos, {string.Join(", ", dataset.Fields.Select(f => $"\"{f.Name}\""))}) " +
            $"VALUES (@b, @p, {string.Join(", ", dataset.Fields.Select((_, i) => "@f" + i))})" +
            (dataset.UniqueKey.Count > 0 ? " ON CONFLICT DO NOTHING" : "");

        private SQLitePCL.sqlite3_stmt? _insert;

        public async ValueTask<ChunkResult> WriteAsync(IngestChunk chunk, CancellationToken ct = default)
        {
            var fields = dataset.Fields;
            var db = connection.Handle!;
            using var tx = connection.BeginTransaction();
            // The hot loop binds through SQLitePCL directly: Microsoft.Data.Sqlite's parameter objects cost
            // more per row than SQLite's own insert does (see docs/benchmarks.md).
            if (_insert is null)
            {
                Check(raw.sqlite3_prepare_v2(db, _insertSql, out var statement), db);
                _insert = statement;
            }
            var stmt = _insert;
            var stored = 0;
            var duplicates = new List<Quality.Violation>();
            List<QuarantinedRecord>? dupes = null;
            for (var r = 0; r < chunk.Rows.Count; r++)
            {
                var row = chunk.Rows[r];
                raw.sqlite3_bind_int64(stmt, 1, batchId);
                raw.sqlite3_bind_int64(stmt, 2, chunk.Positions[r]);
                for (var i = 0; i < fields.Count; i++)
                {
                    var index = i + 3;
                    switch (row[i])
                    {
                        case null:
                            raw.sqlite3_bind_null(stmt, index);
                            break;
                        case string text:
                            raw.sqlite3_bind_text(stmt, index, text);
                            break;
                        case long l:
                            raw.sqlite3_bind_int64(stmt, index, l);
                            break;
                        case double d:
                            raw.sqlite3_bind_double(stmt, index, d);
                            break;
                        case bool b:
                            raw.sqlite3_bind_int64(stmt, index, b ? 1 : 0);
                            break;
                        case DateTimeOffset t:
                            raw.sqlite3_bind_int64(stmt, index, SqliteDialect.ToMicros(t));
                            break;
                        default:
                            raw.sqlite3_bind_text(stmt, index, Convert.ToString(row[i], System.Globalization.CultureInfo.InvariantCulture));
                            break;
                    }
                }
                var rc = raw.sqlite3_step(stmt);
                raw.sqlite3_reset(stmt);
                if (rc != raw.SQLITE_DONE)
                {
                    Check(rc, db);
                }
                if (raw.sqlite3_changes(db) == 1)
                {
                    stored++;
                }
                else
                {
                    var q = Duplicate(dataset, batchId, chunk.Positions[r], chunk.Raws[r], chunk.Format, row, DateTimeOffset.UtcNow);
                    (dupes ??= []).Add(q);
                    duplicates.Add(new Quality.Violation(Quality.RuleKind.Unique, string.Join("+", dataset.UniqueKey), q.Reason));
                }
            }
            if (chunk.Rejected.Count > 0 || dupes is not null)
            {
                using var qi = store.PrepareQuarantineInsert(connection, tx);
                foreach (var q in chunk.Rejected)
                {
                    await store.InsertQuarantineAsync(qi, q, ct);
                }
                foreach (var q in dupes ?? [])
                {
                    await store.InsertQuarantineAsync(qi, q, ct);
                }
            }
            tx.Commit();
            return new ChunkResult(stored, duplicates);
        }

        private static void Check(int rc, SQLitePCL.sqlite3 db)
        {
            if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
            {
                throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
            }
        }

        public ValueTask DisposeAsync()
        {
            _insert?.Dispose();
            return connection.DisposeAsync();
        }
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
