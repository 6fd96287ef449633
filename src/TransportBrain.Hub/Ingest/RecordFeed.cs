using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Ingest;

/// <summary>
/// Receives a dataset's records once they are durably stored (the in-process bus of the architecture).
/// Called on the writer's thread with typed values in schema order; the rows are reused after the call
/// returns, so an observer copies what it keeps and hands heavy work to its own loop.
/// </summary>
public interface IStoredRecordObserver
{
    void OnStored(DatasetDefinition dataset, IReadOnlyList<object?[]> rows);
}

/// <summary>
/// Who follows which dataset. Ingest (file import and HTTP push) publishes every committed chunk here,
/// without the rows refused as duplicates; an observer that throws is detached from nothing and
/// breaks nothing: its failure is counted and the import goes on.
/// </summary>
public sealed class RecordFeed
{
    private readonly Lock _gate = new();
    private Dictionary<string, IStoredRecordObserver[]> _observers = new(StringComparer.Ordinal);
    private long _failures;

    /// <summary>Observer calls that threw (the import is never failed by an observer).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public IDisposable Subscribe(string datasetId, IStoredRecordObserver observer)
    {
        lock (_gate)
        {
            var next = new Dictionary<string, IStoredRecordObserver[]>(_observers, StringComparer.Ordinal);
            next[datasetId] = [.. next.GetValueOrDefault(datasetId) ?? [], observer];
            _observers = next;
        }
        return new Subscription(this, datasetId, observer);
    }

    public bool HasObservers(string datasetId) => _observers.ContainsKey(datasetId);

    public void Publish(DatasetDefinition dataset, IReadOnlyList<object?[]> rows)
    {
        if (rows.Count == 0 || !_observers.TryGetValue(dataset.Id, out var list))
        {
            return;
        }
        foreach (var o in list)
        {
            try
            {
                o.OnStored(dataset, rows);
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _failures);
            }
        }
    }

    private void Unsubscribe(string datasetId, IStoredRecordObserver observer)
    {
        lock (_gate)
        {
            var next = new Dictionary<string, IStoredRecordObserver[]>(_observers, StringComparer.Ordinal);
            if (next.TryGetValue(datasetId, out var list))
            {
                var left = list.Where(o => !ReferenceEquals(o, observer)).ToArray();
                if (left.Length == 0)
                {
                    next.Remove(datasetId);
                }
                else
                {
                    next[datasetId] = left;
                }
            }
            _observers = next;
        }
    }

    private sealed class Subscription(RecordFeed feed, string datasetId, IStoredRecordObserver observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                feed.Unsubscribe(datasetId, observer);
            }
        }
    }
}
