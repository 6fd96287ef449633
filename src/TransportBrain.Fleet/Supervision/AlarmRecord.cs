namespace TransportBrain.Fleet.Supervision;

/// <summary>Where an alarm is in its handling (报警处置流程).</summary>
public enum AlarmStatus
{
    /// <summary>已产生: raised, nobody has looked at it yet.</summary>
    Raised,

    /// <summary>已确认: a monitor has seen it (e.g. reminded the driver).</summary>
    Acknowledged,

    /// <summary>已处置: the action taken is recorded.</summary>
    Handled,

    /// <summary>已关闭 (归档).</summary>
    Closed,
}

public enum AlarmHistoryAction
{
    Raised,
    ConditionEnded,
    Acknowledged,
    Handled,
    Closed,
}

/// <param name="User">Who acted; null for signals from the engine.</param>
/// <param name="Text">The handling action, the closing note, or the signal's detail.</param>
public sealed record AlarmHistoryEntry(DateTimeOffset At, AlarmHistoryAction Action, string? User, string? Text);

/// <summary>An alarm lifecycle step that is not allowed from the alarm's current status.</summary>
public sealed class AlarmLifecycleException : InvalidOperationException
{
    public AlarmLifecycleException()
    {
    }

    public AlarmLifecycleException(string message)
        : base(message)
    {
    }

    public AlarmLifecycleException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AlarmLifecycleException(string alarmId, AlarmStatus status, AlarmHistoryAction attempted, string message)
        : base(message)
    {
        AlarmId = alarmId;
        Status = status;
        Attempted = attempted;
    }

    public string? AlarmId { get; }

    public AlarmStatus? Status { get; }

    public AlarmHistoryAction? Attempted { get; }
}

/// <summary>
/// One supervision alarm and its handling: raised → acknowledged → handled → closed.
/// </summary>
/// <remarks>
/// Rules: Acknowledge only from Raised. Handle from Raised or Acknowledged; from Raised the
/// history records the acknowledgement first (same user and time). Close from Handled, or from
/// Acknowledged once the condition has ended (the vehicle already corrected itself and a monitor
/// saw it); never from Raised. Each user action may not be earlier than the previous one.
/// The condition ending (<see cref="Apply"/>) is independent of the status and may come at any time.
/// </remarks>
public sealed class AlarmRecord
{
    private readonly List<AlarmHistoryEntry> _history = [];

    private AlarmRecord(AlarmSignalEvent raised)
    {
        Id = raised.AlarmId;
        Kind = raised.Kind;
        Severity = raised.Severity;
        TerminalId = raised.TerminalId;
        Plate = raised.Plate;
        Category = raised.Category;
        StartedAt = raised.StartedAt;
        RaisedAt = raised.At;
        Latitude = raised.Latitude;
        Longitude = raised.Longitude;
        DetailZh = raised.DetailZh;
        DetailEn = raised.DetailEn;
        Evidence = raised.Evidence;
        _history.Add(new AlarmHistoryEntry(raised.At, AlarmHistoryAction.Raised, null, raised.DetailEn));
    }

    public string Id { get; }

    public AlarmKind Kind { get; }

    public AlarmSeverity Severity { get; private set; }

    public string TerminalId { get; }

    public string? Plate { get; }

    public VehicleCategory Category { get; }

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset RaisedAt { get; }

    /// <summary>When the condition ended; null while it lasts.</summary>
    public DateTimeOffset? EndedAt { get; private set; }

    public bool ConditionEnded => EndedAt is not null;

    public double Latitude { get; }

    public double Longitude { get; }

    public double? EndLatitude { get; private set; }

    public double? EndLongitude { get; private set; }

    public string DetailZh { get; }

    public string DetailEn { get; }

    public string? EndDetailZh { get; private set; }

    public string? EndDetailEn { get; private set; }

    /// <summary>The latest evidence (the Ended signal's, once the condition has ended).</summary>
    public IReadOnlyDictionary<string, double> Evidence { get; private set; }

    public AlarmStatus Status { get; private set; } = AlarmStatus.Raised;

    public string? AcknowledgedBy { get; private set; }

    public DateTimeOffset? AcknowledgedAt { get; private set; }

    public string? HandledBy { get; private set; }

    public DateTimeOffset? HandledAt { get; private set; }

    /// <summary>What was done (处置措施), free text.</summary>
    public string? HandlingAction { get; private set; }

    public string? ClosedBy { get; private set; }

    public DateTimeOffset? ClosedAt { get; private set; }

    public string? CloseNote { get; private set; }

    public IReadOnlyList<AlarmHistoryEntry> History => _history;

