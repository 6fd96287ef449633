using TransportBrain.Governance.Control;
using TransportBrain.Governance.Incidents;
using TransportBrain.Governance.Resources;

namespace TransportBrain.Governance.Tests;

internal sealed class RecordingRoadControl : IRoadControl
{
    public List<RoadControlCommand> Sent { get; } = [];
    public bool Fail { get; set; }

    public Task<RoadControlReceipt> SendAsync(RoadControlCommand command, CancellationToken ct = default)
    {
        if (Fail)
        {
            throw new IOException("road-side controller unreachable");
        }
        Sent.Add(command);
        return Task.FromResult(new RoadControlReceipt(true, "applied by test twin"));
    }
}

public sealed class EmergencyWorkflowTests : EmergencyDeskTests
{
    private Task<Incident> OpenCollisionAsync(IncidentSource source = IncidentSource.Report, string? sourceRef = null) => _desk.OpenAsync(new NewIncident
    {
        Kind = IncidentKind.Collision,
        Severity = IncidentSeverity.Minor,
        Source = source,
        SourceRef = sourceRef,
        Location = new IncidentLocation { Longitude = 106.72, Latitude = 26.61, Route = "G60", Stake = "K1234+500", Direction = "上行", SectionId = "S-G60-012" },
        LanesBlocked = [2],
        Injuries = true,
        DetectedAt = T0.AddMinutes(-2),
    }, Operator);

    private static ResponsePlan Plan(params (ResourceKind Kind, int Count)[] needs) =>
        new() { Level = 4, Needs = needs.ToDictionary(n => n.Kind, n => n.Count) };

    [Fact]
    public async Task An_incident_goes_from_candidate_to_closed_with_every_step_timestamped_and_attributed()
    {
        var i = await OpenCollisionAsync();
        Assert.Equal(IncidentState.Candidate, i.State);
        Assert.StartsWith("SJ20261121-", i.Id);

        _clock.Advance(TimeSpan.FromMinutes(1));
        i = await _desk.ConfirmAsync(i.Id, Operator, "监控视频核实", IncidentSeverity.Major);
        Assert.Equal(IncidentSeverity.Major, i.Severity);

        var (suggested, nearest) = _desk.SuggestPlan(i.Id);
        Assert.True(suggested.Needs[ResourceKind.Medical] >= 1); // injuries need an ambulance
        Assert.Contains(nearest, n => n.Resource.Kind == ResourceKind.Tow);
        i = await _desk.PlanAsync(i.Id, Operator, suggested);
        Assert.Equal(IncidentState.Planned, i.State);

        _clock.Advance(TimeSpan.FromMinutes(1));
        var tow = nearest.First(n => n.Resource.Kind == ResourceKind.Tow).Resource;
        var patrol = nearest.First(n => n.Resource.Kind == ResourceKind.Patrol).Resource;
        i = await _desk.DispatchAsync(i.Id, tow.Id, Operator, null);
        i = await _desk.DispatchAsync(i.Id, patrol.Id, Operator, null);
        Assert.Equal(IncidentState.Dispatched, i.State);
        Assert.Equal(ResourceState.Dispatched, _desk.Resources().Single(r => r.Id == tow.Id).State);

        _clock.Advance(TimeSpan.FromMinutes(12));
        i = await _desk.ArriveAsync(i.Id, patrol.Id, Operator, "巡查车到场");
        Assert.Equal(IncidentState.OnScene, i.State);
        var onScene = _desk.Resources().Single(r => r.Id == patrol.Id);
        Assert.Equal(ResourceState.OnScene, onScene.State);
        Assert.Equal(106.72, onScene.Longitude);

        _clock.Advance(TimeSpan.FromMinutes(25));
        i = await _desk.ClearAsync(i.Id, Operator, "车辆已拖离");
        _clock.Advance(TimeSpan.FromMinutes(5));
        i = await _desk.CloseAsync(i.Id, Supervisor, null);

        Assert.Equal(IncidentState.Closed, i.State);
        Assert.Equal(["open", "confirm", "plan", "dispatch", "dispatch", "arrive", "clear", "close"], i.Steps.Select(s => s.Action));
        Assert.All(i.Steps, s => Assert.False(string.IsNullOrEmpty(s.By.Name)));
        Assert.Equal(Supervisor, i.Steps[^1].By);
        Assert.Equal(T0.AddMinutes(44), i.Steps[^1].At);
        // resources stand down when the incident closes
        Assert.All(_desk.Resources(), r => Assert.Equal(ResourceState.Available, r.State));
        Assert.All(i.Dispatches, d => Assert.NotNull(d.ReleasedAt));

        var timings = IncidentTimings.Of(i);
        Assert.Equal(180, timings.ToConfirmS); // detected 2 min before opening, confirmed 1 min after
        Assert.Equal(240, timings.ToDispatchS);
        Assert.Equal(960, timings.ToArriveS);
        Assert.Equal(2460, timings.ToClearS);
        Assert.Equal(2760, timings.ToCloseS);
        var m = _desk.Metrics();
        Assert.Equal(1, m.Total);
        Assert.Equal(0, m.Open);
        Assert.Equal(180, m.TimeToConfirm.MedianS);
    }

