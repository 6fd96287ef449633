namespace TransportBrain.Governance.Incidents;

/// <summary>Where an incident is in the emergency workflow (事件处置流程).</summary>
public enum IncidentState
{
    /// <summary>待核实: detected, reported or raised from an alarm; nobody has confirmed it yet.</summary>
    Candidate,
    /// <summary>已确认.</summary>
    Confirmed,
    /// <summary>已制定预案: a response plan with the resources it needs.</summary>
    Planned,
    /// <summary>已调度: at least one resource is on its way.</summary>
    Dispatched,
    /// <summary>已到场.</summary>
    OnScene,
    /// <summary>已清障: the road is clear.</summary>
    Cleared,
    /// <summary>已关闭 (归档).</summary>
    Closed,
    /// <summary>已排除: a candidate that turned out not to be an incident.</summary>
    Dismissed,
}

public enum IncidentSource
{
    /// <summary>From traffic detection (highway context: gantry/survey data).</summary>
    Detection,
    /// <summary>From a report (phone, patrol, the public).</summary>
    Report,
    /// <summary>From a fleet supervision alarm.</summary>
    Alarm,
}

public enum IncidentKind
{
    Collision,
    Breakdown,
    Congestion,
    DangerousGoods,
    Weather,
    RoadWorks,
    Obstacle,
    Other,
}

/// <summary>Severity by the national grading of road traffic emergencies: IV 一般 … I 特别重大.</summary>
public enum IncidentSeverity
{
    Minor = 4,
    Major = 3,
    Serious = 2,
    Critical = 1,
}

/// <summary>Who did something: the console user, their organisation and role at the time.</summary>
public sealed record Actor(string Name, string Organisation, string Role)
{
    public override string ToString() => $"{Name} ({Organisation})";
}

public sealed record IncidentLocation
{
    public double Longitude { get; init; }
    public double Latitude { get; init; }
    /// <summary>Route code, e.g. G60.</summary>
    public string? Route { get; init; }
    /// <summary>Stake mark, e.g. K123+400.</summary>
    public string? Stake { get; init; }
    /// <summary>上行 / 下行 or a destination ("往贵阳方向").</summary>
    public string? Direction { get; init; }
    /// <summary>The network section the incident is on, when known (the highway context's id).</summary>
    public string? SectionId { get; init; }
    public string? PlaceZh { get; init; }
}

/// <summary>One step of the workflow: what, when, by whom, from which state to which.</summary>
public sealed record IncidentStep(DateTimeOffset At, string Action, IncidentState From, IncidentState To, Actor By, string? Note);

public enum ResourceKind
{
    /// <summary>路政巡查 / 交警 patrol.</summary>
    Patrol,
    /// <summary>救援车 (road rescue).</summary>
    Rescue,
    /// <summary>清障拖车 (tow).</summary>
    Tow,
    /// <summary>120 急救 (medical).</summary>
    Medical,
    /// <summary>消防 (fire).</summary>
    Fire,
    /// <summary>养护 (maintenance crew).</summary>
    Maintenance,
}

/// <summary>A response plan: the response level and how many resources of each kind.</summary>
public sealed record ResponsePlan
{
    /// <summary>Response level 1 (highest) to 4.</summary>
    public int Level { get; init; } = 4;
    public required IReadOnlyDictionary<ResourceKind, int> Needs { get; init; }
    public string? Note { get; init; }
    public Actor? By { get; init; }
    public DateTimeOffset At { get; init; }
}

public sealed record Dispatch
{
    public required string ResourceId { get; init; }
    public ResourceKind Kind { get; init; }
    public string? ResourceName { get; init; }
    public DateTimeOffset DispatchedAt { get; init; }
    public required Actor DispatchedBy { get; init; }
    /// <summary>Straight-line distance from the resource to the incident when dispatched (km).</summary>
    public double DistanceKm { get; init; }
    public DateTimeOffset? ArrivedAt { get; init; }
    public Actor? ArrivalReportedBy { get; init; }
    public DateTimeOffset? ReleasedAt { get; init; }
}

