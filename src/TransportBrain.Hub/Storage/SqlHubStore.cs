using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Security;
using TransportBrain.Hub.Sharing;

namespace TransportBrain.Hub.Storage;

/// <summary>
/// The hub store in plain SQL shared by SQLite and PostgreSQL. A subclass supplies connections, the
/// dialect, the bulk record writer and column introspection.
/// </summary>
public abstract class SqlHubStore : IHubStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly SemaphoreSlim _auditLock = new(1, 1);
    private string? _lastAuditHash;

    protected SqlHubStore(SqlDialect dialect) => Dialect = dialect;

    public SqlDialect Dialect { get; }
    public abstract string Kind { get; }
    public abstract string Location { get; }

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken ct);
    protected abstract Task<HashSet<string>> ExistingColumnsAsync(DbConnection connection, string table, CancellationToken ct);
    protected abstract Task<IRecordWriter> CreateWriterAsync(DatasetDefinition dataset, long batchId, CancellationToken ct);

    /// <summary>
    /// Keeps other processes sharing the database out of InitializeAsync until the result is disposed:
    /// the migration check and CREATE TABLE IF NOT EXISTS are not safe to run concurrently. No lock by default.
    /// </summary>
    protected virtual ValueTask<IAsyncDisposable?> LockSchemaAsync(DbConnection connection, CancellationToken ct) =>
        ValueTask.FromResult<IAsyncDisposable?>(null);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    // ---- schema ---------------------------------------------------------------------------

    public async Task InitializeAsync(DatasetRegistry registry, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var schemaLock = await LockSchemaAsync(c, ct);
        await ExecAsync(c, null, Dialect.Expand("CREATE TABLE IF NOT EXISTS hub_migration (version {int} PRIMARY KEY, description {text} NOT NULL, applied_at {ts} NOT NULL)"), ct);
        var applied = new HashSet<long>();
        await using (var cmd = Command(c, null, "SELECT version FROM hub_migration"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                applied.Add(Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture));
            }
        }
        foreach (var (version, description, statements) in Migrations.All)
        {
            if (applied.Contains(version))
            {
                continue;
            }
            await using var tx = await c.BeginTransactionAsync(ct);
            foreach (var s in statements)
            {
                await ExecAsync(c, tx, Dialect.Expand(s), ct);
            }
            await ExecAsync(c, tx, "INSERT INTO hub_migration (version, description, applied_at) VALUES (@v, @d, @t)", ct,
                ("v", (long)version), ("d", description), ("t", Dialect.ToDb(DateTimeOffset.UtcNow, FieldType.Instant)));
            await tx.CommitAsync(ct);
        }
        foreach (var d in registry.All)
        {
            await EnsureDatasetTableAsync(c, d, ct);
        }
    }

    private async Task EnsureDatasetTableAsync(DbConnection c, DatasetDefinition d, CancellationToken ct)
    {
        var table = DatasetIds.TableName(d.Id);
        // Columns in the dialect's storage order (PostgreSQL: wider fixed-width columns first, text last, so no
        // alignment padding). Every statement names its columns, so only the table's layout changes; tables
        // created before keep theirs.
        var columns = string.Join(", ", d.Fields.OrderBy(f => Dialect.StorageOrder(d, f)).Select(f => $"\"{f.Name}\" {Dialect.ColumnType(d, f)}"));
        await ExecAsync(c, null, $"CREATE TABLE IF NOT EXISTS {table} (_seq {Dialect.RecordSequence(d.TimeField is not null)}, _batch {Dialect.ColumnType(FieldType.Int64)} NOT NULL, _pos {Dialect.ColumnType(FieldType.Int64)} NOT NULL, {columns})", ct);
        if (Dialect.RecordSequenceUpgrade(table) is { } upgrade)
        {
            await ExecAsync(c, null, upgrade, ct);
        }
        var existing = await ExistingColumnsAsync(c, table, ct);
        foreach (var f in d.Fields.Where(f => !existing.Contains(f.Name)))
        {
            // A field added to a declared schema: older records simply have no value for it.
            await ExecAsync(c, null, $"ALTER TABLE {table} ADD COLUMN \"{f.Name}\" {Dialect.ColumnType(d, f)}", ct);
        }
        if (d.TimeField is not null)
        {
            await ExecAsync(c, null, $"CREATE INDEX IF NOT EXISTS {table}_time ON {table} (\"{d.TimeField}\", _seq)", ct);
            // Tables created before the store left the _seq key out of time-indexed tables lose it here (once; then a no-op).
            if (Dialect.DropRecordSequenceKey(table) is { } drop)
            {
                await ExecAsync(c, null, drop, ct);
            }
        }
        if (d.UniqueKey.Count > 0)
        {
            await ExecAsync(c, null, $"CREATE UNIQUE INDEX IF NOT EXISTS {table}_key ON {table} ({string.Join(", ", d.UniqueKey.Select(k => $"\"{k}\""))})", ct);
        }
        var now = Dialect.ToDb(DateTimeOffset.UtcNow, FieldType.Instant);
        await ExecAsync(c, null,
            "INSERT INTO hub_dataset (id, definition, registered_at, updated_at) VALUES (@id, @def, @t, @t) ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
            ct, ("id", d.Id), ("def", JsonSerializer.Serialize(d, Json)), ("t", now));
        await DatasetTableReadyAsync(c, d, ct);
    }

    /// <summary>Called once a dataset's table is in place at start-up, e.g. to learn the types of its columns.</summary>
    protected virtual Task DatasetTableReadyAsync(DbConnection connection, DatasetDefinition dataset, CancellationToken ct) => Task.CompletedTask;

    // ---- records --------------------------------------------------------------------------

    public Task<IRecordWriter> OpenWriterAsync(DatasetDefinition dataset, long batchId, CancellationToken ct = default) =>
        CreateWriterAsync(dataset, batchId, ct);

    public virtual EncodedRows? NewEncodedRows(DatasetDefinition dataset) => null;

    public async Task<RecordPage> ReadRecordsAsync(DatasetDefinition d, RecordQuery q, CancellationToken ct = default)
    {
        var table = DatasetIds.TableName(d.Id);
        var limit = Math.Clamp(q.Limit, 1, 10_000);
        var select = "_seq, " + string.Join(", ", d.Fields.Select(f => $"\"{f.Name}\""));
        var where = new List<string>();
        var args = new List<(string, object)>();
        var cursor = RecordCursor.TryDecode(q.Cursor);
        if (q.Equal is { } equal)
        {
            var n = 0;
            foreach (var (field, value) in equal)
            {
                var fi = d.FieldIndex(field);
                if (fi < 0)
                {
                    throw new ArgumentException($"{d.Id} has no field {field}", nameof(q));
                }
                where.Add($"\"{d.Fields[fi].Name}\" = @eq{n}");
                args.Add(($"eq{n}", Dialect.ToDb(value, d.Fields[fi].Type)));
                n++;
            }
        }
        string order;
        if (d.TimeField is { } tf)
        {
            order = $"\"{tf}\", _seq";
            if (q.From is { } from)
            {
                where.Add($"\"{tf}\" >= @from");
                args.Add(("from", Dialect.ToDb(from, FieldType.Instant)));
            }
            if (q.To is { } to)
            {
                where.Add($"\"{tf}\" < @to");
                args.Add(("to", Dialect.ToDb(to, FieldType.Instant)));
            }
            if (cursor is { } cur)
            {
                where.Add($"(\"{tf}\" > @ct OR (\"{tf}\" = @ct AND _seq > @cs))");
                args.Add(("ct", Dialect.ToDb(new DateTimeOffset(cur.TimeTicks, TimeSpan.Zero), FieldType.Instant)));
                args.Add(("cs", cur.Seq));
            }
        }
        else
        {
            order = "_seq";
            if (cursor is { } cur)
            {
                where.Add("_seq > @cs");
                args.Add(("cs", cur.Seq));
            }
        }
        var sql = $"SELECT {select} FROM {table}{(where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")} ORDER BY {order} LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";
        var records = new List<StoredRecord>(Math.Min(limit, 1024));
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, sql, [.. args]);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var values = new object?[d.Fields.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = r.IsDBNull(i + 1) ? null : Dialect.FromDb(r, i + 1, d.Fields[i].Type);
            }
            records.Add(new StoredRecord(Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), values));
        }
        string? next = null;
        if (records.Count == limit)
        {
            var last = records[^1];
            var ticks = d.TimeFieldIndex >= 0 && last.Values[d.TimeFieldIndex] is DateTimeOffset t ? t.UtcTicks : 0;
            next = RecordCursor.Encode(ticks, last.Seq);
        }
        return new RecordPage(records, next);
    }

    public async Task<long> CountRecordsAsync(DatasetDefinition dataset, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        return await ScalarLongAsync(c, $"SELECT COUNT(*) FROM {DatasetIds.TableName(dataset.Id)}", ct);
    }

    public async Task<IReadOnlySet<string>> LoadFieldValuesAsync(DatasetDefinition dataset, string field, CancellationToken ct = default)
    {
        var index = dataset.FieldIndex(field);
        if (index < 0)
        {
            throw new ArgumentException($"{dataset.Id} has no field {field}", nameof(field));
        }
        var set = new HashSet<string>(StringComparer.Ordinal);
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, $"SELECT DISTINCT \"{dataset.Fields[index].Name}\" FROM {DatasetIds.TableName(dataset.Id)} WHERE \"{dataset.Fields[index].Name}\" IS NOT NULL");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            set.Add(ValueParser.Format(Dialect.FromDb(r, 0, dataset.Fields[index].Type)));
        }
        return set;
    }

    // ---- batches and quarantine ------------------------------------------------------------

    public async Task<long> BeginBatchAsync(BatchStart s, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        return await InsertReturningIdAsync(c, null,
            "INSERT INTO hub_batch (dataset_id, source, format, encoding, header, started_at) VALUES (@d, @s, @f, @e, @h, @t)", ct,
            ("d", s.DatasetId), ("s", s.Source), ("f", s.Format), ("e", s.Encoding), ("h", (object?)s.Header ?? DBNull.Value),
            ("t", Dialect.ToDb(s.StartedAt, FieldType.Instant)));
    }

    public async Task CompleteBatchAsync(QualityReport report, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await ExecAsync(c, null,
            "UPDATE hub_batch SET finished_at = @f, read_count = @r, stored_count = @s, quarantined_count = @q, rule_counts = @rc WHERE id = @id", ct,
            ("f", Dialect.ToDb(report.FinishedAt ?? DateTimeOffset.UtcNow, FieldType.Instant)), ("r", report.Read), ("s", report.Stored),
            ("q", report.Quarantined), ("rc", JsonSerializer.Serialize(report.RuleCounts, Json)), ("id", report.BatchId));
    }

    private const string BatchColumns = "id, dataset_id, source, started_at, finished_at, read_count, stored_count, quarantined_count, rule_counts";

    public async Task<QualityReport?> GetBatchAsync(long batchId, CancellationToken ct = default)
    {
        var list = await QueryBatchesAsync($"SELECT {BatchColumns} FROM hub_batch WHERE id = @id", ct, ("id", batchId));
        return list.Count == 0 ? null : list[0];
    }

    public async Task<IReadOnlyList<QualityReport>> ListBatchesAsync(string datasetId, int limit, CancellationToken ct = default) =>
        await QueryBatchesAsync($"SELECT {BatchColumns} FROM hub_batch WHERE dataset_id = @d ORDER BY id DESC LIMIT {Math.Clamp(limit, 1, 1000)}", ct, ("d", datasetId));

    private async Task<List<QualityReport>> QueryBatchesAsync(string sql, CancellationToken ct, params (string, object)[] args)
    {
        var list = new List<QualityReport>();
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new QualityReport
            {
                BatchId = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture),
                DatasetId = r.GetString(1),
                Source = r.GetString(2),
                StartedAt = (DateTimeOffset)Dialect.FromDb(r, 3, FieldType.Instant)!,
                FinishedAt = r.IsDBNull(4) ? null : (DateTimeOffset)Dialect.FromDb(r, 4, FieldType.Instant)!,
                Read = Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture),
                Stored = Convert.ToInt64(r.GetValue(6), CultureInfo.InvariantCulture),
                Quarantined = Convert.ToInt64(r.GetValue(7), CultureInfo.InvariantCulture),
                RuleCounts = r.IsDBNull(8) ? [] : JsonSerializer.Deserialize<List<RuleCount>>(r.GetString(8), Json) ?? [],
            });
        }
        return list;
    }

    public async Task<BatchStart?> GetBatchStartAsync(long batchId, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT dataset_id, source, format, encoding, header, started_at FROM hub_batch WHERE id = @id", ("id", batchId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }
        return new BatchStart(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
            (DateTimeOffset)Dialect.FromDb(r, 5, FieldType.Instant)!);
    }

    private const string QuarantineColumns = "id, dataset_id, batch_id, position, format, raw, rule, reason, status, created_at, resolved_at, resolved_batch_id";

    public async Task<IReadOnlyList<QuarantinedRecord>> ListQuarantineAsync(string datasetId, QuarantineStatus? status, long afterId, int limit, CancellationToken ct = default)
    {
        var sql = $"SELECT {QuarantineColumns} FROM hub_quarantine WHERE dataset_id = @d AND id > @after{(status is null ? "" : " AND status = @s")} ORDER BY id LIMIT {Math.Clamp(limit, 1, 10_000)}";
        var args = new List<(string, object)> { ("d", datasetId), ("after", afterId) };
        if (status is { } s)
        {
            args.Add(("s", StatusName(s)));
        }
        return await QueryQuarantineAsync(sql, ct, [.. args]);
    }

    public async Task<long> CountQuarantineAsync(string datasetId, QuarantineStatus? status, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        return status is { } s
            ? await ScalarLongAsync(c, "SELECT COUNT(*) FROM hub_quarantine WHERE dataset_id = @d AND status = @s", ct, ("d", datasetId), ("s", StatusName(s)))
            : await ScalarLongAsync(c, "SELECT COUNT(*) FROM hub_quarantine WHERE dataset_id = @d", ct, ("d", datasetId));
    }

    public async Task<QuarantinedRecord?> GetQuarantinedAsync(long id, CancellationToken ct = default)
    {
        var list = await QueryQuarantineAsync($"SELECT {QuarantineColumns} FROM hub_quarantine WHERE id = @id", ct, ("id", id));
        return list.Count == 0 ? null : list[0];
    }

    public async Task ResolveQuarantinedAsync(long id, QuarantineStatus status, long? batchId, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await ExecAsync(c, null, "UPDATE hub_quarantine SET status = @s, resolved_at = @t, resolved_batch_id = @b WHERE id = @id", ct,
            ("s", StatusName(status)), ("t", Dialect.ToDb(at, FieldType.Instant)), ("b", batchId is { } b ? b : DBNull.Value), ("id", id));
    }

    private async Task<List<QuarantinedRecord>> QueryQuarantineAsync(string sql, CancellationToken ct, params (string, object)[] args)
    {
        var list = new List<QuarantinedRecord>();
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new QuarantinedRecord
            {
                Id = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture),
                DatasetId = r.GetString(1),
                BatchId = Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture),
                Position = Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture),
                Format = r.GetString(4),
                Raw = (byte[])r.GetValue(5),
                Rule = r.GetString(6),
                Reason = r.GetString(7),
                Status = Enum.Parse<QuarantineStatus>(r.GetString(8), ignoreCase: true),
                CreatedAt = (DateTimeOffset)Dialect.FromDb(r, 9, FieldType.Instant)!,
                ResolvedAt = r.IsDBNull(10) ? null : (DateTimeOffset)Dialect.FromDb(r, 10, FieldType.Instant)!,
                ResolvedBatchId = r.IsDBNull(11) ? null : Convert.ToInt64(r.GetValue(11), CultureInfo.InvariantCulture),
            });
        }
        return list;
    }

    protected static string StatusName(QuarantineStatus s) => s.ToString().ToLowerInvariant();

    /// <summary>Prepared insert of quarantined records, used by the writers inside their chunk transaction.</summary>
    protected DbCommand PrepareQuarantineInsert(DbConnection c, DbTransaction tx) =>
        Command(c, tx, "INSERT INTO hub_quarantine (dataset_id, batch_id, position, format, raw, rule, reason, status, created_at) VALUES (@d, @b, @p, @f, @raw, @rule, @reason, 'open', @t)",
            ("d", ""), ("b", 0L), ("p", 0L), ("f", ""), ("raw", Array.Empty<byte>()), ("rule", ""), ("reason", ""), ("t", Dialect.ToDb(DateTimeOffset.UnixEpoch, FieldType.Instant)));

    protected async Task InsertQuarantineAsync(DbCommand insert, QuarantinedRecord q, CancellationToken ct)
    {
        insert.Parameters[0].Value = q.DatasetId;
        insert.Parameters[1].Value = q.BatchId;
        insert.Parameters[2].Value = q.Position;
        insert.Parameters[3].Value = q.Format;
        insert.Parameters[4].Value = q.Raw;
        insert.Parameters[5].Value = q.Rule;
        insert.Parameters[6].Value = q.Reason;
        insert.Parameters[7].Value = Dialect.ToDb(q.CreatedAt, FieldType.Instant);
        await insert.ExecuteNonQueryAsync(ct);
    }

    // ---- keys, grants, audit -----------------------------------------------------------

    public async Task CreateKeyAsync(ApiKey key, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await ExecAsync(c, null, "INSERT INTO hub_api_key (id, organisation, name, is_admin, secret_hash, created_at) VALUES (@id, @o, @n, @a, @h, @t)", ct,
            ("id", key.Id), ("o", key.Organisation), ("n", key.Name), ("a", Dialect.ToDb(key.IsAdmin, FieldType.Boolean)), ("h", key.SecretHash),
            ("t", Dialect.ToDb(key.CreatedAt, FieldType.Instant)));
    }

    public async Task<ApiKey?> FindKeyAsync(string id, CancellationToken ct = default)
    {
        var keys = await QueryKeysAsync("SELECT id, organisation, name, is_admin, secret_hash, created_at, revoked_at FROM hub_api_key WHERE id = @id", ct, ("id", id));
        return keys.Count == 0 ? null : keys[0];
    }

    public async Task<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken ct = default) =>
        await QueryKeysAsync("SELECT id, organisation, name, is_admin, secret_hash, created_at, revoked_at FROM hub_api_key ORDER BY created_at, id", ct);

    private async Task<List<ApiKey>> QueryKeysAsync(string sql, CancellationToken ct, params (string, object)[] args)
    {
        var list = new List<ApiKey>();
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new ApiKey
            {
                Id = r.GetString(0),
                Organisation = r.GetString(1),
                Name = r.GetString(2),
                IsAdmin = (bool)Dialect.FromDb(r, 3, FieldType.Boolean)!,
                SecretHash = r.GetString(4),
                CreatedAt = (DateTimeOffset)Dialect.FromDb(r, 5, FieldType.Instant)!,
                RevokedAt = r.IsDBNull(6) ? null : (DateTimeOffset)Dialect.FromDb(r, 6, FieldType.Instant)!,
            });
        }
        return list;
    }

    public async Task<bool> RevokeKeyAsync(string id, DateTimeOffset at, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        return await ExecAsync(c, null, "UPDATE hub_api_key SET revoked_at = @t WHERE id = @id AND revoked_at IS NULL", ct,
            ("t", Dialect.ToDb(at, FieldType.Instant)), ("id", id)) > 0;
    }

    public async Task SetGrantAsync(DatasetGrant g, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await ExecAsync(c, null,
            "INSERT INTO hub_grant (key_id, dataset_id, can_read, can_write, unmasked) VALUES (@k, @d, @r, @w, @u) " +
            "ON CONFLICT (key_id, dataset_id) DO UPDATE SET can_read = excluded.can_read, can_write = excluded.can_write, unmasked = excluded.unmasked", ct,
            ("k", g.KeyId), ("d", g.DatasetId), ("r", Dialect.ToDb(g.CanRead, FieldType.Boolean)), ("w", Dialect.ToDb(g.CanWrite, FieldType.Boolean)),
            ("u", Dialect.ToDb(g.Unmasked, FieldType.Boolean)));
    }

    public async Task<IReadOnlyList<DatasetGrant>> ListGrantsAsync(string keyId, CancellationToken ct = default)
    {
        var list = new List<DatasetGrant>();
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT key_id, dataset_id, can_read, can_write, unmasked FROM hub_grant WHERE key_id = @k ORDER BY dataset_id", ("k", keyId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new DatasetGrant(r.GetString(0), r.GetString(1), (bool)Dialect.FromDb(r, 2, FieldType.Boolean)!,
                (bool)Dialect.FromDb(r, 3, FieldType.Boolean)!, (bool)Dialect.FromDb(r, 4, FieldType.Boolean)!));
        }
        return list;
    }

    public async Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken ct = default)
    {
        // Microsecond precision is what both stores keep, so the hash is computed over what is stored.
        var at = new DateTimeOffset(entry.At.UtcTicks - entry.At.UtcTicks % 10, TimeSpan.Zero);
        await _auditLock.WaitAsync(ct);
        try
        {
            await using var c = await OpenAsync(ct);
            _lastAuditHash ??= await LastAuditHashAsync(c, ct);
            var stored = entry with { At = at };
            stored = stored with { Hash = AuditHash(_lastAuditHash, stored) };
            var id = await InsertReturningIdAsync(c, null,
                "INSERT INTO hub_audit (at, key_id, organisation, dataset_id, action, query, row_count, client, hash) VALUES (@at, @k, @o, @d, @a, @q, @n, @c, @h)", ct,
                ("at", Dialect.ToDb(at, FieldType.Instant)), ("k", (object?)stored.KeyId ?? DBNull.Value), ("o", stored.Organisation), ("d", stored.DatasetId),
                ("a", stored.Action), ("q", stored.Query), ("n", stored.RowCount), ("c", (object?)stored.Client ?? DBNull.Value), ("h", stored.Hash));
            _lastAuditHash = stored.Hash;
            return stored with { Id = id };
        }
        catch
        {
            _lastAuditHash = null; // another process may have appended; re-read next time
            throw;
        }
        finally
        {
            _auditLock.Release();
        }
    }

    private static async Task<string> LastAuditHashAsync(DbConnection c, CancellationToken ct)
    {
        await using var cmd = Command(c, null, "SELECT hash FROM hub_audit ORDER BY id DESC LIMIT 1");
        return await cmd.ExecuteScalarAsync(ct) as string ?? "";
    }

    private static string AuditHash(string previous, AuditEntry e) =>
        Sm3.HashHex(string.Join('\u001f', previous, e.At.UtcTicks.ToString(CultureInfo.InvariantCulture), e.KeyId ?? "", e.Organisation,
            e.DatasetId, e.Action, e.Query, e.RowCount.ToString(CultureInfo.InvariantCulture), e.Client ?? ""));

    private const string AuditColumns = "id, at, key_id, organisation, dataset_id, action, query, row_count, client, hash";

    public async Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery q, CancellationToken ct = default)
    {
        var where = new List<string>();
        var args = new List<(string, object)>();
        if (q.DatasetId is { } d)
        {
            where.Add("dataset_id = @d");
            args.Add(("d", d));
        }
        if (q.Organisation is { } o)
        {
            where.Add("organisation = @o");
            args.Add(("o", o));
        }
        if (q.KeyId is { } k)
        {
            where.Add("key_id = @k");
            args.Add(("k", k));
        }
        if (q.From is { } from)
        {
            where.Add("at >= @from");
            args.Add(("from", Dialect.ToDb(from, FieldType.Instant)));
        }
        if (q.To is { } to)
        {
            where.Add("at < @to");
            args.Add(("to", Dialect.ToDb(to, FieldType.Instant)));
        }
        var sql = $"SELECT {AuditColumns} FROM hub_audit{(where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "")} ORDER BY id DESC LIMIT {Math.Clamp(q.Limit, 1, 10_000)}";
        return await ReadAuditAsync(sql, ct, [.. args]);
    }

    public async Task<long?> VerifyAuditChainAsync(CancellationToken ct = default)
    {
        var previous = "";
        long after = 0;
        while (true)
        {
            var page = await ReadAuditAsync($"SELECT {AuditColumns} FROM hub_audit WHERE id > @a ORDER BY id LIMIT 5000", ct, ("a", after));
            if (page.Count == 0)
            {
                return null;
            }
            foreach (var e in page)
            {
                if (AuditHash(previous, e) != e.Hash)
                {
                    return e.Id;
                }
                previous = e.Hash;
                after = e.Id;
            }
        }
    }

    private async Task<List<AuditEntry>> ReadAuditAsync(string sql, CancellationToken ct, params (string, object)[] args)
    {
        var list = new List<AuditEntry>();
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new AuditEntry
            {
                Id = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture),
                At = (DateTimeOffset)Dialect.FromDb(r, 1, FieldType.Instant)!,
                KeyId = r.IsDBNull(2) ? null : r.GetString(2),
                Organisation = r.GetString(3),
                DatasetId = r.GetString(4),
                Action = r.GetString(5),
                Query = r.GetString(6),
                RowCount = Convert.ToInt64(r.GetValue(7), CultureInfo.InvariantCulture),
                Client = r.IsDBNull(8) ? null : r.GetString(8),
                Hash = r.GetString(9),
            });
        }
        return list;
    }

    // ---- documents -----------------------------------------------------------------------

    public async Task PutDocumentsAsync(string collection, IReadOnlyList<(string Key, string Json)> documents, DateTimeOffset at, CancellationToken ct = default)
    {
        if (documents.Count == 0)
        {
            return;
        }
        await using var c = await OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await using var cmd = Command(c, tx,
            "INSERT INTO hub_document (collection, doc_key, body, version, updated_at) VALUES (@c, @k, @b, 1, @t) " +
            "ON CONFLICT (collection, doc_key) DO UPDATE SET body = excluded.body, version = hub_document.version + 1, updated_at = excluded.updated_at",
            ("c", collection), ("k", ""), ("b", ""), ("t", Dialect.ToDb(at, FieldType.Instant)));
        foreach (var (key, json) in documents)
        {
            cmd.Parameters["@k"].Value = key;
            cmd.Parameters["@b"].Value = json;
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public async Task<StoredDocument?> GetDocumentAsync(string collection, string key, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null, "SELECT collection, doc_key, body, version, updated_at FROM hub_document WHERE collection = @c AND doc_key = @k", ("c", collection), ("k", key));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadDocument(r) : null;
    }

    public async Task<IReadOnlyList<StoredDocument>> ListDocumentsAsync(string collection, string? afterKey, int limit, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        await using var cmd = Command(c, null,
            $"SELECT collection, doc_key, body, version, updated_at FROM hub_document WHERE collection = @c AND doc_key > @k ORDER BY doc_key LIMIT {Math.Clamp(limit, 1, 100_000).ToString(CultureInfo.InvariantCulture)}",
            ("c", collection), ("k", afterKey ?? ""));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var result = new List<StoredDocument>();
        while (await r.ReadAsync(ct))
        {
            result.Add(ReadDocument(r));
        }
        return result;
    }

    public async Task<bool> DeleteDocumentAsync(string collection, string key, CancellationToken ct = default)
    {
        await using var c = await OpenAsync(ct);
        return await ExecAsync(c, null, "DELETE FROM hub_document WHERE collection = @c AND doc_key = @k", ct, ("c", collection), ("k", key)) > 0;
    }

    private StoredDocument ReadDocument(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture),
        (DateTimeOffset)Dialect.FromDb(r, 4, FieldType.Instant)!);

    // ---- helpers -------------------------------------------------------------------------

    protected static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params (string Name, object Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    protected static async Task<int> ExecAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken ct, params (string, object)[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    protected static async Task<long> ScalarLongAsync(DbConnection c, string sql, CancellationToken ct, params (string, object)[] args)
    {
        await using var cmd = Command(c, null, sql, args);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    protected static async Task<long> InsertReturningIdAsync(DbConnection c, DbTransaction? tx, string insertSql, CancellationToken ct, params (string, object)[] args)
    {
        await using var cmd = Command(c, tx, insertSql + " RETURNING id", args);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>Builds a quarantined record for a row the store refused because its key is taken.</summary>
    /// <param name="keyValues">The record's unique-key values, in the order of <see cref="DatasetDefinition.UniqueKey"/>.</param>
    protected static QuarantinedRecord Duplicate(DatasetDefinition d, long batchId, long position, ReadOnlyMemory<byte> raw, string format, ReadOnlySpan<object?> keyValues, DateTimeOffset at)
    {
        var parts = new string[d.UniqueKey.Count];
        for (var k = 0; k < parts.Length; k++)
        {
            var field = d.Fields[d.FieldIndex(d.UniqueKey[k])];
            parts[k] = $"{d.UniqueKey[k]}={Quality.QualityGate.Quote(field, ValueParser.Format(keyValues[k]))}";
        }
        var key = string.Join(", ", parts);
        return new QuarantinedRecord
        {
            DatasetId = d.Id,
            BatchId = batchId,
            Position = position,
            Format = format,
            Raw = raw.ToArray(),
            Rule = "unique",
            Reason = $"[unique] a record with {key} is already stored",
            CreatedAt = at,
        };
    }
}

/// <summary>Opaque keyset cursor: the last record's time (UTC ticks) and sequence number.</summary>
internal static class RecordCursor
{
    public static string Encode(long timeTicks, long seq) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes($"{timeTicks}:{seq}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (long TimeTicks, long Seq)? TryDecode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        try
        {
            var b64 = cursor.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            var parts = Encoding.ASCII.GetString(Convert.FromBase64String(b64)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var t) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var s))
            {
                return (t, s);
            }
        }
        catch (FormatException)
        {
        }
        throw new ArgumentException("the cursor is not one this server issued", nameof(cursor));
    }
}
