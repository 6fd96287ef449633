using System.Globalization;
using System.Text;
using Npgsql;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Hub.Tests.Storage;

/// <summary>
/// The bulk record writers' uniqueness rules, on both stores: a repeated key is refused whether it
/// repeats a row of the same chunk, of an earlier chunk (still being written or not), or a row another
/// writer stores at the same moment; the refused rows are reported in order.
/// </summary>
public class RecordWriterTests
{
    public static TheoryData<string> Kinds => TestStores.Kinds();

    private static readonly DateTimeOffset Seen = new(2025, 5, 31, 4, 0, 0, TimeSpan.Zero);

    private static async Task<TestStore> OpenAsync(string kind)
    {
        var t = await TestStores.CreateAsync(kind);
        await t.Store.InitializeAsync(TestData.Registry());
        return t;
    }

    private static IngestChunk Chunk(params string[] ids)
    {
        var chunk = new IngestChunk(ids.Length, "csv");
        for (var i = 0; i < ids.Length; i++)
        {
            chunk.Rows.Add([ids[i], "S1", Seen.AddSeconds(i), null, null, 88.5, 1L, false]);
            chunk.Positions.Add(i + 2);
            chunk.Raws.Add(Encoding.UTF8.GetBytes(ids[i] + ",S1,..."));
        }
        return chunk;
    }

