using System.Globalization;
using TransportBrain.Fleet;
using TransportBrain.Fleet.Gateway;
using TransportBrain.Fleet.Jt808;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Fleet.Tracking;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Sharing;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Host.Api;

/// <summary>
/// The fleet context's HTTP API (C1-C3): vehicles with their latest positions, tracks, alarms and
/// their handling, downlink commands, geofences and route plans, gateway counters. Access follows the
/// datasets behind each answer: reading positions needs read access to fleet.position (plates masked
/// unless the grant says unmasked), handling alarms needs write access to fleet.alarm, provisioning
/// and commands need write access to fleet.terminal.
/// </summary>
public static class FleetEndpoints
{
    public static void MapFleet(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/fleet");

        api.MapGet("/vehicles", async (string? category, bool? online, HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (caller, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, FleetDatasets.Position), ct);
            if (denied is not null)
            {
                return denied;
            }
            VehicleCategory? cat = null;
            if (category is not null)
            {
                if (!TerminalRegistry.TryParseCategory(category, out var c))
                {
                    return HubEndpoints.BadQuery($"unknown category '{category}' (coach, charter, dangerous_goods, heavy_truck, unknown)");
                }
                cat = c;
            }
            var mask = SharingPolicy.MustMask(caller!, FleetDatasets.Position);
            var openAlarms = f.Alarms.Query(new AlarmFilter(OpenOnly: true, Limit: 10_000)).GroupBy(a => a.TerminalId).ToDictionary(g => g.Key, g => g.Count());
            var vehicles = f.Registry.All
                .Where(t => cat is null || t.Category == cat)
                .Select(t => Vehicle(t, f, mask, openAlarms.GetValueOrDefault(t.TerminalId)))
                .Where(v => online is null || v.Online == online)
                .OrderBy(v => v.TerminalId, StringComparer.Ordinal)
                .ToList();
            return TypedResults.Ok(new { count = vehicles.Count, online = vehicles.Count(v => v.Online), vehicles });
        }).WithSummary("Vehicles with their latest positions, online state and open alarm count (filters: category, online).");

