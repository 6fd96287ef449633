using System.Net;
using Microsoft.AspNetCore.Builder;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TransportBrain.Host;
using TransportBrain.Host.Api;
using TransportBrain.Hub.Sharing;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Hub.Tests.Api;

/// <summary>The HTTP API on a real Kestrel listener on loopback, over each store (SQLite, and PostgreSQL when it is there).</summary>
public sealed class ApiTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("brain-api-").FullName;
    // Set by StartAsync, which every test calls first; DisposeAsync copes with a test that failed before.
    private Platform _platform = null!;
    private TransportBrain.Fleet.FleetService _fleet = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private string _adminSecret = "";
    private readonly RecentServerErrors _errors = new();

    private Func<Task>? _dropDatabase;

    public static TheoryData<string> Stores() => TransportBrain.Hub.Tests.Storage.TestStores.Kinds();

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>The platform and its server on the given store (a fresh PostgreSQL database for "postgres").</summary>
    private async Task StartAsync(string kind)
    {
        string? store = null;
        if (kind == "postgres")
        {
            (_, store, _dropDatabase) = await TransportBrain.Hub.Tests.Storage.TestStores.CreatePostgresDatabaseAsync();
        }
        _platform = await Platform.OpenAsync(new PlatformOptions(_dir, store));
        // The coach's fixes are stamped with the wall clock, and between 02:00 and 05:00 China time a coach also breaks
        // the night-driving rule: that rule is off here, so the fleet test means the same at any hour.
        _fleet = await _platform.StartFleetAsync(null, _dir, supervision: TransportBrain.Fleet.Supervision.SupervisionConfig.Default.WithCategory(
            TransportBrain.Fleet.Supervision.VehicleCategory.Coach, s => s with { NightDriving = s.NightDriving with { Enabled = false } }));
        _app = ServerHost.Build(_platform, new ServerOptions("http://127.0.0.1:0", MaxRequestBytes: 64 * 1024) { Errors = _errors }, _fleet);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        (_, _adminSecret) = await _platform.Keys.CreateAsync("省交通运输厅数据中心", "admin", true);
        var gantries = "[" + string.Join(",", Enumerable.Range(1, 3).Select(i =>
            $$"""{"gantry_id":"G00605200100{{i:D2}}10001","gantry_hex":"5A000{{i}}","name":"门架{{i}}","route":"G60","stake":"K{{i * 12}}+200","direction":1,"longitude":106.{{i}},"latitude":26.6}""")) + "]";
        var r = await Send(HttpMethod.Post, "/api/v1/datasets/highway.gantry/records", _adminSecret, gantries);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_fleet is not null)
        {
            await _fleet.DisposeAsync();
        }
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }
        if (_dropDatabase is not null)
        {
            await _dropDatabase();
        }
        Directory.Delete(_dir, true);
    }

    /// <summary>A key of the expressway company that may push gantry transactions (write, not read).</summary>
    private async Task<(ApiKey Key, string Secret)> PushKeyAsync()
    {
        var (key, secret) = await _platform.Keys.CreateAsync("贵州高速集团", "push", false);
        await _platform.Store.SetGrantAsync(new DatasetGrant(key.Id, "highway.gantry_transaction", false, true, false));
        return (key, secret);
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string? key, string? body = null, string contentType = "application/json") =>
        _http.SendAsync(method, path, key, body, contentType);

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Fleet_vehicles_and_alarms_need_a_key_mask_plates_and_enforce_the_alarm_lifecycle(string kind)
    {
        await StartAsync(kind);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, "/api/v1/fleet/vehicles", null)).StatusCode);
        var put = await Send(HttpMethod.Put, "/api/v1/fleet/vehicles/013800000042", _adminSecret, """{"plate":"贵A12345","plateColor":2,"category":"coach"}""");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var bad = await Send(HttpMethod.Put, "/api/v1/fleet/vehicles/013800000043", _adminSecret, """{"plate":"贵A12346","category":"spaceship"}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // 70 s at 130 km/h: the coach's overspeed alarm.
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        for (var i = 0; i < 15; i++)
        {
            await _fleet.Tracker.ProcessAsync(new TransportBrain.Fleet.Supervision.VehicleFix("013800000042", "贵A12345", TransportBrain.Fleet.Supervision.VehicleCategory.Coach,
                start.AddSeconds(5 * i), 26.5, 106.7 + i * 0.002, 130, 90, 0, true, true), DateTimeOffset.UtcNow);
        }

        var vehicles = JsonDocument.Parse(await (await Send(HttpMethod.Get, "/api/v1/fleet/vehicles?category=coach", _adminSecret)).Content.ReadAsStringAsync()).RootElement;
        var v = Assert.Single(vehicles.GetProperty("vehicles").EnumerateArray());
        Assert.Equal("贵A·***45", v.GetProperty("plate").GetString());          // masked: no unmasked grant
        Assert.Equal(1, v.GetProperty("openAlarms").GetInt32());
        Assert.Equal(130, v.GetProperty("latest").GetProperty("speedKmh").GetDouble());
        Assert.False(v.GetProperty("online").GetBoolean());

        var alarms = JsonDocument.Parse(await (await Send(HttpMethod.Get, "/api/v1/fleet/alarms?kind=overspeed&open=true", _adminSecret)).Content.ReadAsStringAsync()).RootElement;
        var alarm = Assert.Single(alarms.GetProperty("alarms").EnumerateArray());
        var id = alarm.GetProperty("id").GetString()!;
        Assert.Equal("raised", alarm.GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Post, $"/api/v1/fleet/alarms/{id}/close", _adminSecret, "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Post, $"/api/v1/fleet/alarms/{id}/handle", _adminSecret, "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, $"/api/v1/fleet/alarms/{id}/acknowledge", _adminSecret, """{"operator":"张三"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, $"/api/v1/fleet/alarms/{id}/handle", _adminSecret, """{"operator":"张三","text":"已电话提醒驾驶员减速"}""")).StatusCode);
        var closed = JsonDocument.Parse(await (await Send(HttpMethod.Post, $"/api/v1/fleet/alarms/{id}/close", _adminSecret, """{"operator":"张三","text":"已减速"}""")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Equal("已电话提醒驾驶员减速", closed.GetProperty("handlingAction").GetString());
        Assert.StartsWith("张三", closed.GetProperty("closedBy").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Post, "/api/v1/fleet/alarms/nope/acknowledge", _adminSecret, "{}")).StatusCode);

        // Commands need the terminal online: here there is no gateway connection.
        var cmd = await Send(HttpMethod.Post, "/api/v1/fleet/vehicles/013800000042/commands", _adminSecret, """{"type":"query-position"}""");
        Assert.Equal(HttpStatusCode.Conflict, cmd.StatusCode);
    }

    private static string Transactions(params (string Id, string Gantry, string Time, string Plate)[] rows) =>
        "[" + string.Join(",", rows.Select(r =>
            $$"""{"transaction_id":"{{r.Id}}","gantry_id":"{{r.Gantry}}","trans_time":"{{r.Time}}","plate":"{{r.Plate}}","plate_color":0,"vehicle_type":1,"media_type":1,"fee_fen":450}""")) + "]";

    private static string Now(int minutesAgo) => DateTimeOffset.UtcNow.AddMinutes(-minutesAgo).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Health_catalog_search_and_openapi_answer(string kind)
    {
        await StartAsync(kind);
        var health = await _http.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(kind, health.GetProperty("store").GetString());

        var catalog = await _http.GetFromJsonAsync<JsonElement>("/api/v1/catalog");
        Assert.Contains(catalog.EnumerateArray(), d => d.GetProperty("id").GetString() == "highway.gantry_transaction");

        var search = await _http.GetFromJsonAsync<JsonElement>("/api/v1/catalog/search?q=" + Uri.EscapeDataString("门架"));
        Assert.Equal("highway.gantry", search[0].GetProperty("dataset").GetProperty("id").GetString());

        var detail = await _http.GetFromJsonAsync<JsonElement>("/api/v1/catalog/highway.gantry");
        Assert.Equal(3, detail.GetProperty("records").GetInt64());
        Assert.Equal(3, detail.GetProperty("latestQuality").GetProperty("stored").GetInt64());
        Assert.Contains(detail.GetProperty("fields").EnumerateArray(), f => f.GetProperty("name").GetString() == "stake");

        var openapi = await _http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openapi.GetProperty("paths").TryGetProperty("/api/v1/datasets/{id}/records", out _));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Pushed_records_get_a_per_request_report_and_bad_ones_are_quarantined(string kind)
    {
        await StartAsync(kind);
        var (key, secret) = await PushKeyAsync();
        var body = Transactions(
            ("T1", "G0060520010001" + "10001", Now(5), "贵A12345"),
            ("T2", "G0060520010002" + "10001", Now(4), "贵B00001"),
            ("T3", "G9999999999999999999", Now(3), "贵C12345"),
            ("T4", "G0060520010001" + "10001", Now(-120), "贵A12345"));
        var r = await Send(HttpMethod.Post, "/api/v1/datasets/highway.gantry_transaction/records", secret, body);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var report = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(4, report.GetProperty("read").GetInt64());
        Assert.Equal(2, report.GetProperty("stored").GetInt64());
        Assert.Equal(2, report.GetProperty("quarantined").GetInt64());
        var rules = report.GetProperty("rules").EnumerateArray().Select(x => x.GetProperty("rule").GetString()!).Order().ToArray();
        Assert.Equal(["reference:gantry_id", "timeliness:trans_time"], rules);

        var quarantine = await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry_transaction/quarantine", secret);
        var q = await quarantine.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, q.GetArrayLength());
        Assert.Contains("\"transaction_id\":\"T3\"", q[0].GetProperty("raw").GetString());

        // JSON lines and CSV go through the same gate
        var lines = await Send(HttpMethod.Post, "/api/v1/datasets/highway.gantry_transaction/records", secret,
            "{\"transaction_id\":\"T5\",\"gantry_id\":\"G0060520010003" + "10001\",\"trans_time\":\"" + Now(1) + "\",\"plate_color\":0,\"vehicle_type\":1,\"media_type\":2}\nnot json\n", "application/x-ndjson");
        var linesReport = await lines.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, linesReport.GetProperty("stored").GetInt64());
        Assert.Equal(1, linesReport.GetProperty("quarantined").GetInt64());
        var csv = await Send(HttpMethod.Post, "/api/v1/datasets/highway.gantry_transaction/records", secret,
            "transaction_id,gantry_id,trans_time,plate_color,vehicle_type,media_type\nT6,G0060520010003" + "10001," + Now(1) + ",1,11,1\n", "text/csv");
        Assert.Equal(1, (await csv.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stored").GetInt64());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_quarantined_record_is_corrected_and_resubmitted_once_by_a_key_that_may_write(string kind)
    {
        await StartAsync(kind);
        var (key, secret) = await PushKeyAsync();
        var pushed = await Send(HttpMethod.Post, "/api/v1/datasets/highway.gantry_transaction/records", secret,
            Transactions(("T9", "G9999999999999999999", Now(3), "贵C12345")));
        Assert.Equal(1, (await pushed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("quarantined").GetInt64());
        var held = Assert.Single((await (await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry_transaction/quarantine", secret)).Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray());
        var id = held.GetProperty("id").GetInt64();
        Assert.Equal("reference:gantry_id", held.GetProperty("rule").GetString());

        var (_, readerSecret) = await _platform.Keys.CreateAsync("某公司", "reader", false);
        var corrected = Transactions(("T9", "G0060520010002" + "10001", Now(3), "贵C12345"))[1..^1]; // one JSON object
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(HttpMethod.Post, $"/api/v1/quarantine/{id}/resubmit", readerSecret, corrected)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Post, "/api/v1/quarantine/999999/resubmit", secret, corrected)).StatusCode);

        var resubmitted = await Send(HttpMethod.Post, $"/api/v1/quarantine/{id}/resubmit", secret, corrected);
        Assert.Equal(HttpStatusCode.OK, resubmitted.StatusCode);
        var report = await resubmitted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, report.GetProperty("stored").GetInt64());
        Assert.True(_platform.Registry.TryGet("highway.gantry_transaction", out var transactions));
        Assert.Equal(1, await _platform.Store.CountRecordsAsync(transactions));

        Assert.Equal(0, (await (await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry_transaction/quarantine?status=open", secret)).Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
        var resolved = Assert.Single((await (await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry_transaction/quarantine?status=resubmitted", secret)).Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray());
        Assert.Equal(report.GetProperty("batchId").GetInt64(), resolved.GetProperty("resolvedBatchId").GetInt64());
        var again = await Send(HttpMethod.Post, $"/api/v1/quarantine/{id}/resubmit", secret, corrected);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already resubmitted", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_rejected_plate_is_masked_in_the_public_quality_reports_and_reading_the_quarantine_is_audited(string kind)
    {
        await StartAsync(kind);
        var (key, secret) = await PushKeyAsync();
        // I and O are not used on Chinese plates: the pattern rule rejects this one, and its reason quotes it.
        var push = await Send(HttpMethod.Post, "/api/v1/datasets/highway.gantry_transaction/records", secret,
            Transactions(("Q1", "G0060520010001" + "10001", Now(5), "贵I0O000")));
        var report = await push.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, report.GetProperty("quarantined").GetInt64());
        Assert.Equal("pattern:plate", report.GetProperty("rules")[0].GetProperty("rule").GetString());

        // Quality reports are served to anyone (no key): the plate is masked as a reader without a grant sees it.
        var quality = await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry_transaction/quality", null);
        Assert.Equal(HttpStatusCode.OK, quality.StatusCode);
        var qualityText = await quality.Content.ReadAsStringAsync();
        var catalogText = await (await Send(HttpMethod.Get, "/api/v1/catalog/highway.gantry_transaction", null)).Content.ReadAsStringAsync();
        foreach (var text in new[] { qualityText, catalogText })
        {
            Assert.DoesNotContain("贵I0O000", text);
            Assert.Contains("贵I·***00", text);
        }

        // The quarantine keeps the original, unmasked, for whoever corrects it; that read is audited like any other.
        var quarantine = await (await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry_transaction/quarantine?status=open", secret)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("贵I0O000", Assert.Single(quarantine.EnumerateArray()).GetProperty("raw").GetString());
        var audit = await (await Send(HttpMethod.Get, "/api/v1/audit?dataset=highway.gantry_transaction&key=" + key.Id, _adminSecret)).Content.ReadFromJsonAsync<JsonElement>();
        var entry = Assert.Single(audit.EnumerateArray());
        Assert.Equal("quarantine", entry.GetProperty("action").GetString());
        Assert.Equal(1, entry.GetProperty("rowCount").GetInt64());
        Assert.Equal("贵州高速集团", entry.GetProperty("organisation").GetString());
        Assert.Equal("status=open&limit=100", entry.GetProperty("query").GetString());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Reads_need_a_grant_mask_plates_page_with_a_cursor_and_are_audited(string kind)
    {
        await StartAsync(kind);
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);
        var rows = Enumerable.Range(0, 5).Select(i => ($"R{i}", "G0060520010001" + "10001", Now(10 - i), "贵A1234" + i)).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/api/v1/datasets/highway.gantry_transaction/records", _adminSecret, Transactions(rows))).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry_transaction/records", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry_transaction/records", "tbk_nothing.atall")).StatusCode);
        var (stranger, strangerSecret) = await _platform.Keys.CreateAsync("某公司", "none", false);
        var forbidden = await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry_transaction/records", strangerSecret);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("某公司", (await forbidden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        var (key, secret) = await _platform.Keys.CreateAsync("贵州省公安厅交警总队", "reader", false);
        await _platform.Store.SetGrantAsync(new DatasetGrant(key.Id, "highway.gantry_transaction", true, false, false));
        var page1 = await (await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry_transaction/records?limit=3", secret)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(page1.GetProperty("masked").GetBoolean());
        Assert.Equal(3, page1.GetProperty("count").GetInt32());
        Assert.Equal("贵A·***40", page1.GetProperty("records")[0].GetProperty("plate").GetString());
        var cursor = page1.GetProperty("nextCursor").GetString();
        var page2 = await (await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry_transaction/records?limit=3&cursor=" + cursor, secret)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, page2.GetProperty("count").GetInt32());
        Assert.Equal("R3", page2.GetProperty("records")[0].GetProperty("transaction_id").GetString());

        // open reference data needs no key
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry/records", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await Send(HttpMethod.Get, "/api/v1/audit", secret)).StatusCode);
        var audit = await (await Send(HttpMethod.Get, "/api/v1/audit?organisation=" + Uri.EscapeDataString("贵州省公安厅交警总队"), _adminSecret)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, audit.GetArrayLength());
        Assert.Equal(2, audit[0].GetProperty("rowCount").GetInt64());
        Assert.Equal(key.Id, audit[0].GetProperty("keyId").GetString());
        Assert.DoesNotContain(stranger.Id, audit.EnumerateArray().Select(a => a.GetProperty("keyId").GetString()));
        Assert.All(audit.EnumerateArray(), a => Assert.InRange(a.GetProperty("at").GetDateTimeOffset(), started, DateTimeOffset.UtcNow));
        // The log's filters: by key, and by time.
        var byKey = await (await Send(HttpMethod.Get, "/api/v1/audit?key=" + key.Id, _adminSecret)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, byKey.GetArrayLength());
        Assert.All(byKey.EnumerateArray(), a => Assert.Equal(key.Id, a.GetProperty("keyId").GetString()));
        var later = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"));
        Assert.Equal(0, (await (await Send(HttpMethod.Get, "/api/v1/audit?key=" + key.Id + "&from=" + later, _adminSecret)).Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
        Assert.Equal(2, (await (await Send(HttpMethod.Get, "/api/v1/audit?key=" + key.Id + "&to=" + later, _adminSecret)).Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Bad_requests_get_clear_problems_and_the_server_keeps_serving(string kind)
    {
        await StartAsync(kind);
        var unknown = await Send(HttpMethod.Get, "/api/v1/datasets/nope.nothing/records", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("nope.nothing", await unknown.Content.ReadAsStringAsync());

        var big = "[" + string.Join(",", Enumerable.Repeat("{\"transaction_id\":\"x\"}", 5000)) + "]";
        var tooLarge = await Send(HttpMethod.Post, "/api/v1/datasets/highway.gantry_transaction/records", _adminSecret, big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        // The same without a Content-Length: refused once the limit is read past, and none of it is stored.
        var valid = Transactions([.. Enumerable.Range(0, 600).Select(i => ($"C{i}", "G0060520010001" + "10001", Now(5), "贵A12345"))]);
        Assert.True(Encoding.UTF8.GetByteCount(valid) > 64 * 1024);
        try
        {
            var chunked = await _http.SendAsync(HttpMethod.Post, "/api/v1/datasets/highway.gantry_transaction/records", _adminSecret, valid, chunked: true);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
            Assert.Contains("larger than 65536 bytes", (await chunked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
            // The server answers 413 and closes the connection without reading the rest of the body; a client still
            // sending may see the connection close (broken pipe) before it reads that answer. Either way: refused.
        }
        Assert.True(_platform.Registry.TryGet("highway.gantry_transaction", out var transactions));
        Assert.Equal(0, await _platform.Store.CountRecordsAsync(transactions));

        var badTime = await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry/records?from=tomorrow", null);
        Assert.Equal(HttpStatusCode.BadRequest, badTime.StatusCode);
        var badCursor = await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry/records?cursor=%%%", null);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        var badCsv = await Send(HttpMethod.Post, "/api/v1/datasets/highway.gantry_transaction/records", _adminSecret, "nothing,useful\n1,2\n", "text/csv");
        Assert.Equal(HttpStatusCode.BadRequest, badCsv.StatusCode);
        Assert.Contains("transaction_id", await badCsv.Content.ReadAsStringAsync());
        var garbage = await Send(HttpMethod.Post, "/api/v1/datasets/highway.gantry_transaction/records", _adminSecret, "[{\"transaction_id\": }");
        var report = await garbage.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(report.GetProperty("read").GetInt64(), report.GetProperty("quarantined").GetInt64());

        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task A_request_that_fails_inside_the_platform_answers_500_without_details_and_its_error_is_kept_for_the_operator()
    {
        await StartAsync("sqlite");
        // A broken store: the gantry dataset's table is gone.
        await TransportBrain.Hub.Tests.Storage.TestStores.DropDatasetTableAsync(_platform.Store.Location, "highway.gantry");
        Assert.Empty(_errors.Entries);

        var r = await Send(HttpMethod.Get, "/api/v1/datasets/highway.gantry/records", _adminSecret);
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.DoesNotContain("no such table", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal); // no internals to the caller

        var error = Assert.Single(_errors.Entries);
        Assert.Contains("no such table: ds_highway__gantry", error, StringComparison.Ordinal);
        Assert.Contains("SqliteException", error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health")).StatusCode); // and it keeps serving
    }
}
