using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Quality;

namespace TransportBrain.Hub.Storage.Postgres;

/// <summary>
/// The server store: PostgreSQL through a pooled <see cref="NpgsqlDataSource"/>. Instants are
/// timestamptz (microseconds, UTC). Records are binary-COPied straight into the dataset table, two
/// chunks at a time on two connections (see <see cref="PostgresRecordWriter"/>).
/// </summary>
public sealed class PostgresHubStore : SqlHubStore
{
    private readonly NpgsqlDataSource _dataSource;
    private int _disposed;

    /// <param name="connection">
    /// A URL <c>postgres://user:password@host:port/database?sslmode=require</c> (or <c>postgresql://</c>),
    /// or an Npgsql connection string <c>Host=...;Username=...;Database=...</c>.
    /// </param>
    public PostgresHubStore(string connection) : base(new PostgresDialect())
    {
        var builder = PostgresConnectionString.Parse(connection);
        Location = PostgresConnectionString.Describe(builder);
        _dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
    }

    public override string Kind => "postgres";

    /// <summary>The server and database as a URL, without the password.</summary>
    public override string Location { get; }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _dataSource.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken ct) =>
        await _dataSource.OpenConnectionAsync(ct);

    /// <summary>Advisory lock (per database) held while a process initialises the schema: "TBHUBSCH".</summary>
    private const long SchemaLockKey = 0x5442_4855_4253_4348;

    protected override async ValueTask<IAsyncDisposable?> LockSchemaAsync(DbConnection connection, CancellationToken ct)
    {
        await ExecAsync(connection, null, "SELECT pg_advisory_lock(@k)", ct, ("k", SchemaLockKey));
        return new SchemaLock(connection);
    }

    private sealed class SchemaLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await ExecAsync(connection, null, "SELECT pg_advisory_unlock(@k)", CancellationToken.None, ("k", SchemaLockKey));
            }
            catch (Exception e) when (e is DbException or InvalidOperationException)
            {
                // The connection is broken, which ended its session and so released the lock.
            }
        }
    }

    protected override async Task<HashSet<string>> ExistingColumnsAsync(DbConnection connection, string table, CancellationToken ct)
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var cmd = Command(connection, null,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @t", ("t", table));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            set.Add(r.GetString(0));
        }
        return set;
    }

    public override EncodedRows NewEncodedRows(DatasetDefinition dataset) => new PostgresEncodedRows(dataset, ColumnsOf(dataset));

    /// <summary>Each dataset table's column types as they are in the database (a table from before may have wider integer columns than a new one).</summary>
    private readonly ConcurrentDictionary<string, PgColumn[]> _columns = new();

    /// <summary>The column each field of <paramref name="dataset"/> is stored in: as found at start-up, else as a new table declares it.</summary>
    internal PgColumn[] ColumnsOf(DatasetDefinition dataset) =>
        _columns.TryGetValue(dataset.Id, out var found) && found.Length == dataset.Fields.Count ? found : PgColumns.Declared(dataset);

    protected override async Task DatasetTableReadyAsync(DbConnection connection, DatasetDefinition dataset, CancellationToken ct)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = @t::regclass AND attnum > 0 AND NOT attisdropped";
            var p = command.CreateParameter();
            p.ParameterName = "t";
            p.Value = DatasetIds.TableName(dataset.Id);
            command.Parameters.Add(p);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                types[reader.GetString(0)] = reader.GetString(1);
            }
        }
        var declared = PgColumns.Declared(dataset);
        var columns = dataset.Fields.Select((f, i) => types.TryGetValue(f.Name, out var t) ? PgColumns.Existing(t, declared[i]) : declared[i]).ToArray();
        for (var i = 0; i < columns.Length; i++)
        {
            if (PgColumns.Narrower(columns[i], declared[i]))
            {
                // The schema now allows values the column cannot hold (its bounds were widened): widen the
                // column, once. PostgreSQL rewrites the table to do so.
                await using var widen = connection.CreateCommand();
                widen.CommandText = $"ALTER TABLE {DatasetIds.TableName(dataset.Id)} ALTER COLUMN \"{dataset.Fields[i].Name}\" TYPE {PgColumns.SqlType(declared[i])}";
                await widen.ExecuteNonQueryAsync(ct);
                columns[i] = declared[i];
            }
        }
        _columns[dataset.Id] = columns;
    }

    protected override async Task<IRecordWriter> CreateWriterAsync(DatasetDefinition dataset, long batchId, CancellationToken ct)
    {
        var writer = new PostgresRecordWriter(this, dataset, batchId);
        try
        {
            // Open the first connection now, so a server that cannot be reached fails the batch at its start.
            await writer.OpenFirstLaneAsync(ct);
            return writer;
        }
        catch
        {
            await writer.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Writes each chunk in one transaction on one of up to <see cref="Lanes"/> connections, so the
    /// server can insert one chunk while the next is being sent (see <see cref="IPipelinedRecordWriter"/>):
    /// <list type="number">
    /// <item>a row whose key repeats an earlier row of the chunk, or of an earlier chunk still being
    /// written, is a duplicate (found in memory: two chunks in flight never wait for each other's keys);</item>
    /// <item>the other rows are binary-COPied straight into the dataset table, in chunk order;</item>
    /// <item>rejected records and duplicates are binary-COPied into hub_quarantine;</item>
    /// <item>the transaction commits once the previous chunk has committed, so what is stored is always a
    /// prefix of the batch's chunks.</item>
    /// </list>
    /// Keys already stored are found in one of two ways. Optimistically, the COPY itself finds them: if it
    /// fails on the unique index, the transaction is rolled back and the chunk is written again after
    /// one <c>SELECT key ... WHERE key = ANY(@keys)</c> on the unique index, and so are the next chunks
    /// until several in a row found nothing (a re-sent file costs one lookup per row instead of one failed
    /// COPY per chunk). If even the checked COPY fails (another writer stored the key in between), the
    /// chunk goes the careful way: COPY into a temporary staging table, then
    /// INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING.
    /// </summary>
    private sealed class PostgresRecordWriter : IRecordWriter, IPipelinedRecordWriter
    {
        /// <summary>Connections (and so chunks in flight) per writer.</summary>
        public const int Lanes = 2;

        /// <summary>After a COPY failed on a stored key: how many clean chunks in a row before COPYing unchecked again.</summary>
        private const int CheckedChunksAfterConflict = 16;

        private const string Staging = "pg_temp.hub_stage";
        private const string QuarantineCopy =
            "COPY hub_quarantine (dataset_id, batch_id, position, format, raw, rule, reason, status, created_at) FROM STDIN (FORMAT BINARY)";

        private readonly PostgresHubStore _store;
        private readonly DatasetDefinition _dataset;
        private readonly long _batchId;
        private readonly string _table;
        private readonly string _columns;
        private readonly string _existsSql;
        private readonly string _copy;
        private readonly string _copyNumbered;
        private readonly NpgsqlDbType[] _types;
        private readonly FieldType[] _fieldTypes;
        private readonly int[] _keyIndexes;
        private readonly bool _unique;
        private readonly Channel<Lane> _idle = Channel.CreateUnbounded<Lane>();
        private readonly List<Lane> _lanes = [];
        private readonly List<Ticket> _inFlight = [];
        private readonly Stack<ChunkKeys> _spareKeys = new();
        private readonly Lock _sync = new();
        private Ticket? _last;
        private int _laneCount;
        private int _checkedChunksLeft;
        private Task? _spareLanes;

        public PostgresRecordWriter(PostgresHubStore store, DatasetDefinition dataset, long batchId)
        {
            _store = store;
            _dataset = dataset;
            _batchId = batchId;
            _table = DatasetIds.TableName(dataset.Id);
            _columns = string.Join(", ", dataset.Fields.Select(f => $"\"{f.Name}\""));
            _copy = $"COPY {_table} (_batch, _pos, {_columns}) FROM STDIN (FORMAT BINARY)";
            _copyNumbered = $"COPY {_table} (_seq, _batch, _pos, {_columns}) FROM STDIN (FORMAT BINARY)";
            _types = [.. dataset.Fields.Select(f => PostgresDialect.DbType(f.Type))];
            _fieldTypes = [.. dataset.Fields.Select(f => f.Type)];
            _keyIndexes = [.. dataset.UniqueKey.Select(dataset.FieldIndex)];
            _unique = _keyIndexes.Length > 0;
            var keys = dataset.UniqueKey.Select(k => $"\"{k}\"").ToList();
            if (_keyIndexes.Length == 1)
            {
                _existsSql = $"SELECT {keys[0]} FROM {_table} WHERE {keys[0]} = ANY(@k0)";
            }
            else
            {
                var unnest = string.Join(", ", keys.Select((_, i) => "@k" + i.ToString(CultureInfo.InvariantCulture)));
                var names = string.Join(", ", keys.Select((_, i) => "u" + i.ToString(CultureInfo.InvariantCulture)));
                var on = string.Join(" AND ", keys.Select((k, i) => $"t.{k} = u.u{i.ToString(CultureInfo.InvariantCulture)}"));
                _existsSql = $"SELECT {string.Join(", ", keys.Select(k => "t." + k))} FROM {_table} t JOIN unnest({unnest}) AS u({names}) ON {on}";
            }
        }

        public int MaxChunksInFlight => Lanes;

        /// <summary>One connection and the commands prepared on it.</summary>
        private sealed class Lane(NpgsqlConnection connection)
        {
            public NpgsqlConnection Connection { get; } = connection;
            public BinaryCopyBuffer Copy { get; } = new();
            public NpgsqlCommand? Exists { get; set; }
            public NpgsqlCommand? NextSequenceBlock { get; set; }
            public NpgsqlCommand? StagedInsert { get; set; }
        }

        /// <summary>
        /// A chunk being written: its keys (for the chunks handed over after it) and whether it committed.
        /// Both links are dropped once the chunk is done, so tickets do not chain up over a long batch.
        /// </summary>
        private sealed class Ticket(ChunkKeys? keys, Ticket? previous)
        {
            public ChunkKeys? Keys { get; set; } = keys;
            public Ticket? Previous { get; set; } = previous;
            public TaskCompletionSource<bool> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public async Task OpenFirstLaneAsync(CancellationToken ct)
        {
            lock (_sync)
            {
                _laneCount++;
            }
            _idle.Writer.TryWrite(await OpenLaneAsync(ct));
        }

        /// <summary>
        /// A chunk at least this big is taken as the start of a bulk load (a file import's first chunk is
        /// <see cref="IngestService.FirstChunkSize"/>): the other lanes then connect while it is written,
        /// since a new connection starts a server process (~20 ms) that would otherwise hold up the second
        /// chunk. Writers that only ever get small chunks (live feeds) keep to one connection.
        /// </summary>
        private const int BulkChunkRows = IngestService.FirstChunkSize;

        /// <summary>Opens the lanes after the first one in the background; a failure leaves it to the chunk that needs the lane.</summary>
        private async Task OpenSpareLanesAsync()
        {
            while (true)
            {
                lock (_sync)
                {
                    if (_laneCount >= Lanes)
                    {
                        return;
                    }
                    _laneCount++;
                }
                try
                {
                    // Not the batch's token: a lane that opens after the batch ended is closed by DisposeAsync,
                    // which waits for this; the connection timeout bounds the wait.
                    _idle.Writer.TryWrite(await OpenLaneAsync(CancellationToken.None));
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    // OpenLaneAsync gave the lane back: AcquireLaneAsync opens it when a chunk needs it, and
                    // reports the failure there if it fails again.
                    return;
                }
            }
        }

        /// <summary>Opens the connection of a lane already counted in <see cref="_laneCount"/>.</summary>
        private async Task<Lane> OpenLaneAsync(CancellationToken ct)
        {
            try
            {
                var lane = new Lane(await _store._dataSource.OpenConnectionAsync(ct));
                lock (_sync)
                {
                    _lanes.Add(lane);
                }
                return lane;
            }
            catch
            {
                lock (_sync)
                {
                    _laneCount--;
                }
                throw;
            }
        }

        /// <summary>An idle connection, or a new one while there are fewer than <see cref="Lanes"/>.</summary>
        private async ValueTask<Lane> AcquireLaneAsync(CancellationToken ct)
        {
            if (_idle.Reader.TryRead(out var lane))
            {
                return lane;
            }
            bool open;
            lock (_sync)
            {
                open = _laneCount < Lanes;
                if (open)
                {
                    _laneCount++;
                }
            }
            return open ? await OpenLaneAsync(ct) : await _idle.Reader.ReadAsync(ct);
        }

        public async ValueTask<ChunkResult> WriteAsync(IngestChunk chunk, CancellationToken ct = default)
        {
            switch (chunk.Encoded)
            {
                case null:
                    using (var encoded = EncodeRows(chunk.Rows))
                    {
                        return await WriteAsync(chunk, encoded, ct);
                    }
                case PostgresEncodedRows encoded when encoded.Dataset.Id == _dataset.Id:
                    return await WriteAsync(chunk, encoded, ct);
                default:
                    throw new ArgumentException($"the chunk's records were not encoded for {_dataset.Id} in PostgreSQL", nameof(chunk));
            }
        }

        private async ValueTask<ChunkResult> WriteAsync(IngestChunk chunk, PostgresEncodedRows rows, CancellationToken ct)
        {
            if (chunk.Positions.Count != rows.Count || chunk.Raws.Count != rows.Count)
            {
                throw new ArgumentException("the chunk's rows, positions and raws differ in number", nameof(chunk));
            }
            if (rows.Count >= BulkChunkRows && _spareLanes is null)
            {
                _spareLanes = OpenSpareLanesAsync();
            }
            // Before the first await, so chunks register in the order they are handed over.
            var duplicate = new bool[rows.Count];
            Ticket ticket;
            lock (_sync)
            {
                var keys = _unique ? KeysOf(rows, duplicate) : null;
                if (keys is not null)
                {
                    foreach (var before in _inFlight)
                    {
                        // Null once that chunk is done; then its keys are stored (and found like any other).
                        // Under the lock: a done chunk's keys point into blocks its writer then reuses.
                        if (before.Keys is not { } theirs)
                        {
                            continue;
                        }
                        foreach (var r in keys.FirstRows)
                        {
                            if (theirs.Find(rows.KeyBytes(r), rows.KeyHash(r)) >= 0)
                            {
                                duplicate[r] = true;
                            }
                        }
                    }
                }
                ticket = new Ticket(keys, _last);
                _inFlight.Add(ticket);
                _last = ticket;
            }
            try
            {
                var lane = await AcquireLaneAsync(ct);
                try
                {
                    while (true)
                    {
                        try
                        {
                            var result = await WriteOnLaneAsync(lane, chunk, rows, duplicate, ticket.Keys, ticket, ct);
                            ticket.Committed.TrySetResult(true);
                            return result;
                        }
                        catch (PreviousChunkPendingException)
                        {
                            // Rolled back after waiting long for the previous chunk (it may have been waiting
                            // for another batch that waited for this one): wait holding nothing, then redo.
                            await WaitForPreviousAsync(ticket, Timeout.InfiniteTimeSpan, ct);
                        }
                    }
                }
                finally
                {
                    _idle.Writer.TryWrite(lane);
                }
            }
            finally
            {
                ticket.Committed.TrySetResult(false);
                lock (_sync)
                {
                    _inFlight.Remove(ticket);
                    if (ticket.Keys is { } done)
                    {
                        done.Release();
                        _spareKeys.Push(done);
                    }
                    ticket.Keys = null;
                }
                ticket.Previous = null;
            }
        }

        /// <summary>A chunk that came as value arrays (a live feed, a derived dataset), encoded the way the ingest pipeline encodes a file's.</summary>
        private PostgresEncodedRows EncodeRows(List<object?[]> rows)
        {
            var encoded = new PostgresEncodedRows(_dataset, _store.ColumnsOf(_dataset));
            foreach (var row in rows)
            {
                encoded.Add(row);
            }
            return encoded;
        }

        private async Task<ChunkResult> WriteOnLaneAsync(Lane lane, IngestChunk chunk, PostgresEncodedRows rows, bool[] duplicate, ChunkKeys? keys, Ticket ticket, CancellationToken ct)
        {
            if (keys is null || keys.Count == 0)
            {
                return await CopyAsync(lane, chunk, rows, duplicate, null, ticket, ct);
            }
            if (Volatile.Read(ref _checkedChunksLeft) <= 0)
            {
                try
                {
                    return await CopyAsync(lane, chunk, rows, duplicate, null, ticket, ct);
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    // A key of this chunk is already stored: check this chunk and the next ones first.
                    Volatile.Write(ref _checkedChunksLeft, CheckedChunksAfterConflict);
                }
            }
            try
            {
                return await CopyAsync(lane, chunk, rows, duplicate, keys, ticket, ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Another writer stored one of these keys after the check.
            }
            return await WriteThroughStagingAsync(lane, chunk, rows, duplicate, ticket, ct);
        }

        /// <summary>
        /// One transaction: (with <paramref name="check"/>) mark the rows whose key is stored, COPY the
        /// others into the table, quarantine, wait for the previous chunk, commit.
        /// </summary>
        private async Task<ChunkResult> CopyAsync(Lane lane, IngestChunk chunk, PostgresEncodedRows rows, bool[] marked, ChunkKeys? check, Ticket ticket, CancellationToken ct)
        {
            var connection = lane.Connection;
            var duplicate = (bool[])marked.Clone();
            await using var tx = await connection.BeginTransactionAsync(ct);
            if (check is not null)
            {
                var found = await MarkStoredAsync(lane, rows, duplicate, check, tx, ct);
                if (found > 0)
                {
                    Volatile.Write(ref _checkedChunksLeft, CheckedChunksAfterConflict);
                }
                else
                {
                    Interlocked.Decrement(ref _checkedChunksLeft);
                }
            }
            var stored = 0;
            if (rows.Count > 0)
            {
                // The chunk's rows are numbered from one value of the _seq sequence (see PostgresDialect.RecordSequenceBlock).
                var numbered = rows.Count <= PostgresDialect.RecordSequenceBlock;
                var seq = numbered ? await NextSequenceBlockAsync(lane, tx, ct) : 0;
                var copy = lane.Copy;
                await copy.BeginAsync(connection, numbered ? _copyNumbered : _copy, ct);
                try
                {
                    for (var r = 0; r < rows.Count; r++)
                    {
                        if (duplicate[r])
                        {
                            continue;
                        }
                        if (numbered)
                        {
                            copy.StartRow(3 + _fieldTypes.Length);
                            copy.Int64(seq++);
                        }
                        else
                        {
                            copy.StartRow(2 + _fieldTypes.Length);
                        }
                        copy.Int64(_batchId);
                        copy.Int64(chunk.Positions[r]);
                        copy.Encoded(rows.Values(r));
                        stored++;
                        await copy.FlushIfFullAsync(ct);
                    }
                    await copy.CompleteAsync(ct);
                }
                catch
                {
                    await copy.CancelAsync();
                    throw;
                }
            }
            var result = await QuarantineAsync(lane, chunk, rows, duplicate, ct);
            await CommitAfterPreviousAsync(tx, ticket, ct);
            return result with { Stored = stored };
        }

        private async Task<long> NextSequenceBlockAsync(Lane lane, NpgsqlTransaction tx, CancellationToken ct)
        {
            if (lane.NextSequenceBlock is null)
            {
                lane.NextSequenceBlock = lane.Connection.CreateCommand();
                lane.NextSequenceBlock.CommandText = $"SELECT nextval(pg_get_serial_sequence('{_table}', '_seq'))";
            }
            lane.NextSequenceBlock.Transaction = tx;
            return (long)(await lane.NextSequenceBlock.ExecuteScalarAsync(ct))!;
        }

        /// <summary>How long a written chunk waits, holding its transaction open, for the previous one to commit.</summary>
        private static readonly TimeSpan PreviousCommitWait = TimeSpan.FromSeconds(5);

        private static async Task CommitAfterPreviousAsync(NpgsqlTransaction tx, Ticket ticket, CancellationToken ct)
        {
            await WaitForPreviousAsync(ticket, PreviousCommitWait, ct);
            await tx.CommitAsync(ct);
        }

        /// <summary>
        /// Waits for the previous chunk to commit. The wait is bounded while this chunk holds uncommitted
        /// rows: PostgreSQL cannot see a wait in this process, so two batches writing the same keys could
        /// otherwise wait for each other for ever.
        /// </summary>
        private static async Task WaitForPreviousAsync(Ticket ticket, TimeSpan timeout, CancellationToken ct)
        {
            if (ticket.Previous is not { } previous)
            {
                return;
            }
            bool committed;
            try
            {
                committed = await previous.Committed.Task.WaitAsync(timeout, ct);
            }
            catch (TimeoutException)
            {
                throw new PreviousChunkPendingException();
            }
            if (!committed)
            {
                throw new InvalidOperationException("an earlier chunk of this batch was not written, so this one is not committed either");
            }
            ticket.Previous = null;
        }

        private sealed class PreviousChunkPendingException : Exception;

        /// <summary>
        /// The first row of each key in the chunk, in a key table of the writer's (called under <see cref="_sync"/>);
        /// marks the rows whose key repeats an earlier row of the chunk.
        /// </summary>
        private ChunkKeys KeysOf(PostgresEncodedRows rows, bool[] duplicate)
        {
            // Reuse the tables of chunks already written: a bulk chunk's is 128 KB.
            var keys = _spareKeys.TryPop(out var spare) ? spare : new ChunkKeys();
            keys.Build(rows, duplicate);
            return keys;
        }

        /// <summary>Marks the rows whose key is already stored; returns how many.</summary>
        private async Task<int> MarkStoredAsync(Lane lane, PostgresEncodedRows rows, bool[] duplicate, ChunkKeys keys, NpgsqlTransaction tx, CancellationToken ct)
        {
            var columns = new Array[_keyIndexes.Length];
            for (var k = 0; k < _keyIndexes.Length; k++)
            {
                columns[k] = NewKeyArray(_fieldTypes[_keyIndexes[k]], keys.Count);
            }
            var n = 0;
            foreach (var r in keys.FirstRows)
            {
                var keyValues = rows.KeyValues(r);
                for (var k = 0; k < _keyIndexes.Length; k++)
                {
                    SetKeyValue(columns[k], n, _fieldTypes[_keyIndexes[k]], keyValues[k]!);
                }
                n++;
            }
            if (lane.Exists is null)
            {
                lane.Exists = lane.Connection.CreateCommand();
                lane.Exists.CommandText = _existsSql;
                for (var k = 0; k < _keyIndexes.Length; k++)
                {
                    lane.Exists.Parameters.Add(new NpgsqlParameter("k" + k.ToString(CultureInfo.InvariantCulture), NpgsqlDbType.Array | _types[_keyIndexes[k]]));
                }
            }
            var exists = lane.Exists;
            exists.Transaction = tx;
            for (var k = 0; k < _keyIndexes.Length; k++)
            {
                exists.Parameters[k].Value = columns[k];
            }
            var found = 0;
            await using var reader = await exists.ExecuteReaderAsync(ct);
            var values = new object?[_keyIndexes.Length];
            while (await reader.ReadAsync(ct))
            {
                for (var k = 0; k < values.Length; k++)
                {
                    values[k] = _store.Dialect.FromDb(reader, k, _fieldTypes[_keyIndexes[k]]);
                }
                if (rows.KeyOf(values) is { } key && keys.Find(key, PostgresEncodedRows.HashOf(key)) is var r and >= 0 && !duplicate[r])
                {
                    duplicate[r] = true;
                    found++;
                }
            }
            return found;
        }

        private static Array NewKeyArray(FieldType type, int length) => type switch
        {
            FieldType.String => new string[length],
            FieldType.Int64 => new long[length],
            FieldType.Double => new double[length],
            FieldType.Boolean => new bool[length],
            FieldType.Instant => new DateTimeOffset[length],
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };

        private static void SetKeyValue(Array array, int index, FieldType type, object value)
        {
            switch (type)
            {
                case FieldType.String:
                    ((string[])array)[index] = value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
                    break;
                case FieldType.Int64:
                    ((long[])array)[index] = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                    break;
                case FieldType.Double:
                    ((double[])array)[index] = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    break;
                case FieldType.Boolean:
                    ((bool[])array)[index] = Convert.ToBoolean(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    ((DateTimeOffset[])array)[index] = PostgresDialect.ToUtcMicroseconds(value);
                    break;
            }
        }

        /// <summary>COPYs the rejected records and the duplicates into hub_quarantine; Stored is left 0.</summary>
        private async Task<ChunkResult> QuarantineAsync(Lane lane, IngestChunk chunk, PostgresEncodedRows rows, bool[] duplicate, CancellationToken ct)
        {
            var violations = new List<Violation>();
            var duplicateRows = new List<int>();
            var records = chunk.Rejected.Count == 0 ? [] : new List<QuarantinedRecord>(chunk.Rejected);
            var at = DateTimeOffset.UtcNow;
            var rule = string.Join("+", _dataset.UniqueKey);
            for (var r = 0; r < duplicate.Length; r++)
            {
                if (duplicate[r])
                {
                    var q = Duplicate(_dataset, _batchId, chunk.Positions[r], chunk.Raws[r], chunk.Format, rows.KeyValues(r), at);
                    records.Add(q);
                    violations.Add(new Violation(RuleKind.Unique, rule, q.Reason));
                    duplicateRows.Add(r);
                }
            }
            if (records.Count > 0)
            {
                var copy = lane.Copy;
                await copy.BeginAsync(lane.Connection, QuarantineCopy, ct);
                try
                {
                    foreach (var q in records)
                    {
                        copy.StartRow(9);
                        copy.Text(q.DatasetId);
                        copy.Int64(q.BatchId);
                        copy.Int64(q.Position);
                        copy.Text(q.Format);
                        copy.Bytes(q.Raw);
                        copy.Text(q.Rule);
                        copy.Text(q.Reason);
                        copy.Text("open");
                        copy.Instant(q.CreatedAt);
                        await copy.FlushIfFullAsync(ct);
                    }
                    await copy.CompleteAsync(ct);
                }
                catch
                {
                    await copy.CancelAsync();
                    throw;
                }
            }
            return new ChunkResult(0, violations) { DuplicateRows = duplicateRows };
        }

        // ---- the careful way, for a chunk that raced another writer -------------------------------

        private async Task<NpgsqlCommand> StagedInsertAsync(Lane lane, CancellationToken ct)
        {
            if (lane.StagedInsert is { } prepared)
            {
                return prepared;
            }
            // The staging columns have the table's own types: the rows are encoded for those.
            var columns = _store.ColumnsOf(_dataset);
            var fields = string.Concat(_dataset.Fields.Select((f, i) => $", \"{f.Name}\" {PgColumns.SqlType(columns[i])}"));
            // A pooled connection is normally reset (DISCARD ALL) on return, but the pool may be
            // configured not to: start from a staging table of this dataset's current schema.
            await using (var create = lane.Connection.CreateCommand())
            {
                create.CommandText =
                    $"DROP TABLE IF EXISTS {Staging}; " +
                    $"CREATE TEMP TABLE hub_stage (_ord integer NOT NULL, _pos bigint NOT NULL{fields}) ON COMMIT DELETE ROWS";
                await create.ExecuteNonQueryAsync(ct);
            }
            var insert = lane.Connection.CreateCommand();
            insert.CommandText =
                $"INSERT INTO {_table} (_batch, _pos, {_columns}) SELECT @b, _pos, {_columns} FROM {Staging} " +
                "WHERE _ord >= @lo AND _ord < @hi ORDER BY _ord ON CONFLICT DO NOTHING RETURNING _pos";
            insert.Parameters.Add(new NpgsqlParameter<long>("b", NpgsqlDbType.Bigint) { TypedValue = _batchId });
            insert.Parameters.Add(new NpgsqlParameter<int>("lo", NpgsqlDbType.Integer));
            insert.Parameters.Add(new NpgsqlParameter<int>("hi", NpgsqlDbType.Integer));
            await insert.PrepareAsync(ct);
            lane.StagedInsert = insert;
            return insert;
        }

        private async Task<ChunkResult> WriteThroughStagingAsync(Lane lane, IngestChunk chunk, PostgresEncodedRows rows, bool[] marked, Ticket ticket, CancellationToken ct)
        {
            var insert = await StagedInsertAsync(lane, ct);
            var connection = lane.Connection;
            var inserted = new bool[rows.Count];
            await using var tx = await connection.BeginTransactionAsync(ct);
            insert.Transaction = tx;
            var copy = lane.Copy;
            await copy.BeginAsync(connection, $"COPY {Staging} (_ord, _pos, {_columns}) FROM STDIN (FORMAT BINARY)", ct);
            try
            {
                for (var r = 0; r < rows.Count; r++)
                {
                    if (marked[r])
                    {
                        continue;
                    }
                    copy.StartRow(2 + _fieldTypes.Length);
                    copy.Int32(r);
                    copy.Int64(chunk.Positions[r]);
                    copy.Encoded(rows.Values(r));
                    await copy.FlushIfFullAsync(ct);
                }
                await copy.CompleteAsync(ct);
            }
            catch
            {
                await copy.CancelAsync();
                throw;
            }
            // RETURNING can only name the dataset table's columns, so an inserted row is known by its
            // _pos. Positions are unique within a chunk in practice; should one repeat, the chunk is
            // inserted as consecutive runs of unique positions, in order.
            var stored = 0;
            var run = new Dictionary<long, int>(rows.Count);
            var start = 0;
            for (var i = 0; i <= rows.Count; i++)
            {
                if (i < rows.Count && run.TryAdd(chunk.Positions[i], i))
                {
                    continue;
                }
                stored += await InsertRunAsync(insert, start, i, run, inserted, ct);
                run.Clear();
                start = i;
                if (i < rows.Count)
                {
                    run.Add(chunk.Positions[i], i);
                }
            }
            var duplicate = new bool[rows.Count];
            for (var r = 0; r < rows.Count; r++)
            {
                duplicate[r] = !inserted[r];
            }
            var result = await QuarantineAsync(lane, chunk, rows, duplicate, ct);
            await CommitAfterPreviousAsync(tx, ticket, ct);
            insert.Transaction = null;
            return result with { Stored = stored };
        }

        /// <summary>Inserts rows [start, end) of the staged chunk and marks the ones that went in.</summary>
        private static async Task<int> InsertRunAsync(NpgsqlCommand insert, int start, int end, Dictionary<long, int> indexOfPosition,
            bool[] inserted, CancellationToken ct)
        {
            if (end <= start)
            {
                return 0;
            }
            ((NpgsqlParameter<int>)insert.Parameters[1]).TypedValue = start;
            ((NpgsqlParameter<int>)insert.Parameters[2]).TypedValue = end;
            var count = 0;
            await using var r = await insert.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                inserted[indexOfPosition[r.GetInt64(0)]] = true;
                count++;
            }
            return count;
        }

        public async ValueTask DisposeAsync()
        {
            if (_spareLanes is not null)
            {
                await _spareLanes;
            }
            List<Lane> lanes;
            lock (_sync)
            {
                lanes = [.. _lanes];
                _lanes.Clear();
            }
            foreach (var lane in lanes)
            {
                if (lane.StagedInsert is not null)
                {
                    await lane.StagedInsert.DisposeAsync();
                }
                if (lane.Exists is not null)
                {
                    await lane.Exists.DisposeAsync();
                }
                if (lane.NextSequenceBlock is not null)
                {
                    await lane.NextSequenceBlock.DisposeAsync();
                }
                await lane.Connection.DisposeAsync();
            }
        }
    }
}

internal sealed class PostgresDialect : SqlDialect
{
    public override string IdentityPrimaryKey => "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";

    /// <summary>
    /// How far apart the values of a dataset table's _seq sequence are. The writer takes one value per
    /// chunk and numbers the chunk's rows from it (see <see cref="PostgresHubStore"/>'s writer), instead of
    /// the server calling nextval() for every row (about 8% of the server's COPY time, measured). A row
    /// inserted any other way takes a whole block: 2^63 / 2^14 still leaves 5·10^14 of them.
    /// </summary>
    public const int RecordSequenceBlock = 16384;

    private const string RecordIdentity = "bigint GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 16384)";

    // Measured (psql binary COPY of 200k gantry transactions): the (time, _seq) and unique-key indexes serve
    // every query of a time-indexed table; its _seq primary key only slowed inserts down.
    public override string RecordSequence(bool timeIndexed) => timeIndexed ? RecordIdentity : RecordIdentity + " PRIMARY KEY";

    // Tables created before the writer numbered rows in blocks get the block increment (only when they lack it).
    public override string? RecordSequenceUpgrade(string table) =>
        $"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence('{table}', '_seq')::regclass AND seqincrement <> {RecordSequenceBlock}) " +
        $"THEN ALTER TABLE {table} ALTER COLUMN _seq SET INCREMENT BY {RecordSequenceBlock}; END IF; END $$";

    // Only when the key is there: an ALTER TABLE would take the table's exclusive lock at every start-up.
    public override string? DropRecordSequenceKey(string table) =>
        $"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '{table}_pkey' AND conrelid = '{table}'::regclass) THEN ALTER TABLE {table} DROP CONSTRAINT {table}_pkey; END IF; END $$";
    public override string BytesType => "bytea";

    public override string ColumnType(DatasetDefinition dataset, FieldDefinition field) => PgColumns.SqlType(PgColumns.Declared(dataset, field));

    public override int StorageOrder(DatasetDefinition dataset, FieldDefinition field) => PgColumns.StorageOrder(PgColumns.Declared(dataset, field));

    public override string ColumnType(FieldType type) => type switch
    {
        FieldType.String => "text",
        FieldType.Int64 => "bigint",
        FieldType.Double => "double precision",
        FieldType.Boolean => "boolean",
        FieldType.Instant => "timestamptz",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static NpgsqlDbType DbType(FieldType type) => type switch
    {
        FieldType.String => NpgsqlDbType.Text,
        FieldType.Int64 => NpgsqlDbType.Bigint,
        FieldType.Double => NpgsqlDbType.Double,
        FieldType.Boolean => NpgsqlDbType.Boolean,
        FieldType.Instant => NpgsqlDbType.TimestampTz,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public override object ToDb(object? value, FieldType type) => value switch
    {
        null or DBNull => DBNull.Value,
        DateTimeOffset or DateTime => ToUtcMicroseconds(value),
        _ => value,
    };

    public override object? FromDb(DbDataReader reader, int ordinal, FieldType type) => type switch
    {
        FieldType.Instant => reader.GetFieldValue<DateTimeOffset>(ordinal).ToUniversalTime(),
        FieldType.Boolean => reader.GetBoolean(ordinal),
        FieldType.Int64 => reader.GetInt64(ordinal),
        FieldType.Double => reader.GetDouble(ordinal),
        _ => reader.GetString(ordinal),
    };

    /// <summary>
    /// An instant as Npgsql writes timestamptz (a DateTimeOffset with offset 0), cut to the
    /// microseconds PostgreSQL keeps, so what is written compares equal to what is read back.
    /// A DateTime without a kind is taken as UTC.
    /// </summary>
    public static DateTimeOffset ToUtcMicroseconds(object value)
    {
        var ticks = value switch
        {
            DateTimeOffset t => t.UtcTicks,
            DateTime { Kind: DateTimeKind.Local } d => d.ToUniversalTime().Ticks,
            DateTime d => d.Ticks,
            _ => throw new ArgumentException($"not an instant: {value.GetType().Name}", nameof(value)),
        };
        return new DateTimeOffset(ticks - ticks % 10, TimeSpan.Zero);
    }
}

/// <summary>
/// Reads the store's connection setting: a libpq-style URL
/// <c>postgres[ql]://[user[:password]@][host][:port][,host2[:port2]...][/database][?param=value&amp;...]</c>
/// (percent-encoded parts; parameters such as sslmode, application_name, connect_timeout,
/// options, target_session_attrs, sslrootcert, or any Npgsql keyword), or an Npgsql connection string.
/// Error messages never repeat the setting, which may hold a password.
/// </summary>
internal static class PostgresConnectionString
{
    public static NpgsqlConnectionStringBuilder Parse(string spec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        spec = spec.Trim();
        var builder = IsUrl(spec) ? FromUrl(spec) : FromKeyValues(spec);
        if (string.IsNullOrEmpty(builder.Host))
        {
            builder.Host = "localhost";
        }
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "TransportBrain.Hub";
        }
        return builder;
    }

    public static bool IsUrl(string spec) =>
        spec.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || spec.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection as a URL without the password (nor any other parameter).</summary>
    public static string Describe(NpgsqlConnectionStringBuilder b)
    {
        var user = string.IsNullOrEmpty(b.Username) ? "" : Uri.EscapeDataString(b.Username) + "@";
        var hosts = (b.Host ?? "localhost").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var hostPart = string.Join(",", hosts.Select(h =>
        {
            if (h.StartsWith('/'))
            {
                return Uri.EscapeDataString(h); // a Unix socket directory
            }
            var hasPort = h.LastIndexOf(':') is var colon and > 0 && (h.Contains(']', StringComparison.Ordinal) ? colon > h.LastIndexOf(']') : h.IndexOf(':') == colon);
            if (hasPort)
            {
                return h;
            }
            var host = h.Contains(':', StringComparison.Ordinal) && !h.StartsWith('[') ? $"[{h}]" : h;
            return $"{host}:{b.Port.ToString(CultureInfo.InvariantCulture)}";
        }));
        var database = string.IsNullOrEmpty(b.Database) ? "" : Uri.EscapeDataString(b.Database);
        return $"postgres://{user}{hostPart}/{database}";
    }

    private static NpgsqlConnectionStringBuilder FromKeyValues(string spec)
    {
        if (!spec.Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                "a PostgreSQL connection must be a URL postgres://user:password@host:port/database or an Npgsql connection string Host=...;Username=...;Database=...",
                "connection");
        }
        try
        {
            return new NpgsqlConnectionStringBuilder(spec);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            // Npgsql's message names the keyword, not the value.
            throw new ArgumentException($"the PostgreSQL connection string is not valid: {e.Message}", "connection", e);
        }
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string spec)
    {
        var b = new NpgsqlConnectionStringBuilder();
        var rest = spec[(spec.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var hash = rest.IndexOf('#');
        if (hash >= 0)
        {
            rest = rest[..hash];
        }
        var end = rest.IndexOfAny(['/', '?']);
        var authority = end < 0 ? rest : rest[..end];
        var tail = end < 0 ? "" : rest[end..];

        // The last '@' of the authority ends the user information, so an unencoded '@' in a password works.
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            var user = Decode(colon < 0 ? userInfo : userInfo[..colon], "user name");
            if (user.Length > 0)
            {
                b.Username = user;
            }
            if (colon >= 0)
            {
                b.Password = Decode(userInfo[(colon + 1)..], "password");
            }
        }
        SetHosts(b, authority);

        var query = "";
        var q = tail.IndexOf('?');
        if (q >= 0)
        {
            query = tail[(q + 1)..];
            tail = tail[..q];
        }
        var database = Decode(tail.TrimStart('/'), "database name");
        if (database.Length > 0)
        {
            b.Database = database;
        }
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Decode(eq < 0 ? pair : pair[..eq], "parameter name");
            var value = eq < 0 ? "" : Decode(pair[(eq + 1)..], $"value of {key}");
            SetParameter(b, key, value);
        }
        return b;
    }

    private static void SetHosts(NpgsqlConnectionStringBuilder b, string authority)
    {
        var hosts = new List<(string Host, int? Port)>();
        foreach (var part in authority.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string host;
            string? port = null;
            if (part.StartsWith('['))
            {
                var close = part.IndexOf(']');
                if (close < 0)
                {
                    throw new ArgumentException("the PostgreSQL URL has an IPv6 host without its closing ']'", "connection");
                }
                host = part[1..close];
                if (close + 1 < part.Length)
                {
                    if (part[close + 1] != ':')
                    {
                        throw new ArgumentException("the PostgreSQL URL has text after an IPv6 host that is not a port", "connection");
                    }
                    port = part[(close + 2)..];
                }
            }
            else
            {
                var colon = part.LastIndexOf(':');
                host = colon < 0 ? part : part[..colon];
                port = colon < 0 ? null : part[(colon + 1)..];
            }
            int? portNumber = null;
            if (!string.IsNullOrEmpty(port))
            {
                portNumber = ParsePort(port);
            }
            hosts.Add((Decode(host, "host"), portNumber));
        }
        if (hosts.Count == 1)
        {
            if (hosts[0].Host.Length > 0)
            {
                b.Host = hosts[0].Host;
            }
            if (hosts[0].Port is { } p)
            {
                b.Port = p;
            }
        }
        else if (hosts.Count > 1)
        {
            // Npgsql takes several hosts as "host:port,host:port" (IPv6 addresses in brackets).
            b.Host = string.Join(",", hosts.Select(h =>
            {
                var name = h.Host.Contains(':', StringComparison.Ordinal) ? $"[{h.Host}]" : h.Host;
                return h.Port is { } p ? $"{name}:{p.ToString(CultureInfo.InvariantCulture)}" : name;
            }));
        }
    }

    private static void SetParameter(NpgsqlConnectionStringBuilder b, string key, string value)
    {
        switch (key.ToLowerInvariant())
        {
            case "host":
                b.Host = value;
                break;
            case "port":
                b.Port = ParsePort(value);
                break;
            case "user":
                b.Username = value;
                break;
            case "password":
                b.Password = value;
                break;
            case "dbname":
                b.Database = value;
                break;
            case "sslmode":
                b.SslMode = value.ToLowerInvariant() switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw new ArgumentException($"sslmode must be disable, allow, prefer, require, verify-ca or verify-full, not '{value}'", "connection"),
                };
                break;
            case "sslrootcert":
                b.RootCertificate = value;
                break;
            case "sslcert":
                b.SslCertificate = value;
                break;
            case "sslkey":
                b.SslKey = value;
                break;
            case "sslpassword":
                b.SslPassword = value;
                break;
            case "application_name":
                b.ApplicationName = value;
                break;
            case "connect_timeout":
                b.Timeout = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    ? seconds
                    : throw new ArgumentException($"connect_timeout must be a number of seconds, not '{value}'", "connection");
                break;
            case "options":
                b.Options = value;
                break;
            case "target_session_attrs":
                b.TargetSessionAttributes = value;
                break;
            case "search_path":
                b.SearchPath = value;
                break;
            default:
                try
                {
                    b[key] = value; // any Npgsql keyword, e.g. "Maximum Pool Size" or "Timeout"
                }
                catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
                {
                    throw new ArgumentException($"the PostgreSQL URL parameter '{key}' is not one Npgsql knows or its value is not valid: {e.Message}", "connection", e);
                }
                break;
        }
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new ArgumentException("the PostgreSQL URL has a port that is not a number from 1 to 65535", "connection");

    private static string Decode(string text, string what)
    {
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException e)
        {
            throw new ArgumentException($"the PostgreSQL URL has a badly encoded {what}", "connection", e);
        }
    }
}
