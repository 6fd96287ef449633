using Npgsql;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Benchmarks;

/// <summary>Empties the benchmark database between iterations so every import starts from the same state.</summary>
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
    }
}