    private static async Task<IRecordWriter> WriterAsync(TestStore t) =>
        await t.Store.OpenWriterAsync(TestData.Passing, await t.Store.BeginBatchAsync(new BatchStart(TestData.Passing.Id, "test", "csv", "utf-8", null, Seen)));

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Repeats_within_a_chunk_and_of_stored_keys_are_reported_in_row_order(string kind)
    {
        await using var t = await OpenAsync(kind);
        await using (var writer = await WriterAsync(t))
        {
            var first = await writer.WriteAsync(Chunk("c"));
            Assert.Equal(1, first.Stored);
            Assert.Empty(first.DuplicateRows ?? []);

            var result = await writer.WriteAsync(Chunk("a", "b", "a", "c", "d"));
            Assert.Equal(3, result.Stored);
            Assert.Equal([2, 3], result.DuplicateRows);
            Assert.Equal(2, result.DuplicateViolations.Count);
            Assert.All(result.DuplicateViolations, v => Assert.Equal("unique:passing_id", v.RuleKey));
        }
        Assert.Equal(4, await t.Store.CountRecordsAsync(TestData.Passing));
        var quarantined = await t.Store.ListQuarantineAsync(TestData.Passing.Id, QuarantineStatus.Open, 0, 10);
        Assert.Equal([4L, 5L], quarantined.Select(q => q.Position).Order().ToArray());
        Assert.All(quarantined, q => Assert.Equal("unique", q.Rule));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_key_repeated_chunks_later_in_a_big_file_is_quarantined_and_the_first_kept(string kind)
    {
        await using var t = await OpenAsync(kind);
        var ingest = new IngestService(t.Store, TestData.Registry(), new FixedClock(TestData.Now));
        await ingest.IngestAsync(TestData.Station, new CsvRecordSource(TestData.Utf8("station_id,name\nS1,一号站\n"), TestData.Station, SourceEncodings.Parse("utf-8")), "stations");
        var csv = new StringBuilder(TestData.PassingHeader + "\n");
        var rows = IngestService.ChunkSize * 3 + 100;
        for (var i = 0; i < rows; i++)
        {
            // Row 20,000 repeats row 10 (two chunks earlier); row 8,200 repeats row 8,190 (the chunk just before).
            var id = i switch { 20_000 => 10, 8_200 => 8_190, _ => i };
            csv.Append(CultureInfo.InvariantCulture, $"p{id},S1,2025-05-31 12:{i / 1000 % 60:D2}:{i % 60:D2},,,{i % 200},1,false\n");
        }
        var report = await ingest.IngestAsync(TestData.Passing, new CsvRecordSource(TestData.Utf8(csv.ToString()), TestData.Passing, SourceEncodings.Parse("utf-8")), "big.csv");

        Assert.Equal(rows, report.Read);
        Assert.Equal(rows - 2, report.Stored);
        Assert.Equal(2, report.Quarantined);
        Assert.Equal(2, Assert.Single(report.RuleCounts).Records);
        Assert.Equal(rows - 2, await t.Store.CountRecordsAsync(TestData.Passing));
        var quarantined = await t.Store.ListQuarantineAsync(TestData.Passing.Id, QuarantineStatus.Open, 0, 10);
        // Line numbers: the header is line 1, row i is line i + 2.
        Assert.Equal([8_202L, 20_002L], quarantined.Select(q => q.Position).Order().ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Chunks_handed_over_before_the_previous_one_is_written_still_keep_the_first_of_a_key(string kind)
    {
        await using var t = await OpenAsync(kind);
        await using (var writer = await WriterAsync(t))
        {
            var concurrent = writer is IPipelinedRecordWriter;
            var firstTask = writer.WriteAsync(Chunk([.. Enumerable.Range(0, 2000).Select(i => "k" + i)])).AsTask();
            if (!concurrent)
            {
                await firstTask;
            }
            var second = await writer.WriteAsync(Chunk("n1", "k1999", "n2", "k0"));
            var first = await firstTask;
            Assert.Equal(2000, first.Stored);
            Assert.Equal(2, second.Stored);
            Assert.Equal([1, 3], second.DuplicateRows);
        }
        Assert.Equal(2002, await t.Store.CountRecordsAsync(TestData.Passing));
    }

    private static readonly DatasetDefinition Reading = TestData.Passing with { Id = "test.reading", UniqueKey = ["station_id", "seen_at"] };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_key_of_several_fields_is_compared_field_by_field_to_the_microsecond(string kind)
    {
        await using var t = await TestStores.CreateAsync(kind);
        await t.Store.InitializeAsync(new DatasetRegistry([TestData.Station, Reading]));
        var batch = await t.Store.BeginBatchAsync(new BatchStart(Reading.Id, "test", "csv", "utf-8", null, Seen));
        IngestChunk Rows(params (string Id, string Station, long Ticks)[] rows)
        {
            var chunk = new IngestChunk(rows.Length, "csv");
            foreach (var (id, station, ticks) in rows)
            {
                chunk.Rows.Add([id, station, Seen.AddTicks(ticks), null, null, null, null, null]);
                chunk.Positions.Add(chunk.Positions.Count + 2);
                chunk.Raws.Add(Encoding.UTF8.GetBytes(id));
            }
            return chunk;
        }
        await using (var writer = await t.Store.OpenWriterAsync(Reading, batch))
        {
            var first = await writer.WriteAsync(Rows(("a", "S1", 0), ("b", "S1", 10), ("c", "S2", 0)));
            Assert.Equal(3, first.Stored);
            // d repeats a (already stored: the instants differ by less than the microsecond both stores
            // keep); e is new (same station, next microsecond); f repeats e within the chunk.
            var second = await writer.WriteAsync(Rows(("d", "S1", 3), ("e", "S2", 10), ("f", "S2", 17)));
            Assert.Equal(1, second.Stored);
            Assert.Equal([0, 2], second.DuplicateRows);
        }
        Assert.Equal(4, await t.Store.CountRecordsAsync(Reading));
    }

    [SkippableFactIfNoPostgres]
    public async Task Postgres_a_key_another_transaction_stores_during_the_copy_is_quarantined_not_an_error()
    {
        await using var t = await OpenAsync("postgres");
        await using var writer = await WriterAsync(t);
        await using var other = new NpgsqlConnection(ConnectionString(t.Name));
        await other.OpenAsync();

        // 1) unchecked COPY: it waits for the other transaction, fails on the key, is redone after a key check
        Assert.Equal(["race1"], await RaceAsync(writer, other, "race1"));
        // 2) now checking keys first (a conflict was just seen): the check misses the uncommitted key, the
        //    COPY waits and fails again, and the chunk goes through the staging table
        Assert.Equal(["race2"], await RaceAsync(writer, other, "race2"));
        Assert.Equal(6, await t.Store.CountRecordsAsync(TestData.Passing)); // per race: two of the writer, one of the other transaction
    }

    [SkippableFactIfNoPostgres]
    public async Task Postgres_a_chunk_that_waits_long_for_the_previous_one_steps_back_and_is_written_after_it()
    {
        await using var t = await OpenAsync("postgres");
        await using var writer = await WriterAsync(t);
        Assert.IsAssignableFrom<IPipelinedRecordWriter>(writer);
        await using var other = new NpgsqlConnection(ConnectionString(t.Name));
        await other.OpenAsync();
        await using var tx = await other.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO {DatasetIds.TableName(TestData.Passing.Id)} (_batch, _pos, passing_id, station_id, seen_at) VALUES (0, 0, 'held', 'S1', now())", other, tx))
        {
            await insert.ExecuteNonQueryAsync();
        }
        // The first chunk waits on the server for the other transaction; the second, written meanwhile on
        // the other connection, cannot commit before the first and must not hold its rows for ever.
        var first = writer.WriteAsync(Chunk("held", "a1")).AsTask();
        var second = writer.WriteAsync(Chunk("b1", "b2")).AsTask();
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        await tx.CommitAsync();

        var r1 = await first.WaitAsync(TimeSpan.FromSeconds(30));
        var r2 = await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, r1.Stored);
        Assert.Equal([0], r1.DuplicateRows);
        Assert.Equal(2, r2.Stored);
        Assert.Equal(4, await t.Store.CountRecordsAsync(TestData.Passing));
    }

    [SkippableFactIfNoPostgres]
    public async Task Postgres_a_chunk_is_numbered_from_one_sequence_value_and_a_table_from_before_is_brought_up_to_date()
    {
        await using var t = await OpenAsync("postgres");
        var table = DatasetIds.TableName(TestData.Passing.Id);
        await using var sql = new NpgsqlConnection(ConnectionString(t.Name));
        await sql.OpenAsync();

        await using (var writer = await WriterAsync(t))
        {
            Assert.Equal(3, (await writer.WriteAsync(Chunk("n1", "n2", "n3"))).Stored);
        }
        // Rows inserted some other way still get their own _seq from the same sequence.
        await using (var insert = new NpgsqlCommand($"INSERT INTO {table} (_batch, _pos, passing_id, station_id, seen_at) VALUES (0, 0, 'other', 'S1', now())", sql))
        {
            await insert.ExecuteNonQueryAsync();
        }
        var seqs = await SeqsAsync(sql, table);
        Assert.Equal(["n1", "n2", "n3", "other"], seqs.Select(s => s.Id));
        Assert.Equal([1L, 1L], seqs.Take(3).Zip(seqs.Skip(1).Take(2), (a, b) => b.Seq - a.Seq));
        Assert.True(seqs[3].Seq > seqs[2].Seq);

        // A table created before chunks were numbered has a sequence that counts by one: starting the store brings it up to date.
        await using (var old = new NpgsqlCommand($"ALTER TABLE {table} ALTER COLUMN _seq SET INCREMENT BY 1", sql))
        {
            await old.ExecuteNonQueryAsync();
        }
        await t.Store.InitializeAsync(TestData.Registry());
        await using (var increment = new NpgsqlCommand($"SELECT seqincrement FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence('{table}', '_seq')::regclass", sql))
        {
            Assert.Equal(16384L, (long)(await increment.ExecuteScalarAsync())!);
        }
        await using (var writer = await WriterAsync(t))
        {
            Assert.Equal(2, (await writer.WriteAsync(Chunk("m1", "m2"))).Stored);
        }
        seqs = await SeqsAsync(sql, table);
        Assert.Equal(6, seqs.Select(s => s.Seq).Distinct().Count());
        Assert.Equal(["n1", "n2", "n3", "other", "m1", "m2"], seqs.Select(s => s.Id));
    }

    [SkippableFactIfNoPostgres]
    public async Task Postgres_a_bounded_whole_number_gets_a_narrow_column_and_a_table_from_before_keeps_its_bigint()
    {
        await using var t = await OpenAsync("postgres");
        var table = DatasetIds.TableName(TestData.Passing.Id);
        await using var sql = new NpgsqlConnection(ConnectionString(t.Name));
        await sql.OpenAsync();
        // vehicle_type may only be 1, 2 or 11: a new table stores it in 2 bytes.
        Assert.Equal("smallint", await ColumnTypeAsync(sql, table, "vehicle_type"));

        await using (var writer = await WriterAsync(t))
        {
            var chunk = Chunk("w1", "w2");
            chunk.Rows[1][6] = 11L;
            Assert.Equal(2, (await writer.WriteAsync(chunk)).Stored);
        }
        // A value the gate would have refused (nothing holds a writer's caller to it) is named, not truncated.
        await using (var writer = await WriterAsync(t))
        {
            var chunk = Chunk("w3");
            chunk.Rows[0][6] = 70_000L;
            var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WriteAsync(chunk));
            Assert.Contains("vehicle_type = 70000 does not fit its smallint column", e.Message);
        }

        // A table created before narrow columns keeps its bigint column, and the writer follows it.
        await using (var widen = new NpgsqlCommand($"ALTER TABLE {table} ALTER COLUMN vehicle_type TYPE bigint", sql))
        {
            await widen.ExecuteNonQueryAsync();
        }
        await t.Store.InitializeAsync(TestData.Registry());
        Assert.Equal("bigint", await ColumnTypeAsync(sql, table, "vehicle_type"));
        await using (var writer = await WriterAsync(t))
        {
            var chunk = Chunk("w4", "w5", "w1");
            chunk.Rows[0][6] = 70_000L;
            var result = await writer.WriteAsync(chunk);
            Assert.Equal(2, result.Stored);
            Assert.Equal([2], result.DuplicateRows); // the stored key is still found through the wider column
        }
        var records = (await t.Store.ReadRecordsAsync(TestData.Passing, new RecordQuery(null, null, 10, null))).Records;
        Assert.Equal(
            [("w1", (object?)1L), ("w2", 11L), ("w4", 70_000L), ("w5", 1L)],
            records.Select(r => ((string)r.Values[0]!, r.Values[6])).OrderBy(x => x.Item1, StringComparer.Ordinal));
    }

    [SkippableFactIfNoPostgres]
    public async Task Postgres_a_column_narrower_than_its_field_now_allows_is_widened_at_start_up()
    {
        var fees = TestData.Passing with
        {
            Id = "test.fee", UniqueKey = ["id"], TimeField = null,
            Fields = [Field.Text("id", "编号", "Id", required: true), Field.Integer("fee_fen", "金额", "Fee", unit: "fen") with { Min = 0, Max = 10_000_000 }],
        };
        var registry = new DatasetRegistry([fees]);
        await using var t = await TestStores.CreateAsync("postgres");
        await t.Store.InitializeAsync(registry);
        var table = DatasetIds.TableName(fees.Id);
        await using var sql = new NpgsqlConnection(ConnectionString(t.Name));
        await sql.OpenAsync();
        Assert.Equal("integer", await ColumnTypeAsync(sql, table, "fee_fen"));
        // As if the field had been declared with a maximum of 30,000 when the table was made.
        await using (var narrow = new NpgsqlCommand($"ALTER TABLE {table} ALTER COLUMN fee_fen TYPE smallint", sql))
        {
            await narrow.ExecuteNonQueryAsync();
        }
        await t.Store.InitializeAsync(registry);
        Assert.Equal("integer", await ColumnTypeAsync(sql, table, "fee_fen"));
        await using (var writer = await t.Store.OpenWriterAsync(fees, await t.Store.BeginBatchAsync(new BatchStart(fees.Id, "test", "csv", "utf-8", null, Seen))))
        {
            var chunk = new IngestChunk(1, "csv");
            chunk.Rows.Add(["f1", 5_000_000L]);
            chunk.Positions.Add(2);
            chunk.Raws.Add(Encoding.UTF8.GetBytes("f1,5000000"));
            Assert.Equal(1, (await writer.WriteAsync(chunk)).Stored);
        }
        var stored = Assert.Single((await t.Store.ReadRecordsAsync(fees, new RecordQuery(null, null, 10, null))).Records);
        Assert.Equal(5_000_000L, stored.Values[1]);
    }

    private static async Task<string> ColumnTypeAsync(NpgsqlConnection sql, string table, string column)
    {
        await using var command = new NpgsqlCommand(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = @t::regclass AND attname = @c", sql);
        command.Parameters.AddWithValue("t", table);
        command.Parameters.AddWithValue("c", column);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<(long Seq, string Id)>> SeqsAsync(NpgsqlConnection sql, string table)
    {
        var list = new List<(long, string)>();
        await using var select = new NpgsqlCommand($"SELECT _seq, passing_id FROM {table} ORDER BY _seq", sql);
        await using var r = await select.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add((r.GetInt64(0), r.GetString(1)));
        }
        return list;
    }

    /// <summary>Stores <paramref name="key"/> in an open transaction while the writer writes a chunk holding it; returns the refused keys.</summary>
    private static async Task<string[]> RaceAsync(IRecordWriter writer, NpgsqlConnection other, string key)
    {
        await using var tx = await other.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO {DatasetIds.TableName(TestData.Passing.Id)} (_batch, _pos, passing_id, station_id, seen_at) VALUES (0, 0, @k, 'S1', now())", other, tx))
        {
            insert.Parameters.AddWithValue("k", key);
            await insert.ExecuteNonQueryAsync();
        }
        var chunk = Chunk(key + "-a", key, key + "-b");
        var write = writer.WriteAsync(chunk).AsTask();
        await Task.Delay(300);
        await tx.CommitAsync();
        var result = await write.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, result.Stored);
        return [.. (result.DuplicateRows ?? []).Select(r => (string)chunk.Rows[r][0]!)];
    }

    private static string ConnectionString(string database)
    {
        var url = new Uri(TestStores.PostgresUrl!);
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.Port > 0 ? url.Port : 5432,
            Username = Uri.UnescapeDataString(url.UserInfo.Split(':')[0]),
            Database = database,
        };
        if (url.UserInfo.Contains(':'))
        {
            b.Password = Uri.UnescapeDataString(url.UserInfo.Split(':', 2)[1]);
        }
        return b.ToString();
    }
}

/// <summary>A fact that runs only when a PostgreSQL server is configured (always under CI=true).</summary>
public sealed class SkippableFactIfNoPostgresAttribute : FactAttribute
{
    public SkippableFactIfNoPostgresAttribute()
    {
        if (TestStores.PostgresUrl is null && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "BRAIN_TEST_POSTGRES is not set";
        }
    }
}
