using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TransportBrain.Host.Api;
using TransportBrain.Hub.Storage.Sqlite;
using TransportBrain.Hub.Tests.Storage;

namespace TransportBrain.Hub.Tests.Api;

/// <summary>
/// A request that meets a store busy for longer than the store waits answers 503 with Retry-After, so a client
/// sends it again; other store failures stay 500s. The exceptions are real ones, from a locked SQLite file and,
/// when the test PostgreSQL is there, a PostgreSQL lock timeout.
/// </summary>
public sealed class StoreBusyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("brain-busy-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task A_store_still_locked_after_its_wait_answers_503_with_retry_after_and_other_failures_are_left_to_the_500()
    {
        var (busy, missing) = SqliteFailures();
        Assert.Equal(5, busy.SqliteErrorCode);
        await AssertBusyAsync(busy);
        Assert.False(await HandledAsync(missing)); // "no such table": a fault, not a wait
        Assert.False(await HandledAsync(new InvalidOperationException("not the store")));
        // Busy after part of a batch was stored: sending it all again would store that part twice.
        Assert.False(await HandledAsync(new TransportBrain.Hub.Storage.PartiallyStoredException(7, 2048, 3, busy)));

        if (TestStores.PostgresUrl is not null || Environment.GetEnvironmentVariable("CI") == "true")
        {
            var timeout = await PostgresLockTimeoutAsync();
            Assert.Equal("55P03", timeout.SqlState);
            await AssertBusyAsync(new InvalidOperationException("the write failed", timeout)); // found inside, too
        }
    }

    private static StoreBusyHandler Handler() => new(Microsoft.Extensions.Logging.Abstractions.NullLogger<StoreBusyHandler>.Instance);

    private static async Task AssertBusyAsync(Exception e)
    {
        var http = NewContext();
        Assert.True(await Handler().TryHandleAsync(http, e, CancellationToken.None));
        Assert.Equal((int)HttpStatusCode.ServiceUnavailable, http.Response.StatusCode);
        Assert.Equal(StoreBusyHandler.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), http.Response.Headers.RetryAfter.ToString());
        http.Response.Body.Position = 0;
        var problem = await JsonDocument.ParseAsync(http.Response.Body);
        Assert.Equal("Store busy", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains("send the request again", problem.RootElement.GetProperty("detail").GetString());
    }

    private static async Task<bool> HandledAsync(Exception e) => await Handler().TryHandleAsync(NewContext(), e, CancellationToken.None);

    private static DefaultHttpContext NewContext() => new()
    {
        RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
        Response = { Body = new MemoryStream() },
    };

    /// <summary>A write that finds the file locked by another connection (and does not wait), and a query of a missing table.</summary>
    private (SqliteException Busy, SqliteException Missing) SqliteFailures()
    {
        SqliteLibrary.Init();
        var cs = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dir, "busy.db"), Pooling = false }.ToString();
        using var holder = new SqliteConnection(cs);
        holder.Open();
        using (var cmd = holder.CreateCommand())
        {
            cmd.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1)";
            cmd.ExecuteNonQuery();
        }
        using var writer = new SqliteConnection(cs);
        writer.Open();
        using var write = writer.CreateCommand();
        write.CommandText = "PRAGMA busy_timeout=0";
        write.ExecuteNonQuery();
        write.CommandText = "INSERT INTO t VALUES (2)";
        write.CommandTimeout = 1; // Microsoft.Data.Sqlite retries a busy statement itself until its command timeout
        var busy = Assert.Throws<SqliteException>(() => write.ExecuteNonQuery());
        write.CommandText = "SELECT * FROM nothing_here";
        var missing = Assert.Throws<SqliteException>(() => write.ExecuteNonQuery());
        return (busy, missing);
    }

    /// <summary>A statement that waits for a table another transaction holds, past its lock_timeout.</summary>
    private static async Task<PostgresException> PostgresLockTimeoutAsync()
    {
        var (_, url, drop) = await TestStores.CreatePostgresDatabaseAsync();
        try
        {
            var cs = new NpgsqlConnectionStringBuilder(TestStores.ToConnectionString(new Uri(url))) { Pooling = false }.ToString();
            await using var holder = new NpgsqlConnection(cs);
            await holder.OpenAsync();
            await using (var create = new NpgsqlCommand("CREATE TABLE t (n int)", holder))
            {
                await create.ExecuteNonQueryAsync();
            }
            await using var tx = await holder.BeginTransactionAsync();
            await using (var lockIt = new NpgsqlCommand("LOCK TABLE t IN ACCESS EXCLUSIVE MODE", holder, tx))
            {
                await lockIt.ExecuteNonQueryAsync();
            }
            await using var writer = new NpgsqlConnection(cs);
            await writer.OpenAsync();
            await using var write = new NpgsqlCommand("SET lock_timeout = '100ms'; INSERT INTO t VALUES (1)", writer);
            return await Assert.ThrowsAsync<PostgresException>(() => write.ExecuteNonQueryAsync());
        }
        finally
        {
            await drop();
        }
    }
}
