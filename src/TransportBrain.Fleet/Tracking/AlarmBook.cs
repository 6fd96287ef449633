using System.Globalization;
using System.Text.Json;
using TransportBrain.Fleet.Gateway;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Fleet.Tracking;

/// <summary>Filters for listing alarms; null means any.</summary>
public sealed record AlarmFilter(AlarmStatus? Status = null, AlarmKind? Kind = null, string? TerminalId = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null, bool OpenOnly = false, int Limit = 200);

/// <summary>
/// Every alarm and its handling. A raised alarm is appended to the <c>fleet.alarm</c> dataset (shared
/// and exported like any data); its lifecycle is kept as a hub document per alarm, written as the
/// events that made it (raised, ended, acknowledged, handled, closed) and replayed at start-up, so
/// the same rules that guard the lifecycle guard the restore.
/// </summary>
public sealed class AlarmBook : IAsyncDisposable
{
    public const string Collection = "fleet.alarm";
    private static readonly JsonSerializerOptions Json = TerminalRegistry.Json;

    private readonly Dictionary<string, (AlarmRecord Record, AlarmDocument Doc)> _alarms = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly IHubStore _store;
    private readonly LiveIngest _dataset;
    private readonly TimeProvider _clock;
    private Func<Func<Task>, Task> _exclusive = work => work();

    private AlarmBook(IHubStore store, DatasetRegistry registry, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
        _dataset = new LiveIngest(store, registry, FleetDatasets.Alarm, "supervision rules", "json", clock);
    }

    /// <summary>Raised on every new alarm (after it is stored), for live feeds.</summary>
    public event Action<AlarmRecord>? Raised;

    public static async Task<AlarmBook> LoadAsync(IHubStore store, DatasetRegistry registry, TimeProvider clock, CancellationToken ct = default)
    {
        var book = new AlarmBook(store, registry, clock);
        await foreach (var d in store.AllDocumentsAsync(Collection, ct: ct))
        {
            if (JsonSerializer.Deserialize<AlarmDocument>(d.Json, Json) is { } doc)
            {
                AlarmRecord record;
                try
                {
                    record = doc.Replay();
                }
                catch (AlarmLifecycleException e)
                {
                    // A stored history the lifecycle no longer accepts must not stop the platform:
                    // keep the alarm as raised (its document still holds every action) and say so.
                    Console.Error.WriteLine($"alarm {d.Key}: history does not replay ({e.Message}); loaded as raised");
                    record = AlarmRecord.FromSignal(doc.Raised);
                }
                book._alarms[d.Key] = (record, doc);
            }
        }
        return book;
    }

    public int Count => _alarms.Count;

    /// <summary>
    /// Runs the book's store writes through <paramref name="exclusive"/> (the position writer's loop, between
    /// two group commits): with SQLite a second writer would make the positions, whose acknowledgements
    /// wait for their commit, queue behind it in SQLite's busy handler.
    /// </summary>
    public void WriteThrough(Func<Func<Task>, Task> exclusive) => _exclusive = exclusive;

