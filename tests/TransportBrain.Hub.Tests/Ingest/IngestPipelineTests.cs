using System.Globalization;
using System.Text;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Storage;
using TransportBrain.Hub.Tests.Storage;

namespace TransportBrain.Hub.Tests.Ingest;

/// <summary>
/// What a file import hands on besides the store, on both stores: a processor that follows the dataset gets
/// every stored record's values (the pipeline then keeps them; otherwise it encodes records for the store
/// as they pass the gate), and the progress tells the span of event times the batch brought.
/// </summary>
public class IngestPipelineTests
{
    public static TheoryData<string> Kinds => TestStores.Kinds();

    private const int Rows = IngestService.ChunkSize * 2 + 500;

    /// <summary>A time without an offset in a file is Beijing time.</summary>
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    /// <summary>Rows of the passing dataset; every 1000th repeats the id of the row before it (a duplicate).</summary>
    private static string Csv()
    {
        var csv = new StringBuilder(TestData.PassingHeader + "\n");
        for (var i = 0; i < Rows; i++)
        {
            var id = i % 1000 == 999 ? i - 1 : i;
            csv.Append(CultureInfo.InvariantCulture, $"p{id},S1,2025-05-31 {10 + i / 3600:D2}:{i / 60 % 60:D2}:{i % 60:D2},粤B{i % 100000:D5},,{i % 200}.5,1,{i % 2 == 0}\n");
        }
        return csv.ToString();
    }

    private sealed class Collector : IStoredRecordObserver
    {
        public List<object?[]> Rows { get; } = [];

        public void OnStored(DatasetDefinition dataset, IReadOnlyList<object?[]> rows)
        {
            lock (Rows)
            {
                // The rows are reused after the call: copy them, as the observer contract says.
                Rows.AddRange(rows.Select(r => (object?[])r.Clone()));
            }
        }
    }

    private static async Task<IngestService> StartAsync(TestStore t)
    {
        await t.Store.InitializeAsync(TestData.Registry());
        var ingest = new IngestService(t.Store, TestData.Registry(), new FixedClock(TestData.Now));
        await ingest.IngestAsync(TestData.Station, new CsvRecordSource(TestData.Utf8("station_id,name\nS1,一号站\n"), TestData.Station, SourceEncodings.Parse("utf-8")), "stations");
        return ingest;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_processor_following_the_dataset_gets_every_stored_record_with_its_values(string kind)
    {
        await using var t = await TestStores.CreateAsync(kind);
        var ingest = await StartAsync(t);
        var collector = new Collector();
        using (ingest.Feed.Subscribe(TestData.Passing.Id, collector))
        {
            var report = await ingest.IngestAsync(TestData.Passing, new CsvRecordSource(TestData.Utf8(Csv()), TestData.Passing, SourceEncodings.Parse("utf-8")), "followed.csv");
            Assert.Equal(Rows, report.Read);
            Assert.Equal(Rows / 1000, report.Quarantined);
            Assert.Equal(report.Stored, collector.Rows.Count);
        }
        // The duplicates are not handed on; every other record is, once, with its typed values.
        Assert.Equal(collector.Rows.Count, collector.Rows.Select(r => (string)r[0]!).Distinct().Count());
        AssertRow1234(collector.Rows.Single(r => (string)r[0]! == "p1234"));
    }

    /// <summary>Row 1234 of <see cref="Csv"/>, typed.</summary>
    private static void AssertRow1234(object?[] values)
    {
        Assert.Equal("p1234", values[0]);
        Assert.Equal("S1", values[1]);
        Assert.Equal(new DateTimeOffset(2025, 5, 31, 10, 20, 34, Beijing), values[2]);
        Assert.Equal("粤B01234", values[3]);
        Assert.Null(values[4]);
        Assert.Equal(34.5, values[5]);
        Assert.Equal(1L, values[6]);
        Assert.Equal(true, values[7]);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_import_nobody_follows_stores_the_same_records_and_tells_the_span_of_event_times(string kind)
    {
        await using var t = await TestStores.CreateAsync(kind);
        var ingest = await StartAsync(t);
        var progress = new IngestProgress();
        Assert.Null(progress.EventsFrom);

        var report = await ingest.IngestAsync(TestData.Passing, new CsvRecordSource(TestData.Utf8(Csv()), TestData.Passing, SourceEncodings.Parse("utf-8")), "alone.csv", progress);

        Assert.Equal(Rows, report.Read);
        Assert.Equal(Rows - Rows / 1000, report.Stored);
        Assert.Equal(Rows / 1000, report.Quarantined);
        Assert.Equal(report.Stored, await t.Store.CountRecordsAsync(TestData.Passing));
        Assert.Equal(new DateTimeOffset(2025, 5, 31, 10, 0, 0, Beijing), progress.EventsFrom);
        Assert.Equal(new DateTimeOffset(2025, 5, 31, 10, 0, 0, Beijing).AddSeconds(Rows - 1), progress.EventsTo);

        // Read back, the records hold what the file said, whichever way the pipeline carried them.
        var page = await t.Store.ReadRecordsAsync(TestData.Passing, new RecordQuery(
            new DateTimeOffset(2025, 5, 31, 10, 20, 33, Beijing), new DateTimeOffset(2025, 5, 31, 10, 20, 36, Beijing), 10, null));
        AssertRow1234(Assert.Single(page.Records, r => (string?)r.Values[0] == "p1234").Values);
        var duplicates = await t.Store.ListQuarantineAsync(TestData.Passing.Id, QuarantineStatus.Open, 0, 100);
        Assert.Equal(Rows / 1000, duplicates.Count);
        Assert.Contains(duplicates, q => q.Reason == "[unique] a record with passing_id=p998 is already stored" && q.Position == 999 + 2);
    }

    /// <summary>Records encoded the way no store here encodes them.</summary>
    private sealed class ForeignEncoding : EncodedRows
    {
        private int _count;

        public override int Count => _count;

        public override void Add(object?[] values) => _count++;

        public override void Clear() => _count = 0;

        public override void Dispose()
        {
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_chunk_encoded_for_another_store_or_dataset_is_refused_with_the_reason(string kind)
    {
        await using var t = await TestStores.CreateAsync(kind);
        await t.Store.InitializeAsync(TestData.Registry());
        // Some other store's encoding; and where this store encodes, its encoding of another dataset.
        EncodedRows?[] encodings = [new ForeignEncoding(), t.Store.NewEncodedRows(TestData.Station)];
        await using (var writer = await t.Store.OpenWriterAsync(TestData.Passing, await t.Store.BeginBatchAsync(new BatchStart(TestData.Passing.Id, "test", "csv", "utf-8", null, TestData.Now))))
        {
            foreach (var encoded in encodings.OfType<EncodedRows>())
            {
                using (encoded)
                {
                    encoded.Add(["S9", "九号站"]);
                    var chunk = new IngestChunk(1, "csv") { Encoded = encoded };
                    chunk.Positions.Add(2);
                    chunk.Raws.Add(Encoding.UTF8.GetBytes("S9,九号站"));
                    var e = await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(chunk).AsTask());
                    Assert.Contains("encoded", e.Message, StringComparison.Ordinal);
                }
            }
        }
        Assert.Equal(0, await t.Store.CountRecordsAsync(TestData.Passing));
        Assert.Equal(kind == "postgres", t.Store.NewEncodedRows(TestData.Passing) is not null);
    }
}
