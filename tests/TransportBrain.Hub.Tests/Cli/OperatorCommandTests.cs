using System.Text.Json;
using System.Text.RegularExpressions;
using TransportBrain.Highway.SampleData;

namespace TransportBrain.Hub.Tests.Cli;

/// <summary>
/// One data directory with the sample's gantries and 400 transactions (1% of them damaged), imported once by
/// `brain import` for the operator command tests below.
/// </summary>
public sealed class ImportedSample : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("brain-cli-operator-").FullName;
    public string Data => Path.Combine(Directory, "data");
    public SampleFiles Files { get; private set; } = null!;
    public long Stored { get; private set; }
    public long Quarantined { get; private set; }
    public int Gantries { get; private set; }

    public async Task InitializeAsync()
    {
        Files = HighwaySampleGenerator.Generate(Path.Combine(Directory, "sample"), 400, DateTimeOffset.UtcNow, badFraction: 0.01);
        Gantries = File.ReadAllLines(Files.Gantries).Length - 1;
        Assert.Equal(0, (await BrainCli.RunAsync(Data, "import", "highway.gantry", Files.Gantries)).ExitCode);
        var run = await BrainCli.RunAsync(Data, "import", "highway.gantry_transaction", Files.GantryTransactions);
        Assert.Equal(0, run.ExitCode);
        var batch = Regex.Match(run.Output, @"read (?<read>[\d,]+), stored (?<stored>[\d,]+), quarantined (?<quarantined>[\d,]+)");
        Assert.True(batch.Success, run.Output);
        Stored = BrainCli.Number(batch.Groups["stored"].Value);
        Quarantined = BrainCli.Number(batch.Groups["quarantined"].Value);
        Assert.Equal(400, Stored + Quarantined);
        Assert.InRange(Quarantined, 1, 40);
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, true);
        return Task.CompletedTask;
    }
}

/// <summary>The operator's commands besides import: export, catalog, quality, quarantine, keys and audit.</summary>
public sealed class OperatorCommandTests(ImportedSample sample) : IClassFixture<ImportedSample>
{
    private Task<(int ExitCode, string Output)> Brain(params string[] args) => BrainCli.RunAsync(sample.Data, args);

    private string OutFile(string name) => Path.Combine(sample.Directory, Guid.NewGuid().ToString("N")[..8] + "-" + name);

    private async Task<List<JsonElement>> AuditAsync()
    {
        var run = await BrainCli.RunRawAsync(sample.Data, "audit", "list", "--dataset", "highway.gantry_transaction", "--limit", "1000", "--json");
        Assert.Equal(0, run.ExitCode);
        return [.. JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray()];
    }

