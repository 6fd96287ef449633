using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Hub.Ingest;

/// <summary>
/// One record from a live source: its field texts in schema order and its original bytes, or (when the
/// source could not even decode it) the format violation that sends it straight to quarantine. A source
/// that decodes binary fields into typed values (a device gateway) gives <see cref="Values"/> instead of
/// texts (see <see cref="Typed"/>): the gate checks them as they are, without a text round trip.
/// </summary>
public readonly record struct LiveRecord(string?[]? Texts, ReadOnlyMemory<byte> Raw, long Position, Violation? FormatError = null)
{
    /// <summary>
    /// The record's typed values in schema order (see <see cref="QualityGate.CheckValues"/>), or null when
    /// it comes as <see cref="Texts"/>. The ingest takes the array over: it is normalised in place and stored.
    /// </summary>
    public object?[]? Values { get; init; }

    /// <summary>A record whose values are already typed.</summary>
    public static LiveRecord Typed(object?[] values, ReadOnlyMemory<byte> raw, long position) =>
        new(null, raw, position) { Values = values };
}

/// <summary>What became of a live record once its group was durably written.</summary>
public enum LiveOutcome
{
    Stored,
    /// <summary>Broke a quality rule; kept in quarantine with its bytes and reasons.</summary>
    Quarantined,
    /// <summary>Its unique key was already stored (a resend); kept in quarantine under the 'unique' rule.</summary>
    Duplicate,
}

public sealed class LiveIngestOptions
{
    /// <summary>A batch (and its quality report) covers at most this long a span of arrivals.</summary>
    public TimeSpan RollAfter { get; init; } = TimeSpan.FromHours(1);

    /// <summary>... or this many records, whichever comes first.</summary>
    public long RollAfterRecords { get; init; } = 1_000_000;
}

