using TransportBrain.Fleet.Gateway;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Fleet.Tracking;
using TransportBrain.Governance.Incidents;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Sharing;
using TransportBrain.Identity;

namespace TransportBrain.Host.OpsConsole;

/// <summary>What the console API answers: the domain records plus the names and next steps the UI shows.</summary>
internal static class ConsoleDto
{
    public static object Incident(Incident i) => new
    {
        incident = i,
        stateZh = IncidentActions.StateZh(i.State),
        kindZh = IncidentTexts.KindZh(i.Kind),
        severityZh = IncidentTexts.SeverityZh(i.Severity),
        timings = IncidentTimings.Of(i),
        next = NextActions(i),
    };

    /// <summary>The steps the workflow allows from the incident's state (the UI's buttons).</summary>
    public static IReadOnlyList<string> NextActions(Incident i) => i.State switch
    {
        IncidentState.Candidate => [IncidentActions.Confirm, IncidentActions.Dismiss],
        IncidentState.Confirmed => [IncidentActions.Plan, "control", "release"],
        IncidentState.Planned => [IncidentActions.Dispatch, IncidentActions.Plan, "control", "release"],
        IncidentState.Dispatched => [IncidentActions.Arrive, IncidentActions.Dispatch, IncidentActions.Plan, "control", "release"],
        IncidentState.OnScene => [IncidentActions.Clear, IncidentActions.Dispatch, IncidentActions.Plan, "control", "release"],
        IncidentState.Cleared => [IncidentActions.Close, "control", "release"],
        _ => [],
    };

    public static object AlarmSummary(AlarmRecord a) => new
    {
        id = a.Id,
        kind = AlarmIds.Slug(a.Kind),
        severity = a.Severity.ToString().ToLowerInvariant(),
        status = a.Status.ToString().ToLowerInvariant(),
        terminalId = a.TerminalId,
        plate = a.Plate is { } p ? Masking.Mask(PersonalKind.Plate, p) : null,
        category = TerminalRegistry.CategoryName(a.Category),
        startedAt = a.StartedAt,
        latitude = a.Latitude,
        longitude = a.Longitude,
        detailZh = a.DetailZh,
        detailEn = a.DetailEn,
    };

    public static object User(ConsoleUser u) => new
    {
        name = u.Name,
        displayName = u.DisplayName,
        organisation = u.Organisation,
        role = ConsolePermissions.Slug(u.Role),
        roleZh = ConsolePermissions.NameZh(u.Role),
        permissions = ConsolePermissions.Permissions(u.Role),
        disabled = u.Disabled,
        lockedUntil = u.LockedUntil,
        failedAttempts = u.FailedAttempts,
        createdAt = u.CreatedAt,
        lastLoginAt = u.LastLoginAt,
    };
}
