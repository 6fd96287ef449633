using System.Text.Json;
using System.Text.RegularExpressions;
using TransportBrain.Highway.SampleData;
using TransportBrain.Host.Cli;

namespace TransportBrain.Hub.Tests.Cli;

/// <summary>
/// `brain import` as an operator runs it: the built executable in a process of its own, on the embedded
/// SQLite store in a temporary data directory (and, for the first test, on PostgreSQL as well).
/// </summary>
public sealed partial class ImportCommandTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("brain-cli-import-").FullName;

    /// <summary>A postgres:// URL when the test runs on PostgreSQL (passed as --store), else the embedded SQLite.</summary>
    private string? _store;
    private Func<Task>? _dropDatabase;

    public static TheoryData<string> Stores() => TransportBrain.Hub.Tests.Storage.TestStores.Kinds();

    public async Task InitializeAsync() => await Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_dropDatabase is not null)
        {
            await _dropDatabase();
        }
        Directory.Delete(_dir, true);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Several_files_are_imported_in_one_run_each_as_its_own_batch_with_a_total(string kind)
    {
        if (kind == "postgres")
        {
            (_, _store, _dropDatabase) = await TransportBrain.Hub.Tests.Storage.TestStores.CreatePostgresDatabaseAsync();
        }
        var (gantries, first, second) = SplitSample(6000);
        Assert.Equal(0, (await Brain("import", "highway.gantry", gantries)).ExitCode);

        var run = await Brain("import", "highway.gantry_transaction", first, second);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("1/2 " + first, run.Output);
        Assert.Contains("2/2 " + second, run.Output);
        var batches = BatchLine().Matches(run.Output);
        Assert.Equal(2, batches.Count);
        Assert.All(batches, b => Assert.Equal(3000, Number(b.Groups["read"].Value)));
        var total = TotalLine().Match(run.Output);
        Assert.True(total.Success, run.Output);
        Assert.Equal(6000, Number(total.Groups["read"].Value));
        var stored = batches.Sum(b => Number(b.Groups["stored"].Value));
        var quarantined = batches.Sum(b => Number(b.Groups["quarantined"].Value));
        Assert.Equal(stored, Number(total.Groups["stored"].Value));
        Assert.Equal(quarantined, Number(total.Groups["quarantined"].Value));
        Assert.Equal(6000, stored + quarantined);
        Assert.InRange(quarantined, 1, 600); // the sample's 1% damaged rows, and nothing else
        Assert.Equal(stored, await StoredRecordsAsync());
    }

    [Fact]
    public async Task A_missing_file_among_several_is_named_and_nothing_is_imported()
    {
        var (gantries, first, _) = SplitSample(2000);
        Assert.Equal(0, (await Brain("import", "highway.gantry", gantries)).ExitCode);
        var missing = Path.Combine(_dir, "transactions-3.csv");

        var run = await Brain("import", "highway.gantry_transaction", first, missing);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"file not found: {missing} (nothing was imported)", run.Output);
        Assert.Equal(0, await StoredRecordsAsync());
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_after_others_is_named_and_the_files_before_it_stay_stored()
    {
        var (gantries, first, _) = SplitSample(2000);
        Assert.Equal(0, (await Brain("import", "highway.gantry", gantries)).ExitCode);
        var wrong = Path.Combine(_dir, "stations.csv");
        File.WriteAllText(wrong, "station_id,name\nJD520100001,龙洞堡交调站\n");

        var run = await Brain("import", "highway.gantry_transaction", first, wrong);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"error: {wrong}: the header has no column for the required field(s)", run.Output);
        Assert.Contains("(1 of 2 files were imported before it)", run.Output);
        var batch = BatchLine().Match(run.Output);
        Assert.True(batch.Success, run.Output);
        Assert.Equal(Number(batch.Groups["stored"].Value), await StoredRecordsAsync());
    }

    [Fact]
    public void Files_whose_times_overlap_or_meet_are_recomputed_together_and_a_gap_between_them_is_left_alone()
    {
        var day = new DateTimeOffset(2025, 5, 1, 0, 0, 0, TimeSpan.FromHours(8));
        (DateTimeOffset, DateTimeOffset) Hours(double from, double to) => (day.AddHours(from), day.AddHours(to));

        // Given out of order: 8-9 and 9:02-10 meet (within one five-minute interval), 9:30-9:45 lies inside,
        // 10:10-11 starts after a gap, and a file of the next month stands alone.
        var merged = DataCommands.MergeRanges([Hours(9.0333, 10), Hours(8, 9), Hours(10.1667, 11), Hours(9.5, 9.75), (day.AddMonths(1), day.AddMonths(1).AddHours(1))]);

        Assert.Equal([Hours(8, 10), Hours(10.1667, 11), (day.AddMonths(1), day.AddMonths(1).AddHours(1))], merged);
    }

    /// <summary>The sample generator's files, with the transactions split into two files of equal size.</summary>
    private (string Gantries, string First, string Second) SplitSample(int rows)
    {
        var files = HighwaySampleGenerator.Generate(Path.Combine(_dir, "sample"), rows, DateTimeOffset.UtcNow, badFraction: 0.01);
        var lines = File.ReadAllLines(files.GantryTransactions);
        Assert.Equal(rows + 1, lines.Length); // the header; the sample's damaged rows are one line each
        var first = Path.Combine(_dir, "transactions-1.csv");
        var second = Path.Combine(_dir, "transactions-2.csv");
        File.WriteAllLines(first, lines.Take(1 + rows / 2));
        File.WriteAllLines(second, lines.Take(1).Concat(lines.Skip(1 + rows / 2)));
        return (files.Gantries, first, second);
    }

    private async Task<long> StoredRecordsAsync()
    {
        var show = await Brain("catalog", "show", "highway.gantry_transaction", "--json");
        Assert.Equal(0, show.ExitCode);
        using var doc = JsonDocument.Parse(show.Output);
        return doc.RootElement.GetProperty("records").GetInt64();
    }

    private static long Number(string text) => BrainCli.Number(text);

    private Task<(int ExitCode, string Output)> Brain(params string[] args) =>
        BrainCli.RunAsync(Path.Combine(_dir, "data"), _store is null ? args : ["--store", _store, .. args]);

    [GeneratedRegex(@"batch \d+ of highway\.gantry_transaction: read (?<read>[\d,]+), stored (?<stored>[\d,]+), quarantined (?<quarantined>[\d,]+)")]
    private static partial Regex BatchLine();

    [GeneratedRegex(@"2 files of highway\.gantry_transaction: read (?<read>[\d,]+), stored (?<stored>[\d,]+), quarantined (?<quarantined>[\d,]+), [\d,]+ rows/s")]
    private static partial Regex TotalLine();
}
