using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Sharing;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Host.Api;

/// <summary>The hub's HTTP API: catalog, push ingest, record reads with paging, quality, quarantine, audit.</summary>
public static class HubEndpoints
{
    public static void MapHub(this WebApplication app, ServerOptions options)
    {
        var api = app.MapGroup("/api/v1");

        api.MapGet("/catalog", (Platform p) => TypedResults.Ok(p.Registry.All.OrderBy(d => d.Id, StringComparer.Ordinal).Select(CatalogDto.Summary)))
            .WithSummary("Lists every registered dataset (the resource catalog, 总账本).");

        api.MapGet("/catalog/search", (string q, Platform p) =>
                TypedResults.Ok(p.Registry.Search(q).Select(h => new { dataset = CatalogDto.Summary(h.Dataset), score = h.Score, matchedIn = h.MatchedIn })))
            .WithSummary("Searches the catalog in Chinese or English (e.g. 门架, survey).");

        api.MapGet("/catalog/{id}", async Task<Results<Ok<object>, ProblemHttpResult>> (string id, Platform p, CancellationToken ct) =>
        {
            if (!p.Registry.TryGet(id, out var d))
            {
                return UnknownDataset(id);
            }
            var latest = await p.Store.ListBatchesAsync(d.Id, 1, ct);
            return TypedResults.Ok(CatalogDto.Detail(d, await p.Store.CountRecordsAsync(d, ct), latest.FirstOrDefault()));
        }).WithSummary("One dataset: schema, metadata, record count and the latest quality report.");

        api.MapPost("/datasets/{id}/records", async Task<IResult> (string id, HttpContext http, Platform p, CancellationToken ct) =>
        {
            if (!p.Registry.TryGet(id, out var d))
            {
                return UnknownDataset(id);
            }
            var (caller, denied) = await Authorize(http, p, c => SharingPolicy.CanWrite(c, d), ct);
            if (denied is not null)
            {
                return denied;
            }
            var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (feature is { IsReadOnly: false })
            {
                feature.MaxRequestBodySize = options.MaxRequestBytes;
            }
            if (http.Request.ContentLength > options.MaxRequestBytes)
            {
                return TooLarge(options);
            }
            byte[] body;
            try
            {
                using var ms = new MemoryStream();
                await http.Request.Body.CopyToAsync(ms, ct);
                body = ms.ToArray();
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return TooLarge(options);
            }
            var contentType = http.Request.ContentType ?? "";
            IRecordSource source;
            try
            {
                source = contentType.Contains("csv", StringComparison.OrdinalIgnoreCase)
                    ? new CsvRecordSource(new MemoryStream(body), d, SourceEncodings.Parse(contentType.Contains("gbk", StringComparison.OrdinalIgnoreCase) ? "gbk" : "utf-8"))
                    : new JsonRecordSource(new MemoryStream(body), d);
            }
            catch (IngestException e)
            {
                return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "The body cannot be read");
            }
            using (source)
            {
                var report = await p.Ingest.IngestAsync(d, source, $"http push by {caller!.Organisation} ({caller.Key?.Id})", null, ct);
                return TypedResults.Ok(ReportDto.From(report));
            }
        }).WithSummary("Pushes records (JSON array, JSON lines, or text/csv with a header) through the quality gate; answers with the batch's quality report.");

        api.MapGet("/datasets/{id}/records", async Task<IResult> (string id, string? from, string? to, int? limit, string? cursor, HttpContext http, Platform p, CancellationToken ct) =>
        {
            if (!p.Registry.TryGet(id, out var d))
            {
                return UnknownDataset(id);
            }
            var (caller, denied) = await Authorize(http, p, c => SharingPolicy.CanRead(c, d), ct);
            if (denied is not null)
            {
                return denied;
            }
            DateTimeOffset? fromTime = null, toTime = null;
            if (from is not null && !TryTime(from, out fromTime))
            {
                return BadQuery($"'from' is not a time: {from}");
            }
            if (to is not null && !TryTime(to, out toTime))
            {
                return BadQuery($"'to' is not a time: {to}");
            }
            if (limit is < 1 or > 10_000)
            {
                return BadQuery("'limit' must be between 1 and 10000");
            }
            RecordPage page;
            try
            {
                page = await p.Sharing.ReadAsync(caller!, d, new RecordQuery(fromTime, toTime, limit ?? 100, cursor), "read", http.Connection.RemoteIpAddress?.ToString(), ct);
            }
            catch (ArgumentException e) when (e.ParamName == "cursor")
            {
                return BadQuery(e.Message);
            }
            return TypedResults.Ok(new
            {
                dataset = d.Id,
                masked = SharingPolicy.MustMask(caller!, d),
                count = page.Records.Count,
                nextCursor = page.NextCursor,
                records = page.Records.Select(r => RecordDto.ToJson(d, r.Values)),
            });
        }).WithSummary("Reads records by event-time range, a page at a time (keyset cursor); personal fields masked unless granted; every read audited.");

