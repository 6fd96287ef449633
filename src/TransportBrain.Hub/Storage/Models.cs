using TransportBrain.Hub.Quality;

namespace TransportBrain.Hub.Storage;

/// <summary>A stored record: its store sequence number and its typed values in schema order.</summary>
public sealed record StoredRecord(long Seq, object?[] Values);

/// <summary>
/// A time-range page request. The cursor comes from the previous page. <see cref="Equal"/> narrows the
/// range to records whose fields equal the given values (typed as the schema says), e.g. one vehicle's
/// track; lead the dataset's unique key or an index with those fields for it to be fast.
/// </summary>
public sealed record RecordQuery(DateTimeOffset? From, DateTimeOffset? To, int Limit, string? Cursor)
{
    public IReadOnlyDictionary<string, object>? Equal { get; init; }
}

/// <summary>
/// A piece of mutable state a context keeps next to its datasets (a terminal's registration, an
/// alarm's lifecycle, a rule's checkpoint): JSON under a key in a named collection, with a version
/// that rises by one on every write.
/// </summary>
public sealed record StoredDocument(string Collection, string Key, string Json, long Version, DateTimeOffset UpdatedAt);

public sealed record RecordPage(IReadOnlyList<StoredRecord> Records, string? NextCursor);

public enum QuarantineStatus
{
    Open,
    Resubmitted,
    Discarded,
}

/// <summary>A record the quality gate or the store turned away, kept with its original bytes and why.</summary>
public sealed record QuarantinedRecord
{
    public long Id { get; init; }
    public required string DatasetId { get; init; }
    public long BatchId { get; init; }
    public long Position { get; init; }
    public required string Format { get; init; }
    public required byte[] Raw { get; init; }
    public required string Rule { get; init; }
    public required string Reason { get; init; }
    public QuarantineStatus Status { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public long? ResolvedBatchId { get; init; }
}

/// <summary>What the pipeline knows when a batch starts.</summary>
public sealed record BatchStart(string DatasetId, string Source, string Format, string Encoding, string? Header, DateTimeOffset StartedAt);

/// <summary>
/// One unit of work for the store writer: records that passed the gate (to be stored unless they
/// repeat the unique key) and records already rejected (to be quarantined). A chunk is written atomically.
/// </summary>
public sealed class IngestChunk(int capacity, string format)
{
    /// <summary>"csv" or "json", the format of the raw bytes.</summary>
    public string Format { get; } = format;

    /// <summary>
    /// The accepted records' values, unless they are in <see cref="Encoded"/> instead (then this is empty):
    /// a chunk holds its records one way or the other.
    /// </summary>
    public List<object?[]> Rows { get; } = new(capacity);

    /// <summary>
    /// The accepted records already encoded by the store (<see cref="IHubStore.NewEncodedRows"/>), when
    /// the pipeline had no use for their values after the gate; null when they are in <see cref="Rows"/>.
    /// </summary>
    public EncodedRows? Encoded { get; set; }

    /// <summary>How many accepted records the chunk holds, however they are held.</summary>
    public int Accepted => Encoded?.Count ?? Rows.Count;

    public List<long> Positions { get; } = new(capacity);
    /// <summary>Original bytes of each row, kept only so a duplicate can be quarantined with them.</summary>
    public List<ReadOnlyMemory<byte>> Raws { get; } = new(capacity);
    public List<QuarantinedRecord> Rejected { get; } = [];
}

/// <summary>
/// Accepted records in a store's own wire format, encoded as the gate accepts them. A big import keeps
/// several chunks in flight; as value arrays their strings and boxed numbers would be millions of small
/// objects that every garbage collection has to find alive and move, where encoded they are a few
/// reusable buffers. Each store reads only the encoding it made.
/// </summary>
public abstract class EncodedRows : IDisposable
{
    public abstract int Count { get; }

    /// <summary>Encodes one accepted record's typed values (in schema order); the array is the caller's again afterwards.</summary>
    public abstract void Add(object?[] values);

    /// <summary>Empties the buffer for reuse by the next chunk.</summary>
    public abstract void Clear();

    /// <summary>Gives back what the buffer pooled; it is not used afterwards.</summary>
    public abstract void Dispose();
}

/// <summary>What the store did with a chunk.</summary>
public readonly record struct ChunkResult(int Stored, IReadOnlyList<Violation> DuplicateViolations)
{
    /// <summary>Indexes into <see cref="IngestChunk.Rows"/> of the rows refused as duplicates, in the order of <see cref="DuplicateViolations"/>.</summary>
    public IReadOnlyList<int>? DuplicateRows { get; init; }
}

public interface IRecordWriter : IAsyncDisposable
{
    /// <summary>
    /// Stores the chunk's rows, quarantines those whose unique key is already taken (including by an
    /// earlier row of the same chunk) and its rejected records, all in one transaction.
    /// </summary>
    ValueTask<ChunkResult> WriteAsync(IngestChunk chunk, CancellationToken ct = default);
}
