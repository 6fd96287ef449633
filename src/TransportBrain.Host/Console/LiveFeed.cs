using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace TransportBrain.Host.OpsConsole;

/// <summary>One message on the live feed, serialised once for every subscriber.</summary>
public sealed record LiveMessage(long Id, string Topic, byte[] Frame);

/// <summary>
/// The platform's in-process live feed, served to browsers as Server-Sent Events on <c>/api/v1/live</c>.
/// Any context publishes with <see cref="Publish"/> (topic + a JSON-serialisable payload); topics in use:
/// <c>sections</c> (section states), <c>vehicles</c> (positions), <c>alarms</c>, <c>incidents</c>,
/// <c>resources</c>, <c>control</c> (road controls), <c>warnings</c>, <c>notices</c>. A topic may register
/// a snapshot that a new subscriber receives first. Each subscriber has a bounded queue: a slow browser
/// loses its oldest messages, it never slows the publisher.
/// </summary>
public sealed class LiveFeed
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // the same enum spelling as the HTTP answers (EmergencyCommand.Json): a page that renders an incident
        // from a live message and from a response must see the same "active"/"lifted", not 0/1
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
    private readonly ConcurrentDictionary<Subscription, byte> _subscribers = new();
    private readonly ConcurrentDictionary<string, Func<object?>> _snapshots = new(StringComparer.Ordinal);
    private long _sequence;
    private long _published;
    private long _dropped;

    public int SubscriberCount => _subscribers.Count;
    public long Published => Interlocked.Read(ref _published);
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Publishes a payload on a topic to every subscriber of the topic.</summary>
    public void Publish(string topic, object payload)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        if (_subscribers.IsEmpty)
        {
            return;
        }
        var message = Frame(topic, payload);
        Interlocked.Increment(ref _published);
        foreach (var s in _subscribers.Keys)
        {
            if (s.Wants(topic))
            {
                s.Queue.Writer.TryWrite(message);
            }
        }
    }

    /// <summary>Registers what a new subscriber of <paramref name="topic"/> receives first (null: nothing).</summary>
    public void SetSnapshot(string topic, Func<object?> snapshot) => _snapshots[topic] = snapshot;

    /// <summary>Subscribes to the topics (null or empty: all); dispose to leave.</summary>
    public Subscription Subscribe(IReadOnlyCollection<string>? topics, int capacity = 512)
    {
        var s = new Subscription(this, topics is { Count: > 0 } ? new HashSet<string>(topics, StringComparer.Ordinal) : null, capacity);
        foreach (var (topic, snapshot) in _snapshots)
        {
            if (s.Wants(topic) && snapshot() is { } payload)
            {
                s.Queue.Writer.TryWrite(Frame(topic, payload));
            }
        }
        _subscribers[s] = 0;
        return s;
    }

    private LiveMessage Frame(string topic, object payload)
    {
        var id = Interlocked.Increment(ref _sequence);
        var json = JsonSerializer.SerializeToUtf8Bytes(payload, Json);
        var head = Encoding.UTF8.GetBytes($"id: {id}\nevent: {topic}\ndata: ");
        var frame = new byte[head.Length + json.Length + 2];
        head.CopyTo(frame, 0);
        json.CopyTo(frame, head.Length);
        frame[^2] = (byte)'\n';
        frame[^1] = (byte)'\n';
        return new LiveMessage(id, topic, frame);
    }

    public sealed class Subscription : IDisposable
    {
        private readonly LiveFeed _feed;
        private readonly HashSet<string>? _topics;

        internal Subscription(LiveFeed feed, HashSet<string>? topics, int capacity)
        {
            _feed = feed;
            _topics = topics;
            Queue = Channel.CreateBounded<LiveMessage>(new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
            }, _ => Interlocked.Increment(ref feed._dropped));
        }

        public Channel<LiveMessage> Queue { get; }

        public bool Wants(string topic) => _topics is null || _topics.Contains(topic);

        public void Dispose()
        {
            _feed._subscribers.TryRemove(this, out _);
            Queue.Writer.TryComplete();
        }
    }
}
