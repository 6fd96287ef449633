using System.Buffers.Binary;
using System.Text;
using Npgsql;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Storage.Postgres;

namespace TransportBrain.Hub.Tests.Storage;

/// <summary>
/// A time-indexed dataset with a unique key is hash-partitioned on that key in PostgreSQL, and the
/// writer sends each partition's rows on its own connection: the client's copy of PostgreSQL's
/// partition hash must agree with the server's.
/// </summary>
public class PostgresPartitionTests
{
    private static IEnumerable<string> Texts()
    {
        yield return "";
        yield return "a";
        yield return "贵A12345";
        for (var length = 1; length <= 40; length++)
        {
            yield return string.Concat(Enumerable.Range(0, length).Select(i => (char)('0' + ((i * 7 + length) % 43))));
        }
        yield return "G00305200100031001720261120193607000000";
        yield return "沪昆高速K12上行门架";
    }

    private static readonly long[] Numbers = [0, 1, -1, 42, -42, int.MaxValue, (long)int.MaxValue + 1, int.MinValue, long.MaxValue, long.MinValue, 1_780_000_000_000_000, -9_876_543_210];

    [SkippableFactIfNoPostgres]
    public async Task The_clients_text_and_bigint_hashes_are_the_servers()
    {
        await using var sql = new NpgsqlConnection(TestStoresConnection.Admin());
        await sql.OpenAsync();
        foreach (var seed in new[] { 0UL, 0x7A5B22367996DCFDUL, 12345UL })
        {
            foreach (var text in Texts())
            {
                await using var cmd = new NpgsqlCommand("SELECT hashtextextended(@t, @s)", sql);
                cmd.Parameters.AddWithValue("t", text);
                cmd.Parameters.AddWithValue("s", (long)seed);
                var server = (ulong)(long)(await cmd.ExecuteScalarAsync())!;
                Assert.True(server == PostgresPartitionHash.Bytes(Encoding.UTF8.GetBytes(text), seed), $"hashtextextended('{text}', {seed})");
            }
            foreach (var n in Numbers)
            {
                await using var cmd = new NpgsqlCommand("SELECT hashint8extended(@n, @s)", sql);
                cmd.Parameters.AddWithValue("n", n);
                cmd.Parameters.AddWithValue("s", (long)seed);
                var server = (ulong)(long)(await cmd.ExecuteScalarAsync())!;
                Assert.True(server == PostgresPartitionHash.Int64(n, seed), $"hashint8extended({n}, {seed})");
            }
        }
    }

    [SkippableFactIfNoPostgres]
    public async Task A_key_lands_in_the_partition_the_client_computes_for_it()
    {
        await using var sql = new NpgsqlConnection(TestStoresConnection.Admin());
        await sql.OpenAsync();
        var table = "tb_part_" + Guid.NewGuid().ToString("N")[..8];
        await using (var create = new NpgsqlCommand(
            $"CREATE TEMP TABLE {table} (k text, t timestamptz, n bigint) PARTITION BY HASH (k, t, n); " +
            $"CREATE TEMP TABLE {table}_0 PARTITION OF {table} FOR VALUES WITH (MODULUS 3, REMAINDER 0); " +
            $"CREATE TEMP TABLE {table}_1 PARTITION OF {table} FOR VALUES WITH (MODULUS 3, REMAINDER 1); " +
            $"CREATE TEMP TABLE {table}_2 PARTITION OF {table} FOR VALUES WITH (MODULUS 3, REMAINDER 2)", sql))
        {
            await create.ExecuteNonQueryAsync();
        }
        var expected = new Dictionary<string, int>();
        var time = new DateTimeOffset(2026, 11, 20, 19, 36, 7, TimeSpan.Zero);
        var i = 0;
        foreach (var text in Texts())
        {
            var at = time.AddTicks(i * 12_345_670L);
            var n = Numbers[i % Numbers.Length];
            var key = Key(Encoding.UTF8.GetBytes(text), (at.UtcTicks - new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks) / 10, n);
            expected[text] = PostgresPartitionHash.Remainder(key, [FieldType.String, FieldType.Instant, FieldType.Int64], 3);
            await using var insert = new NpgsqlCommand($"INSERT INTO {table} VALUES (@k, @t, @n)", sql);
            insert.Parameters.AddWithValue("k", text);
            insert.Parameters.AddWithValue("t", at);
            insert.Parameters.AddWithValue("n", n);
            await insert.ExecuteNonQueryAsync();
            i++;
        }
        Assert.Equal(3, expected.Values.Distinct().Count());
        await using var select = new NpgsqlCommand($"SELECT k, tableoid::regclass::text FROM {table}", sql);
        await using var r = await select.ExecuteReaderAsync();
        var seen = 0;
        while (await r.ReadAsync())
        {
            Assert.Equal($"{table}_{expected[r.GetString(0)]}", r.GetString(1));
            seen++;
        }
        Assert.Equal(expected.Count, seen);
    }

    /// <summary>A key as the writer encodes it: per part a big-endian length, then the binary COPY value.</summary>
    private static byte[] Key(byte[] text, long micros, long number)
    {
        var key = new byte[4 + text.Length + 12 + 12];
        BinaryPrimitives.WriteInt32BigEndian(key, text.Length);
        text.CopyTo(key, 4);
        var at = 4 + text.Length;
        BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(at), 8);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(at + 4), micros);
        BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(at + 12), 8);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(at + 16), number);
        return key;
    }
}

internal static class TestStoresConnection
{
    /// <summary>A connection string for the test server's own database.</summary>
    public static string Admin()
    {
        var url = new Uri(TestStores.PostgresUrl ?? throw new InvalidOperationException("CI=true but BRAIN_TEST_POSTGRES is not set"));
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.Port > 0 ? url.Port : 5432,
            Username = Uri.UnescapeDataString(url.UserInfo.Split(':')[0]),
            Database = url.AbsolutePath.Trim('/'),
        };
        if (url.UserInfo.Contains(':'))
        {
            b.Password = Uri.UnescapeDataString(url.UserInfo.Split(':', 2)[1]);
        }
        return b.ToString();
    }
}
