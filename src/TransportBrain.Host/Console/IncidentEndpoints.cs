using TransportBrain.Fleet;
using TransportBrain.Governance.Incidents;
using TransportBrain.Governance.Resources;
using TransportBrain.Identity;

namespace TransportBrain.Host.OpsConsole;

public sealed record OpenIncidentRequest(string? Kind, int? Severity, string? Source, string? SourceRef, string? Title, string? Description,
    double? Longitude, double? Latitude, string? Route, string? Stake, string? Direction, string? SectionId, string? PlaceZh,
    IReadOnlyList<int>? LanesBlocked, bool? Injuries, DateTimeOffset? DetectedAt, string? AlarmId);

/// <summary>A workflow step: note, and what the step needs (severity on confirm, resource on dispatch/arrive, plan on plan).</summary>
public sealed record IncidentActionRequest(string? Note, int? Severity, string? ResourceId, int? Level, Dictionary<string, int>? Needs);

public sealed record ControlRequestBody(string? Kind, string? SectionId, IReadOnlyList<int>? Lanes, int? SpeedLimitKmh, string? Text);

public sealed record ReleaseRequestBody(string? BoardText, string? NoticeTitle, string? NoticeText, string? Note);

public sealed record ResourceBody(string? Kind, string? Name, string? Organisation, double? Longitude, double? Latitude, string? State, string? Contact);