        api.MapGet("/datasets/{id}/quality", async Task<IResult> (string id, int? limit, Platform p, CancellationToken ct) =>
        {
            if (!p.Registry.TryGet(id, out var d))
            {
                return UnknownDataset(id);
            }
            var batches = await p.Store.ListBatchesAsync(d.Id, limit ?? 20, ct);
            return TypedResults.Ok(batches.Select(ReportDto.From));
        }).WithSummary("Quality reports of the dataset's most recent batches.");

        api.MapGet("/datasets/{id}/quarantine", async Task<IResult> (string id, string? status, long? after, int? limit, HttpContext http, Platform p, CancellationToken ct) =>
        {
            if (!p.Registry.TryGet(id, out var d))
            {
                return UnknownDataset(id);
            }
            // Quarantine holds original bytes, personal fields included: only those who may write the dataset see it.
            var (caller, denied) = await Authorize(http, p, c => SharingPolicy.CanWrite(c, d), ct);
            if (denied is not null)
            {
                return denied;
            }
            QuarantineStatus? s = null;
            if (status is not null)
            {
                if (!Enum.TryParse<QuarantineStatus>(status, true, out var parsed))
                {
                    return BadQuery("'status' must be open, resubmitted or discarded");
                }
                s = parsed;
            }
            if (limit is < 1 or > 10_000)
            {
                return BadQuery("'limit' must be between 1 and 10000");
            }
            var list = await p.Sharing.ReadQuarantineAsync(caller!, d, s, after ?? 0, limit ?? 100, http.Connection.RemoteIpAddress?.ToString(), ct);
            return TypedResults.Ok(list.Select(QuarantineDto.From));
        }).WithSummary("Quarantined records of a dataset with their original text, rule and reason (audited: the text is unmasked).");

