using System.Data.Common;
using Microsoft.Data.Sqlite;
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
        cmd.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF;";
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

        public async ValueTask<ChunkResult> WriteAsync(IngestChunk chunk, CancellationToken ct = default)
        {
            var dialect = store.Dialect;
            var fields = dataset.Fields;
            using var tx = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = _insertSql;
            var batch = insert.Parameters.Add("@b", SqliteType.Integer);
            var pos = insert.Parameters.Add("@p", SqliteType.Integer);
            var parameters = new SqliteParameter[fields.Count];
            for (var i = 0; i < fields.Count; i++)
            {
                parameters[i] = insert.Parameters.Add("@f" + i, ((SqliteDialect)dialect).ParameterType(fields[i].Type));
            }
            insert.Prepare();
            batch.Value = batchId;
            var stored = 0;
            var duplicates = new List<Quality.Violation>();
            var rejected = chunk.Rejected;
            List<QuarantinedRecord>? dupes = null;
            for (var r = 0; r < chunk.Rows.Count; r++)
            {
                var row = chunk.Rows[r];
                pos.Value = chunk.Positions[r];
                for (var i = 0; i < parameters.Length; i++)
                {
                    parameters[i].Value = dialect.ToDb(row[i], fields[i].Type);
                }
                if (insert.ExecuteNonQuery() == 1)
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
            if (rejected.Count > 0 || dupes is not null)
            {
                using var qi = store.PrepareQuarantineInsert(connection, tx);
                foreach (var q in rejected)
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

        public ValueTask DisposeAsync() => connection.DisposeAsync();
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

    public SqliteType ParameterType(FieldType type) => type switch
    {
        FieldType.String => SqliteType.Text,
        FieldType.Double => SqliteType.Real,
        _ => SqliteType.Integer,
    };

    public override object ToDb(object? value, FieldType type) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset t => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10,
        bool b => b ? 1L : 0L,
        _ => value,
    };

    public override object? FromDb(DbDataReader reader, int ordinal, FieldType type) => type switch
    {
        FieldType.Instant => new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + reader.GetInt64(ordinal) * 10, TimeSpan.Zero),
        FieldType.Boolean => reader.GetInt64(ordinal) != 0,
        FieldType.Int64 => reader.GetInt64(ordinal),
        FieldType.Double => reader.GetDouble(ordinal),
        _ => reader.GetString(ordinal),
    };
}