/// <summary>Emergency command over HTTP: incidents and their workflow, resources, releases, the public notice feed, metrics.</summary>
public static class IncidentEndpoints
{
    public static void MapIncidents(this RouteGroupBuilder api)
    {
        api.MapGet("/incidents", async (bool? open, string? state, int? limit, HttpContext http, Platform p, ConsoleRuntime rt, CancellationToken ct) =>
        {
            if (await ConsoleAuth.ViewerAsync(http, p, ct) is { } denied)
            {
                return denied;
            }
            IncidentState? st = null;
            if (state is not null)
            {
                if (!TryState(state, out var s))
                {
                    return Bad("state is candidate, confirmed, planned, dispatched, on_scene, cleared, closed or dismissed");
                }
                st = s;
            }
            var list = rt.Command.Query(open == true, st, limit ?? 200);
            return Json(new { count = list.Count, incidents = list.Select(ConsoleDto.Incident) });
        }).WithSummary("Incidents, newest first (filters: open, state, limit).");

        api.MapGet("/incidents/metrics", async (string? from, string? to, HttpContext http, Platform p, ConsoleRuntime rt, CancellationToken ct) =>
        {
            if (await ConsoleAuth.ViewerAsync(http, p, ct) is { } denied)
            {
                return denied;
            }
            TransportBrain.Host.Api.HubEndpoints.TryTime(from ?? "", out var f);
            TransportBrain.Host.Api.HubEndpoints.TryTime(to ?? "", out var t);
            return Json(rt.Command.Metrics(f, t));
        }).WithSummary("Incident counts by state and kind, and time to confirm / dispatch / arrive / clear / close (seconds: mean, median, p90).");

        api.MapGet("/incidents/{id}", async (string id, HttpContext http, Platform p, ConsoleRuntime rt, CancellationToken ct) =>
        {
            if (await ConsoleAuth.ViewerAsync(http, p, ct) is { } denied)
            {
                return denied;
            }
            return rt.Command.Find(id) is { } i ? Json(ConsoleDto.Incident(i)) : NotFound($"there is no incident '{id}'");
        }).WithSummary("One incident with every step, dispatch, control and release.");

        api.MapGet("/incidents/{id}/plan/suggestion", async (string id, HttpContext http, Platform p, ConsoleRuntime rt, CancellationToken ct) =>
        {
            if (await ConsoleAuth.ViewerAsync(http, p, ct) is { } denied)
            {
                return denied;
            }
            try
            {
                var (plan, nearest) = rt.Command.SuggestPlan(id);
                return Json(new { plan, nearest = nearest.Select(n => new { resource = n.Resource, distanceKm = Math.Round(n.DistanceKm, 2) }) });
            }
            catch (KeyNotFoundException)
            {
                return NotFound($"there is no incident '{id}'");
            }
        }).WithSummary("A response plan for the incident by kind and severity, with the nearest available resources.");

        api.MapPost("/incidents", async (OpenIncidentRequest body, HttpContext http, Platform p, ConsoleRuntime rt, FleetService fleet, CancellationToken ct) =>
        {
            var (actor, _, denied) = await ConsoleAuth.ActorAsync(http, p, ConsolePermissions.CanRunIncidents, ct);
            if (denied is not null)
            {
                return denied;
            }
            var kind = IncidentKind.Other;
            if (body.Kind is not null && !IncidentTexts.TryParseKind(body.Kind, out kind))
            {
                return Bad($"unknown kind '{body.Kind}' ({string.Join(", ", Enum.GetValues<IncidentKind>().Select(IncidentTexts.Slug))})");
            }
            if (body.Severity is { } sev && sev is < 1 or > 4)
            {
                return Bad("severity is 1 (特别重大) to 4 (一般)");
            }
            var source = body.Source?.ToLowerInvariant() switch
            {
                null or "report" => IncidentSource.Report,
                "detection" => IncidentSource.Detection,
                "alarm" => IncidentSource.Alarm,
                _ => (IncidentSource)(-1),
            };
            if ((int)source < 0)
            {
                return Bad("source is report, detection or alarm");
            }
            double? lon = body.Longitude, lat = body.Latitude;
            var sourceRef = body.SourceRef;
            var description = body.Description;
            if (body.AlarmId is { } alarmId)
            {
                // An incident raised from a supervision alarm takes the alarm's place and time.
                if (fleet.Alarms.Find(alarmId) is not { } alarm)
                {
                    return NotFound($"there is no alarm '{alarmId}'");
                }
                source = IncidentSource.Alarm;
                sourceRef = alarm.Id;
                lon ??= alarm.Longitude;
                lat ??= alarm.Latitude;
                description ??= alarm.DetailZh;
                body = body with { DetectedAt = body.DetectedAt ?? alarm.StartedAt };
            }
            if (lon is null || lat is null)
            {
                return Bad("an incident needs longitude and latitude (or an alarmId)");
            }
            try
            {
                var incident = await rt.Command.OpenAsync(new NewIncident
                {
                    Kind = kind,
                    Severity = (IncidentSeverity)(body.Severity ?? 4),
                    Source = source,
                    SourceRef = sourceRef,
                    Title = body.Title,
                    Description = description,
                    Location = new IncidentLocation
                    {
                        Longitude = lon.Value,
                        Latitude = lat.Value,
                        Route = body.Route,
                        Stake = body.Stake,
                        Direction = body.Direction,
                        SectionId = body.SectionId,
                        PlaceZh = body.PlaceZh,
                    },
                    LanesBlocked = body.LanesBlocked,
                    Injuries = body.Injuries ?? false,
                    DetectedAt = body.DetectedAt,
                }, actor!, ct);
                return Json(ConsoleDto.Incident(incident));
            }
            catch (ArgumentException e)
            {
                return Bad(e.Message);
            }
        }).WithSummary("Opens a candidate incident from a report, a detection or an alarm (alarmId).");

        api.MapPost("/incidents/{id}/{action}", async (string id, string action, IncidentActionRequest? body, HttpContext http, Platform p, ConsoleRuntime rt, CancellationToken ct) =>
        {
            var (actor, _, denied) = await ConsoleAuth.ActorAsync(http, p, ConsolePermissions.CanRunIncidents, ct);
            if (denied is not null)
            {
                return denied;
            }
            var c = rt.Command;
            var note = body?.Note;
            return await Run(async () => action switch
            {
                IncidentActions.Confirm => await c.ConfirmAsync(id, actor!, note, body?.Severity is { } s and >= 1 and <= 4 ? (IncidentSeverity)s : null, ct),
                IncidentActions.Dismiss => await c.DismissAsync(id, actor!, note, ct),
                IncidentActions.Plan => await c.PlanAsync(id, actor!, ParsePlan(body), ct),
                IncidentActions.Dispatch => await c.DispatchAsync(id, Required(body?.ResourceId, "resourceId"), actor!, note, ct),
                IncidentActions.Arrive => await c.ArriveAsync(id, Required(body?.ResourceId, "resourceId"), actor!, note, ct),
                "release-resource" => await c.ReleaseResourceAsync(id, Required(body?.ResourceId, "resourceId"), actor!, note, ct),
                IncidentActions.Clear => await c.ClearAsync(id, actor!, note, ct),
                IncidentActions.Close => await c.CloseAsync(id, actor!, note, ct),
                _ => throw new ArgumentException($"unknown action '{action}' (confirm, dismiss, plan, dispatch, arrive, release-resource, clear, close)"),
            });
        }).WithSummary("A workflow step: confirm, dismiss, plan (level, needs), dispatch (resourceId), arrive (resourceId), release-resource, clear, close; each timestamped and attributed.");

        api.MapPost("/incidents/{id}/controls", async (string id, ControlRequestBody body, HttpContext http, Platform p, ConsoleRuntime rt, CancellationToken ct) =>
        {
            var (actor, _, denied) = await ConsoleAuth.ActorAsync(http, p, ConsolePermissions.CanRunIncidents, ct);
            if (denied is not null)
            {
                return denied;
            }
            var kind = body.Kind switch
            {
                "lane_closure" => ControlKind.LaneClosure,
                "speed_limit" => ControlKind.SpeedLimit,
                "board_message" => ControlKind.BoardMessage,
                _ => (ControlKind)(-1),
            };
            if ((int)kind < 0)
            {
                return Bad("kind is lane_closure, speed_limit or board_message");
            }
            var incident = rt.Command.Find(id);
            var section = body.SectionId ?? incident?.Location.SectionId;
            return await Run(() => rt.Command.SetControlAsync(id, new ControlRequest(kind, section ?? "", body.Lanes, body.SpeedLimitKmh, body.Text), actor!, ct));
        }).WithSummary("Sets a lane closure (lanes), variable speed limit (speedLimitKmh) or board message (text) on a section from the incident; sent to the road side (the twin).");

        api.MapPost("/incidents/{id}/controls/{controlId}/lift", async (string id, string controlId, HttpContext http, Platform p, ConsoleRuntime rt, CancellationToken ct) =>
        {
            var (actor, _, denied) = await ConsoleAuth.ActorAsync(http, p, ConsolePermissions.CanRunIncidents, ct);
            return denied ?? await Run(() => rt.Command.LiftControlAsync(id, controlId, actor!, ct));
        }).WithSummary("Lifts a road control.");

        api.MapPost("/incidents/{id}/releases", async (string id, ReleaseRequestBody? body, HttpContext http, Platform p, ConsoleRuntime rt, CancellationToken ct) =>
        {
            var (actor, _, denied) = await ConsoleAuth.ActorAsync(http, p, ConsolePermissions.CanRunIncidents, ct);
            return denied ?? await Run(() => rt.Command.DraftReleaseAsync(id, actor!, body?.BoardText, body?.NoticeTitle, body?.NoticeText, ct));
        }).WithSummary("Drafts a public information release (board text and notice) from the incident; texts may be edited.");

        api.MapPost("/incidents/{id}/releases/{releaseId}/{action}", async (string id, string releaseId, string action, ReleaseRequestBody? body, HttpContext http, Platform p, ConsoleRuntime rt, CancellationToken ct) =>
        {
            var needs = action is "approve" or "reject" ? (Func<ConsoleRole, bool>)ConsolePermissions.CanApproveReleases : ConsolePermissions.CanRunIncidents;
            var (actor, _, denied) = await ConsoleAuth.ActorAsync(http, p, needs, ct);
            if (denied is not null)
            {
                return denied;
            }
            var c = rt.Command;
            return await Run(async () => action switch
            {
                "approve" => await c.ApproveReleaseAsync(id, releaseId, actor!, ct),
                "reject" => await c.RejectReleaseAsync(id, releaseId, actor!, body?.Note, ct),
                "publish" => await c.PublishReleaseAsync(id, releaseId, actor!, ct),
                "withdraw" => await c.WithdrawReleaseAsync(id, releaseId, actor!, body?.Note, ct),
                _ => throw new ArgumentException($"unknown action '{action}' (approve, reject, publish, withdraw)"),
            });
        }).WithSummary("Release workflow: approve or reject (supervisor/administrator, not the drafter), publish (after approval), withdraw.");

        api.MapGet("/notices", (ConsoleRuntime rt) => Json(rt.Command.PublishedNotices().Select(r => new
        {
            id = r.Id,
            incidentId = r.IncidentId,
            title = r.NoticeTitle,
            text = r.NoticeText,
            textEn = r.NoticeTextEn,
            board = r.BoardText,
            publishedAt = r.PublishedAt,
        }))).WithSummary("The public notice feed: published information releases (open to everyone).");

        api.MapGet("/resources", async (string? kind, HttpContext http, Platform p, ConsoleRuntime rt, CancellationToken ct) =>
        {
            if (await ConsoleAuth.ViewerAsync(http, p, ct) is { } denied)
            {
                return denied;
            }
            ResourceKind? k = null;
            if (kind is not null)
            {
                if (!Enum.TryParse<ResourceKind>(kind, true, out var parsed))
                {
                    return Bad("kind is patrol, rescue, tow, medical, fire or maintenance");
                }
                k = parsed;
            }
            return Json(rt.Command.Resources(k));
        }).WithSummary("The resource registry: patrol, rescue, tow, medical, fire, maintenance units with location and state.");

        api.MapPut("/resources/{id}", async (string id, ResourceBody body, HttpContext http, Platform p, ConsoleRuntime rt, CancellationToken ct) =>
        {
            var (_, _, denied) = await ConsoleAuth.ActorAsync(http, p, ConsolePermissions.CanManageResources, ct);
            if (denied is not null)
            {
                return denied;
            }
            if (!Enum.TryParse<ResourceKind>(body.Kind, true, out var kind) || body.Longitude is null || body.Latitude is null || string.IsNullOrWhiteSpace(body.Name))
            {
                return Bad("a resource has kind (patrol, rescue, tow, medical, fire, maintenance), name, organisation, longitude and latitude of its base");
            }
            var state = body.State?.ToLowerInvariant() switch
            {
                null or "available" => ResourceState.Available,
                "out_of_service" => ResourceState.OutOfService,
                "dispatched" => ResourceState.Dispatched,
                "on_scene" => ResourceState.OnScene,
                _ => (ResourceState)(-1),
            };
            if ((int)state < 0)
            {
                return Bad("state is available or out_of_service");
            }
            var existing = rt.Command.Resources().FirstOrDefault(r => r.Id == id);
            return await Run(async () => (object)await rt.Command.PutResourceAsync(new EmergencyResource
            {
                Id = id,
                Kind = kind,
                Name = body.Name.Trim(),
                Organisation = body.Organisation?.Trim() ?? "",
                BaseLongitude = body.Longitude.Value,
                BaseLatitude = body.Latitude.Value,
                State = body.State is null && existing is not null ? existing.State : state,
                Contact = body.Contact,
            }, ct));
        }).WithSummary("Registers or updates a resource (base location, name, organisation, contact; available or out_of_service).");
    }