    /// <summary>Starts a record from a Raised signal.</summary>
    public static AlarmRecord FromSignal(AlarmSignalEvent raised)
    {
        ArgumentNullException.ThrowIfNull(raised);
        if (raised.Signal != AlarmSignal.Raised)
        {
            throw new ArgumentException($"An alarm record starts from a Raised signal; '{raised.AlarmId}' is {raised.Signal}.", nameof(raised));
        }

        return new AlarmRecord(raised);
    }

    public void Acknowledge(string user, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        if (Status != AlarmStatus.Raised)
        {
            throw Invalid(AlarmHistoryAction.Acknowledged, Status switch
            {
                AlarmStatus.Acknowledged => $"it was already acknowledged by {AcknowledgedBy} at {AcknowledgedAt:O}",
                AlarmStatus.Handled => "it has already been handled",
                _ => "it is closed",
            });
        }

        RequireNotBeforeLastAction(AlarmHistoryAction.Acknowledged, at);
        AcknowledgeCore(user, at);
    }

    public void Handle(string user, DateTimeOffset at, string action)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        if (Status is AlarmStatus.Handled or AlarmStatus.Closed)
        {
            throw Invalid(AlarmHistoryAction.Handled, Status == AlarmStatus.Handled
                ? $"it was already handled by {HandledBy} at {HandledAt:O}"
                : "it is closed");
        }

        RequireNotBeforeLastAction(AlarmHistoryAction.Handled, at);
        if (Status == AlarmStatus.Raised)
        {
            AcknowledgeCore(user, at);
        }

        Status = AlarmStatus.Handled;
        HandledBy = user;
        HandledAt = at;
        HandlingAction = action;
        _history.Add(new AlarmHistoryEntry(at, AlarmHistoryAction.Handled, user, action));
    }

    public void Close(string user, DateTimeOffset at, string? note = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var allowed = Status == AlarmStatus.Handled || (Status == AlarmStatus.Acknowledged && ConditionEnded);
        if (!allowed)
        {
            throw Invalid(AlarmHistoryAction.Closed, Status switch
            {
                AlarmStatus.Raised => "it has not been acknowledged",
                AlarmStatus.Acknowledged => "it has not been handled and its condition is still going on",
                _ => "it is already closed",
            });
        }

        RequireNotBeforeLastAction(AlarmHistoryAction.Closed, at);
        Status = AlarmStatus.Closed;
        ClosedBy = user;
        ClosedAt = at;
        CloseNote = note;
        _history.Add(new AlarmHistoryEntry(at, AlarmHistoryAction.Closed, user, note));
    }

    /// <summary>
    /// Applies a later signal of the same alarm: an Ended signal records the end of the condition
    /// (once; repeats are ignored), whatever the status. A repeated Raised signal is ignored.
    /// </summary>
    public void Apply(AlarmSignalEvent signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if (!string.Equals(signal.AlarmId, Id, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Signal for alarm '{signal.AlarmId}' applied to alarm '{Id}'.", nameof(signal));
        }

        if (signal.Signal != AlarmSignal.Ended || ConditionEnded)
        {
            return;
        }

        EndedAt = signal.At;
        EndLatitude = signal.Latitude;
        EndLongitude = signal.Longitude;
        EndDetailZh = signal.DetailZh;
        EndDetailEn = signal.DetailEn;
        Evidence = signal.Evidence;
        if (signal.Severity > Severity)
        {
            Severity = signal.Severity;
        }

        _history.Add(new AlarmHistoryEntry(signal.At, AlarmHistoryAction.ConditionEnded, null, signal.DetailEn));
    }

    private void AcknowledgeCore(string user, DateTimeOffset at)
    {
        Status = AlarmStatus.Acknowledged;
        AcknowledgedBy = user;
        AcknowledgedAt = at;
        _history.Add(new AlarmHistoryEntry(at, AlarmHistoryAction.Acknowledged, user, null));
    }

    private void RequireNotBeforeLastAction(AlarmHistoryAction attempted, DateTimeOffset at)
    {
        var last = ClosedAt ?? HandledAt ?? AcknowledgedAt;
        if (last is { } previous && at < previous)
        {
            throw Invalid(attempted, $"{at:O} is earlier than the previous action at {previous:O}");
        }
    }

    private AlarmLifecycleException Invalid(AlarmHistoryAction attempted, string reason) =>
        new(Id, Status, attempted, $"Cannot {Verb(attempted)} alarm '{Id}' ({Status}): {reason}.");

    private static string Verb(AlarmHistoryAction action) => action switch
    {
        AlarmHistoryAction.Acknowledged => "acknowledge",
        AlarmHistoryAction.Handled => "handle",
        AlarmHistoryAction.Closed => "close",
        _ => action.ToString().ToLowerInvariant(),
    };
}
