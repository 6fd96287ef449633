using System.Globalization;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Hub.Sharing;

/// <summary>
/// Serves dataset records to callers (A4): checks the sharing rules, masks personal fields unless
/// granted, and writes one audit entry per read with the query and the row count.
/// </summary>
public sealed class DataSharing(IHubStore store, TimeProvider clock)
{
    public async Task<RecordPage> ReadAsync(Caller caller, DatasetDefinition dataset, RecordQuery query, string action, string? client, CancellationToken ct = default)
    {
        var page = await store.ReadRecordsAsync(dataset, query, ct);
        if (SharingPolicy.MustMask(caller, dataset))
        {
            foreach (var r in page.Records)
            {
                Masking.Apply(dataset, r.Values);
            }
        }
        var described = Range(query.From, query.To);
        described.Add("limit=" + query.Limit.ToString(CultureInfo.InvariantCulture));
        if (query.Cursor is { } c)
        {
            described.Add("cursor=" + c);
        }
        await AuditAsync(caller, dataset, action, described, page.Records.Count, client, ct);
        return page;
    }

    /// <summary>Streams every record of a time range to a sink, a page at a time, with one audit entry for the whole export.</summary>
    public async Task<long> ExportAsync(Caller caller, DatasetDefinition dataset, DateTimeOffset? from, DateTimeOffset? to, Func<object?[], ValueTask> sink, string? client, CancellationToken ct = default)
    {
        var mask = SharingPolicy.MustMask(caller, dataset);
        long rows = 0;
        string? cursor = null;
        do
        {
            var page = await store.ReadRecordsAsync(dataset, new RecordQuery(from, to, 5000, cursor), ct);
            foreach (var r in page.Records)
            {
                if (mask)
                {
                    Masking.Apply(dataset, r.Values);
                }
                await sink(r.Values);
                rows++;
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        // e.g. "from=2025-05-01T00:00:00.0000000+00:00&masked"
        var described = Range(from, to);
        described.Add(mask ? "masked" : "unmasked");
        await AuditAsync(caller, dataset, "export", described, rows, client, ct);
        return rows;
    }

    /// <summary>
    /// Lists a dataset's quarantined records, with one audit entry: quarantine keeps each record's original bytes,
    /// personal fields unmasked, so reading it is a read of personal data like any other.
    /// </summary>
    public async Task<IReadOnlyList<QuarantinedRecord>> ReadQuarantineAsync(Caller caller, DatasetDefinition dataset, QuarantineStatus? status, long afterId, int limit, string? client, CancellationToken ct = default)
    {
        var list = await store.ListQuarantineAsync(dataset.Id, status, afterId, limit, ct);
        var described = new List<string>();
        if (status is { } s)
        {
            described.Add("status=" + s.ToString().ToLowerInvariant());
        }
        if (afterId > 0)
        {
            described.Add("after=" + afterId.ToString(CultureInfo.InvariantCulture));
        }
        described.Add("limit=" + limit.ToString(CultureInfo.InvariantCulture));
        await AuditAsync(caller, dataset, "quarantine", described, list.Count, client, ct);
        return list;
    }

    /// <summary>One audit entry: who read what of which dataset, with the query's parts joined by '&amp;'.</summary>
    private Task AuditAsync(Caller caller, DatasetDefinition dataset, string action, List<string> query, long rows, string? client, CancellationToken ct) =>
        store.AppendAuditAsync(new AuditEntry
        {
            At = clock.GetUtcNow(),
            KeyId = caller.Key?.Id,
            Organisation = caller.Organisation,
            DatasetId = dataset.Id,
            Action = action,
            Query = string.Join('&', query),
            RowCount = rows,
            Client = client,
        }, ct);

    /// <summary>A time range as audit query parts ("from=…", "to=…", round-trip format), empty when open.</summary>
    private static List<string> Range(DateTimeOffset? from, DateTimeOffset? to)
    {
        var parts = new List<string>();
        if (from is { } f)
        {
            parts.Add("from=" + f.ToString("O", CultureInfo.InvariantCulture));
        }
        if (to is { } t)
        {
            parts.Add("to=" + t.ToString("O", CultureInfo.InvariantCulture));
        }
        return parts;
    }
}