    private async Task<JsonElement> KeyAsync(string id)
    {
        var run = await BrainCli.RunRawAsync(sample.Data, "keys", "list", "--json");
        Assert.Equal(0, run.ExitCode);
        return JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Export_writes_csv_and_json_lines_masked_unless_asked_within_the_time_range_and_is_audited()
    {
        var csv = OutFile("transactions.csv");
        var run = await Brain("export", "highway.gantry_transaction", "--format", "csv", "--out", csv);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"exported {sample.Stored:N0} records of highway.gantry_transaction", run.Output);
        var lines = File.ReadAllLines(csv);
        Assert.Equal(sample.Stored + 1, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal("transaction_id", header[0]);
        var plate = Array.IndexOf(header, "plate");
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^..·\*\*\*..$", l.Split(',')[plate]));

        var jsonl = OutFile("transactions.jsonl");
        Assert.Equal(0, (await Brain("export", "highway.gantry_transaction", "--format", "jsonl", "--unmasked", "--out", jsonl)).ExitCode);
        var records = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(sample.Stored, records.Count);
        var sourcePlates = File.ReadLines(sample.Files.GantryTransactions).Skip(1).Select(l => l.Split(',')[4]).ToHashSet();
        Assert.All(records, r => Assert.Contains(r.GetProperty("plate").GetString()!, sourcePlates)); // in clear, as imported

        // --from is inclusive, in China Standard Time unless an offset is given: the later half of the day.
        var times = records.Select(r => r.GetProperty("trans_time").GetDateTimeOffset()).Order().ToList();
        var from = times[times.Count / 2];
        var later = OutFile("later.jsonl");
        Assert.Equal(0, (await Brain("export", "highway.gantry_transaction", "--format", "jsonl", "--from", from.ToString("yyyy-MM-ddTHH:mm:ss.ffffffzzz"), "--out", later)).ExitCode);
        Assert.Equal(times.Count(t => t >= from), File.ReadAllLines(later).Length);

        var exports = (await AuditAsync()).Where(e => e.GetProperty("action").GetString() == "export").ToList();
        Assert.Contains(exports, e => e.GetProperty("query").GetString() == "masked" && e.GetProperty("rowCount").GetInt64() == sample.Stored);
        Assert.Contains(exports, e => e.GetProperty("query").GetString() == "unmasked" && e.GetProperty("rowCount").GetInt64() == sample.Stored);
        Assert.All(exports, e => Assert.Equal("cli", e.GetProperty("client").GetString()));
    }

    [Fact]
    public async Task Export_as_geojson_gives_one_point_per_gantry_and_a_dataset_without_coordinates_is_refused()
    {
        var geojson = OutFile("gantries.geojson");
        Assert.Equal(0, (await Brain("export", "highway.gantry", "--format", "geojson", "--out", geojson)).ExitCode);
        var doc = JsonDocument.Parse(File.ReadAllText(geojson)).RootElement;
        Assert.Equal("FeatureCollection", doc.GetProperty("type").GetString());
        var features = doc.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(sample.Gantries, features.Count);
        Assert.All(features, f =>
        {
            var geometry = f.GetProperty("geometry");
            Assert.Equal("Point", geometry.GetProperty("type").GetString());
            var properties = f.GetProperty("properties");
            Assert.Equal(properties.GetProperty("longitude").GetDouble(), geometry.GetProperty("coordinates")[0].GetDouble());
            Assert.Equal(properties.GetProperty("latitude").GetDouble(), geometry.GetProperty("coordinates")[1].GetDouble());
        });

        var refused = await Brain("export", "highway.gantry_transaction", "--format", "geojson", "--out", OutFile("no.geojson"));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("highway.gantry_transaction has no coordinates to export as GeoJSON", refused.Output);
        var unknown = await Brain("export", "highway.gantry", "--format", "xlsx");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("unknown format 'xlsx'", unknown.Output);
    }

    [Fact]
    public async Task The_catalog_lists_searches_in_chinese_and_english_and_shows_metadata_and_lineage()
    {
        var list = await BrainCli.RunRawAsync(sample.Data, "catalog", "list", "--json");
        Assert.Equal(0, list.ExitCode);
        var datasets = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!);
        var transactions = datasets["highway.gantry_transaction"];
        Assert.Equal("sensitive", transactions.GetProperty("grade").GetString());
        Assert.Equal("重要数据 (important)", transactions.GetProperty("gradeStandard").GetString());
        Assert.Equal("conditional (有条件共享)", transactions.GetProperty("sharing").GetString());
        Assert.False(transactions.GetProperty("open").GetBoolean());
        Assert.Contains("highway.survey_station_5min", datasets.Keys);

        var chinese = await BrainCli.RunRawAsync(sample.Data, "catalog", "search", "门架", "--json");
        Assert.StartsWith("highway.gantry", JsonDocument.Parse(chinese.Stdout).RootElement[0].GetProperty("id").GetString());
        var english = await BrainCli.RunRawAsync(sample.Data, "catalog", "search", "travel time", "--json");
        Assert.Contains(JsonDocument.Parse(english.Stdout).RootElement.EnumerateArray(), h => h.GetProperty("id").GetString() == "highway.section_travel_time");
        var none = await Brain("catalog", "search", "潮汐发电");
        Assert.Contains("no dataset matches '潮汐发电'", none.Output);

        var show = await BrainCli.RunRawAsync(sample.Data, "catalog", "show", "highway.gantry_transaction", "--json");
        var detail = JsonDocument.Parse(show.Stdout).RootElement;
        Assert.Equal(sample.Stored, detail.GetProperty("records").GetInt64());
        Assert.Equal("transaction_id", detail.GetProperty("uniqueKey")[0].GetString());
        Assert.Equal("plate", detail.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("personal").GetString() == "plate").GetProperty("name").GetString());
        var derived = JsonDocument.Parse((await BrainCli.RunRawAsync(sample.Data, "catalog", "show", "highway.section_travel_time", "--json")).Stdout).RootElement;
        Assert.Contains("highway.gantry_transaction", derived.GetProperty("lineage").GetProperty("upstream").EnumerateArray().Select(u => u.GetString()));

