namespace TransportBrain.Host.Api;

/// <summary>
/// Keeps the server's last few errors (log entries at Error and above, with their exceptions) in memory, so a
/// caller that got an HTTP 500 can be told why: the demo prints them when its twin is refused, and the tests
/// put them in their failure message instead of leaving only a trace id behind.
/// </summary>
public sealed class RecentServerErrors(int capacity = 20) : ILoggerProvider
{
    private readonly Queue<string> _entries = new(capacity);
    private readonly Lock _gate = new();

    /// <summary>The kept errors, oldest first: time, category, message and the exception with its stack.</summary>
    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>The kept errors as one text (empty when there are none).</summary>
    public string Describe() => string.Join(Environment.NewLine, Entries);

    public ILogger CreateLogger(string categoryName) => new ErrorLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string entry)
    {
        lock (_gate)
        {
            if (_entries.Count == capacity)
            {
                _entries.Dequeue();
            }
            _entries.Enqueue(entry);
        }
    }

    private sealed class ErrorLogger(RecentServerErrors owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var text = $"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}";
            owner.Add(exception is null ? text : text + Environment.NewLine + exception);
        }
    }
}