    public async Task ApplyAsync(IReadOnlyList<AlarmSignalEvent> signals, CancellationToken ct = default)
    {
        var raised = new List<AlarmRecord>();
        await _lock.WaitAsync(ct);
        try
        {
            var changed = new List<(string, string)>();
            var records = new List<LiveRecord>();
            foreach (var s in signals)
            {
                if (_alarms.TryGetValue(s.AlarmId, out var existing))
                {
                    if (s.Signal == AlarmSignal.Ended && existing.Doc.Ended is null)
                    {
                        existing.Record.Apply(s);
                        existing.Doc.Ended = s;
                        existing.Doc.EndedAfterActions = existing.Doc.Actions.Count;
                        changed.Add((s.AlarmId, JsonSerializer.Serialize(existing.Doc, Json)));
                    }
                    continue;
                }
                if (s.Signal != AlarmSignal.Raised)
                {
                    continue; // the end of an alarm we never saw raised (state restored from before the book existed)
                }
                var doc = new AlarmDocument { Raised = s };
                var record = AlarmRecord.FromSignal(s);
                _alarms[s.AlarmId] = (record, doc);
                raised.Add(record);
                changed.Add((s.AlarmId, JsonSerializer.Serialize(doc, Json)));
                records.Add(new LiveRecord(DatasetTexts(s), System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(s, Json)), 0));
            }
            if (records.Count > 0 || changed.Count > 0)
            {
                await _exclusive(async () =>
                {
                    if (records.Count > 0)
                    {
                        await _dataset.WriteAsync(records, null, ct);
                    }
                    await _store.PutDocumentsAsync(Collection, changed, _clock.GetUtcNow(), ct);
                });
            }
        }
        finally
        {
            _lock.Release();
        }
        foreach (var r in raised)
        {
            Raised?.Invoke(r);
        }
    }

    public Task<AlarmRecord> AcknowledgeAsync(string id, string user, CancellationToken ct = default) =>
        ActAsync(id, new AlarmAction("acknowledge", user, _clock.GetUtcNow(), null), ct);

    public Task<AlarmRecord> HandleAsync(string id, string user, string action, CancellationToken ct = default) =>
        ActAsync(id, new AlarmAction("handle", user, _clock.GetUtcNow(), action), ct);

    public Task<AlarmRecord> CloseAsync(string id, string user, string? note, CancellationToken ct = default) =>
        ActAsync(id, new AlarmAction("close", user, _clock.GetUtcNow(), note), ct);

    private async Task<AlarmRecord> ActAsync(string id, AlarmAction action, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            if (!_alarms.TryGetValue(id, out var entry))
            {
                throw new KeyNotFoundException($"alarm {id} does not exist");
            }
            action.ApplyTo(entry.Record); // throws AlarmLifecycleException on a transition out of order
            entry.Doc.Actions.Add(action);
            var json = JsonSerializer.Serialize(entry.Doc, Json);
            await _exclusive(() => _store.PutDocumentsAsync(Collection, [(id, json)], action.At, ct));
            return entry.Record;
        }
        finally
        {
            _lock.Release();
        }
    }

    public AlarmRecord? Find(string id)
    {
        _lock.Wait();
        try
        {
            return _alarms.TryGetValue(id, out var e) ? e.Record : null;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Alarms matching the filter, newest first.</summary>
    public IReadOnlyList<AlarmRecord> Query(AlarmFilter f)
    {
        _lock.Wait();
        try
        {
            return _alarms.Values.Select(e => e.Record)
                .Where(r => f.Status is null || r.Status == f.Status)
                .Where(r => f.Kind is null || r.Kind == f.Kind)
                .Where(r => f.TerminalId is null || r.TerminalId == f.TerminalId)
                .Where(r => f.From is null || r.StartedAt >= f.From)
                .Where(r => f.To is null || r.StartedAt < f.To)
                .Where(r => !f.OpenOnly || r.Status != AlarmStatus.Closed)
                .OrderByDescending(r => r.StartedAt).ThenBy(r => r.Id, StringComparer.Ordinal)
                .Take(Math.Clamp(f.Limit, 1, 10_000))
                .ToList();
        }
        finally
        {
            _lock.Release();
        }
    }

    private static string?[] DatasetTexts(AlarmSignalEvent s) =>
    [
        s.AlarmId,
        AlarmIds.Slug(s.Kind),
        s.Severity.ToString().ToLowerInvariant(),
        s.TerminalId,
        s.Plate,
        TerminalRegistry.CategoryName(s.Category),
        ValueParser.Format(s.StartedAt),
        s.Latitude.ToString("R", CultureInfo.InvariantCulture),
        s.Longitude.ToString("R", CultureInfo.InvariantCulture),
        s.DetailZh,
        s.DetailEn,
    ];

    public async ValueTask DisposeAsync()
    {
        await _dataset.DisposeAsync();
        _lock.Dispose();
    }
}

/// <summary>What an operator did to an alarm.</summary>
public sealed record AlarmAction(string Action, string User, DateTimeOffset At, string? Text)
{
    public void ApplyTo(AlarmRecord record)
    {
        switch (Action)
        {
            case "acknowledge":
                record.Acknowledge(User, At);
                break;
            case "handle":
                record.Handle(User, At, Text ?? "");
                break;
            case "close":
                record.Close(User, At, Text);
                break;
            default:
                throw new ArgumentException($"unknown alarm action '{Action}'");
        }
    }
}

/// <summary>An alarm as stored: the events that made it, replayed into an <see cref="AlarmRecord"/> at load.</summary>
public sealed class AlarmDocument
{
    public required AlarmSignalEvent Raised { get; init; }
    public AlarmSignalEvent? Ended { get; set; }
    public List<AlarmAction> Actions { get; init; } = [];

    /// <summary>How many operator actions preceded the end of the condition (replayed in arrival order, not by clock).</summary>
    public int? EndedAfterActions { get; set; }

    public AlarmRecord Replay()
    {
        var r = AlarmRecord.FromSignal(Raised);
        var endAt = Ended is null ? -1 : EndedAfterActions ?? Actions.Count;
        for (var i = 0; i <= Actions.Count; i++)
        {
            if (i == endAt)
            {
                r.Apply(Ended!);
            }
            if (i < Actions.Count)
            {
                Actions[i].ApplyTo(r);
            }
        }
        return r;
    }
}
