using System.Reflection;
using System.Text;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Storage;
using TransportBrain.Hub.Tests.Storage;

namespace TransportBrain.Hub.Tests.Ingest;

/// <summary>What an import does when its store fails part-way: it ends with the store's error.</summary>
public class IngestFailureTests
{
    [Fact]
    public async Task A_store_that_fails_in_the_middle_of_a_big_import_ends_it_with_the_store_error_instead_of_hanging()
    {
        await using var t = await TestStores.CreateAsync("sqlite");
        await t.Store.InitializeAsync(TestData.Registry());
        var store = FailingStore.Wrap(t.Store, failOnChunk: 2);
        var ingest = new IngestService(store, TestData.Registry(), new FixedClock(TestData.Now));
        await ingest.IngestAsync(TestData.Station, new CsvRecordSource(TestData.Utf8("station_id,name\nS1,一号站\n"), TestData.Station, SourceEncodings.Parse("utf-8")), "stations");

        // Ten chunks: far more than the reader may queue ahead of the writer.
        var rows = new StringBuilder(TestData.PassingHeader + "\n");
        for (var i = 0; i < 10 * IngestService.ChunkSize; i++)
        {
            rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"p{i},S1,2025-05-31 12:00:00,,,,,\n");
        }
        var import = ingest.IngestAsync(TestData.Passing, new CsvRecordSource(TestData.Utf8(rows.ToString()), TestData.Passing, SourceEncodings.Parse("utf-8")), "big.csv");

        var e = await Assert.ThrowsAsync<IOException>(() => import.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("the disk went away", e.Message);
        // What the writer committed before it failed is kept: the first chunk.
        Assert.Equal(IngestService.FirstChunkSize, await t.Store.CountRecordsAsync(TestData.Passing));
    }

    /// <summary>A store whose record writers fail on their n-th chunk; everything else goes to the real store.</summary>
    public class FailingStore : DispatchProxy
    {
        private IHubStore _inner = null!;
        private int _failOnChunk;

        public static IHubStore Wrap(IHubStore inner, int failOnChunk)
        {
            var proxy = Create<IHubStore, FailingStore>();
            var self = (FailingStore)(object)proxy;
            self._inner = inner;
            self._failOnChunk = failOnChunk;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            try
            {
                var result = method!.Invoke(_inner, args);
                if (method.Name == nameof(IHubStore.OpenWriterAsync) && result is Task<IRecordWriter> open)
                {
                    return OpenFailingAsync(open);
                }
                return result;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }

        private async Task<IRecordWriter> OpenFailingAsync(Task<IRecordWriter> open) => new FailingWriter(await open, _failOnChunk);
    }

    private sealed class FailingWriter(IRecordWriter inner, int failOnChunk) : IRecordWriter
    {
        private int _chunks;

        public ValueTask<ChunkResult> WriteAsync(IngestChunk chunk, CancellationToken ct = default) =>
            ++_chunks == failOnChunk ? throw new IOException("the disk went away") : inner.WriteAsync(chunk, ct);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
