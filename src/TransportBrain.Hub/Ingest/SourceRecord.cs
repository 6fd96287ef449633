using TransportBrain.Hub.Quality;

namespace TransportBrain.Hub.Ingest;

/// <summary>
/// One record as a source read it: its position, its original bytes, and the text of each dataset
/// field in schema order, or the format error that kept it from being read. Sources reuse one
/// instance; the bytes are only valid until the next read, so keep a copy if you need them later.
/// </summary>
public sealed class SourceRecord
{
    public SourceRecord(int fieldCount) => Texts = new string?[fieldCount];

    /// <summary>1-based line (CSV, JSON lines) or element index (JSON array) where the record starts.</summary>
    public long Position { get; set; }
    public ReadOnlyMemory<byte> Raw { get; set; }
    public string?[] Texts { get; }
    public Violation? FormatError { get; set; }
}

/// <summary>A reader of records from one source (a file, a request body).</summary>
public interface IRecordSource : IDisposable
{
    /// <summary>"csv" or "json": how the raw bytes of a quarantined record are written.</summary>
    string Format { get; }

    /// <summary>What a resubmitted CSV line needs to be read again (the header line); null for JSON.</summary>
    string? Header { get; }

    string EncodingName { get; }

    long BytesRead { get; }

    bool TryRead(out SourceRecord record);
}

/// <summary>An ingest that cannot start or go on at all (not a bad record: those go to quarantine).</summary>
public sealed class IngestException(string message) : Exception(message);
