using System.Threading.Channels;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Fleet.Gateway;

/// <summary>
/// Called on the position writer's loop once a submission's group is written (keep it short: every
/// acknowledgement of the group goes out from that loop). <paramref name="committed"/>
/// is false when the store failed (nothing was kept; <paramref name="outcomes"/> is empty); otherwise
/// <paramref name="outcomes"/> holds each record's outcome, valid only during the call.
/// </summary>
public delegate void PositionsDurable(PositionSubmission submission, ReadOnlySpan<LiveOutcome> outcomes, bool committed);

/// <summary>
/// Positions of one received message (a 0x0200, a 0x0704 batch, a 0x0201 reply) and what to do once
/// they are durable: <see cref="OnDurable"/> gets each record's outcome (it sends the 0x8001).
/// <see cref="Fixes"/> holds the decoded fix of each record (null for records that failed to decode).
/// </summary>
public sealed class PositionSubmission
{
    public required LiveRecord[] Records { get; init; }
    public required VehicleFix?[] Fixes { get; init; }
    public required PositionsDurable OnDurable { get; init; }
    /// <summary>The message the positions came in, which the acknowledgement answers.</summary>
    public ushort MessageId { get; init; }
    public ushort FlowNumber { get; init; }
}

/// <summary>
/// Group commit of positions: submissions from every connection queue up while the previous group is
/// being written; the writer then checks and writes everything queued (up to <see cref="MaxGroup"/>
/// records) in one transaction and only then calls each submission back, so a terminal's
/// acknowledgement always means its positions are in the store (or in quarantine with the reason).
/// Stored fixes go on to <see cref="StoredFixes"/> for tracking and supervision.
/// </summary>
public sealed class PositionWriter : IAsyncDisposable
{
    public const int MaxGroup = 4096;

    private readonly Channel<object> _queue;
    private readonly LiveIngest _ingest;
    private readonly GatewayCounters _counters;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();

    public PositionWriter(IHubStore store, DatasetRegistry registry, TimeProvider clock, GatewayCounters counters, int maxQueued = 100_000)
    {
        _counters = counters;
        _ingest = new LiveIngest(store, registry, FleetDatasets.Position, "jt808 gateway", "jt808", clock);
        // Bounded so a store that cannot keep up pushes back on the connections instead of growing memory.
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(maxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        StoredFixes = Channel.CreateBounded<VehicleFix>(new BoundedChannelOptions(200_000) { SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Fixes in the order they were stored, for the tracker. Drops the oldest if nobody reads.</summary>
    public Channel<VehicleFix> StoredFixes { get; }

    public LiveIngest Ingest => _ingest;

    public ValueTask SubmitAsync(PositionSubmission submission, CancellationToken ct = default)
    {
        Interlocked.Add(ref _counters.PositionsReceived, submission.Records.Length);
        return _queue.Writer.WriteAsync(submission, ct);
    }

    /// <summary>
    /// Runs other store writes (checkpoints) on the writer's own loop, between two position groups:
    /// with SQLite only one connection writes at a time, and a second writer would make the positions
    /// (whose acknowledgements wait for their commit) queue behind it in SQLite's busy handler.
    /// </summary>
    public async Task ExclusiveAsync(Func<Task> work)
    {
        var item = new ExclusiveWork(work);
        try
        {
            await _queue.Writer.WriteAsync(item);
        }
        catch (ChannelClosedException)
        {
            // The writer has stopped (the service is shutting down): nothing competes any more.
            await work();
            return;
        }
        await item.Done.Task;
    }

    private sealed class ExclusiveWork(Func<Task> work)
    {
        public Func<Task> Work { get; } = work;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task RunAsync()
    {
        var group = new List<PositionSubmission>();
        var records = new List<LiveRecord>(MaxGroup);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                group.Clear();
                records.Clear();
                ExclusiveWork? work = null;
                while (records.Count < MaxGroup && reader.TryRead(out var item))
                {
                    if (item is ExclusiveWork w)
                    {
                        work = w;
                        break;
                    }
                    var s = (PositionSubmission)item;
                    group.Add(s);
                    records.AddRange(s.Records);
                }
                if (group.Count > 0)
                {
                    await WriteGroupAsync(group, records);
                }
                if (work is not null)
                {
                    try
                    {
                        await work.Work();
                        work.Done.TrySetResult();
                    }
                    catch (Exception e)
                    {
                        work.Done.TrySetException(e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task WriteGroupAsync(List<PositionSubmission> group, List<LiveRecord> records)
    {
        LiveOutcome[] outcomes;
        try
        {
            outcomes = await _ingest.WriteAsync(records, null, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Nothing was committed: no acknowledgement goes out, so the terminals resend.
            Interlocked.Increment(ref _counters.StoreFailures);
            _counters.LastStoreError = e.Message;
            foreach (var s in group)
            {
                Acknowledge(s, [], committed: false);
            }
            return;
        }
        Interlocked.Increment(ref _counters.GroupCommits);
        var offset = 0;
        foreach (var s in group)
        {
            var mine = outcomes.AsSpan(offset, s.Records.Length);
            for (var i = 0; i < mine.Length; i++)
            {
                switch (mine[i])
                {
                    case LiveOutcome.Stored:
                        Interlocked.Increment(ref _counters.PositionsStored);
                        if (s.Fixes[i] is { } fix)
                        {
                            StoredFixes.Writer.TryWrite(fix);
                        }
                        break;
                    case LiveOutcome.Duplicate:
                        Interlocked.Increment(ref _counters.PositionsDuplicate);
                        break;
                    default:
                        Interlocked.Increment(ref _counters.PositionsQuarantined);
                        break;
                }
            }
            offset += s.Records.Length;
            // The acknowledgement goes out from here, one socket write (see Jt808Session.Enqueue): no hop
            // through the thread pool, whose queue holds the 10,000 connections' reads.
            Acknowledge(s, mine, committed: true);
        }
    }

    private static void Acknowledge(PositionSubmission s, ReadOnlySpan<LiveOutcome> outcomes, bool committed)
    {
        try
        {
            s.OnDurable(s, outcomes, committed);
        }
        catch (Exception)
        {
            // A connection that went away while its group was written: nothing to acknowledge.
        }
    }

    /// <summary>Whether the write loop has ended (however it ended) within <paramref name="timeout"/>.</summary>
    private async Task<bool> StoppedWithinAsync(TimeSpan timeout)
    {
        await Task.WhenAny(_loop, Task.Delay(timeout));
        return _loop.IsCompleted;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        var stopped = await StoppedWithinAsync(TimeSpan.FromSeconds(10));
        if (!stopped)
        {
            await _stop.CancelAsync();
            stopped = await StoppedWithinAsync(TimeSpan.FromSeconds(10));
        }
        StoredFixes.Writer.TryComplete();
        if (stopped)
        {
            await _ingest.DisposeAsync();
            _stop.Dispose();
        }
        else
        {
            // The loop may still be inside a write: closing its batch and connection under it would hand the
            // connection to another user while this one still writes on it. Leave both to process exit.
            Console.Error.WriteLine("position writer: the write loop did not stop within 20 s; its batch is left open");
        }
    }
}
