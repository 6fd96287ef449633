using TransportBrain.Governance.Incidents;
using TransportBrain.Governance.Resources;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Sharing;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Governance.Tests;

public sealed class IncidentHistoryTests : EmergencyDeskTests
{
    private static readonly DatasetDefinition History = GovernanceDatasets.IncidentHistory;

    private Task<Incident> OpenCollisionAsync(IncidentSource source = IncidentSource.Report, string? sourceRef = null) => _desk.OpenAsync(new NewIncident
    {
        Kind = IncidentKind.Collision,
        Severity = IncidentSeverity.Minor,
        Source = source,
        SourceRef = sourceRef,
        Location = new IncidentLocation { Longitude = 106.72, Latitude = 26.61, Route = "G60", Stake = "K1234+500", Direction = "上行", SectionId = "S-G60-012" },
        LanesBlocked = [2, 3],
        Injuries = true,
        DetectedAt = T0.AddMinutes(-2),
    }, Operator);

    private async Task<IReadOnlyList<StoredRecord>> StoredRowsAsync() =>
        (await _store.Store.ReadRecordsAsync(History, new RecordQuery(null, null, 100, null))).Records;

    private static object? Value(StoredRecord r, string field) => r.Values[History.FieldIndex(field)];

    [Fact]
    public void The_dataset_is_valid_and_documented_in_both_languages()
    {
        Assert.Empty(History.Validate());
        Assert.All(History.Fields, f => Assert.False(string.IsNullOrWhiteSpace(f.DescriptionZh) || string.IsNullOrWhiteSpace(f.DescriptionEn)));
        Assert.NotNull(History.Lineage);
        _ = new DatasetRegistry(GovernanceDatasets.All); // refuses inconsistent definitions
    }

    [Fact]
    public async Task A_closed_incident_leaves_one_row_with_every_step_time_the_durations_and_the_counts()
    {
        var i = await OpenCollisionAsync(IncidentSource.Detection, "det-S-G60-012-0058");
        _clock.Advance(TimeSpan.FromMinutes(1));
        i = await _desk.ConfirmAsync(i.Id, Operator, "监控视频核实", IncidentSeverity.Major);
        i = await _desk.PlanAsync(i.Id, Operator, new ResponsePlan { Level = 3, Needs = new Dictionary<ResourceKind, int> { [ResourceKind.Tow] = 1, [ResourceKind.Patrol] = 1 } });
        i = await _desk.SetControlAsync(i.Id, new ControlRequest(ControlKind.LaneClosure, "S-G60-012", [2, 3], null, null), Operator);

        _clock.Advance(TimeSpan.FromMinutes(1));
        i = await _desk.DispatchAsync(i.Id, "tow-06", Operator, null);
        i = await _desk.DispatchAsync(i.Id, "patrol-01", Operator, null);
        i = await _desk.DraftReleaseAsync(i.Id, Operator);
        i = await _desk.ApproveReleaseAsync(i.Id, i.Releases[0].Id, Supervisor);
        i = await _desk.PublishReleaseAsync(i.Id, i.Releases[0].Id, Operator); // also puts the board text on the section: a second control
        i = await _desk.DraftReleaseAsync(i.Id, Operator); // drafted but never published: not counted

        _clock.Advance(TimeSpan.FromMinutes(12));
        i = await _desk.ArriveAsync(i.Id, "patrol-01", Operator, null);
        _clock.Advance(TimeSpan.FromMinutes(3));
        i = await _desk.ArriveAsync(i.Id, "tow-06", Operator, null);
        // the patrol leaves and is sent again: still one resource
        i = await _desk.ReleaseResourceAsync(i.Id, "patrol-01", Operator, null);
        i = await _desk.DispatchAsync(i.Id, "patrol-01", Operator, null);

        _clock.Advance(TimeSpan.FromMinutes(22));
        i = await _desk.ClearAsync(i.Id, Operator, "车辆已拖离");
        foreach (var c in i.Controls)
        {
            i = await _desk.LiftControlAsync(i.Id, c.Id, Operator);
        }
        Assert.Empty(await StoredRowsAsync()); // nothing until it closes

        _clock.Advance(TimeSpan.FromMinutes(5));
        i = await _desk.CloseAsync(i.Id, Supervisor, null);

        var row = Assert.Single(await StoredRowsAsync());
        Assert.Equal(i.Id, Value(row, "incident_id"));
        Assert.Equal("closed", Value(row, "outcome"));
        Assert.Equal("collision", Value(row, "kind"));
        Assert.Equal(3L, Value(row, "severity"));
        Assert.Equal(3L, Value(row, "response_level"));
        Assert.Equal("detection", Value(row, "source"));
        Assert.Equal("det-S-G60-012-0058", Value(row, "source_ref"));
        Assert.Equal("G60", Value(row, "route"));
        Assert.Equal("上行", Value(row, "direction"));
        Assert.Equal("K1234+500", Value(row, "stake"));
        Assert.Equal("S-G60-012", Value(row, "section_id"));
        Assert.Equal(106.72, Value(row, "longitude"));
        Assert.Equal(26.61, Value(row, "latitude"));
        Assert.Equal("2,3", Value(row, "lanes_blocked"));
        Assert.True((bool)Value(row, "injuries")!);

        Assert.Equal(T0.AddMinutes(-2), Value(row, "detected_at"));
        Assert.Equal(T0, Value(row, "reported_at"));
        Assert.Equal(T0.AddMinutes(1), Value(row, "confirmed_at"));
        Assert.Equal(T0.AddMinutes(1), Value(row, "planned_at"));
        Assert.Equal(T0.AddMinutes(2), Value(row, "dispatched_at"));
        Assert.Equal(T0.AddMinutes(14), Value(row, "on_scene_at"));
        Assert.Equal(T0.AddMinutes(39), Value(row, "cleared_at"));
        Assert.Equal(T0.AddMinutes(44), Value(row, "closed_at"));

        Assert.Equal(180.0, Value(row, "time_to_confirm_s"));
        Assert.Equal(240.0, Value(row, "time_to_dispatch_s"));
        Assert.Equal(960.0, Value(row, "time_to_arrive_s"));
        Assert.Equal(2460.0, Value(row, "time_to_clear_s"));
        Assert.Equal(2760.0, Value(row, "time_to_close_s"));

        Assert.Equal(2L, Value(row, "resources_dispatched"));
        Assert.Equal("tow-06,patrol-01", Value(row, "resource_ids"));
        Assert.Equal(2L, Value(row, "controls_applied"));
        Assert.Equal(1L, Value(row, "releases_published"));
        Assert.Equal("li.qiang", Value(row, "closed_by"));
        Assert.Equal("省交通运输厅指挥中心", Value(row, "closed_by_organisation"));

        // written as a derived batch with its quality report
        var batch = Assert.Single(await _store.Store.ListBatchesAsync(History.Id, 10));
        Assert.Equal(1L, batch.Stored);
        Assert.Equal(0L, batch.Quarantined);
    }

