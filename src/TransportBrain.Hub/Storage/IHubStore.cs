using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Sharing;

namespace TransportBrain.Hub.Storage;

/// <summary>
/// Everything the hub keeps: dataset records, batches and their quality reports, quarantine, API
/// keys and grants, and the audit log. SQLite (embedded default) and PostgreSQL implement it and
/// pass the same test suite.
/// </summary>
public interface IHubStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Kind { get; }

    /// <summary>Where the data lives, without secrets.</summary>
    string Location { get; }

    /// <summary>Runs pending migrations and creates or extends each dataset's table.</summary>
    Task InitializeAsync(DatasetRegistry registry, CancellationToken ct = default);

    Task<IRecordWriter> OpenWriterAsync(DatasetDefinition dataset, long batchId, CancellationToken ct = default);

    /// <summary>
    /// A buffer in which the ingest pipeline can encode the dataset's accepted records for this store's
    /// writers, as they pass the gate (see <see cref="EncodedRows"/>); null when the store takes value arrays only.
    /// </summary>
    EncodedRows? NewEncodedRows(DatasetDefinition dataset);

    Task<RecordPage> ReadRecordsAsync(DatasetDefinition dataset, RecordQuery query, CancellationToken ct = default);
    Task<long> CountRecordsAsync(DatasetDefinition dataset, CancellationToken ct = default);
    Task<IReadOnlySet<string>> LoadFieldValuesAsync(DatasetDefinition dataset, string field, CancellationToken ct = default);

    Task<long> BeginBatchAsync(BatchStart start, CancellationToken ct = default);
    Task CompleteBatchAsync(QualityReport report, CancellationToken ct = default);
    Task<QualityReport?> GetBatchAsync(long batchId, CancellationToken ct = default);
    Task<BatchStart?> GetBatchStartAsync(long batchId, CancellationToken ct = default);
    Task<IReadOnlyList<QualityReport>> ListBatchesAsync(string datasetId, int limit, CancellationToken ct = default);

    Task<IReadOnlyList<QuarantinedRecord>> ListQuarantineAsync(string datasetId, QuarantineStatus? status, long afterId, int limit, CancellationToken ct = default);
    Task<long> CountQuarantineAsync(string datasetId, QuarantineStatus? status, CancellationToken ct = default);
    Task<QuarantinedRecord?> GetQuarantinedAsync(long id, CancellationToken ct = default);
    Task ResolveQuarantinedAsync(long id, QuarantineStatus status, long? batchId, DateTimeOffset at, CancellationToken ct = default);

    Task CreateKeyAsync(ApiKey key, CancellationToken ct = default);
    Task<ApiKey?> FindKeyAsync(string id, CancellationToken ct = default);
    Task<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken ct = default);
    Task<bool> RevokeKeyAsync(string id, DateTimeOffset at, CancellationToken ct = default);
    Task SetGrantAsync(DatasetGrant grant, CancellationToken ct = default);
    Task<IReadOnlyList<DatasetGrant>> ListGrantsAsync(string keyId, CancellationToken ct = default);

    /// <summary>Appends to the hash-chained audit log and returns the entry as stored (with id and hash).</summary>
    Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken ct = default);
    Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken ct = default);
    /// <summary>Recomputes the chain; returns the id of the first entry that does not match, or null when intact.</summary>
    Task<long?> VerifyAuditChainAsync(CancellationToken ct = default);

    /// <summary>Writes the documents (insert or replace) in one transaction; each one's version rises by one.</summary>
    Task PutDocumentsAsync(string collection, IReadOnlyList<(string Key, string Json)> documents, DateTimeOffset at, CancellationToken ct = default);
    Task<StoredDocument?> GetDocumentAsync(string collection, string key, CancellationToken ct = default);
    /// <summary>Documents of a collection in key order, after <paramref name="afterKey"/> (keyset paging).</summary>
    Task<IReadOnlyList<StoredDocument>> ListDocumentsAsync(string collection, string? afterKey, int limit, CancellationToken ct = default);
    Task<bool> DeleteDocumentAsync(string collection, string key, CancellationToken ct = default);
}