/// <summary>
/// The hub's gate and store for a source that never ends (a device gateway, a message feed): records
/// arrive in groups, each group is checked and written in one transaction (a group commit), and the
/// caller learns each record's outcome only after that transaction is durable. Arrivals are counted
/// into rolling batches so each hour (by default) gets its own quality report with read = stored +
/// quarantined. Not thread-safe: one writer loop owns it.
/// </summary>
public sealed class LiveIngest(IHubStore store, DatasetRegistry registry, DatasetDefinition dataset, string sourceName, string format,
    TimeProvider clock, LiveIngestOptions? options = null) : IAsyncDisposable
{
    private readonly LiveIngestOptions _options = options ?? new LiveIngestOptions();
    private readonly List<Violation> _violations = [];
    private IRecordWriter? _writer;
    private long _batchId;
    private DateTimeOffset _batchStarted;
    private RuleTally _tally = new();
    private long _read, _stored, _quarantined;
    private IReadOnlyDictionary<string, IReadOnlySet<string>>? _references;
    private QualityGate? _gate;

    public DatasetDefinition Dataset => dataset;

    /// <summary>Totals since this instance was created, across batches.</summary>
    public long TotalRead { get; private set; }
    public long TotalStored { get; private set; }
    public long TotalQuarantined { get; private set; }

    /// <summary>The batch records are currently counted into; 0 before the first write.</summary>
    public long CurrentBatchId => _batchId;

    /// <summary>
    /// Checks and writes one group in one transaction and returns each record's outcome in order.
    /// <paramref name="values"/> receives the typed values of each stored record (null otherwise),
    /// so the caller can hand them on to processors without parsing again.
    /// </summary>
    public async Task<LiveOutcome[]> WriteAsync(IReadOnlyList<LiveRecord> records, object?[]?[]? values = null, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        if (_writer is not null && (now - _batchStarted >= _options.RollAfter || _read >= _options.RollAfterRecords))
        {
            await CompleteBatchAsync(ct);
        }
        if (_writer is null)
        {
            _batchStarted = now;
            _batchId = await store.BeginBatchAsync(new BatchStart(dataset.Id, sourceName, format, "binary", null, now), ct);
            _references ??= await ReferenceSets.LoadAsync(store, registry, dataset, ct);
            _writer = await store.OpenWriterAsync(dataset, _batchId, ct);
            _tally = new RuleTally();
            _read = _stored = _quarantined = 0;
        }

        // One gate per batch (its reference sets are the batch's); only its clock moves with each group.
        var gate = _gate ??= new QualityGate(dataset, _references!, now);
        gate.SetNow(now);
        var outcomes = new LiveOutcome[records.Count];
        var chunk = new IngestChunk(records.Count, format);
        var rowOf = new List<int>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            _violations.Clear();
            object?[] typed;
            bool ok;
            if (r.FormatError is { } formatError)
            {
                typed = [];
                _violations.Add(formatError);
                ok = false;
            }
            else if (r.Values is { } given)
            {
                typed = given;
                ok = gate.CheckValues(typed, _violations);
            }
            else if (r.Texts is { } texts)
            {
                typed = new object?[dataset.Fields.Count];
                ok = gate.Check(texts, typed, _violations);
            }
            else
            {
                throw new ArgumentException("a live record needs texts, typed values or a format error", nameof(records));
            }
            if (ok)
            {
                chunk.Rows.Add(typed);
                chunk.Positions.Add(r.Position);
                chunk.Raws.Add(r.Raw);
                rowOf.Add(i);
                outcomes[i] = LiveOutcome.Stored;
                if (values is not null)
                {
                    values[i] = typed;
                }
            }
            else
            {
                _tally.Add(_violations);
                outcomes[i] = LiveOutcome.Quarantined;
                chunk.Rejected.Add(new QuarantinedRecord
                {
                    DatasetId = dataset.Id,
                    BatchId = _batchId,
                    Position = r.Position,
                    Format = format,
                    Raw = r.Raw.ToArray(),
                    Rule = _violations[0].RuleKey,
                    Reason = string.Join("\n", _violations.Select(v => v.ToString())),
                    CreatedAt = now,
                });
            }
        }

        var result = await _writer.WriteAsync(chunk, ct);
        if (result.DuplicateViolations.Count > 0)
        {
            foreach (var row in result.DuplicateRows ?? [])
            {
                var i = rowOf[row];
                outcomes[i] = LiveOutcome.Duplicate;
                if (values is not null)
                {
                    values[i] = null;
                }
            }
            _tally.Add(result.DuplicateViolations);
        }
        var quarantined = chunk.Rejected.Count + result.DuplicateViolations.Count;
        _read += records.Count;
        _stored += result.Stored;
        _quarantined += quarantined;
        TotalRead += records.Count;
        TotalStored += result.Stored;
        TotalQuarantined += quarantined;
        return outcomes;
    }

    /// <summary>Closes the current batch with its quality report (the next write opens a new one).</summary>
    public async Task<QualityReport?> CompleteBatchAsync(CancellationToken ct = default)
    {
        if (_writer is null)
        {
            return null;
        }
        await _writer.DisposeAsync();
        _writer = null;
        var report = new QualityReport
        {
            BatchId = _batchId,
            DatasetId = dataset.Id,
            Source = sourceName,
            StartedAt = _batchStarted,
            FinishedAt = clock.GetUtcNow(),
            Read = _read,
            Stored = _stored,
            Quarantined = _quarantined,
            RuleCounts = _tally.ToList(),
        };
        await store.CompleteBatchAsync(report, ct);
        _references = null; // reload reference sets with the next batch
        _gate = null;
        return report;
    }

    public async ValueTask DisposeAsync() => await CompleteBatchAsync();
}

/// <summary>The values each reference rule of a dataset may point to, loaded once per batch.</summary>
internal static class ReferenceSets
{
    public static async Task<IReadOnlyDictionary<string, IReadOnlySet<string>>> LoadAsync(IHubStore store, DatasetRegistry registry, DatasetDefinition dataset, CancellationToken ct)
    {
        var result = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var f in dataset.Fields)
        {
            if (f.References is not { } reference || result.ContainsKey(reference))
            {
                continue;
            }
            var dot = reference.LastIndexOf('.');
            if (dot <= 0 || !registry.TryGet(reference[..dot], out var target))
            {
                throw new IngestException($"{dataset.Id}.{f.Name} refers to {reference}, which is not a registered dataset field");
            }
            result[reference] = await store.LoadFieldValuesAsync(target, reference[(dot + 1)..], ct);
        }
        return result;
    }
}