    [Fact]
    public async Task A_dismissed_candidate_leaves_a_row_without_the_steps_it_never_reached()
    {
        var i = await OpenCollisionAsync();
        _clock.Advance(TimeSpan.FromMinutes(4));
        await _desk.DismissAsync(i.Id, Supervisor, "误报：施工车辆");

        var row = Assert.Single(await StoredRowsAsync());
        Assert.Equal("dismissed", Value(row, "outcome"));
        Assert.Equal("report", Value(row, "source"));
        Assert.Equal(4L, Value(row, "severity"));
        Assert.Null(Value(row, "response_level"));
        foreach (var never in new[] { "confirmed_at", "planned_at", "dispatched_at", "on_scene_at", "cleared_at", "time_to_confirm_s", "time_to_dispatch_s", "time_to_arrive_s", "time_to_clear_s", "resource_ids" })
        {
            Assert.Null(Value(row, never));
        }
        Assert.Equal(T0.AddMinutes(4), Value(row, "closed_at"));
        Assert.Equal(360.0, Value(row, "time_to_close_s"));
        Assert.Equal(0L, Value(row, "resources_dispatched"));
        Assert.Equal(0L, Value(row, "controls_applied"));
        Assert.Equal(0L, Value(row, "releases_published"));
        Assert.Equal("li.qiang", Value(row, "closed_by"));
    }

    [Fact]
    public async Task Only_ended_incidents_have_rows_and_a_reader_without_an_unmasked_grant_sees_the_closer_masked()
    {
        var open = await OpenCollisionAsync();
        await _desk.ConfirmAsync(open.Id, Operator, null);
        var dismissed = await OpenCollisionAsync();
        await _desk.DismissAsync(dismissed.Id, Supervisor, null);
        Assert.Throws<ArgumentException>(() => IncidentHistory.Row(_desk.Find(open.Id)!));

        var key = new ApiKey { Id = "k1", Organisation = "省公安厅交警总队", Name = "traffic-police", SecretHash = "" };
        var caller = new Caller(key, [new DatasetGrant(key.Id, History.Id, CanRead: true, CanWrite: false, Unmasked: false)]);
        Assert.Equal(AccessDecision.Allowed, SharingPolicy.CanRead(caller, History));
        var page = await new DataSharing(_store.Store, _clock).ReadAsync(caller, History, new RecordQuery(null, null, 100, null), "read", null);
        var row = Assert.Single(page.Records);
        Assert.Equal(dismissed.Id, Value(row, "incident_id"));
        Assert.Equal("l*******", Value(row, "closed_by"));
    }
}
