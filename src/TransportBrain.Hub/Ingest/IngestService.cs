using System.Threading.Channels;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Hub.Ingest;

/// <summary>Live counters of a running ingest, for progress bars.</summary>
public sealed class IngestProgress
{
    private long _read;
    private long _stored;
    private long _quarantined;
    private long _bytes;
    private long _eventsFrom = long.MaxValue;
    private long _eventsTo = long.MinValue;

    public long Read => Interlocked.Read(ref _read);
    public long Stored => Interlocked.Read(ref _stored);
    public long Quarantined => Interlocked.Read(ref _quarantined);
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>
    /// The earliest event time (the dataset's time field) of the records that passed the gate so far; null
    /// before the first one, or when the dataset has no time field. A record the store then refuses as a
    /// duplicate is counted in: the span is what the batch brought, for recomputing what depends on it.
    /// </summary>
    public DateTimeOffset? EventsFrom => Interlocked.Read(ref _eventsFrom) is var t && t != long.MaxValue ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>The latest event time of the records that passed the gate so far (see <see cref="EventsFrom"/>).</summary>
    public DateTimeOffset? EventsTo => Interlocked.Read(ref _eventsTo) is var t && t != long.MinValue ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>Widens the event-time span; called by the one thread that reads the batch.</summary>
    internal void SawEvent(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        if (ticks < _eventsFrom)
        {
            Interlocked.Exchange(ref _eventsFrom, ticks);
        }
        if (ticks > _eventsTo)
        {
            Interlocked.Exchange(ref _eventsTo, ticks);
        }
    }

    internal void SetRead(long read, long bytes)
    {
        Interlocked.Exchange(ref _read, read);
        Interlocked.Exchange(ref _bytes, bytes);
    }

    internal void AddWritten(long stored, long quarantined)
    {
        Interlocked.Add(ref _stored, stored);
        Interlocked.Add(ref _quarantined, quarantined);
    }
}

/// <summary>
/// A record writer that can be handed its next chunk before the previous one is written (each chunk
/// still in its own transaction, committed in order): <see cref="IngestService"/> then keeps up to
/// <see cref="MaxChunksInFlight"/> WriteAsync calls running at once and takes their results in order.
/// </summary>
public interface IPipelinedRecordWriter
{
    int MaxChunksInFlight { get; }
}

/// <summary>
/// Runs one batch: source → quality gate → store, with every rejected record quarantined with its
/// bytes and reasons. Reading and checking run on the caller's thread while the previous chunk is
/// written on another (two at once for a <see cref="IPipelinedRecordWriter"/>), so parsing and storage
/// overlap; memory stays flat because at most a few chunks are in flight, and their buffers are reused.
/// </summary>
public sealed class IngestService(IHubStore store, DatasetRegistry registry, TimeProvider clock)
{
    public const int ChunkSize = 8192;

    /// <summary>
    /// The first chunk is smaller, so the store starts writing after a quarter of the parsing time
    /// (the writer would otherwise wait idle for a whole chunk).
    /// </summary>
    public const int FirstChunkSize = ChunkSize / 4;

    /// <summary>Where committed records are published for processors that follow a dataset.</summary>
    public RecordFeed Feed { get; } = new();

    /// <summary>
    /// Runs the batch. If the store turns busy after part of the batch was committed, the failure comes as a
    /// <see cref="PartiallyStoredException"/>: sending the whole source again is then not the remedy.
    /// </summary>
    public async Task<QualityReport> IngestAsync(DatasetDefinition dataset, IRecordSource source, string sourceName,
        IngestProgress? progress = null, CancellationToken ct = default)
    {
        var written = new WrittenSoFar();
        try
        {
            return await RunBatchAsync(dataset, source, sourceName, progress, written, ct);
        }
        catch (Exception e) when (written.Any && StoreErrors.IsTransient(e))
        {
            throw new PartiallyStoredException(written.BatchId, written.Stored, written.Quarantined, e);
        }
    }

    /// <summary>What a batch has committed so far (chunks already written), for telling a partial failure.</summary>
    private sealed class WrittenSoFar
    {
        public long BatchId;
        public long Stored;
        public long Quarantined;
        public bool Any => Stored + Quarantined > 0;
    }