        var unknown = await Brain("catalog", "show", "nope.nothing");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("nope.nothing", unknown.Output);
    }

    [Fact]
    public async Task The_quality_report_and_the_quarantine_show_what_the_gate_turned_away_and_reading_it_is_audited()
    {
        var report = await BrainCli.RunRawAsync(sample.Data, "quality", "report", "highway.gantry_transaction", "--json");
        Assert.Equal(0, report.ExitCode);
        var json = JsonDocument.Parse(report.Stdout).RootElement;
        Assert.Equal(sample.Quarantined, json.GetProperty("openQuarantine").GetInt64());
        var batch = json.GetProperty("batches")[0];
        Assert.Equal(400, batch.GetProperty("read").GetInt64());
        Assert.Equal(batch.GetProperty("read").GetInt64(), batch.GetProperty("stored").GetInt64() + batch.GetProperty("quarantined").GetInt64());
        Assert.Equal(sample.Quarantined, batch.GetProperty("rules").EnumerateArray().Sum(r => r.GetProperty("records").GetInt64()));

        var table = await Brain("quality", "report", "highway.gantry_transaction");
        Assert.Contains($"{sample.Quarantined:N0} records open in quarantine", table.Output);
        Assert.Contains("top rejection reasons:", table.Output);

        var quarantine = await BrainCli.RunRawAsync(sample.Data, "quarantine", "list", "highway.gantry_transaction", "--limit", "100", "--json");
        Assert.Equal(0, quarantine.ExitCode);
        var held = JsonDocument.Parse(quarantine.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(sample.Quarantined, held.Count);
        var sourceLines = File.ReadAllLines(sample.Files.GantryTransactions);
        Assert.All(held, q =>
        {
            Assert.Equal(sourceLines[q.GetProperty("position").GetInt64() - 1], q.GetProperty("raw").GetString()); // the original line
            Assert.Equal("open", q.GetProperty("status").GetString());
        });
        Assert.Equal(
            batch.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("rule").GetString()!).Order(),
            held.Select(q => q.GetProperty("rule").GetString()!).Distinct().Order());
        Assert.Contains(await AuditAsync(), e => e.GetProperty("action").GetString() == "quarantine"
            && e.GetProperty("query").GetString() == "status=open&limit=100" && e.GetProperty("rowCount").GetInt64() == sample.Quarantined);
    }

    [Fact]
    public async Task A_key_is_created_with_its_grants_listed_and_revoked()
    {
        var create = await Brain("keys", "create", "--org", "贵州省公安厅交警总队", "--name", "cli-test", "--grant", "highway.gantry_transaction:r");
        Assert.Equal(0, create.ExitCode);
        var id = Regex.Match(create.Output, @"key (?<id>tbk_\w+) for 贵州省公安厅交警总队").Groups["id"].Value;
        Assert.NotEmpty(id);
        var secret = Regex.Match(create.Output, @"secret \(shown once.*\): (?<secret>tbk_\w+\.\S+)").Groups["secret"].Value;
        Assert.StartsWith(id + ".", secret);

        var listed = await KeyAsync(id);
        Assert.Equal("贵州省公安厅交警总队", listed.GetProperty("organisation").GetString());
        Assert.Equal("cli-test", listed.GetProperty("name").GetString());
        Assert.False(listed.GetProperty("admin").GetBoolean());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
        var grant = Assert.Single(listed.GetProperty("grants").EnumerateArray());
        Assert.Equal("highway.gantry_transaction", grant.GetProperty("dataset").GetString());
        Assert.True(grant.GetProperty("read").GetBoolean());
        Assert.False(grant.GetProperty("write").GetBoolean());
        Assert.False(grant.GetProperty("unmasked").GetBoolean());
        var all = (await BrainCli.RunRawAsync(sample.Data, "keys", "list", "--json")).Stdout;
        Assert.DoesNotContain(secret, all, StringComparison.Ordinal); // shown once: only its hash is stored, and that is not listed
        Assert.DoesNotContain(secret[(id.Length + 1)..], all, StringComparison.Ordinal);

        Assert.Contains($"revoked {id}", (await Brain("keys", "revoke", id)).Output);
        Assert.Equal(JsonValueKind.String, (await KeyAsync(id)).GetProperty("revokedAt").ValueKind);
        Assert.Contains($"no active key {id}", (await Brain("keys", "revoke", id)).Output);
    }
}
