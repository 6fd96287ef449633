using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Highway.Processing;

/// <summary>
/// Writes a processor's output rows (already typed, in schema order) to a derived dataset in batches
/// that roll every hour, each with its quality report (read = stored + quarantined: a row whose key is
/// already stored is quarantined as a duplicate, e.g. when a day is recomputed over live results).
/// </summary>
public sealed class DerivedWriter(IHubStore store, DatasetDefinition dataset, string source, TimeProvider clock) : IAsyncDisposable
{
    private IRecordWriter? _writer;
    private long _batchId;
    private DateTimeOffset _started;
    private long _read, _stored, _quarantined;

    public DatasetDefinition Dataset => dataset;

    public async Task WriteAsync(IReadOnlyList<object?[]> rows, CancellationToken ct = default)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var now = clock.GetUtcNow();
        if (_writer is not null && now - _started >= TimeSpan.FromHours(1))
        {
            await CompleteAsync(ct);
        }
        if (_writer is null)
        {
            _started = now;
            _batchId = await store.BeginBatchAsync(new BatchStart(dataset.Id, source, "derived", "binary", null, now), ct);
            _writer = await store.OpenWriterAsync(dataset, _batchId, ct);
            _read = _stored = _quarantined = 0;
        }
        var chunk = new IngestChunk(rows.Count, "json");
        for (var i = 0; i < rows.Count; i++)
        {
            chunk.Rows.Add(rows[i]);
            chunk.Positions.Add(_read + i);
            chunk.Raws.Add(System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(rows[i])));
        }
        var result = await _writer.WriteAsync(chunk, ct);
        _read += rows.Count;
        _stored += result.Stored;
        _quarantined += result.DuplicateViolations.Count;
    }

    public async Task CompleteAsync(CancellationToken ct = default)
    {
        if (_writer is null)
        {
            return;
        }
        await _writer.DisposeAsync();
        _writer = null;
        await store.CompleteBatchAsync(new QualityReport
        {
            BatchId = _batchId, DatasetId = dataset.Id, Source = source, StartedAt = _started, FinishedAt = clock.GetUtcNow(),
            Read = _read, Stored = _stored, Quarantined = _quarantined,
        }, ct);
    }

    public async ValueTask DisposeAsync() => await CompleteAsync();
}