        api.MapGet("/vehicles/{terminalId}", async (string terminalId, HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (caller, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, FleetDatasets.Position), ct);
            if (denied is not null)
            {
                return denied;
            }
            if (f.Registry.Find(terminalId) is not { } t)
            {
                return UnknownTerminal(terminalId);
            }
            var open = f.Alarms.Query(new AlarmFilter(TerminalId: terminalId, OpenOnly: true)).Count;
            return TypedResults.Ok(Vehicle(t, f, SharingPolicy.MustMask(caller!, FleetDatasets.Position), open));
        }).WithSummary("One vehicle: registration, latest position, online state.");

        api.MapPut("/vehicles/{terminalId}", async (string terminalId, ProvisionRequest body, HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanWrite(c, FleetDatasets.Terminal), ct);
            if (denied is not null)
            {
                return denied;
            }
            if (!TerminalRegistry.TryParseCategory(body.Category, out var cat))
            {
                return HubEndpoints.BadQuery($"unknown category '{body.Category}' (coach, charter, dangerous_goods, heavy_truck, unknown)");
            }
            try
            {
                var info = await f.Registry.ProvisionAsync(terminalId, body.Plate, body.PlateColor ?? 2, cat, ct);
                return TypedResults.Ok(Vehicle(info, f, mask: false, 0));
            }
            catch (ArgumentException e)
            {
                return HubEndpoints.BadQuery(e.Message);
            }
        }).WithSummary("Provisions a vehicle: binds a terminal to a plate, plate colour and category (coach, charter, dangerous_goods, heavy_truck).");

        api.MapGet("/vehicles/{terminalId}/track", async (string terminalId, string? from, string? to, double? simplify, int? limit, HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (caller, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, FleetDatasets.Position), ct);
            if (denied is not null)
            {
                return denied;
            }
            if (f.Registry.Find(terminalId) is null)
            {
                return UnknownTerminal(terminalId);
            }
            if ((from is not null && !HubEndpoints.TryTime(from, out _)) || (to is not null && !HubEndpoints.TryTime(to, out _)))
            {
                return HubEndpoints.BadQuery("'from' and 'to' must be times such as 2026-11-21T08:00:00+08:00");
            }
            HubEndpoints.TryTime(from ?? "", out var fromT);
            HubEndpoints.TryTime(to ?? "", out var toT);
            var end = toT ?? DateTimeOffset.UtcNow.AddMinutes(10);
            var start = fromT ?? end.AddHours(-24);
            if (end - start > TimeSpan.FromDays(7))
            {
                return HubEndpoints.BadQuery("a track covers at most 7 days; narrow 'from' and 'to'");
            }
            var max = Math.Clamp(limit ?? 50_000, 1, 200_000);
            var d = FleetDatasets.Position;
            int iTime = d.FieldIndex("gnss_time"), iLat = d.FieldIndex("latitude"), iLon = d.FieldIndex("longitude"), iSpeed = d.FieldIndex("speed_kmh"), iDir = d.FieldIndex("direction_deg");
            var points = new List<TrackPoint>();
            string? cursor = null;
            do
            {
                var page = await p.Store.ReadRecordsAsync(d, new RecordQuery(start, end, Math.Min(10_000, max - points.Count), cursor)
                { Equal = new Dictionary<string, object> { ["terminal_id"] = terminalId } }, ct);
                foreach (var r in page.Records)
                {
                    points.Add(new TrackPoint((DateTimeOffset)r.Values[iTime]!, (double)r.Values[iLat]!, (double)r.Values[iLon]!,
                        (double)r.Values[iSpeed]!, (int)((long?)r.Values[iDir] ?? 0)));
                }
                cursor = page.NextCursor;
            }
            while (cursor is not null && points.Count < max);
            var simplified = simplify is > 0 ? TrackSimplifier.Simplify(points, simplify.Value) : points;
            await p.Store.AppendAuditAsync(new AuditEntry
            {
                At = DateTimeOffset.UtcNow,
                KeyId = caller!.Key?.Id,
                Organisation = caller.Organisation,
                DatasetId = d.Id,
                Action = "track",
                Query = $"terminal={terminalId}&from={start:O}&to={end:O}&simplify={simplify?.ToString(CultureInfo.InvariantCulture)}",
                RowCount = points.Count,
                Client = http.Connection.RemoteIpAddress?.ToString(),
            }, ct);
            return TypedResults.Ok(new
            {
                type = "Feature",
                geometry = new { type = "LineString", coordinates = simplified.Select(t => new[] { t.Longitude, t.Latitude }) },
                properties = new
                {
                    terminalId,
                    from = start,
                    to = end,
                    points = points.Count,
                    kept = simplified.Count,
                    toleranceM = simplify,
                    truncated = points.Count >= max,
                    times = simplified.Select(t => t.Time),
                    speedsKmh = simplified.Select(t => t.SpeedKmh),
                    headings = simplified.Select(t => t.HeadingDeg),
                },
            });
        }).WithSummary("A vehicle's track over a time range as a GeoJSON LineString feature; 'simplify' (metres) applies Douglas-Peucker.");

        api.MapGet("/alarms", async (string? status, string? kind, string? terminal, string? from, string? to, bool? open, int? limit, HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (caller, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, FleetDatasets.Alarm), ct);
            if (denied is not null)
            {
                return denied;
            }
            AlarmStatus? st = null;
            if (status is not null)
            {
                if (!Enum.TryParse<AlarmStatus>(status, ignoreCase: true, out var s))
                {
                    return HubEndpoints.BadQuery($"unknown status '{status}' (raised, acknowledged, handled, closed)");
                }
                st = s;
            }
            AlarmKind? k = null;
            if (kind is not null)
            {
                var match = Enum.GetValues<AlarmKind>().Where(v => AlarmIds.Slug(v) == kind || v.ToString().Equals(kind, StringComparison.OrdinalIgnoreCase)).ToList();
                if (match.Count == 0)
                {
                    return HubEndpoints.BadQuery($"unknown alarm kind '{kind}' ({string.Join(", ", Enum.GetValues<AlarmKind>().Select(AlarmIds.Slug))})");
                }
                k = match[0];
            }
            if ((from is not null && !HubEndpoints.TryTime(from, out _)) || (to is not null && !HubEndpoints.TryTime(to, out _)))
            {
                return HubEndpoints.BadQuery("'from' and 'to' must be times");
            }
            HubEndpoints.TryTime(from ?? "", out var fromT);
            HubEndpoints.TryTime(to ?? "", out var toT);
            var mask = SharingPolicy.MustMask(caller!, FleetDatasets.Alarm);
            var alarms = f.Alarms.Query(new AlarmFilter(st, k, terminal, fromT, toT, open == true, limit ?? 200));
            return TypedResults.Ok(new { count = alarms.Count, alarms = alarms.Select(a => Alarm(a, mask)) });
        }).WithSummary("Alarms, newest first; filters: status, kind, terminal, from, to, open, limit.");

        api.MapGet("/alarms/{id}", async (string id, HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (caller, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, FleetDatasets.Alarm), ct);
            if (denied is not null)
            {
                return denied;
            }
            return f.Alarms.Find(id) is { } a ? TypedResults.Ok(Alarm(a, SharingPolicy.MustMask(caller!, FleetDatasets.Alarm))) : UnknownAlarm(id);
        }).WithSummary("One alarm with its evidence and handling history.");

        api.MapPost("/alarms/{id}/{action}", async (string id, string action, AlarmActionRequest? body, HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (caller, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanWrite(c, FleetDatasets.Alarm), ct);
            if (denied is not null)
            {
                return denied;
            }
            var user = string.IsNullOrWhiteSpace(body?.Operator) ? $"{caller!.Organisation}/{caller.Key?.Name ?? "anonymous"}" : $"{body.Operator} ({caller!.Organisation})";
            try
            {
                var record = action switch
                {
                    "acknowledge" => await f.Alarms.AcknowledgeAsync(id, user, ct),
                    "handle" when string.IsNullOrWhiteSpace(body?.Text) => throw new ArgumentException("handling needs 'text': what was done (e.g. 已电话提醒驾驶员减速)"),
                    "handle" => await f.Alarms.HandleAsync(id, user, body!.Text!, ct),
                    "close" => await f.Alarms.CloseAsync(id, user, body?.Text, ct),
                    _ => throw new ArgumentException($"unknown action '{action}' (acknowledge, handle, close)"),
                };
                return TypedResults.Ok(Alarm(record, SharingPolicy.MustMask(caller, FleetDatasets.Alarm)));
            }
            catch (KeyNotFoundException)
            {
                return UnknownAlarm(id);
            }
            catch (AlarmLifecycleException e)
            {
                return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Not allowed in the alarm's current state");
            }
            catch (ArgumentException e)
            {
                return HubEndpoints.BadQuery(e.Message);
            }
        }).WithSummary("Alarm handling: acknowledge, handle (with 'text': the action taken), close (with an optional note). Order: raised → acknowledged → handled → closed.");

        api.MapPost("/vehicles/{terminalId}/commands", async (string terminalId, CommandRequest body, HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanWrite(c, FleetDatasets.Terminal), ct);
            if (denied is not null)
            {
                return denied;
            }
            if (f.Gateway?.Find(terminalId) is not { } session)
            {
                return TypedResults.Problem($"terminal {terminalId} is not connected", statusCode: StatusCodes.Status409Conflict, title: "Terminal offline");
            }
            var timeout = TimeSpan.FromSeconds(Math.Clamp(body.TimeoutSeconds ?? 10, 1, 60));
            try
            {
                var reply = body.Type switch
                {
                    "text" when string.IsNullOrWhiteSpace(body.Text) => throw new ArgumentException("a text command needs 'text'"),
                    "text" => await session.CommandAsync(new Jt808TextMessage(Jt808TextFlags.Display | (body.Speak == true ? Jt808TextFlags.Tts : Jt808TextFlags.None), body.Text!), timeout, ct),
                    "query-position" => await session.CommandAsync(new Jt808QueryLocation(), timeout, ct),
                    _ => throw new ArgumentException($"unknown command type '{body.Type}' (text, query-position)"),
                };
                return TypedResults.Ok(new
                {
                    terminalId,
                    type = body.Type,
                    replyMessageId = $"0x{reply.MessageId:X4}",
                    result = reply.Result.ToString().ToLowerInvariant(),
                    at = reply.At,
                    location = reply.Location is { } l ? new { time = l.Time, latitude = l.Latitude, longitude = l.Longitude, speedKmh = l.SpeedKmh, headingDeg = l.HeadingDeg } : null,
                });
            }
            catch (TimeoutException)
            {
                return TypedResults.Problem($"terminal {terminalId} did not answer within {timeout.TotalSeconds:0} s", statusCode: StatusCodes.Status504GatewayTimeout, title: "No reply");
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                return TypedResults.Problem($"terminal {terminalId} disconnected before answering", statusCode: StatusCodes.Status409Conflict, title: "Terminal went offline");
            }
            catch (ArgumentException e)
            {
                return HubEndpoints.BadQuery(e.Message);
            }
        }).WithSummary("Sends a downlink command and waits for the terminal's reply: 'text' (0x8300, with 'text' and optional 'speak') or 'query-position' (0x8201).");

        api.MapGet("/geofences", async (HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, FleetDatasets.Alarm), ct);
            return denied ?? TypedResults.Ok(f.Tracker.Geofences());
        }).WithSummary("Geofences (allowed and prohibited areas).");

        api.MapPut("/geofences/{id}", async (string id, GeofenceSpec body, HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanWrite(c, FleetDatasets.Alarm), ct);
            if (denied is not null)
            {
                return denied;
            }
            try
            {
                await f.Tracker.PutGeofenceAsync(body with { Id = id }, ct);
                return TypedResults.Ok(body with { Id = id });
            }
            catch (ArgumentException e)
            {
                return HubEndpoints.BadQuery(e.Message);
            }
        }).WithSummary("Creates or replaces a geofence: kind allowed|prohibited, polygon [[lon,lat],...] or circleCentre [lon,lat] + circleRadiusM, optional categories and terminals.");

        api.MapDelete("/geofences/{id}", async (string id, HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanWrite(c, FleetDatasets.Alarm), ct);
            if (denied is not null)
            {
                return denied;
            }
            return await f.Tracker.RemoveGeofenceAsync(id, ct) ? TypedResults.NoContent() : TypedResults.Problem($"there is no geofence '{id}'", statusCode: 404, title: "Unknown geofence");
        }).WithSummary("Removes a geofence.");

        api.MapPut("/vehicles/{terminalId}/route-plan", async (string terminalId, RoutePlanSpec body, HttpContext http, Platform p, FleetService f, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanWrite(c, FleetDatasets.Alarm), ct);
            if (denied is not null)
            {
                return denied;
            }
            try
            {
                var spec = body with { TerminalId = terminalId };
                await f.Tracker.SetRoutePlanAsync(spec, ct);
                return TypedResults.Ok(spec);
            }
            catch (ArgumentException e)
            {
                return HubEndpoints.BadQuery(e.Message);
            }
        }).WithSummary("Sets a vehicle's planned route corridor (line [[lon,lat],...], corridorWidthM) for route-deviation supervision.");

        api.MapGet("/gateway", (FleetService f) => TypedResults.Ok(new
        {
            listening = f.Gateway?.EndPoint?.ToString(),
            connections = f.Gateway?.ConnectionCount ?? 0,
            authenticated = f.Gateway?.AuthenticatedCount ?? 0,
            terminals = f.Registry.Count,
            fixesSupervised = f.Tracker.FixesProcessed,
            alarms = f.Alarms.Count,
            counters = f.Counters.Snapshot(),
            lastStoreError = f.Counters.LastStoreError,
        })).WithSummary("JT/T 808 gateway state and counters (connections, frames, errors, positions stored/quarantined, acks).");
    }

    private static VehicleDto Vehicle(TerminalInfo t, FleetService f, bool mask, int openAlarms)
    {
        var latest = f.Tracker.Latest(t.TerminalId);
        var plate = t.Plate is { } pl && mask ? Masking.Mask(PersonalKind.Plate, pl) : t.Plate;
        return new VehicleDto(t.TerminalId, plate, t.PlateColor, TerminalRegistry.CategoryName(t.Category), f.Gateway?.IsOnline(t.TerminalId) == true,
            t.RegisteredAt, t.Provisioned, openAlarms,
            latest is null ? null : new PositionDto(latest.Fix.Time, latest.ReceivedAt, latest.Fix.Latitude, latest.Fix.Longitude, latest.Fix.SpeedKmh, latest.Fix.HeadingDeg, latest.Fix.AccOn, latest.Fix.Located));
    }

    private static object Alarm(AlarmRecord a, bool mask) => new
    {
        id = a.Id,
        kind = AlarmIds.Slug(a.Kind),
        severity = a.Severity.ToString().ToLowerInvariant(),
        status = a.Status.ToString().ToLowerInvariant(),
        terminalId = a.TerminalId,
        plate = a.Plate is { } pl && mask ? Masking.Mask(PersonalKind.Plate, pl) : a.Plate,
        category = TerminalRegistry.CategoryName(a.Category),
        startedAt = a.StartedAt,
        endedAt = a.EndedAt,
        latitude = a.Latitude,
        longitude = a.Longitude,
        detailZh = a.DetailZh,
        detailEn = a.DetailEn,
        evidence = a.Evidence,
        acknowledgedBy = a.AcknowledgedBy,
        acknowledgedAt = a.AcknowledgedAt,
        handledBy = a.HandledBy,
        handledAt = a.HandledAt,
        handlingAction = a.HandlingAction,
        closedBy = a.ClosedBy,
        closedAt = a.ClosedAt,
        closeNote = a.CloseNote,
        history = a.History.Select(h => new { at = h.At, action = h.Action.ToString().ToLowerInvariant(), user = h.User, text = h.Text }),
    };

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult UnknownTerminal(string id) =>
        TypedResults.Problem($"there is no terminal '{id}' (GET /api/v1/fleet/vehicles lists them)", statusCode: StatusCodes.Status404NotFound, title: "Unknown terminal");

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult UnknownAlarm(string id) =>
        TypedResults.Problem($"there is no alarm '{id}'", statusCode: StatusCodes.Status404NotFound, title: "Unknown alarm");
}

public sealed record PositionDto(DateTimeOffset Time, DateTimeOffset ReceivedAt, double Latitude, double Longitude, double SpeedKmh, int HeadingDeg, bool AccOn, bool Located);

public sealed record VehicleDto(string TerminalId, string? Plate, int PlateColor, string Category, bool Online, DateTimeOffset? RegisteredAt, bool Provisioned, int OpenAlarms, PositionDto? Latest);

public sealed record ProvisionRequest(string? Plate, int? PlateColor, string? Category);

public sealed record AlarmActionRequest(string? Operator, string? Text);

public sealed record CommandRequest(string Type, string? Text, bool? Speak, int? TimeoutSeconds);
