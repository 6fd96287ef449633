using Npgsql;
using TransportBrain.Hub.Storage;
using TransportBrain.Hub.Storage.Sqlite;

namespace TransportBrain.Hub.Tests.Storage;

/// <summary>
/// Makes a fresh, empty store of each kind for a test. PostgreSQL comes from BRAIN_TEST_POSTGRES
/// (a postgres:// URL; ./test starts a throwaway server and sets it). Under CI=true a missing
/// PostgreSQL is a failure, not a skip; locally the PostgreSQL cases are left out with a message.
/// </summary>
public static class TestStores
{
    public static readonly string? PostgresUrl = Environment.GetEnvironmentVariable("BRAIN_TEST_POSTGRES");

    /// <summary>Breaks a SQLite store on purpose: drops a dataset's table behind the store's back.</summary>
    public static async Task DropDatasetTableAsync(string sqlitePath, string datasetId)
    {
        await using var c = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = sqlitePath, Pooling = false }.ToString());
        await c.OpenAsync();
        await using var drop = c.CreateCommand();
        drop.CommandText = $"DROP TABLE {TransportBrain.Hub.Catalog.DatasetIds.TableName(datasetId)}";
        await drop.ExecuteNonQueryAsync();
    }

    public static TheoryData<string> Kinds()
    {
        var kinds = new TheoryData<string> { "sqlite" };
        if (PostgresUrl is not null || Environment.GetEnvironmentVariable("CI") == "true")
        {
            kinds.Add("postgres");
        }
        else
        {
            Console.Error.WriteLine("BRAIN_TEST_POSTGRES is not set: store tests run on SQLite only (./test sets it)");
        }
        return kinds;
    }

    public static async Task<TestStore> CreateAsync(string kind)
    {
        if (kind == "sqlite")
        {
            var dir = Directory.CreateTempSubdirectory("brain-test-");
            return new TestStore(new SqliteHubStore(Path.Combine(dir.FullName, "brain.db")), dir.FullName, async () => { Directory.Delete(dir.FullName, true); await Task.CompletedTask; });
        }
        var (db, url, drop) = await CreatePostgresDatabaseAsync();
        return new TestStore(HubStores.Open(url, Path.GetTempPath()), db, drop);
    }

    /// <summary>
    /// A fresh, empty database on the test PostgreSQL: its name, its postgres:// URL (for a whole platform), and
    /// how to drop it.
    /// </summary>
    public static async Task<(string Name, string Url, Func<Task> Drop)> CreatePostgresDatabaseAsync()
    {
        if (PostgresUrl is null)
        {
            throw new InvalidOperationException("CI=true but BRAIN_TEST_POSTGRES is not set: the PostgreSQL store tests cannot run (./test starts PostgreSQL and sets it)");
        }
        var db = "brain_t_" + Guid.NewGuid().ToString("N")[..12];
        var admin = new Uri(PostgresUrl);
        var adminConn = ToConnectionString(admin);
        await using (var c = new NpgsqlConnection(adminConn))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {db}", c);
            await cmd.ExecuteNonQueryAsync();
        }
        var url = new UriBuilder(admin) { Path = "/" + db }.Uri.ToString();
        return (db, url, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var c = new NpgsqlConnection(adminConn);
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {db} WITH (FORCE)", c);
            await cmd.ExecuteNonQueryAsync();
        });
    }

    /// <summary>Runs SQL behind the store's back (to set up an older schema, or to look at one) and returns the first value.</summary>
    public static async Task<object?> SqlAsync(TestStore t, string sql)
    {
        System.Data.Common.DbConnection c = t.Store.Kind == "sqlite"
            ? new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = t.Store.Location, Pooling = false }.ToString())
            : new NpgsqlConnection(ToConnectionString(new UriBuilder(new Uri(PostgresUrl!)) { Path = "/" + t.Name }.Uri));
        await using (c)
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            return await cmd.ExecuteScalarAsync();
        }
    }

    public static string ToConnectionString(Uri url)
    {
        var user = Uri.UnescapeDataString(url.UserInfo.Split(':')[0]);
        var b = new NpgsqlConnectionStringBuilder { Host = url.Host, Port = url.Port > 0 ? url.Port : 5432, Username = user, Database = url.AbsolutePath.Trim('/') };
        if (url.UserInfo.Contains(':'))
        {
            b.Password = Uri.UnescapeDataString(url.UserInfo.Split(':', 2)[1]);
        }
        return b.ToString();
    }
}

public sealed class TestStore(IHubStore store, string name, Func<Task> cleanup) : IAsyncDisposable
{
    public IHubStore Store { get; } = store;
    public string Name { get; } = name;

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await cleanup();
    }
}
