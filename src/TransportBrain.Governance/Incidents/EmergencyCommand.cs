using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TransportBrain.Governance.Control;
using TransportBrain.Governance.Resources;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Governance.Incidents;

/// <summary>What is known when an incident is opened.</summary>
public sealed record NewIncident
{
    public IncidentKind Kind { get; init; }
    public IncidentSeverity Severity { get; init; } = IncidentSeverity.Minor;
    public IncidentSource Source { get; init; } = IncidentSource.Report;
    public string? SourceRef { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }
    public required IncidentLocation Location { get; init; }
    public IReadOnlyList<int>? LanesBlocked { get; init; }
    public bool Injuries { get; init; }
    /// <summary>When it happened or was detected; now when not given. Never later than now.</summary>
    public DateTimeOffset? DetectedAt { get; init; }
}

/// <summary>A control to set from an incident.</summary>
public sealed record ControlRequest(ControlKind Kind, string SectionId, IReadOnlyList<int>? Lanes, int? SpeedLimitKmh, string? Text);

/// <summary>
/// Emergency command (应急指挥): incidents through candidate → confirmed → planned → dispatched → on scene →
/// cleared → closed, the resource registry they draw on, road controls and public information releases.
/// Every step is timestamped by the platform clock and attributed to an <see cref="Actor"/>. State lives
/// in memory (an incident desk holds hundreds of open incidents, not millions) and every change is
/// written through to hub documents (<c>governance.incident</c>, <c>governance.resource</c>) before it
/// is visible, so SQLite and PostgreSQL both work and a restart loses nothing. One lock serialises
/// changes, so a resource is never dispatched to two incidents.
/// </summary>
public sealed class EmergencyCommand
{
    public const string IncidentCollection = "governance.incident";
    public const string ResourceCollection = "governance.resource";
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Chinese stays readable in stored documents and API answers; HTML escaping is the page's job.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly IHubStore _store;
    private readonly TimeProvider _clock;
    private readonly IRoadControl _road;
    private readonly Dictionary<string, Incident> _incidents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmergencyResource> _resources = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lock = new(1, 1);

    private EmergencyCommand(IHubStore store, TimeProvider clock, IRoadControl road)
    {
        _store = store;
        _clock = clock;
        _road = road;
    }

    /// <summary>After every change to an incident (stored), for live feeds.</summary>
    public event Action<Incident>? IncidentChanged;

    /// <summary>After every change to a resource (stored).</summary>
    public event Action<EmergencyResource>? ResourceChanged;

    public static async Task<EmergencyCommand> LoadAsync(IHubStore store, TimeProvider clock, IRoadControl road, CancellationToken ct = default)
    {
        var desk = new EmergencyCommand(store, clock, road);
        await foreach (var d in store.AllDocumentsAsync(IncidentCollection, ct: ct))
        {
            if (JsonSerializer.Deserialize<Incident>(d.Json, Json) is { } i)
            {
                desk._incidents[i.Id] = i;
            }
        }
        await foreach (var d in store.AllDocumentsAsync(ResourceCollection, ct: ct))
        {
            if (JsonSerializer.Deserialize<EmergencyResource>(d.Json, Json) is { } r)
            {
                desk._resources[r.Id] = r;
            }
        }
        return desk;
    }

    // ---- reading ----

    public Incident? Find(string id)
    {
        lock (_incidents)
        {
            return _incidents.GetValueOrDefault(id);
        }
    }

    /// <summary>Incidents, newest first; open only when asked.</summary>
    public IReadOnlyList<Incident> Query(bool openOnly = false, IncidentState? state = null, int limit = 200)
    {
        lock (_incidents)
        {
            return _incidents.Values
                .Where(i => (!openOnly || i.IsOpen) && (state is null || i.State == state))
                .OrderByDescending(i => i.DetectedAt).ThenByDescending(i => i.Id, StringComparer.Ordinal)
                .Take(Math.Clamp(limit, 1, 10_000))
                .ToList();
        }
    }

    public IncidentMetrics Metrics(DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        lock (_incidents)
        {
            return IncidentMetrics.Of(_incidents.Values.Where(i => (from is null || i.DetectedAt >= from) && (to is null || i.DetectedAt < to)).ToList());
        }
    }