    [Fact]
    public async Task Steps_out_of_order_are_refused_and_leave_the_incident_unchanged()
    {
        var i = await OpenCollisionAsync();
        await Assert.ThrowsAsync<IncidentWorkflowException>(() => _desk.ClearAsync(i.Id, Operator, null));
        await Assert.ThrowsAsync<IncidentWorkflowException>(() => _desk.DispatchAsync(i.Id, "tow-06", Operator, null));
        await Assert.ThrowsAsync<IncidentWorkflowException>(() => _desk.CloseAsync(i.Id, Operator, null));
        await _desk.ConfirmAsync(i.Id, Operator, null);
        await Assert.ThrowsAsync<IncidentWorkflowException>(() => _desk.ConfirmAsync(i.Id, Operator, null));
        // dispatch needs a plan first
        await Assert.ThrowsAsync<IncidentWorkflowException>(() => _desk.DispatchAsync(i.Id, "tow-06", Operator, null));
        Assert.Equal(2, _desk.Find(i.Id)!.Steps.Count);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _desk.ConfirmAsync("SJ-nope", Operator, null));
    }

    [Fact]
    public async Task A_resource_is_never_dispatched_to_two_incidents()
    {
        var a = await OpenCollisionAsync();
        var b = await OpenCollisionAsync();
        foreach (var id in new[] { a.Id, b.Id })
        {
            await _desk.ConfirmAsync(id, Operator, null);
            await _desk.PlanAsync(id, Operator, Plan((ResourceKind.Tow, 1)));
        }
        await _desk.DispatchAsync(a.Id, "tow-06", Operator, null);
        var e = await Assert.ThrowsAsync<IncidentWorkflowException>(() => _desk.DispatchAsync(b.Id, "tow-06", Operator, null));
        Assert.Contains(a.Id, e.Message);
        await _desk.DispatchAsync(b.Id, "tow-07", Operator, null);
        // standing down frees it
        await _desk.ReleaseResourceAsync(a.Id, "tow-06", Operator, "拖车已返回");
        Assert.Equal(ResourceState.Available, _desk.Resources().Single(r => r.Id == "tow-06").State);
    }

    [Fact]
    public async Task A_candidate_can_be_dismissed_and_a_repeated_detection_does_not_open_a_second_incident()
    {
        var a = await OpenCollisionAsync(IncidentSource.Detection, "det-S-G60-012-0105");
        var again = await OpenCollisionAsync(IncidentSource.Detection, "det-S-G60-012-0105");
        Assert.Equal(a.Id, again.Id);
        var dismissed = await _desk.DismissAsync(a.Id, Operator, "误报：施工车辆");
        Assert.Equal(IncidentState.Dismissed, dismissed.State);
        Assert.False(dismissed.IsOpen);
        var next = await OpenCollisionAsync(IncidentSource.Detection, "det-S-G60-012-0105");
        Assert.NotEqual(a.Id, next.Id);
    }

    [Fact]
    public async Task Lane_closures_and_speed_limits_go_to_the_road_and_must_be_lifted_before_closing()
    {
        var i = await OpenCollisionAsync();
        await _desk.ConfirmAsync(i.Id, Operator, null);
        i = await _desk.SetControlAsync(i.Id, new ControlRequest(ControlKind.LaneClosure, "S-G60-012", [2, 3], null, null), Operator);
        i = await _desk.SetControlAsync(i.Id, new ControlRequest(ControlKind.SpeedLimit, "S-G60-011", null, 60, null), Operator);
        await Assert.ThrowsAsync<ArgumentException>(() => _desk.SetControlAsync(i.Id, new ControlRequest(ControlKind.SpeedLimit, "S-G60-011", null, 65, null), Operator));
        Assert.Equal(2, _road.Sent.Count);
        Assert.Equal([2, 3], _road.Sent[0].Lanes);
        Assert.Equal(60, _road.Sent[1].SpeedLimitKmh);
        Assert.All(i.Controls, c => Assert.True(c.Delivered));

        await _desk.PlanAsync(i.Id, Operator, Plan((ResourceKind.Patrol, 1)));
        await _desk.DispatchAsync(i.Id, "patrol-01", Operator, null);
        await _desk.ArriveAsync(i.Id, "patrol-01", Operator, null);
        await _desk.ClearAsync(i.Id, Operator, null);
        await Assert.ThrowsAsync<IncidentWorkflowException>(() => _desk.CloseAsync(i.Id, Operator, null));
        foreach (var c in _desk.Find(i.Id)!.Controls)
        {
            await _desk.LiftControlAsync(i.Id, c.Id, Operator);
        }
        Assert.True(_road.Sent[^1].Lift);
        Assert.Equal(IncidentState.Closed, (await _desk.CloseAsync(i.Id, Operator, null)).State);
    }

    [Fact]
    public async Task A_control_the_road_did_not_take_is_recorded_as_not_delivered()
    {
        var i = await OpenCollisionAsync();
        await _desk.ConfirmAsync(i.Id, Operator, null);
        _road.Fail = true;
        i = await _desk.SetControlAsync(i.Id, new ControlRequest(ControlKind.LaneClosure, "S-G60-012", [1], null, null), Operator);
        var c = Assert.Single(i.Controls);
        Assert.False(c.Delivered);
        Assert.Contains("unreachable", c.Delivery);
        Assert.Equal(ControlState.Active, c.State);
    }

    [Fact]
    public async Task A_release_is_drafted_from_the_incident_approved_by_someone_else_then_published_to_the_notice_feed_and_boards()
    {
        var i = await OpenCollisionAsync();
        await Assert.ThrowsAsync<IncidentWorkflowException>(() => _desk.DraftReleaseAsync(i.Id, Operator)); // not confirmed yet
        await _desk.ConfirmAsync(i.Id, Operator, null);
        await _desk.SetControlAsync(i.Id, new ControlRequest(ControlKind.SpeedLimit, "S-G60-012", null, 60, null), Operator);
        i = await _desk.DraftReleaseAsync(i.Id, Operator);
        var r = Assert.Single(i.Releases);
        Assert.Equal(ReleaseState.Draft, r.State);
        Assert.Contains("G60 K1234+500 上行", r.NoticeText);
        Assert.Contains("交通事故", r.NoticeText);
        Assert.Contains("占用第2车道", r.NoticeText);
        Assert.Contains("限速60", r.BoardText);
        Assert.Contains("11月21日8:58左右", r.NoticeText); // detected 00:58 UTC = 08:58 Beijing time
        Assert.Contains("speed limit of 60 km/h", r.NoticeTextEn);

        await Assert.ThrowsAsync<IncidentWorkflowException>(() => _desk.PublishReleaseAsync(i.Id, r.Id, Operator)); // not approved
        var fourEyes = await Assert.ThrowsAsync<IncidentWorkflowException>(() => _desk.ApproveReleaseAsync(i.Id, r.Id, Operator));
        Assert.Contains("four-eyes", fourEyes.Message);
        await _desk.ApproveReleaseAsync(i.Id, r.Id, Supervisor);
        i = await _desk.PublishReleaseAsync(i.Id, r.Id, Operator);

        var notice = Assert.Single(_desk.PublishedNotices());
        Assert.Equal(r.Id, notice.Id);
        Assert.Equal(Supervisor, notice.ApprovedBy);
        var board = i.Controls.Single(c => c.Kind == ControlKind.BoardMessage);
        Assert.Equal("S-G60-012", board.SectionId);
        Assert.Equal(["open", "confirm", "set_control", "draft_release", "approve_release", "publish_release", "set_control"], i.Steps.Select(s => s.Action));
    }

    [Fact]
    public async Task Incidents_and_resources_survive_a_restart()
    {
        var i = await OpenCollisionAsync();
        await _desk.ConfirmAsync(i.Id, Operator, null);
        await _desk.PlanAsync(i.Id, Operator, Plan((ResourceKind.Tow, 1)));
        await _desk.DispatchAsync(i.Id, "tow-06", Operator, null);
        await _store.ReopenAsync();
        var reloaded = await EmergencyCommand.LoadAsync(_store.Store, _clock, _road);
        var again = reloaded.Find(i.Id)!;
        Assert.Equal(IncidentState.Dispatched, again.State);
        Assert.Equal(4, again.Steps.Count);
        Assert.Equal(Operator, again.Steps[1].By);
        Assert.Equal(ResourceState.Dispatched, reloaded.Resources().Single(r => r.Id == "tow-06").State);
        Assert.Equal(11, reloaded.Resources().Count);
        // numbering continues after the restart
        var next = await reloaded.OpenAsync(new NewIncident { Kind = IncidentKind.Breakdown, Location = new IncidentLocation { Longitude = 106.7, Latitude = 26.6 } }, Operator);
        Assert.EndsWith("-002", next.Id);
    }

    [Fact]
    public async Task A_busy_resource_cannot_be_edited_out_of_its_incident()
    {
        var i = await OpenCollisionAsync();
        await _desk.ConfirmAsync(i.Id, Operator, null);
        await _desk.PlanAsync(i.Id, Operator, Plan((ResourceKind.Tow, 1)));
        await _desk.DispatchAsync(i.Id, "tow-06", Operator, null);
        var busy = _desk.Resources().Single(r => r.Id == "tow-06");
        await Assert.ThrowsAsync<IncidentWorkflowException>(() => _desk.PutResourceAsync(busy with { State = ResourceState.OutOfService }));
        var renamed = await _desk.PutResourceAsync(busy with { Name = "清障拖车 01 (重型)" });
        Assert.Equal(ResourceState.Dispatched, renamed.State);
        Assert.Equal(i.Id, renamed.IncidentId);
    }
}