public enum ControlKind
{
    /// <summary>车道封闭.</summary>
    LaneClosure,
    /// <summary>可变限速.</summary>
    SpeedLimit,
    /// <summary>情报板信息.</summary>
    BoardMessage,
}

public enum ControlState
{
    Active,
    Lifted,
}

/// <summary>A road control set from an incident: recorded here and sent to the road (the twin in the demo).</summary>
public sealed record ControlAction
{
    public required string Id { get; init; }
    public ControlKind Kind { get; init; }
    public required string SectionId { get; init; }
    /// <summary>Lanes closed, numbered from the inside (1 = fast lane).</summary>
    public IReadOnlyList<int>? Lanes { get; init; }
    public int? SpeedLimitKmh { get; init; }
    public string? Text { get; init; }
    public ControlState State { get; init; }
    public DateTimeOffset IssuedAt { get; init; }
    public required Actor IssuedBy { get; init; }
    public DateTimeOffset? LiftedAt { get; init; }
    public Actor? LiftedBy { get; init; }
    /// <summary>What the road side answered when the control was sent (and lifted).</summary>
    public string? Delivery { get; init; }
    public bool Delivered { get; init; }
}

public enum ReleaseState
{
    /// <summary>草稿: drafted, waiting for approval.</summary>
    Draft,
    /// <summary>已审核.</summary>
    Approved,
    /// <summary>已发布: on the boards and in the public notice feed.</summary>
    Published,
    Rejected,
    /// <summary>已撤回 (the incident is over).</summary>
    Withdrawn,
}

/// <summary>A public information release (信息发布) drafted from an incident: board text and public notice.</summary>
public sealed record InformationRelease
{
    public required string Id { get; init; }
    public required string IncidentId { get; init; }
    /// <summary>Text for variable message boards: two short lines.</summary>
    public required string BoardText { get; init; }
    public required string NoticeTitle { get; init; }
    public required string NoticeText { get; init; }
    public string? NoticeTextEn { get; init; }
    public ReleaseState State { get; init; }
    public DateTimeOffset DraftedAt { get; init; }
    public required Actor DraftedBy { get; init; }
    public DateTimeOffset? ApprovedAt { get; init; }
    public Actor? ApprovedBy { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public Actor? PublishedBy { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public Actor? EndedBy { get; init; }
    public string? Note { get; init; }
}

/// <summary>An incident and everything done about it (hub document <c>governance.incident</c>).</summary>
public sealed record Incident
{
    public required string Id { get; init; }
    public IncidentKind Kind { get; init; }
    public IncidentSeverity Severity { get; init; } = IncidentSeverity.Minor;
    public IncidentSource Source { get; init; }
    /// <summary>The detection, report or alarm id it came from.</summary>
    public string? SourceRef { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public required IncidentLocation Location { get; init; }
    /// <summary>Lanes blocked by the incident (numbered from the inside).</summary>
    public IReadOnlyList<int> LanesBlocked { get; init; } = [];
    public bool Injuries { get; init; }
    public IncidentState State { get; init; }
    /// <summary>When it happened or was first detected (the start of every metric).</summary>
    public DateTimeOffset DetectedAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public IReadOnlyList<IncidentStep> Steps { get; init; } = [];
    public ResponsePlan? Plan { get; init; }
    public IReadOnlyList<Dispatch> Dispatches { get; init; } = [];
    public IReadOnlyList<ControlAction> Controls { get; init; } = [];
    public IReadOnlyList<InformationRelease> Releases { get; init; } = [];

    public bool IsOpen => State is not (IncidentState.Closed or IncidentState.Dismissed);

    public DateTimeOffset? FirstAt(string action) => Steps.FirstOrDefault(s => s.Action == action)?.At;
}

/// <summary>A step the workflow does not allow from the incident's current state, or a rule it breaks.</summary>
public sealed class IncidentWorkflowException(string message) : InvalidOperationException(message);