    public IReadOnlyList<EmergencyResource> Resources(ResourceKind? kind = null)
    {
        lock (_incidents)
        {
            return _resources.Values.Where(r => kind is null || r.Kind == kind).OrderBy(r => r.Kind).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Published releases of open incidents, newest first: the public notice feed.</summary>
    public IReadOnlyList<InformationRelease> PublishedNotices()
    {
        lock (_incidents)
        {
            return _incidents.Values.SelectMany(i => i.Releases).Where(r => r.State == ReleaseState.Published)
                .OrderByDescending(r => r.PublishedAt).ToList();
        }
    }

    /// <summary>A plan for the incident by its kind and severity, with the nearest available resources for each need.</summary>
    public (ResponsePlan Plan, IReadOnlyList<(EmergencyResource Resource, double DistanceKm)> Nearest) SuggestPlan(string incidentId)
    {
        var incident = Find(incidentId) ?? throw new KeyNotFoundException(incidentId);
        var needs = ResponsePlans.Needs(incident);
        var nearest = new List<(EmergencyResource, double)>();
        lock (_incidents)
        {
            foreach (var (kind, count) in needs)
            {
                nearest.AddRange(_resources.Values
                    .Where(r => r.Kind == kind && r.State == ResourceState.Available)
                    .Select(r => (r, r.DistanceKmTo(incident.Location.Longitude, incident.Location.Latitude)))
                    .OrderBy(x => x.Item2)
                    .Take(count));
            }
        }
        return (new ResponsePlan { Level = (int)incident.Severity, Needs = needs, At = _clock.GetUtcNow() }, nearest);
    }

    // ---- the workflow ----

    /// <summary>
    /// Opens a candidate incident. A detection or alarm that already has an open incident (same source and
    /// reference) returns that incident instead of opening a second one.
    /// </summary>
    public async Task<Incident> OpenAsync(NewIncident n, Actor by, CancellationToken ct = default)
    {
        if (!double.IsFinite(n.Location.Longitude) || !double.IsFinite(n.Location.Latitude) || Math.Abs(n.Location.Latitude) > 90 || Math.Abs(n.Location.Longitude) > 180)
        {
            throw new ArgumentException("the incident's location needs a longitude and latitude");
        }
        await _lock.WaitAsync(ct);
        try
        {
            if (n.SourceRef is not null && n.Source != IncidentSource.Report)
            {
                lock (_incidents)
                {
                    var existing = _incidents.Values.FirstOrDefault(i => i.IsOpen && i.Source == n.Source && i.SourceRef == n.SourceRef);
                    if (existing is not null)
                    {
                        return existing;
                    }
                }
            }
            var now = _clock.GetUtcNow();
            var detected = n.DetectedAt is { } d && d <= now ? d : now;
            var incident = new Incident
            {
                Id = NextId(now),
                Kind = n.Kind,
                Severity = n.Severity,
                Source = n.Source,
                SourceRef = n.SourceRef,
                Title = string.IsNullOrWhiteSpace(n.Title) ? $"{IncidentTexts.Where(n.Location)} {IncidentTexts.KindZh(n.Kind)}".Trim() : n.Title.Trim(),
                Description = n.Description,
                Location = n.Location,
                LanesBlocked = n.LanesBlocked?.Distinct().Order().ToList() ?? [],
                Injuries = n.Injuries,
                State = IncidentState.Candidate,
                DetectedAt = detected,
                CreatedAt = now,
                Steps = [new IncidentStep(now, IncidentActions.Open, IncidentState.Candidate, IncidentState.Candidate, by, SourceNote(n))],
            };
            await SaveAsync(incident, ct);
            return incident;
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task<Incident> ConfirmAsync(string id, Actor by, string? note, IncidentSeverity? severity = null, CancellationToken ct = default) =>
        StepAsync(id, by, IncidentActions.Confirm, note, i =>
        {
            Require(i, IncidentActions.Confirm, IncidentState.Candidate);
            return (i with { Severity = severity ?? i.Severity }, IncidentState.Confirmed);
        }, ct);

    public Task<Incident> DismissAsync(string id, Actor by, string? note, CancellationToken ct = default) =>
        StepAsync(id, by, IncidentActions.Dismiss, note ?? "", i =>
        {
            Require(i, IncidentActions.Dismiss, IncidentState.Candidate);
            return (i, IncidentState.Dismissed);
        }, ct);

    /// <summary>Sets (or replaces) the response plan; allowed until the incident is cleared.</summary>
    public Task<Incident> PlanAsync(string id, Actor by, ResponsePlan plan, CancellationToken ct = default) =>
        StepAsync(id, by, IncidentActions.Plan, plan.Note, i =>
        {
            Require(i, IncidentActions.Plan, IncidentState.Confirmed, IncidentState.Planned, IncidentState.Dispatched, IncidentState.OnScene);
            if (plan.Needs.Count == 0 || plan.Needs.Values.Any(v => v < 0) || plan.Needs.Values.Sum() == 0)
            {
                throw new ArgumentException("a plan needs at least one resource");
            }
            if (plan.Level is < 1 or > 4)
            {
                throw new ArgumentException("a response level is 1 (highest) to 4");
            }
            var stored = plan with { By = by, At = _clock.GetUtcNow() };
            return (i with { Plan = stored }, i.State == IncidentState.Confirmed ? IncidentState.Planned : i.State);
        }, ct);

    /// <summary>Dispatches an available resource to a planned incident; the first dispatch moves it to dispatched.</summary>
    public Task<Incident> DispatchAsync(string id, string resourceId, Actor by, string? note, CancellationToken ct = default) =>
        StepAsync(id, by, IncidentActions.Dispatch, note, i =>
        {
            Require(i, IncidentActions.Dispatch, IncidentState.Planned, IncidentState.Dispatched, IncidentState.OnScene);
            var r = ResourceOrThrow(resourceId);
            if (r.State != ResourceState.Available)
            {
                throw new IncidentWorkflowException($"resource {r.Id} ({r.Name}) is {r.State.ToString().ToLowerInvariant()}{(r.IncidentId is null ? "" : " at " + r.IncidentId)}, not available");
            }
            var now = _clock.GetUtcNow();
            var dispatch = new Dispatch
            {
                ResourceId = r.Id,
                Kind = r.Kind,
                ResourceName = r.Name,
                DispatchedAt = now,
                DispatchedBy = by,
                DistanceKm = Math.Round(r.DistanceKmTo(i.Location.Longitude, i.Location.Latitude), 2),
            };
            StageResource(r with { State = ResourceState.Dispatched, IncidentId = i.Id, UpdatedAt = now });
            return (i with { Dispatches = [.. i.Dispatches, dispatch] }, i.State == IncidentState.Planned ? IncidentState.Dispatched : i.State);
        }, ct, resourceId);

    /// <summary>A dispatched resource reports it is on scene; the first arrival moves the incident on scene.</summary>
    public Task<Incident> ArriveAsync(string id, string resourceId, Actor by, string? note, CancellationToken ct = default) =>
        StepAsync(id, by, IncidentActions.Arrive, note, i =>
        {
            Require(i, IncidentActions.Arrive, IncidentState.Dispatched, IncidentState.OnScene);
            var idx = FindDispatch(i, resourceId);
            if (i.Dispatches[idx].ArrivedAt is not null)
            {
                throw new IncidentWorkflowException($"resource {resourceId} is already on scene");
            }
            var now = _clock.GetUtcNow();
            var dispatches = i.Dispatches.ToList();
            dispatches[idx] = dispatches[idx] with { ArrivedAt = now, ArrivalReportedBy = by };
            var r = ResourceOrThrow(resourceId);
            StageResource(r with { State = ResourceState.OnScene, Longitude = i.Location.Longitude, Latitude = i.Location.Latitude, UpdatedAt = now });
            return (i with { Dispatches = dispatches }, IncidentState.OnScene);
        }, ct, resourceId);

    /// <summary>Stands a resource down before the incident closes (e.g. the tow has left with the vehicle).</summary>
    public Task<Incident> ReleaseResourceAsync(string id, string resourceId, Actor by, string? note, CancellationToken ct = default) =>
        StepAsync(id, by, IncidentActions.ReleaseResource, note, i =>
        {
            if (!i.IsOpen)
            {
                throw new IncidentWorkflowException($"incident {i.Id} is {IncidentActions.StateSlug(i.State)}");
            }
            var idx = FindDispatch(i, resourceId);
            var dispatches = i.Dispatches.ToList();
            dispatches[idx] = dispatches[idx] with { ReleasedAt = _clock.GetUtcNow() };
            StandDown(resourceId);
            return (i with { Dispatches = dispatches }, i.State);
        }, ct, resourceId);

    public Task<Incident> ClearAsync(string id, Actor by, string? note, CancellationToken ct = default) =>
        StepAsync(id, by, IncidentActions.Clear, note, i =>
        {
            Require(i, IncidentActions.Clear, IncidentState.OnScene);
            return (i, IncidentState.Cleared);
        }, ct);

    /// <summary>
    /// Closes a cleared incident: every road control must be lifted first (a closed incident must not leave
    /// a lane closed); resources still attached stand down and published notices are withdrawn.
    /// </summary>
    public Task<Incident> CloseAsync(string id, Actor by, string? note, CancellationToken ct = default) =>
        StepAsync(id, by, IncidentActions.Close, note, i =>
        {
            Require(i, IncidentActions.Close, IncidentState.Cleared);
            if (i.Controls.Any(c => c.State == ControlState.Active))
            {
                throw new IncidentWorkflowException("lift the incident's active road controls (lane closures, speed limits, board messages) before closing it");
            }
            var now = _clock.GetUtcNow();
            var dispatches = i.Dispatches.Select(d =>
            {
                if (d.ReleasedAt is null)
                {
                    StandDown(d.ResourceId);
                    return d with { ReleasedAt = now };
                }
                return d;
            }).ToList();
            var releases = i.Releases.Select(r => r.State switch
            {
                ReleaseState.Published => r with { State = ReleaseState.Withdrawn, EndedAt = now, EndedBy = by, Note = "事件已关闭 incident closed" },
                ReleaseState.Draft or ReleaseState.Approved => r with { State = ReleaseState.Rejected, EndedAt = now, EndedBy = by, Note = "事件已关闭，未发布 incident closed before publication" },
                _ => r,
            }).ToList();
            return (i with { Dispatches = dispatches, Releases = releases }, IncidentState.Closed);
        }, ct);

    // ---- road controls ----

    /// <summary>Sets a lane closure, speed limit or board message from an incident and sends it to the road side.</summary>
    public async Task<Incident> SetControlAsync(string id, ControlRequest request, Actor by, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(request.SectionId))
        {
            throw new ArgumentException("a control applies to a section ('sectionId')");
        }
        switch (request.Kind)
        {
            case ControlKind.LaneClosure when request.Lanes is not { Count: > 0 } || request.Lanes.Any(l => l is < 1 or > 8):
                throw new ArgumentException("a lane closure lists the lanes closed (1 = inside lane, up to 8)");
            case ControlKind.SpeedLimit when request.SpeedLimitKmh is not (>= 20 and <= 120) || request.SpeedLimitKmh % 10 != 0:
                throw new ArgumentException("a variable speed limit is 20 to 120 km/h in steps of 10");
            case ControlKind.BoardMessage when string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > 64:
                throw new ArgumentException("a board message has 1 to 64 characters");
        }
        var controlId = "";
        var incident = await StepAsync(id, by, IncidentActions.SetControl, null, i =>
        {
            if (!i.IsOpen || i.State == IncidentState.Candidate)
            {
                throw new IncidentWorkflowException("road controls are set on a confirmed, open incident");
            }
            controlId = $"{i.Id}-C{i.Controls.Count + 1}";
            var c = new ControlAction
            {
                Id = controlId,
                Kind = request.Kind,
                SectionId = request.SectionId.Trim(),
                Lanes = request.Kind == ControlKind.LaneClosure ? request.Lanes!.Distinct().Order().ToList() : null,
                SpeedLimitKmh = request.Kind == ControlKind.SpeedLimit ? request.SpeedLimitKmh : null,
                Text = request.Kind == ControlKind.BoardMessage ? request.Text!.Trim() : null,
                State = ControlState.Active,
                IssuedAt = _clock.GetUtcNow(),
                IssuedBy = by,
                Delivery = "sending",
            };
            return (i with { Controls = [.. i.Controls, c] }, i.State);
        }, ct, noteFrom: i => Describe(i.Controls[^1]));
        return await DeliverAsync(incident, controlId, lift: false, ct);
    }

    public async Task<Incident> LiftControlAsync(string id, string controlId, Actor by, CancellationToken ct = default)
    {
        var incident = await StepAsync(id, by, IncidentActions.LiftControl, null, i =>
        {
            var idx = IndexOfControl(i, controlId);
            if (i.Controls[idx].State != ControlState.Active)
            {
                throw new IncidentWorkflowException($"control {controlId} is already lifted");
            }
            var controls = i.Controls.ToList();
            controls[idx] = controls[idx] with { State = ControlState.Lifted, LiftedAt = _clock.GetUtcNow(), LiftedBy = by };
            return (i with { Controls = controls }, i.State);
        }, ct, noteFrom: i => Describe(i.Controls.First(c => c.Id == controlId)));
        return await DeliverAsync(incident, controlId, lift: true, ct);
    }

    private async Task<Incident> DeliverAsync(Incident incident, string controlId, bool lift, CancellationToken ct)
    {
        var c = incident.Controls.First(x => x.Id == controlId);
        RoadControlReceipt receipt;
        try
        {
            receipt = await _road.SendAsync(new RoadControlCommand(c.Id, incident.Id, c.Kind, c.SectionId, c.Lanes, c.SpeedLimitKmh, c.Text, lift,
                lift ? c.LiftedAt ?? _clock.GetUtcNow() : c.IssuedAt, (lift ? c.LiftedBy : c.IssuedBy)?.ToString() ?? ""), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            receipt = new RoadControlReceipt(false, "not delivered: " + e.Message);
        }
        await _lock.WaitAsync(ct);
        try
        {
            var current = Find(incident.Id)!;
            var idx = IndexOfControl(current, controlId);
            var controls = current.Controls.ToList();
            var prefix = lift ? "解除：" : "";
            controls[idx] = controls[idx] with { Delivered = receipt.Delivered, Delivery = prefix + receipt.Detail };
            var updated = current with { Controls = controls };
            await SaveAsync(updated, ct);
            return updated;
        }
        finally
        {
            _lock.Release();
        }
    }

    // ---- information releases ----

    /// <summary>Drafts a release from the incident (texts may be overridden by the drafter).</summary>
    public Task<Incident> DraftReleaseAsync(string id, Actor by, string? boardText = null, string? noticeTitle = null, string? noticeText = null, CancellationToken ct = default) =>
        StepAsync(id, by, IncidentActions.DraftRelease, null, i =>
        {
            if (!i.IsOpen || i.State == IncidentState.Candidate)
            {
                throw new IncidentWorkflowException("public information is drafted for a confirmed, open incident");
            }
            var (board, title, notice, en) = IncidentTexts.DraftRelease(i);
            var release = new InformationRelease
            {
                Id = $"{i.Id}-R{i.Releases.Count + 1}",
                IncidentId = i.Id,
                BoardText = string.IsNullOrWhiteSpace(boardText) ? board : boardText.Trim(),
                NoticeTitle = string.IsNullOrWhiteSpace(noticeTitle) ? title : noticeTitle.Trim(),
                NoticeText = string.IsNullOrWhiteSpace(noticeText) ? notice : noticeText.Trim(),
                NoticeTextEn = string.IsNullOrWhiteSpace(noticeText) ? en : null,
                State = ReleaseState.Draft,
                DraftedAt = _clock.GetUtcNow(),
                DraftedBy = by,
            };
            return (i with { Releases = [.. i.Releases, release] }, i.State);
        }, ct, noteFrom: i => i.Releases[^1].Id);

    /// <summary>Approves a draft. Four eyes: the approver is not the person who drafted it.</summary>
    public Task<Incident> ApproveReleaseAsync(string id, string releaseId, Actor by, CancellationToken ct = default) =>
        ReleaseStepAsync(id, releaseId, by, IncidentActions.ApproveRelease, null, (r, now) =>
        {
            if (r.State != ReleaseState.Draft)
            {
                throw new IncidentWorkflowException($"release {r.Id} is {r.State.ToString().ToLowerInvariant()}, only a draft can be approved");
            }
            if (string.Equals(r.DraftedBy.Name, by.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw new IncidentWorkflowException("a release is approved by someone other than its drafter (four-eyes rule)");
            }
            return r with { State = ReleaseState.Approved, ApprovedAt = now, ApprovedBy = by };
        }, ct);

    public Task<Incident> RejectReleaseAsync(string id, string releaseId, Actor by, string? note, CancellationToken ct = default) =>
        ReleaseStepAsync(id, releaseId, by, IncidentActions.RejectRelease, note, (r, now) =>
            r.State is ReleaseState.Draft or ReleaseState.Approved
                ? r with { State = ReleaseState.Rejected, EndedAt = now, EndedBy = by, Note = note }
                : throw new IncidentWorkflowException($"release {r.Id} is {r.State.ToString().ToLowerInvariant()} and cannot be rejected"), ct);

    /// <summary>Publishes an approved release to the public notice feed and sends its board text to the boards of the section.</summary>
    public async Task<Incident> PublishReleaseAsync(string id, string releaseId, Actor by, CancellationToken ct = default)
    {
        var incident = await ReleaseStepAsync(id, releaseId, by, IncidentActions.PublishRelease, null, (r, now) =>
            r.State == ReleaseState.Approved
                ? r with { State = ReleaseState.Published, PublishedAt = now, PublishedBy = by }
                : throw new IncidentWorkflowException($"release {r.Id} is {r.State.ToString().ToLowerInvariant()}; it is published after approval"), ct);
        if (incident.Location.SectionId is { Length: > 0 } section)
        {
            var board = incident.Releases.First(r => r.Id == releaseId).BoardText;
            incident = await SetControlAsync(id, new ControlRequest(ControlKind.BoardMessage, section, null, null, board.Replace('\n', ' ')), by, ct);
        }
        return incident;
    }

    public Task<Incident> WithdrawReleaseAsync(string id, string releaseId, Actor by, string? note, CancellationToken ct = default) =>
        ReleaseStepAsync(id, releaseId, by, IncidentActions.WithdrawRelease, note, (r, now) =>
            r.State == ReleaseState.Published
                ? r with { State = ReleaseState.Withdrawn, EndedAt = now, EndedBy = by, Note = note }
                : throw new IncidentWorkflowException($"release {r.Id} is not published"), ct);

    private Task<Incident> ReleaseStepAsync(string id, string releaseId, Actor by, string action, string? note,
        Func<InformationRelease, DateTimeOffset, InformationRelease> change, CancellationToken ct) =>
        StepAsync(id, by, action, note, i =>
        {
            var idx = i.Releases.ToList().FindIndex(r => r.Id == releaseId);
            if (idx < 0)
            {
                throw new KeyNotFoundException($"incident {i.Id} has no release {releaseId}");
            }
            var releases = i.Releases.ToList();
            releases[idx] = change(releases[idx], _clock.GetUtcNow());
            return (i with { Releases = releases }, i.State);
        }, ct, noteFrom: _ => note is null ? releaseId : releaseId + ": " + note);

    // ---- resources ----

    /// <summary>Registers or updates a resource (its base, name, organisation, contact; out of service or back).</summary>
    public async Task<EmergencyResource> PutResourceAsync(EmergencyResource resource, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(resource.Id) || resource.Id.Length > 64)
        {
            throw new ArgumentException("a resource has an id of 1 to 64 characters");
        }
        if (Math.Abs(resource.BaseLatitude) > 90 || Math.Abs(resource.BaseLongitude) > 180 || (resource.BaseLatitude == 0 && resource.BaseLongitude == 0))
        {
            throw new ArgumentException("a resource needs its base location (longitude, latitude)");
        }
        await _lock.WaitAsync(ct);
        try
        {
            var now = _clock.GetUtcNow();
            EmergencyResource stored;
            lock (_incidents)
            {
                var existing = _resources.GetValueOrDefault(resource.Id);
                if (existing is { State: ResourceState.Dispatched or ResourceState.OnScene } && resource.State != existing.State)
                {
                    throw new IncidentWorkflowException($"resource {resource.Id} is at incident {existing.IncidentId}; it stands down with the incident");
                }
                if (resource.State is ResourceState.Dispatched or ResourceState.OnScene && existing?.State != resource.State)
                {
                    throw new IncidentWorkflowException("a resource is dispatched from an incident, not by editing it");
                }
                stored = resource with
                {
                    Longitude = existing is { State: ResourceState.OnScene } ? existing.Longitude : resource.BaseLongitude,
                    Latitude = existing is { State: ResourceState.OnScene } ? existing.Latitude : resource.BaseLatitude,
                    IncidentId = existing?.IncidentId,
                    UpdatedAt = now,
                };
            }
            await _store.PutDocumentsAsync(ResourceCollection, [(stored.Id, JsonSerializer.Serialize(stored, Json))], now, ct);
            lock (_incidents)
            {
                _resources[stored.Id] = stored;
            }
            ResourceChanged?.Invoke(stored);
            return stored;
        }
        finally
        {
            _lock.Release();
        }
    }

    // ---- internals ----

    private readonly List<EmergencyResource> _stagedResources = [];

    /// <summary>
    /// Runs one workflow step under the lock: the change, the step record, then the incident and any
    /// resource it touched are written before anyone sees them.
    /// </summary>
    private async Task<Incident> StepAsync(string id, Actor by, string action, string? note, Func<Incident, (Incident Changed, IncidentState To)> change,
        CancellationToken ct, string? resourceId = null, Func<Incident, string?>? noteFrom = null)
    {
        ArgumentNullException.ThrowIfNull(by);
        await _lock.WaitAsync(ct);
        try
        {
            _stagedResources.Clear();
            var current = Find(id) ?? throw new KeyNotFoundException($"there is no incident '{id}'");
            var (changed, to) = change(current);
            var stepNote = noteFrom?.Invoke(changed) is { } derived ? (string.IsNullOrWhiteSpace(note) ? derived : derived + ": " + note) : note;
            if (resourceId is not null)
            {
                stepNote = string.IsNullOrWhiteSpace(stepNote) ? resourceId : resourceId + ": " + stepNote;
            }
            var step = new IncidentStep(_clock.GetUtcNow(), action, current.State, to, by, string.IsNullOrWhiteSpace(stepNote) ? null : stepNote.Trim());
            var updated = changed with { State = to, Steps = [.. changed.Steps, step] };
            if (current.IsOpen && !updated.IsOpen)
            {
                // The history row goes first: if it cannot be written the incident stays open and the step can be retried.
                await IncidentHistory.WriteAsync(_store, _clock, updated, ct);
            }
            if (_stagedResources.Count > 0)
            {
                await _store.PutDocumentsAsync(ResourceCollection, _stagedResources.Select(r => (r.Id, JsonSerializer.Serialize(r, Json))).ToList(), step.At, ct);
            }
            await SaveAsync(updated, ct);
            lock (_incidents)
            {
                foreach (var r in _stagedResources)
                {
                    _resources[r.Id] = r;
                }
            }
            foreach (var r in _stagedResources)
            {
                ResourceChanged?.Invoke(r);
            }
            return updated;
        }
        finally
        {
            _stagedResources.Clear();
            _lock.Release();
        }
    }

    private async Task SaveAsync(Incident incident, CancellationToken ct)
    {
        await _store.PutDocumentsAsync(IncidentCollection, [(incident.Id, JsonSerializer.Serialize(incident, Json))], _clock.GetUtcNow(), ct);
        lock (_incidents)
        {
            _incidents[incident.Id] = incident;
        }
        IncidentChanged?.Invoke(incident);
    }

    private void StageResource(EmergencyResource r)
    {
        _stagedResources.RemoveAll(x => x.Id == r.Id);
        _stagedResources.Add(r);
    }

    private void StandDown(string resourceId)
    {
        EmergencyResource? r;
        lock (_incidents)
        {
            r = _resources.GetValueOrDefault(resourceId);
        }
        if (r is not null && r.State is ResourceState.Dispatched or ResourceState.OnScene)
        {
            StageResource(r with { State = ResourceState.Available, IncidentId = null, Longitude = r.BaseLongitude, Latitude = r.BaseLatitude, UpdatedAt = _clock.GetUtcNow() });
        }
    }

    private EmergencyResource ResourceOrThrow(string id)
    {
        lock (_incidents)
        {
            return _resources.GetValueOrDefault(id) ?? throw new KeyNotFoundException($"there is no resource '{id}'");
        }
    }

    private static int FindDispatch(Incident i, string resourceId)
    {
        var idx = i.Dispatches.ToList().FindLastIndex(d => d.ResourceId == resourceId && d.ReleasedAt is null);
        return idx >= 0 ? idx : throw new IncidentWorkflowException($"resource {resourceId} is not dispatched to incident {i.Id}");
    }

    private static int IndexOfControl(Incident i, string controlId)
    {
        var idx = i.Controls.ToList().FindIndex(c => c.Id == controlId);
        return idx >= 0 ? idx : throw new KeyNotFoundException($"incident {i.Id} has no control {controlId}");
    }

    private static void Require(Incident i, string action, params IncidentState[] allowed)
    {
        if (!allowed.Contains(i.State))
        {
            throw new IncidentWorkflowException(
                $"'{action}' is not allowed while incident {i.Id} is {IncidentActions.StateSlug(i.State)} ({IncidentActions.StateZh(i.State)}); allowed from: {string.Join(", ", allowed.Select(IncidentActions.StateSlug))}");
        }
    }

    // Step notes are read in the Chinese console, like the operators' own notes.
    private static string Describe(ControlAction c) => c.Kind switch
    {
        ControlKind.LaneClosure => $"{c.Id} 封闭车道 {c.SectionId} 第 {string.Join(",", c.Lanes ?? [])} 车道",
        ControlKind.SpeedLimit => $"{c.Id} 限速 {c.SectionId} {c.SpeedLimitKmh?.ToString(CultureInfo.InvariantCulture)} km/h",
        _ => $"{c.Id} 情报板 {c.SectionId}：{c.Text}",
    };

    private static string? SourceNote(NewIncident n) => n.Source switch
    {
        IncidentSource.Detection => "监测发现" + (n.SourceRef is null ? "" : " " + n.SourceRef),
        IncidentSource.Alarm => "车辆报警" + (n.SourceRef is null ? "" : " " + n.SourceRef),
        _ => "上报" + (n.SourceRef is null ? "" : " " + n.SourceRef),
    };

    private string NextId(DateTimeOffset now)
    {
        var day = now.ToOffset(Beijing).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var prefix = "SJ" + day + "-";
        lock (_incidents)
        {
            var n = _incidents.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                .Select(k => int.TryParse(k.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .DefaultIfEmpty(0).Max();
            return prefix + (n + 1).ToString("D3", CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>Default response plans by incident kind and severity (the provincial highway emergency plan's table).</summary>
public static class ResponsePlans
{
    public static IReadOnlyDictionary<ResourceKind, int> Needs(Incident i)
    {
        var serious = i.Severity <= IncidentSeverity.Serious;
        var needs = i.Kind switch
        {
            IncidentKind.Collision => new Dictionary<ResourceKind, int> { [ResourceKind.Patrol] = 1, [ResourceKind.Rescue] = 1, [ResourceKind.Tow] = 1 },
            IncidentKind.Breakdown => new Dictionary<ResourceKind, int> { [ResourceKind.Patrol] = 1, [ResourceKind.Tow] = 1 },
            IncidentKind.DangerousGoods => new Dictionary<ResourceKind, int> { [ResourceKind.Patrol] = 2, [ResourceKind.Rescue] = 1, [ResourceKind.Fire] = 1, [ResourceKind.Medical] = 1, [ResourceKind.Tow] = 1 },
            IncidentKind.Weather or IncidentKind.Obstacle => new Dictionary<ResourceKind, int> { [ResourceKind.Patrol] = 1, [ResourceKind.Maintenance] = 1 },
            _ => new Dictionary<ResourceKind, int> { [ResourceKind.Patrol] = 1 },
        };
        if (i.Injuries)
        {
            needs[ResourceKind.Medical] = Math.Max(needs.GetValueOrDefault(ResourceKind.Medical), serious ? 2 : 1);
        }
        if (serious)
        {
            needs[ResourceKind.Patrol] = Math.Max(2, needs.GetValueOrDefault(ResourceKind.Patrol));
            needs[ResourceKind.Rescue] = Math.Max(1, needs.GetValueOrDefault(ResourceKind.Rescue));
        }
        return needs;
    }
}
