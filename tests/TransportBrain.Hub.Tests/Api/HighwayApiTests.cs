using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TransportBrain.Highway;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Simulation;
using TransportBrain.Host;
using TransportBrain.Host.Api;

namespace TransportBrain.Hub.Tests.Api;

/// <summary>
/// From files to section states over the real HTTP API: a network imported, gantry transactions pushed,
/// the live pipeline turning them into section states, incidents and a time series.
/// </summary>
public sealed class HighwayApiTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("brain-highway-api-").FullName;
    private Platform _platform = null!;
    private TransportBrain.Fleet.FleetService _fleet = null!;
    private HighwayService _highway = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private string _admin = "";

    public async Task InitializeAsync()
    {
        _platform = await Platform.OpenAsync(new PlatformOptions(_dir, null));
        _fleet = await _platform.StartFleetAsync(null, _dir);
        _highway = await _platform.StartHighwayAsync(live: true);
        _app = ServerHost.Build(_platform, new ServerOptions("http://127.0.0.1:0"), _fleet, highway: _highway);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        (_, _admin) = await _platform.Keys.CreateAsync("省交通运输厅数据中心", "admin", true);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _highway.DisposeAsync();
        await _fleet.DisposeAsync();
        await _platform.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    /// <summary>Pushes the reads as CSV in chunks through the HTTP ingest; returns how many rows the platform stored.</summary>
    private async Task<long> PushAsync(GantryTrafficGenerator gen, IReadOnlyList<GeneratedRead> reads, int chunkRows)
    {
        long stored = 0;
        foreach (var chunk in reads.Chunk(chunkRows))
        {
            var csv = GantryTrafficGenerator.CsvHeader + "\n" + string.Join("\n", chunk.Select(r => gen.ToCsv(r)));
            var post = await Send(HttpMethod.Post, "/api/v1/datasets/highway.gantry_transaction/records", _admin, csv, "text/csv");
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            using var report = JsonDocument.Parse(await post.Content.ReadAsStringAsync());
            stored += report.RootElement.GetProperty("stored").GetInt64();
        }
        return stored;
    }

    [Fact]
    public async Task When_the_live_pipeline_cannot_write_its_outputs_gantry_imports_still_complete_and_it_goes_on()
    {
        var file = Path.Combine(_dir, "network.geojson");
        await File.WriteAllTextAsync(file, SyntheticNetwork.CreateGeoJson(routes: 1, gantriesPerDirection: 4, spacingKm: 5));
        Assert.Empty((await _highway.ImportNetworkAsync(file)).Problems);
        // A broken store: the table of the section travel times the pipeline writes is gone.
        await TransportBrain.Hub.Tests.Storage.TestStores.DropDatasetTableAsync(_platform.Store.Location, "highway.section_travel_time");

        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(-3);
        var gen = new GantryTrafficGenerator(new TrafficScenario { Network = _highway.Network!, DayStart = start, Span = TimeSpan.FromHours(2), Vehicles = 6_000, Seed = 5 });
        var reads = gen.Reads().ToList();
        var stored = await PushAsync(gen, reads, chunkRows: 2_000);
        Assert.Equal(reads.Count, stored);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((_highway.Processed < stored || _highway.OutputWriteFailures == 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Equal(stored, _highway.Processed); // every pass was taken: the pipeline did not stop at the first failure
        Assert.True(_highway.OutputWriteFailures > 0);
        Assert.Contains("no such table", _highway.LastOutputError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pushed_gantry_transactions_become_section_states_incidents_and_series()
    {
        var file = Path.Combine(_dir, "network.geojson");
        await File.WriteAllTextAsync(file, SyntheticNetwork.CreateGeoJson(routes: 2, gantriesPerDirection: 6, spacingKm: 5));
        var import = await _highway.ImportNetworkAsync(file);
        Assert.Empty(import.Problems);
        Assert.Equal(24, import.Gantries);
        Assert.All(import.Reports, r => Assert.Equal(r.Read, r.Stored));
        var net = _highway.Network!;

        // three hours that ended an hour ago (the watermark follows the clock once the feed is quiet), an incident in the middle
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(-4);
        var incident = new InjectedIncident(2, start.AddMinutes(90), TimeSpan.FromMinutes(45));
        var gen = new GantryTrafficGenerator(new TrafficScenario
        {
            Network = net, DayStart = start, Span = TimeSpan.FromHours(3), Vehicles = 25_000, Seed = 4, Incidents = [incident],
        });
        var reads = gen.Reads().ToList();
        using var sectionsFeed = _app.Services.GetRequiredService<TransportBrain.Host.OpsConsole.LiveFeed>().Subscribe(["sections"], capacity: 100_000);
        var stored = await PushAsync(gen, reads, chunkRows: 5_000);
        Assert.Equal(reads.Count, stored);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_highway.Processed < stored && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Equal(stored, _highway.Processed);

        // the map: every section with a state and one of the five levels (open data: no key needed)
        var map = await Send(HttpMethod.Get, "/api/v1/highway/network", null);
        Assert.Equal(HttpStatusCode.OK, map.StatusCode);
        Assert.Equal("application/geo+json", map.Content.Headers.ContentType?.MediaType);
        using (var doc = JsonDocument.Parse(await map.Content.ReadAsStringAsync()))
        {
            var features = doc.RootElement.GetProperty("features").EnumerateArray().ToList();
            var sections = features.Where(f => f.GetProperty("properties").GetProperty("kind").GetString() == "section").ToList();
            Assert.Equal(net.Sections.Count, sections.Count);
            var levels = sections.Select(s => s.GetProperty("properties").GetProperty("state").GetProperty("level").GetInt32()).ToList();
            Assert.All(levels, l => Assert.InRange(l, 0, 5));
            // the feed thins out at its end (a quiet hour): a section may have had too few vehicles to say
            Assert.True(levels.Count(l => l >= 1) >= sections.Count - 2, string.Join(",", levels));
            Assert.Equal(24, features.Count(f => f.GetProperty("properties").GetProperty("kind").GetString() == "gantry"));
            Assert.Contains(features, f => f.GetProperty("properties").GetProperty("kind").GetString() == "survey_station");
        }

        // the incident was detected where it was injected, within its duration
        var incidents = await Send(HttpMethod.Get, "/api/v1/highway/incidents", null);
        Assert.Equal(HttpStatusCode.Unauthorized, incidents.StatusCode); // incident candidates are not open data
        incidents = await Send(HttpMethod.Get, "/api/v1/highway/incidents", _admin);
        using (var doc = JsonDocument.Parse(await incidents.Content.ReadAsStringAsync()))
        {
            var hit = doc.RootElement.GetProperty("incidents").EnumerateArray().Where(i => i.GetProperty("kind").GetString() == "incident"
                && (i.GetProperty("section_id").GetString() == net.Sections[2].Id || i.GetProperty("section_id").GetString() == net.Sections[1].Id)).ToList();
            Assert.NotEmpty(hit);
            var detected = hit[0].GetProperty("detected_at").GetDateTimeOffset();
            Assert.InRange(detected, incident.Start, incident.Start + incident.Duration + TimeSpan.FromMinutes(20));
            Assert.StartsWith("车速 ", hit[0].GetProperty("evidence_zh").GetString());
        }

        // the stored candidates carry the evidence in Chinese as well as in English
        var candidates = await Send(HttpMethod.Get, "/api/v1/datasets/highway.incident_candidate/records?limit=100", _admin);
        Assert.Equal(HttpStatusCode.OK, candidates.StatusCode);
        using (var doc = JsonDocument.Parse(await candidates.Content.ReadAsStringAsync()))
        {
            var raised = doc.RootElement.GetProperty("records").EnumerateArray().Where(r => r.GetProperty("status").GetString() == "raised").ToList();
            Assert.NotEmpty(raised);
            Assert.All(raised, r =>
            {
                Assert.StartsWith("speed ", r.GetProperty("evidence").GetString());
                Assert.Matches(@"^车速 .*下游 .*5 分钟驶入 \d+ 辆", r.GetProperty("evidence_zh").GetString());
            });
        }

        // a section's series comes from the stored section states, with forecasts
        var series = await Send(HttpMethod.Get, $"/api/v1/highway/sections/{Uri.EscapeDataString(net.Sections[2].Id)}/series?from={Uri.EscapeDataString(start.ToString("O"))}", null);
        Assert.Equal(HttpStatusCode.OK, series.StatusCode);
        using (var doc = JsonDocument.Parse(await series.Content.ReadAsStringAsync()))
        {
            Assert.True(doc.RootElement.GetProperty("count").GetInt32() >= 30);
            Assert.Contains(doc.RootElement.GetProperty("points").EnumerateArray(), p => p.GetProperty("level").GetInt32() >= 4);
            Assert.Equal(3, doc.RootElement.GetProperty("forecasts").GetArrayLength());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/api/v1/highway/sections/G60-9-K1+000/series", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Get, $"/api/v1/highway/sections/{Uri.EscapeDataString(net.Sections[0].Id)}/series?from=yesterday", null)).StatusCode);

        // the console heard it: section states on the live feed, the detected incident opened in emergency command
        var heard = new List<string>();
        while (sectionsFeed.Queue.Reader.TryRead(out var message))
        {
            heard.Add(message.Topic);
        }
        Assert.Contains("sections", heard);
        var command = _app.Services.GetRequiredService<TransportBrain.Host.OpsConsole.ConsoleRuntime>().Command;
        var opened = DateTime.UtcNow.AddSeconds(10);
        while (!command.Query().Any(i => i.Source == TransportBrain.Governance.Incidents.IncidentSource.Detection) && DateTime.UtcNow < opened)
        {
            await Task.Delay(50);
        }
        Assert.Contains(command.Query(), i => i.Source == TransportBrain.Governance.Incidents.IncidentSource.Detection && i.Location.SectionId is not null);

        var pipeline = await Send(HttpMethod.Get, "/api/v1/highway/pipeline", null);
        using (var doc = JsonDocument.Parse(await pipeline.Content.ReadAsStringAsync()))
        {
            Assert.Equal(stored, doc.RootElement.GetProperty("counters").GetProperty("accepted").GetInt64());
        }

        // After a restart the map shows what is known, not "no data": each section's last stored state is restored.
        // (the live writers store the last interval's states a moment after it closes: give them a few tries)
        var finals = net.Sections.Select(x => _highway.Pipeline!.LatestFinal(x.Index)).ToList();
        IReadOnlyList<TransportBrain.Highway.Fusion.SectionState?> restored = [];
        for (var attempt = 0; attempt < 20; attempt++)
        {
            await using var restarted = await _platform.StartHighwayAsync(live: false);
            restored = restarted.LatestStates();
            if (restored.Select((r, i) => r?.IntervalTicks == finals[i]?.IntervalTicks).All(x => x))
            {
                break;
            }
            await Task.Delay(250);
        }
        Assert.Equal(net.Sections.Count, restored.Count);
        for (var i = 0; i < restored.Count; i++)
        {
            Assert.NotNull(restored[i]);
            Assert.Equal(finals[i]!.IntervalTicks, restored[i]!.IntervalTicks);
            Assert.Equal(finals[i]!.Level, restored[i]!.Level);
            Assert.Equal(finals[i]!.SpeedKmh ?? -1, restored[i]!.SpeedKmh ?? -1, 2);
        }
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string? key, string? body = null, string contentType = "application/json") =>
        _http.SendAsync(method, path, key, body, contentType);
}