    private async Task<QualityReport> RunBatchAsync(DatasetDefinition dataset, IRecordSource source, string sourceName,
        IngestProgress? progress, WrittenSoFar written, CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        var batchId = await store.BeginBatchAsync(new BatchStart(dataset.Id, sourceName, source.Format, source.EncodingName, source.Header, started), ct);
        written.BatchId = batchId;
        var gate = new QualityGate(dataset, await ReferenceSets.LoadAsync(store, registry, dataset, ct), started);
        var tally = new RuleTally();
        var channel = Channel.CreateBounded<ChunkBuffers>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        // Chunks the writer is done with come back to the reader, so rows, raw bytes and lists are reused
        // instead of being allocated (and promoted by the GC) anew for every record.
        var recycled = new System.Collections.Concurrent.ConcurrentQueue<ChunkBuffers>();
        long stored = 0, quarantined = 0, read = 0;

        var writerTask = Task.Run(async () =>
        {
            try
            {
                await WriteAllAsync();
            }
            catch (Exception e)
            {
                // The reader stops at its next hand-over (with this exception) instead of waiting for ever
                // on a full channel that nobody empties.
                channel.Writer.TryComplete(e);
                throw;
            }
        }, ct);

        async Task WriteAllAsync()
        {
            await using var writer = await store.OpenWriterAsync(dataset, batchId, ct);
            // A pipelined writer gets the next chunk while the previous one is still being written;
            // results are taken in order either way.
            var depth = writer is IPipelinedRecordWriter pipelined ? Math.Max(1, pipelined.MaxChunksInFlight) : 1;
            var writing = new Queue<(ChunkBuffers Buffers, Task<ChunkResult> Write)>(depth);
            try
            {
                await foreach (var buffers in channel.Reader.ReadAllAsync(ct))
                {
                    writing.Enqueue((buffers, writer.WriteAsync(buffers.Chunk, ct).AsTask()));
                    if (writing.Count >= depth)
                    {
                        var (done, write) = writing.Dequeue();
                        Account(done, await write);
                    }
                }
                while (writing.Count > 0)
                {
                    var (done, write) = writing.Dequeue();
                    Account(done, await write);
                }
            }
            catch
            {
                // The writer is disposed when this returns: let the chunks it is still writing finish first.
                foreach (var (_, write) in writing)
                {
                    try
                    {
                        await write;
                    }
                    catch (Exception)
                    {
                        // the first failure is the one to report
                    }
                }
                throw;
            }
        }

        void Account(ChunkBuffers buffers, ChunkResult result)
        {
            var chunk = buffers.Chunk;
            stored += result.Stored;
            // A chunk started while nothing followed the dataset was encoded for the store: it has no values to publish.
            if (chunk.Encoded is null && Feed.HasObservers(dataset.Id))
            {
                Feed.Publish(dataset, StoredRows(chunk, result));
            }
            quarantined += chunk.Rejected.Count + result.DuplicateViolations.Count;
            written.Stored = stored;
            written.Quarantined = quarantined;
            if (result.DuplicateViolations.Count > 0)
            {
                lock (tally)
                {
                    foreach (var v in result.DuplicateViolations)
                    {
                        tally.Add([v]); // each duplicate is a record of its own
                    }
                }
            }
            progress?.AddWritten(result.Stored, chunk.Rejected.Count + result.DuplicateViolations.Count);
            buffers.Release();
            recycled.Enqueue(buffers);
        }

        // Accepted records are encoded for the store as they pass the gate (when it can take them so), unless
        // a processor follows the dataset and needs their values.
        var allBuffers = new List<ChunkBuffers>();
        ChunkBuffers NewBuffers()
        {
            var created = new ChunkBuffers(dataset.Fields.Count, source.Format, store.NewEncodedRows(dataset));
            allBuffers.Add(created);
            return created;
        }
        bool Encode() => !Feed.HasObservers(dataset.Id);
        var buffers = NewBuffers();
        buffers.Start(Encode());
        var violations = new List<Violation>();
        var handed = 0;
        var timeIndex = progress is null ? -1 : dataset.TimeFieldIndex;

        // Hands a full chunk to the writer, waiting while two are queued; when the writer has failed, its
        // exception is thrown here.
        void Hand(ChunkBuffers full)
        {
            while (!channel.Writer.TryWrite(full))
            {
                if (!channel.Writer.WaitToWriteAsync(ct).AsTask().GetAwaiter().GetResult())
                {
                    throw new ChannelClosedException();
                }
            }
        }

        // Reads and checks records into chunks until the source ends (false) or `chunks` chunks have been
        // handed over (true). Synchronous: it blocks only while the writer is two chunks behind.
        bool ReadChunks(int chunks)
        {
            while (source.TryRead(out var record))
            {
                read++;
                violations.Clear();
                var values = buffers.RentRow();
                if (record.FormatError is { } formatError)
                {
                    violations.Add(formatError);
                }
                else
                {
                    gate.Check(record.Texts, values, violations);
                }
                var chunk = buffers.Chunk;
                if (violations.Count == 0)
                {
                    if (timeIndex >= 0 && values[timeIndex] is DateTimeOffset eventTime)
                    {
                        progress!.SawEvent(eventTime);
                    }
                    if (chunk.Encoded is { } encoded)
                    {
                        encoded.Add(values);
                        buffers.ReturnRow(values);
                    }
                    else
                    {
                        chunk.Rows.Add(values);
                    }
                    chunk.Positions.Add(record.Position);
                    chunk.Raws.Add(buffers.CopyRaw(record.Raw.Span));
                }
                else
                {
                    buffers.ReturnRow(values);
                    lock (tally)
                    {
                        tally.Add(violations);
                    }
                    chunk.Rejected.Add(new QuarantinedRecord
                    {
                        DatasetId = dataset.Id,
                        BatchId = batchId,
                        Position = record.Position,
                        Format = source.Format,
                        Raw = record.Raw.ToArray(),
                        Rule = violations[0].RuleKey,
                        Reason = string.Join("\n", violations.Select(v => v.ToString())),
                        CreatedAt = started,
                    });
                }
                if (chunk.Accepted + chunk.Rejected.Count >= (handed == 0 ? FirstChunkSize : ChunkSize))
                {
                    progress?.SetRead(read, source.BytesRead);
                    Hand(buffers);
                    handed++;
                    if (recycled.TryDequeue(out var reused))
                    {
                        reused.Reset();
                        buffers = reused;
                    }
                    else
                    {
                        buffers = NewBuffers();
                    }
                    buffers.Start(Encode());
                    if (handed >= chunks)
                    {
                        return true;
                    }
                }
            }
            if (buffers.Chunk.Accepted + buffers.Chunk.Rejected.Count > 0)
            {
                Hand(buffers);
            }
            progress?.SetRead(read, source.BytesRead);
            channel.Writer.Complete();
            return false;
        }

        try
        {
            try
            {
                // The first chunk is read on the caller's thread (a small push ends there). A bigger batch goes on
                // on a thread of its own: reading is CPU-bound and synchronous, and on a thread-pool thread it
                // would hold one of the pool's few threads (two on two cores) that the store's writes need for
                // their continuations.
                if (ReadChunks(1))
                {
                    await Task.Factory.StartNew(() => ReadChunks(int.MaxValue), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                }
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
                try
                {
                    await writerTask;
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // the reader's failure is the one to report (when the writer failed first, it is the same exception)
                }
                throw;
            }
            await writerTask;
        }
        finally
        {
            // Only once the writer is done with every chunk (else the blocks are left to the collector).
            if (writerTask.IsCompleted)
            {
                foreach (var created in allBuffers)
                {
                    created.Dispose();
                }
            }
        }

        List<RuleCount> counts;
        lock (tally)
        {
            counts = [.. tally.ToList()];
        }
        var report = new QualityReport
        {
            BatchId = batchId,
            DatasetId = dataset.Id,
            Source = sourceName,
            StartedAt = started,
            FinishedAt = clock.GetUtcNow(),
            Read = read,
            Stored = stored,
            Quarantined = quarantined,
            RuleCounts = counts,
        };
        await store.CompleteBatchAsync(report, ct);
        return report;
    }

    private static IReadOnlyList<object?[]> StoredRows(IngestChunk chunk, ChunkResult result)
    {
        if (result.DuplicateViolations.Count == 0)
        {
            return chunk.Rows;
        }
        var skip = (result.DuplicateRows ?? []).ToHashSet();
        var rows = new List<object?[]>(chunk.Rows.Count - skip.Count);
        for (var i = 0; i < chunk.Rows.Count; i++)
        {
            if (!skip.Contains(i))
            {
                rows.Add(chunk.Rows[i]);
            }
        }
        return rows;
    }

    /// <summary>
    /// A chunk and what it reuses once written: the value arrays of its rows (or the store's encoding of
    /// them) and the pooled blocks its rows' raw bytes are copied into.
    /// </summary>
    private sealed class ChunkBuffers(int fieldCount, string format, EncodedRows? encoded) : IDisposable
    {
        private readonly ByteBlocks _raws = new();
        private readonly Stack<object?[]> _spareRows = new();

        public IngestChunk Chunk { get; } = new(ChunkSize, format);

        /// <summary>Starts the (empty) chunk, with its records encoded for the store when it can take them so and <paramref name="encode"/> says to.</summary>
        public void Start(bool encode)
        {
            Chunk.Encoded = encode ? encoded : null;
            Chunk.Encoded?.Clear();
        }

        /// <summary>A value array for the next record; the gate overwrites every slot.</summary>
        public object?[] RentRow() => _spareRows.Count > 0 ? _spareRows.Pop() : new object?[fieldCount];

        public void ReturnRow(object?[] row) => _spareRows.Push(row);

        public ReadOnlyMemory<byte> CopyRaw(ReadOnlySpan<byte> raw) => _raws.Append(raw);

        /// <summary>
        /// Lets go of the written chunk's values at once (observers have had them, and copy what they
        /// keep), rather than when the reader overwrites the rows: a garbage collection meanwhile would
        /// otherwise find them alive and promote them.
        /// </summary>
        public void Release()
        {
            foreach (var row in Chunk.Rows)
            {
                Array.Clear(row);
            }
            Chunk.Encoded?.Clear();
            Chunk.Rejected.Clear();
        }

        /// <summary>Empties the chunk for reuse once the writer has returned from it.</summary>
        public void Reset()
        {
            foreach (var row in Chunk.Rows)
            {
                _spareRows.Push(row);
            }
            Chunk.Rows.Clear();
            Chunk.Encoded?.Clear();
            Chunk.Positions.Clear();
            Chunk.Raws.Clear();
            Chunk.Rejected.Clear();
            _raws.Clear();
        }

        /// <summary>Gives the pooled blocks back, once no writer can read the chunk any more.</summary>
        public void Dispose()
        {
            _raws.Dispose();
            encoded?.Dispose();
        }
    }

    /// <summary>
    /// Re-submits a quarantined record, corrected or as it was (when what it referred to now exists):
    /// a new batch of one record through the same gate. The original is marked resubmitted and
    /// linked to that batch; if the record fails again it is quarantined anew under the new batch.
    /// </summary>
    public async Task<QualityReport> ResubmitAsync(long quarantineId, byte[]? corrected, CancellationToken ct = default)
    {
        var q = await store.GetQuarantinedAsync(quarantineId, ct) ?? throw new IngestException($"quarantined record {quarantineId} does not exist");
        if (q.Status != QuarantineStatus.Open)
        {
            throw new IngestException($"quarantined record {quarantineId} is already {q.Status.ToString().ToLowerInvariant()}");
        }
        if (!registry.TryGet(q.DatasetId, out var dataset))
        {
            throw new IngestException($"dataset {q.DatasetId} is no longer registered");
        }
        var batch = await store.GetBatchStartAsync(q.BatchId, ct);
        var content = corrected ?? q.Raw;
        IRecordSource source;
        if (q.Format == "csv")
        {
            var encoding = corrected is null ? SourceEncodings.Parse(batch?.Encoding ?? "utf-8") : SourceEncodings.Parse("utf-8");
            var header = encoding.GetBytes((batch?.Header ?? string.Join(",", dataset.Fields.Select(f => f.Name))) + "\n");
            source = new CsvRecordSource(new MemoryStream([.. header, .. content]), dataset, encoding);
        }
        else
        {
            source = new JsonRecordSource(new MemoryStream(content), dataset);
        }
        using (source)
        {
            var report = await IngestAsync(dataset, source, $"resubmit of quarantined record {quarantineId}", null, ct);
            // The original leaves the open queue either way: if the new attempt failed, the new batch holds it, with its reason.
            try
            {
                await store.ResolveQuarantinedAsync(quarantineId, QuarantineStatus.Resubmitted, report.BatchId, clock.GetUtcNow(), ct);
            }
            catch (Exception e) when (StoreErrors.IsTransient(e))
            {
                // The record went through (batch report.BatchId) but is still marked open: resubmitting it again would store it twice.
                throw new PartiallyStoredException(report.BatchId, report.Stored, report.Quarantined, e);
            }
            return report;
        }
    }
}
