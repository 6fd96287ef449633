using System.Data.Common;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Storage.Postgres;

/// <summary>
/// The server store: PostgreSQL through a pooled <see cref="NpgsqlDataSource"/>. Instants are
/// timestamptz (microseconds, UTC). Records are written by binary COPY into a per-connection
/// staging table and moved into the dataset table with one INSERT ... SELECT per chunk.
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

    protected override async Task<IRecordWriter> CreateWriterAsync(DatasetDefinition dataset, long batchId, CancellationToken ct)
    {
        var connection = await _dataSource.OpenConnectionAsync(ct);
        try
        {
            var writer = new PostgresRecordWriter(this, connection, dataset, batchId);
            await writer.InitializeAsync(ct);
            return writer;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Owns one connection for the writer's lifetime. Each chunk: COPY its rows (with their index in
    /// the chunk as _ord) into the temporary staging table, INSERT ... SELECT them in chunk order, and
    /// quarantine the rows the unique key turned away, all in one transaction. The staging table is
    /// ON COMMIT DELETE ROWS, so it is empty at the start of every chunk.
    /// </summary>
    private sealed class PostgresRecordWriter(PostgresHubStore store, NpgsqlConnection connection, DatasetDefinition dataset, long batchId) : IRecordWriter
    {
        private const string Staging = "pg_temp.hub_stage";
        private readonly NpgsqlDbType[] _types = [.. dataset.Fields.Select(f => PostgresDialect.DbType(f.Type))];
        private readonly bool _unique = dataset.UniqueKey.Count > 0;
        private NpgsqlCommand? _insert;

        private string Columns => string.Join(", ", dataset.Fields.Select(f => $"\"{f.Name}\""));

        public async Task InitializeAsync(CancellationToken ct)
        {
            var dialect = store.Dialect;
            var fields = string.Concat(dataset.Fields.Select(f => $", \"{f.Name}\" {dialect.ColumnType(f.Type)}"));
            // A pooled connection is normally reset (DISCARD ALL) on return, but the pool may be
            // configured not to: start from a staging table of this dataset's current schema.
            await using (var create = connection.CreateCommand())
            {
                create.CommandText =
                    $"DROP TABLE IF EXISTS {Staging}; " +
                    $"CREATE TEMP TABLE hub_stage (_ord integer NOT NULL, _pos bigint NOT NULL{fields}) ON COMMIT DELETE ROWS";
                await create.ExecuteNonQueryAsync(ct);
            }
            var table = DatasetIds.TableName(dataset.Id);
            _insert = connection.CreateCommand();
            _insert.CommandText =
                $"INSERT INTO {table} (_batch, _pos, {Columns}) SELECT @b, _pos, {Columns} FROM {Staging}" +
                (_unique ? " WHERE _ord >= @lo AND _ord < @hi ORDER BY _ord ON CONFLICT DO NOTHING RETURNING _pos" : " ORDER BY _ord");
            _insert.Parameters.Add(new NpgsqlParameter<long>("b", NpgsqlDbType.Bigint) { TypedValue = batchId });
            if (_unique)
            {
                _insert.Parameters.Add(new NpgsqlParameter<int>("lo", NpgsqlDbType.Integer));
                _insert.Parameters.Add(new NpgsqlParameter<int>("hi", NpgsqlDbType.Integer));
            }
            await _insert.PrepareAsync(ct);
        }

        public async ValueTask<ChunkResult> WriteAsync(IngestChunk chunk, CancellationToken ct = default)
        {
            var insert = _insert ?? throw new InvalidOperationException("the writer is not initialised");
            var rows = chunk.Rows;
            if (chunk.Positions.Count != rows.Count || chunk.Raws.Count != rows.Count)
            {
                throw new ArgumentException("the chunk's rows, positions and raws differ in number", nameof(chunk));
            }
            var stored = 0;
            var duplicates = new List<Quality.Violation>();
            List<QuarantinedRecord>? dupes = null;
            await using var tx = await connection.BeginTransactionAsync(ct);
            insert.Transaction = tx;
            if (rows.Count > 0)
            {
                await CopyAsync(chunk, ct);
                if (!_unique)
                {
                    stored = await insert.ExecuteNonQueryAsync(ct);
                }
                else
                {
                    var inserted = new bool[rows.Count];
                    // RETURNING can only name the dataset table's columns, so an inserted row is known
                    // by its _pos. Positions are unique within a chunk in practice; should one repeat,
                    // the chunk is inserted as consecutive runs of unique positions, in order.
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
                    for (var r = 0; r < rows.Count; r++)
                    {
                        if (!inserted[r])
                        {
                            var q = Duplicate(dataset, batchId, chunk.Positions[r], chunk.Raws[r], chunk.Format, rows[r], DateTimeOffset.UtcNow);
                            (dupes ??= []).Add(q);
                            duplicates.Add(new Quality.Violation(Quality.RuleKind.Unique, string.Join("+", dataset.UniqueKey), q.Reason));
                        }
                    }
                }
            }
            if (chunk.Rejected.Count > 0 || dupes is not null)
            {
                await using var qi = store.PrepareQuarantineInsert(connection, tx);
                await qi.PrepareAsync(ct);
                foreach (var q in chunk.Rejected)
                {
                    await store.InsertQuarantineAsync(qi, q, ct);
                }
                foreach (var q in dupes ?? [])
                {
                    await store.InsertQuarantineAsync(qi, q, ct);
                }
            }
            await tx.CommitAsync(ct);
            insert.Transaction = null;
            return new ChunkResult(stored, duplicates);
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

        private async Task CopyAsync(IngestChunk chunk, CancellationToken ct)
        {
            var fields = dataset.Fields;
            await using var importer = await connection.BeginBinaryImportAsync(
                $"COPY {Staging} (_ord, _pos, {Columns}) FROM STDIN (FORMAT BINARY)", ct);
            for (var r = 0; r < chunk.Rows.Count; r++)
            {
                var row = chunk.Rows[r];
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(r, NpgsqlDbType.Integer, ct);
                await importer.WriteAsync(chunk.Positions[r], NpgsqlDbType.Bigint, ct);
                for (var i = 0; i < fields.Count; i++)
                {
                    var value = row[i];
                    if (value is null or DBNull)
                    {
                        await importer.WriteNullAsync(ct);
                        continue;
                    }
                    var type = _types[i];
                    switch (fields[i].Type)
                    {
                        case FieldType.Int64:
                            await importer.WriteAsync(Convert.ToInt64(value, CultureInfo.InvariantCulture), type, ct);
                            break;
                        case FieldType.Double:
                            await importer.WriteAsync(Convert.ToDouble(value, CultureInfo.InvariantCulture), type, ct);
                            break;
                        case FieldType.Boolean:
                            await importer.WriteAsync(Convert.ToBoolean(value, CultureInfo.InvariantCulture), type, ct);
                            break;
                        case FieldType.Instant:
                            await importer.WriteAsync(PostgresDialect.ToUtcMicroseconds(value), type, ct);
                            break;
                        default:
                            await importer.WriteAsync(value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "", type, ct);
                            break;
                    }
                }
            }
            await importer.CompleteAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            if (_insert is not null)
            {
                await _insert.DisposeAsync();
            }
            await connection.DisposeAsync();
        }
    }
}

internal sealed class PostgresDialect : SqlDialect
{
    public override string IdentityPrimaryKey => "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    public override string BytesType => "bytea";

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
