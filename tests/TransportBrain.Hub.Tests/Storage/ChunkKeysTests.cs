using TransportBrain.Hub.Storage.Postgres;

namespace TransportBrain.Hub.Tests.Storage;

/// <summary>
/// The PostgreSQL writer's table of a chunk's keys: which rows repeat a key of their own chunk, and which
/// keys a chunk still in flight already holds.
/// </summary>
public class ChunkKeysTests
{
    private static readonly DateTimeOffset Seen = new(2025, 5, 31, 4, 0, 0, TimeSpan.Zero);

    private static PostgresEncodedRows Rows(IEnumerable<string?> ids)
    {
        var rows = new PostgresEncodedRows(TestData.Passing);
        var i = 0;
        foreach (var id in ids)
        {
            rows.Add([id, "S1", Seen.AddSeconds(i++), null, null, 88.5, 1L, false]);
        }
        return rows;
    }

    [Fact]
    public void Every_repeat_of_a_key_in_the_chunk_is_marked_and_the_first_row_of_each_key_is_kept()
    {
        // 20,000 rows (more than a bulk chunk, so the table probes past collisions): every fifth row repeats
        // the key of a row 3 to 9 rows before it, every 97th has no key (a NULL never conflicts).
        var ids = new List<string?>();
        var expectedDuplicate = new List<bool>();
        for (var r = 0; r < 20_000; r++)
        {
            if (r % 97 == 0)
            {
                ids.Add(null);
                expectedDuplicate.Add(false);
            }
            else if (r % 5 == 0 && r >= 10 && ids[r - 3 - r % 7] is { } earlier)
            {
                ids.Add(earlier);
                expectedDuplicate.Add(true);
            }
            else
            {
                ids.Add("G0060520010001100" + r.ToString("D6", System.Globalization.CultureInfo.InvariantCulture));
                expectedDuplicate.Add(false);
            }
        }
        using var rows = Rows(ids);
        var duplicate = new bool[rows.Count];
        var keys = new ChunkKeys();

        keys.Build(rows, duplicate);

        Assert.Equal(expectedDuplicate, duplicate);
        var firstRows = Enumerable.Range(0, ids.Count).Where(r => ids[r] is not null && !expectedDuplicate[r]).ToList();
        Assert.Equal(firstRows, keys.FirstRows);
        foreach (var r in firstRows)
        {
            Assert.Equal(r, keys.Find(rows.KeyBytes(r), rows.KeyHash(r)));
        }
    }

    [Fact]
    public void A_later_chunk_finds_the_keys_of_a_chunk_in_flight_until_that_chunk_is_released()
    {
        using var first = Rows(["a", "b", "贵A12345"]);
        using var second = Rows(["c", "贵A12345", "a", "d"]);
        var firstKeys = new ChunkKeys();
        firstKeys.Build(first, new bool[first.Count]);

        var found = Enumerable.Range(0, second.Count).Select(r => firstKeys.Find(second.KeyBytes(r), second.KeyHash(r))).ToList();

        Assert.Equal([-1, 2, 0, -1], found);
        firstKeys.Release();
        Assert.Equal(-1, firstKeys.Find(second.KeyBytes(2), second.KeyHash(2)));
    }

    [Fact]
    public void A_table_reused_for_the_next_chunk_forgets_the_keys_of_the_previous_one()
    {
        using var previous = Rows(Enumerable.Range(0, 5000).Select(i => "k" + i));
        using var next = Rows(Enumerable.Range(5000, 4999).Select(i => "k" + i).Append("k5000"));
        var keys = new ChunkKeys();
        keys.Build(previous, new bool[previous.Count]);
        keys.Release();

        var duplicate = new bool[next.Count];
        keys.Build(next, duplicate);

        Assert.Equal(Enumerable.Range(0, 5000).Select(r => r == 4999), duplicate);
        Assert.Equal(Enumerable.Range(0, 4999), keys.FirstRows);
        Assert.Equal(-1, keys.Find(previous.KeyBytes(1), previous.KeyHash(1)));
        Assert.Equal(0, keys.Find(next.KeyBytes(4999), next.KeyHash(4999)));
    }
}
