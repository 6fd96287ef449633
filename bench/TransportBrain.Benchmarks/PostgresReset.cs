using Npgsql;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Benchmarks;

/// <summary>
/// Empties the benchmark database between iterations so every import starts from the same state, and
/// checkpoints so the server is not still writing out the previous iteration while the next is measured.
/// </summary>
internal static class PostgresReset
{
    public static void Truncate(string url, DatasetRegistry registry)
    {
        var uri = new Uri(url);
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.Port > 0 ? uri.Port : 5432, Username = Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]), Database = uri.AbsolutePath.Trim('/') };
        using var c = new NpgsqlConnection(b.ToString());
        c.Open();
        var tables = string.Join(", ", registry.All.Select(d => DatasetIds.TableName(d.Id)).Append("hub_quarantine").Append("hub_batch"));
        using var cmd = new NpgsqlCommand($"TRUNCATE {tables}", c);
        cmd.ExecuteNonQuery();
        try
        {
            using var checkpoint = new NpgsqlCommand("CHECKPOINT", c);
            checkpoint.ExecuteNonQuery();
        }
        catch (PostgresException)
        {
            // needs superuser or pg_checkpoint; without it the iterations are only a little less independent
        }
    }
}
