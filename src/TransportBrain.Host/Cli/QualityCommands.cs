using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;
using TransportBrain.Hub.Sharing;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Host.Cli;

internal static class QualityCommands
{
    public static Command CreateQuality()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset id" };
        var limit = new Option<int>("--batches") { Description = "How many recent batches", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var report = new Command("report", "Quality reports of a dataset's recent batches, with open quarantine") { dataset, limit, json };
        report.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var d = CommonOptions.Dataset(p, r.GetValue(dataset)!);
            var batches = await p.Store.ListBatchesAsync(d.Id, r.GetValue(limit), ct);
            var open = await p.Store.CountQuarantineAsync(d.Id, QuarantineStatus.Open, ct);
            if (r.GetValue(json))
            {
                CommonOptions.PrintJson(new { dataset = d.Id, openQuarantine = open, batches = batches.Select(Api.ReportDto.From) });
                return 0;
            }
            AnsiConsole.MarkupLineInterpolated($"[bold]{d.Id}[/] {d.NameZh}: {batches.Count} recent batches, {open:N0} records open in quarantine");
            var table = new Table().AddColumns("batch", "source", "finished (UTC+8)", "read", "stored", "quarantined", "score", "completeness", "validity", "uniqueness", "timeliness", "consistency");
            foreach (var b in batches)
            {
                var dims = b.DimensionScores;
                table.AddRow(b.BatchId.ToString(CultureInfo.InvariantCulture), Markup.Escape(Path.GetFileName(b.Source)),
                    b.FinishedAt?.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "running",
                    b.Read.ToString("N0", CultureInfo.InvariantCulture), b.Stored.ToString("N0", CultureInfo.InvariantCulture), b.Quarantined.ToString("N0", CultureInfo.InvariantCulture),
                    b.Score.ToString(CultureInfo.InvariantCulture), dims["completeness"].ToString(CultureInfo.InvariantCulture), dims["validity"].ToString(CultureInfo.InvariantCulture),
                    dims["uniqueness"].ToString(CultureInfo.InvariantCulture), dims["timeliness"].ToString(CultureInfo.InvariantCulture), dims["consistency"].ToString(CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            if (batches.FirstOrDefault() is { RuleCounts.Count: > 0 } latest)
            {
                DataCommands.PrintReport(latest, null);
            }
            return 0;
        }, ct));
        return new Command("quality", "Data quality (A3)") { report };
    }

    public static Command CreateQuarantine()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset id" };
        var status = new Option<string>("--status") { Description = "open, resubmitted, discarded or all", DefaultValueFactory = _ => "open" };
        var limit = new Option<int>("--limit") { Description = "How many", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print JSON (as GET /api/v1/datasets/{id}/quarantine)" };
        var list = new Command("list", "Lists quarantined records with their original text and reason") { dataset, status, limit, json };
        list.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var d = CommonOptions.Dataset(p, r.GetValue(dataset)!);
            var s = r.GetValue(status)!;
            QuarantineStatus? filter = s == "all" ? null
                : Enum.TryParse<QuarantineStatus>(s, true, out var parsed) ? parsed : throw new CliException("--status must be open, resubmitted, discarded or all");
            var records = await p.Sharing.ReadQuarantineAsync(Caller.LocalOperator(d.Id, unmasked: true), d, filter, 0, r.GetValue(limit), "cli", ct);
            if (r.GetValue(json))
            {
                CommonOptions.PrintJson(records.Select(Api.QuarantineDto.From));
                return 0;
            }
            var table = new Table().AddColumns("id", "batch", "line", "rule", "reason", "original");
            foreach (var q in records)
            {
                table.AddRow(q.Id.ToString(CultureInfo.InvariantCulture), q.BatchId.ToString(CultureInfo.InvariantCulture), q.Position.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(q.Rule), Markup.Escape(q.Reason), Markup.Escape(Preview(q.Raw)));
            }
            AnsiConsole.Write(table);
            return 0;
        }, ct));

        var id = new Argument<long>("id") { Description = "Quarantined record id" };
        var record = new Option<string?>("--record") { Description = "The corrected record (a CSV line in the file's column order, or a JSON object); omit to resubmit as it was" };
        var resubmit = new Command("resubmit", "Sends a quarantined record through the quality gate again, corrected or as it was") { id, record };
        resubmit.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var text = r.GetValue(record);
            var report = await p.Ingest.ResubmitAsync(r.GetValue(id), text is null ? null : Encoding.UTF8.GetBytes(text), ct);
            DataCommands.PrintReport(report, null);
            return report.Stored > 0 ? 0 : 2;
        }, ct));
        return new Command("quarantine", "Records the quality gate turned away") { list, resubmit };
    }

    private static string Preview(byte[] raw)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            text = Encoding.GetEncoding(936).GetString(raw);
        }
        return text.Length > 120 ? text[..120] + "…" : text;
    }
}