    private static ResponsePlan ParsePlan(IncidentActionRequest? body)
    {
        if (body?.Needs is not { Count: > 0 } needs)
        {
            throw new ArgumentException("a plan has 'needs': resource kind → count, e.g. {\"patrol\":1,\"tow\":1}");
        }
        var parsed = new Dictionary<ResourceKind, int>();
        foreach (var (k, v) in needs)
        {
            if (!Enum.TryParse<ResourceKind>(k, true, out var kind))
            {
                throw new ArgumentException($"unknown resource kind '{k}'");
            }
            parsed[kind] = v;
        }
        return new ResponsePlan { Level = body.Level ?? 4, Needs = parsed, Note = body.Note };
    }

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"this step needs '{name}'") : value;

    private static async Task<IResult> Run<T>(Func<Task<T>> step) where T : notnull
    {
        try
        {
            var result = await step();
            return Json(result is Incident i ? ConsoleDto.Incident(i) : result);
        }
        catch (KeyNotFoundException e)
        {
            return NotFound(e.Message.Trim('\''));
        }
        catch (IncidentWorkflowException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Not allowed in the incident's current state");
        }
        catch (ArgumentException e)
        {
            return Bad(e.Message);
        }
    }

    private static IResult Json(object value) => TypedResults.Json(value, EmergencyCommand.Json);

    private static IResult Bad(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    private static IResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    private static bool TryState(string text, out IncidentState state)
    {
        foreach (var s in Enum.GetValues<IncidentState>())
        {
            if (IncidentActions.StateSlug(s) == text.ToLowerInvariant())
            {
                state = s;
                return true;
            }
        }
        state = default;
        return false;
    }
}