        api.MapPost("/quarantine/{qid:long}/resubmit", async Task<IResult> (long qid, HttpContext http, Platform p, CancellationToken ct) =>
        {
            var q = await p.Store.GetQuarantinedAsync(qid, ct);
            if (q is null || !p.Registry.TryGet(q.DatasetId, out var d))
            {
                return TypedResults.Problem($"quarantined record {qid} does not exist", statusCode: StatusCodes.Status404NotFound);
            }
            var (_, denied) = await Authorize(http, p, c => SharingPolicy.CanWrite(c, d), ct);
            if (denied is not null)
            {
                return denied;
            }
            using var ms = new MemoryStream();
            await http.Request.Body.CopyToAsync(ms, ct);
            try
            {
                var report = await p.Ingest.ResubmitAsync(qid, ms.Length == 0 ? null : ms.ToArray(), ct);
                return TypedResults.Ok(ReportDto.From(report));
            }
            catch (IngestException e)
            {
                return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict);
            }
        }).WithSummary("Re-submits a quarantined record, corrected (the body: a CSV line or JSON object) or as it was.");

        api.MapGet("/audit", async Task<IResult> (string? dataset, string? organisation, string? key, string? from, string? to, int? limit, HttpContext http, Platform p, CancellationToken ct) =>
        {
            var (_, denied) = await Authorize(http, p, c => c.IsAdmin ? AccessDecision.Allowed : c.Key is null ? AccessDecision.NeedsKey : AccessDecision.Forbidden, ct);
            if (denied is not null)
            {
                return denied;
            }
            DateTimeOffset? f = null, t = null;
            if ((from is not null && !TryTime(from, out f)) || (to is not null && !TryTime(to, out t)))
            {
                return BadQuery("'from' and 'to' must be times");
            }
            var entries = await p.Store.QueryAuditAsync(new AuditQuery(dataset, organisation, key, f, t, limit ?? 100), ct);
            return TypedResults.Ok(entries);
        }).WithSummary("The audit log of data access (administrators only).");
    }

    internal static async Task<(Caller? Caller, IResult? Denied)> Authorize(HttpContext http, Platform p, Func<Caller, AccessDecision> decide, CancellationToken ct)
    {
        var caller = Caller.Public;
        var presented = PresentedKey(http.Request);
        if (presented is not null)
        {
            var resolved = await p.Keys.AuthenticateAsync(presented, ct);
            if (resolved is null)
            {
                return (null, TypedResults.Problem("the API key is unknown, revoked or wrong", statusCode: StatusCodes.Status401Unauthorized, title: "Bad API key"));
            }
            caller = resolved;
        }
        else
        {
            // No key: a signed-in console user (session cookie) acts with their role's access.
            var (session, refused) = await OpsConsole.ConsoleAuth.CallerAsync(http, p, ct);
            if (refused is not null)
            {
                return (null, refused);
            }
            caller = session ?? caller;
        }
        return decide(caller) switch
        {
            AccessDecision.Allowed => (caller, null),
            AccessDecision.NeedsKey => (null, TypedResults.Problem("this needs an API key (Authorization: Bearer <key>)", statusCode: StatusCodes.Status401Unauthorized, title: "API key required")),
            _ => (null, TypedResults.Problem($"organisation '{caller.Organisation}' has no grant for this", statusCode: StatusCodes.Status403Forbidden, title: "Not granted")),
        };
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var auth = request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return auth[7..].Trim();
        }
        var header = request.Headers["X-Api-Key"].ToString();
        return string.IsNullOrWhiteSpace(header) ? null : header.Trim();
    }

    internal static bool TryTime(string text, out DateTimeOffset? value)
    {
        value = null;
        if (ValueParser.TryParseInstant(text, out var t))
        {
            value = t;
            return true;
        }
        return false;
    }

    private static ProblemHttpResult UnknownDataset(string id) =>
        TypedResults.Problem($"there is no dataset '{id}' in the catalog (GET /api/v1/catalog lists them)", statusCode: StatusCodes.Status404NotFound, title: "Unknown dataset");

    internal static ProblemHttpResult BadQuery(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad query");

    private static ProblemHttpResult TooLarge(ServerOptions o) =>
        TypedResults.Problem($"the body is larger than {o.MaxRequestBytes.ToString(CultureInfo.InvariantCulture)} bytes; split it into several requests",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large");
}

internal static class CatalogDto
{
    public static object Summary(DatasetDefinition d) => new
    {
        id = d.Id,
        nameZh = d.NameZh,
        nameEn = d.NameEn,
        owner = d.OwnerOrganisation,
        grade = d.Grade.ToString().ToLowerInvariant(),
        gradeStandard = d.GradeStandardName,
        sharing = SharingName(d.Sharing),
        open = d.IsOpen,
        updateFrequency = d.UpdateFrequency,
    };

    public static object Detail(DatasetDefinition d, long records, QualityReport? latest) => new
    {
        id = d.Id,
        nameZh = d.NameZh,
        nameEn = d.NameEn,
        descriptionZh = d.DescriptionZh,
        descriptionEn = d.DescriptionEn,
        owner = d.OwnerOrganisation,
        grade = d.Grade.ToString().ToLowerInvariant(),
        gradeStandard = d.GradeStandardName,
        sharing = SharingName(d.Sharing),
        open = d.IsOpen,
        updateFrequency = d.UpdateFrequency,
        sourceSystem = d.SourceSystem,
        lineage = d.Lineage,
        timeField = d.TimeField,
        uniqueKey = d.UniqueKey,
        records,
        latestQuality = latest is null ? null : ReportDto.From(latest),
        fields = d.Fields.Select(f => new
        {
            name = f.Name,
            type = f.Type.ToString().ToLowerInvariant(),
            unit = f.Unit,
            required = f.Required,
            personal = f.Personal == PersonalKind.None ? null : f.Personal.ToString().ToLowerInvariant(),
            descriptionZh = f.DescriptionZh,
            descriptionEn = f.DescriptionEn,
            min = f.Min,
            max = f.Max,
            pattern = f.Pattern,
            allowedValues = f.AllowedValues,
            references = f.References,
        }),
    };

    public static string SharingName(SharingType s) => s switch
    {
        SharingType.Unconditional => "unconditional (无条件共享)",
        SharingType.Conditional => "conditional (有条件共享)",
        _ => "not shared (不予共享)",
    };
}

internal static class ReportDto
{
    public static object From(QualityReport r) => new
    {
        batchId = r.BatchId,
        dataset = r.DatasetId,
        // Reports are public: a file's name, not where it lay on the operator's machine.
        source = Path.IsPathRooted(r.Source) ? Path.GetFileName(r.Source) : r.Source,
        startedAt = r.StartedAt,
        finishedAt = r.FinishedAt,
        read = r.Read,
        stored = r.Stored,
        quarantined = r.Quarantined,
        score = r.Score,
        dimensions = r.DimensionScores,
        rules = r.RuleCounts.Select(c => new { rule = c.RuleKey, dimension = c.Dimension.ToString().ToLowerInvariant(), records = c.Records, example = c.ExampleReason }),
    };
}

internal static class QuarantineDto
{
    public static object From(QuarantinedRecord q) => new
    {
        id = q.Id,
        dataset = q.DatasetId,
        batchId = q.BatchId,
        position = q.Position,
        format = q.Format,
        raw = TryText(q.Raw),
        rawBase64 = Convert.ToBase64String(q.Raw),
        rule = q.Rule,
        reason = q.Reason,
        status = q.Status.ToString().ToLowerInvariant(),
        createdAt = q.CreatedAt,
        resolvedAt = q.ResolvedAt,
        resolvedBatchId = q.ResolvedBatchId,
    };

    private static string? TryText(byte[] raw)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            return null; // not UTF-8 (e.g. GBK): rawBase64 has the exact bytes
        }
    }
}

internal static class RecordDto
{
    public static Dictionary<string, object?> ToJson(DatasetDefinition d, object?[] values)
    {
        var o = new Dictionary<string, object?>(d.Fields.Count);
        for (var i = 0; i < d.Fields.Count; i++)
        {
            o[d.Fields[i].Name] = values[i];
        }
        return o;
    }
}
