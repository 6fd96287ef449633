using System.CommandLine;
using TransportBrain.Highway.SampleData;

namespace TransportBrain.Host.Cli;

internal static class SampleCommands
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for the files", DefaultValueFactory = _ => new DirectoryInfo("sample-data") };
        var rows = new Option<long>("--rows") { Description = "Gantry transactions to write", DefaultValueFactory = _ => 100_000 };
        var bad = new Option<double>("--bad-rate") { Description = "Share of deliberately damaged transaction rows (0-1)", DefaultValueFactory = _ => 0.01 };
        var encoding = new Option<string>("--encoding") { Description = "utf-8 or gbk", DefaultValueFactory = _ => "utf-8" };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42 };
        var generate = new Command("generate", "Writes sample highway files (gantries, transactions, survey stations) for trying import") { output, rows, bad, encoding, seed };
        generate.SetAction(r =>
        {
            var dir = r.GetValue(output)!;
            var files = HighwaySampleGenerator.Generate(dir.FullName, r.GetValue(rows), DateTimeOffset.UtcNow, r.GetValue(bad), r.GetValue(seed), r.GetValue(encoding)!);
            Console.WriteLine($"wrote {files.TransactionRows:N0} gantry transactions ({files.BadRows:N0} deliberately bad) and reference data to {dir.FullName}:");
            var enc = r.GetValue(encoding) == "utf-8" ? "" : $" --encoding {r.GetValue(encoding)}";
            Console.WriteLine($"  ./brain import highway.gantry {files.Gantries}{enc}");
            Console.WriteLine($"  ./brain import highway.survey_station {files.SurveyStations}{enc}");
            Console.WriteLine($"  ./brain import highway.gantry_transaction {files.GantryTransactions}{enc}");
            Console.WriteLine($"  ./brain import highway.survey_station_5min {files.SurveyStation5Min}{enc}");
            return 0;
        });
        return new Command("sample", "Sample data for newcomers") { generate };
    }
}
