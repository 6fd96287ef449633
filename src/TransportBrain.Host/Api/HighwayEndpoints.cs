using TransportBrain.Highway;
using TransportBrain.Highway.Fusion;
using TransportBrain.Highway.Incidents;
using TransportBrain.Highway.Network;
using TransportBrain.Hub.Sharing;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Host.Api;

/// <summary>
/// The highway context's HTTP API (B1-B4): the network as GeoJSON with each section's latest state, a
/// section's time series and forecasts, OD matrices, incident candidates and congestion warnings.
/// Access follows the dataset behind each answer (section states and warnings are open data; OD and
/// incident candidates need a grant).
/// </summary>
public static class HighwayEndpoints
{
    public static void MapHighway(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/highway");

        api.MapGet("/network", async (bool? states, HttpContext http, Platform p, HighwayService h, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, HighwayDerivedDatasets.SectionState), ct);
            if (denied is not null)
            {
                return denied;
            }
            if (h.Network is not { } net)
            {
                return Results.Content("{\"type\":\"FeatureCollection\",\"features\":[]}", "application/geo+json");
            }
            return Results.Content(NetworkGeoJson.Write(net, states == false ? null : h.LatestStates()), "application/geo+json");
        }).WithSummary("The road network as a GeoJSON FeatureCollection: routes, sections (with their latest state and congestion level), gantries, stations and other facilities.");

        api.MapGet("/sections", async (HttpContext http, Platform p, HighwayService h, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, HighwayDerivedDatasets.SectionState), ct);
            if (denied is not null)
            {
                return denied;
            }
            var latest = h.LatestStates();
            var sections = (h.Network?.Sections ?? []).Select(s => new
            {
                id = s.Id, route = s.Route, direction = s.Direction, from_stake = Stake.Format(s.FromStake), to_stake = Stake.Format(s.ToStake),
                length_m = Math.Round(s.LengthM), speed_limit_kmh = s.SpeedLimitKmh, state = s.Index < latest.Count ? State(latest[s.Index]) : null,
            }).ToList();
            return TypedResults.Ok(new { count = sections.Count, sections });
        }).WithSummary("Every section with its latest fused state.");

        api.MapGet("/sections/{id}/series", async (string id, string? from, string? to, HttpContext http, Platform p, HighwayService h, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, HighwayDerivedDatasets.SectionState), ct);
            if (denied is not null)
            {
                return denied;
            }
            if (h.Network?.Section(id) is null)
            {
                return TypedResults.Problem($"no section '{id}'", statusCode: StatusCodes.Status404NotFound, title: "Unknown section");
            }
            var (start, end, bad) = Range(from, to, p);
            if (bad is not null)
            {
                return bad;
            }
            var points = new List<object>();
            string? cursor = null;
            do
            {
                var page = await p.Store.ReadRecordsAsync(HighwayDerivedDatasets.SectionState, new RecordQuery(start, end, 2_000, cursor) { Equal = new Dictionary<string, object> { ["section_id"] = id } }, ct);
                foreach (var r in page.Records)
                {
                    var v = r.Values;
                    points.Add(new { interval_start = v[1], speed_kmh = v[2], travel_time_s = v[3], flow_vph = v[4], level = v[5], level_zh = v[6], confidence = v[7], sources = v[8] });
                }
                cursor = page.NextCursor;
            }
            while (cursor is not null && points.Count < 20_000);
            return TypedResults.Ok(new { section_id = id, from = start, to = end, count = points.Count, points, forecasts = h.Forecasts(id).Select(Forecast) });
        }).WithSummary("A section's fused states over time (default: the last 24 hours) and its 15/30/60-minute forecasts.");

        api.MapGet("/od", async (string? from, string? to, string? entry, string? exit, HttpContext http, Platform p, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, HighwayDerivedDatasets.OdHourly), ct);
            if (denied is not null)
            {
                return denied;
            }
            var (start, end, bad) = Range(from, to, p);
            if (bad is not null)
            {
                return bad;
            }
            var cells = new Dictionary<(string, string), long[]>();
            string? cursor = null;
            do
            {
                var page = await p.Store.ReadRecordsAsync(HighwayDerivedDatasets.OdHourly, new RecordQuery(start, end, 10_000, cursor), ct);
                foreach (var r in page.Records)
                {
                    var v = r.Values;
                    var (en, ex) = ((string)v[1]!, (string)v[2]!);
                    if ((entry is null || en == entry) && (exit is null || ex == exit))
                    {
                        var c = cells.TryGetValue((en, ex), out var existing) ? existing : cells[(en, ex)] = new long[3];
                        c[0] += (long)v[3]!;
                        c[1] += v[4] as long? ?? 0;
                        c[2] += v[5] as long? ?? 0;
                    }
                }
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            var matrix = cells.OrderByDescending(kv => kv.Value[0]).Select(kv => new { entry_station_id = kv.Key.Item1, exit_station_id = kv.Key.Item2, trips = kv.Value[0], car_trips = kv.Value[1], truck_trips = kv.Value[2] }).ToList();
            return TypedResults.Ok(new { from = start, to = end, pairs = matrix.Count, trips = matrix.Sum(m => m.trips), matrix });
        }).WithSummary("Origin-destination trips (entry toll station → exit) summed over the hours in [from, to), optionally for one entry or exit.");

        api.MapGet("/incidents", async (bool? active, HttpContext http, Platform p, HighwayService h, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, HighwayDerivedDatasets.Incident), ct);
            if (denied is not null)
            {
                return denied;
            }
            var list = h.Incidents(active ?? false).OrderByDescending(i => i.DetectedTicks).Select(Incident).ToList();
            return TypedResults.Ok(new { count = list.Count, incidents = list });
        }).WithSummary("Incident candidates detected (active only with active=true), newest first, with location (stake) and evidence.");

        api.MapGet("/warnings", async (bool? active, HttpContext http, Platform p, HighwayService h, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, HighwayDerivedDatasets.Warning), ct);
            if (denied is not null)
            {
                return denied;
            }
            var list = h.Warnings(active ?? true).OrderByDescending(w => w.IssuedTicks).Select(w => new
            {
                id = w.Id, section_id = w.SectionId, route = w.Route, direction = w.Direction, issued_at = new DateTimeOffset(w.IssuedTicks, TimeSpan.Zero),
                horizon_min = w.HorizonMinutes, predicted_speed_kmh = w.PredictedSpeedKmh, predicted_level = (int)w.PredictedLevel,
                predicted_level_zh = CongestionLevels.NameZh(w.PredictedLevel), current_level = (int)w.CurrentLevel,
                cleared_at = w.ClearedTicks is { } c ? new DateTimeOffset(c, TimeSpan.Zero) : (DateTimeOffset?)null,
            }).ToList();
            return TypedResults.Ok(new { count = list.Count, warnings = list });
        }).WithSummary("Congestion warnings (active by default): sections predicted to reach 轻度拥堵 or worse within 15/30/60 minutes.");

        api.MapGet("/weather", async (HttpContext http, Platform p, HighwayService h, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, TransportBrain.Highway.Weather.HighwayWeatherDatasets.Warning), ct);
            if (denied is not null)
            {
                return denied;
            }
            var list = (h.Weather?.Active(p.Clock.GetUtcNow()) ?? []).Select(w => w.ToRow()).Select(r => TransportBrain.Highway.Weather.HighwayWeatherDatasets.Warning.Fields
                .Select((f, i) => (f.Name, Value: r[i])).ToDictionary(x => x.Name, x => x.Value)).ToList();
            return TypedResults.Ok(new { count = list.Count, warnings = list });
        }).WithSummary("Road weather warnings in force (fog, ice, heavy rain, strong wind) with the sections they cover and advice.");

        api.MapGet("/pipeline", async (HttpContext http, Platform p, HighwayService h, CancellationToken ct) =>
        {
            var (_, denied) = await HubEndpoints.Authorize(http, p, c => SharingPolicy.CanRead(c, HighwayDerivedDatasets.SectionState), ct);
            if (denied is not null)
            {
                return denied;
            }
            var c = h.Counters;
            return TypedResults.Ok(new
            {
                network = h.Network is { } n ? new { routes = n.Routes.Count, sections = n.Sections.Count, gantries = n.Gantries.Count } : null,
                watermark = h.Pipeline?.Traffic.WatermarkTicks is { } w && w != long.MinValue ? new DateTimeOffset(w, TimeSpan.Zero) : (DateTimeOffset?)null,
                processed = h.Processed, rejected = h.Rejected,
                counters = c is null ? null : new { c.Accepted, c.Late, c.DuplicateTransaction, c.DuplicateReads, c.Matched, c.NotAdjacent, c.TooFast, c.TooSlow, c.TripsClosed, c.VehiclesEvicted },
            });
        }).WithSummary("The live highway pipeline: watermark and counters (accepted, late, duplicates, matched, implausible pairs).");
    }

    /// <summary>[from, to) from the query; the last 24 hours when not given.</summary>
    private static (DateTimeOffset Start, DateTimeOffset End, IResult? Problem) Range(string? from, string? to, Platform p)
    {
        DateTimeOffset? f = null, t = null;
        if (from is not null && !HubEndpoints.TryTime(from, out f))
        {
            return (default, default, HubEndpoints.BadQuery($"'from' is not a time: {from}"));
        }
        if (to is not null && !HubEndpoints.TryTime(to, out t))
        {
            return (default, default, HubEndpoints.BadQuery($"'to' is not a time: {to}"));
        }
        var end = t ?? p.Clock.GetUtcNow();
        return (f ?? end.AddHours(-24), end, null);
    }

    private static object? State(SectionState? s) => s is null ? null : new
    {
        interval_start = s.IntervalStart, speed_kmh = s.SpeedKmh, travel_time_s = s.TravelTimeS, flow_vph = Math.Round(s.FlowVph), level = (int)s.Level,
        level_zh = CongestionLevels.NameZh(s.Level), level_en = CongestionLevels.NameEn(s.Level), confidence = s.Confidence, sources = s.Sources, final = s.Final,
    };

    private static object Forecast(SectionForecast f) => new
    {
        horizon_min = f.HorizonMinutes, speed_kmh = f.SpeedKmh, level = (int)f.Level, level_zh = CongestionLevels.NameZh(f.Level),
    };

    private static object Incident(IncidentCandidate i) => new
    {
        id = i.Id, kind = i.Kind, section_id = i.SectionId, route = i.Route, direction = i.Direction, stake = i.StakeText,
        onset = new DateTimeOffset(i.OnsetTicks, TimeSpan.Zero), detected_at = new DateTimeOffset(i.DetectedTicks, TimeSpan.Zero),
        cleared_at = i.ClearedTicks is { } c ? new DateTimeOffset(c, TimeSpan.Zero) : (DateTimeOffset?)null, evidence = i.Evidence, evidence_zh = i.EvidenceZh,
    };
}
