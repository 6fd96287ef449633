using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Sharing;

namespace TransportBrain.Host.Cli;

internal static class DataCommands
{
    public static Command CreateImport()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset id, e.g. highway.gantry_transaction" };
        var files = new Argument<FileInfo[]>("file")
        {
            Description = "CSV or JSON-lines file; several files are imported one after another in one process, each as its own batch",
            Arity = ArgumentArity.OneOrMore,
        };
        var format = new Option<string?>("--format") { Description = "csv or jsonl (default: from the file extension)" };
        var encoding = new Option<string>("--encoding") { Description = "utf-8 or gbk", DefaultValueFactory = _ => "utf-8" };
        var cmd = new Command("import", "Streams files through the dataset's quality gate into the store") { dataset, files, format, encoding };
        cmd.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var d = CommonOptions.Dataset(p, r.GetValue(dataset)!);
            // Every file is checked before the first is read: a typo in the last name must not leave the others half imported.
            var paths = r.GetValue(files)!;
            if (paths.FirstOrDefault(f => !f.Exists) is { } missing)
            {
                throw new CliException($"file not found: {missing.FullName} (nothing was imported)");
            }
            var formats = paths.Select(f => FormatOf(r.GetValue(format), f)).ToList();
            var sourceEncoding = formats.Contains("csv") ? SourceEncodings.Parse(r.GetValue(encoding)!) : null;
            var total = Stopwatch.StartNew();
            long read = 0, stored = 0, quarantined = 0;
            // The event time range each file stored, for the highway's derived states afterwards.
            var storedRanges = new List<(DateTimeOffset From, DateTimeOffset To)>();
            for (var i = 0; i < paths.Length; i++)
            {
                var path = paths[i];
                if (paths.Length > 1)
                {
                    AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"[bold]{i + 1}/{paths.Length}[/] {path.FullName}");
                }
                var progress = new IngestProgress();
                var watch = Stopwatch.StartNew();
                QualityReport report;
                try
                {
                    // Opening reads the header, which a wrong file among many fails: inside, so it is named too.
                    using var source = Open(path, formats[i], d, sourceEncoding);
                    var run = p.Ingest.IngestAsync(d, source, path.FullName, progress, ct);
                    await ShowProgressAsync(run, progress, path.Length, watch);
                    report = await run;
                }
                catch (Exception e) when (paths.Length > 1 && e is not OperationCanceledException)
                {
                    // What the earlier files (and this one's committed chunks) stored still gets its derived states.
                    AddRange(storedRanges, progress);
                    try
                    {
                        await RecomputeHighwayAsync(p, d, storedRanges, ct);
                    }
                    catch (Exception recompute) when (recompute is not OperationCanceledException)
                    {
                        AnsiConsole.MarkupLineInterpolated($"[yellow]highway states were not recomputed:[/] {recompute.Message}");
                    }
                    throw new CliException($"{path.FullName}: {e.Message} ({i} of {paths.Length} files were imported before it)");
                }
                PrintReport(report, watch.Elapsed);
                read += report.Read;
                stored += report.Stored;
                quarantined += report.Quarantined;
                AddRange(storedRanges, progress);
            }
            if (paths.Length > 1)
            {
                var seconds = total.Elapsed.TotalSeconds;
                AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                    $"{paths.Length} files of [bold]{d.Id}[/]: read [bold]{read:N0}[/], stored [green]{stored:N0}[/], quarantined [yellow]{quarantined:N0}[/], {read / Math.Max(0.001, seconds):N0} rows/s in {seconds:F1} s");
            }
            await RecomputeHighwayAsync(p, d, storedRanges, ct);
            return 0;
        }, ct));
        return cmd;
    }

    private static IRecordSource Open(FileInfo path, string format, DatasetDefinition d, Encoding? encoding)
    {
        var stream = new FileStream(path.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            return format == "csv" ? new CsvRecordSource(stream, d, encoding!) : new JsonRecordSource(stream, d);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static void AddRange(List<(DateTimeOffset From, DateTimeOffset To)> ranges, IngestProgress progress)
    {
        if (progress.EventsFrom is { } from && progress.EventsTo is { } to)
        {
            ranges.Add((from, to));
        }
    }

    /// <summary>
    /// After gantry transactions: the section states, incidents and warnings of the time the files covered.
    /// Files whose ranges overlap or meet are recomputed together; a gap between files is left alone, so the
    /// states already stored there are not computed again.
    /// </summary>
    private static async Task RecomputeHighwayAsync(Platform p, DatasetDefinition d, List<(DateTimeOffset From, DateTimeOffset To)> ranges, CancellationToken ct)
    {
        if (d.Id != TransportBrain.Highway.HighwayDatasets.GantryTransaction.Id)
        {
            return;
        }
        foreach (var (from, to) in MergeRanges(ranges))
        {
            await HighwayCommands.RecomputeAndPrintAsync(p, from.AddSeconds(-1), to.AddSeconds(1), ct);
        }
    }

    /// <summary>The ranges sorted, with those that overlap or lie within five minutes (one section-state interval) of each other joined.</summary>
    internal static List<(DateTimeOffset From, DateTimeOffset To)> MergeRanges(IEnumerable<(DateTimeOffset From, DateTimeOffset To)> ranges)
    {
        var merged = new List<(DateTimeOffset From, DateTimeOffset To)>();
        foreach (var (from, to) in ranges.OrderBy(x => x.From))
        {
            if (merged.Count > 0 && from <= merged[^1].To + TimeSpan.FromMinutes(5))
            {
                merged[^1] = (merged[^1].From, to > merged[^1].To ? to : merged[^1].To);
            }
            else
            {
                merged.Add((from, to));
            }
        }
        return merged;
    }

    private static string FormatOf(string? option, FileInfo file)
    {
        var fmt = (option ?? (file.Extension.Equals(".csv", StringComparison.OrdinalIgnoreCase) ? "csv" : "jsonl")).ToLowerInvariant();
        return fmt switch
        {
            "csv" => "csv",
            "jsonl" or "json" => "jsonl",
            _ => throw new CliException($"unknown format '{fmt}': use csv or jsonl"),
        };
    }

    private static async Task ShowProgressAsync(Task run, IngestProgress progress, long totalBytes, Stopwatch watch)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Not a terminal: a plain line every few seconds instead of a redrawn bar.
            while (await Task.WhenAny(run, Task.Delay(5000)) != run)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {progress.Read:N0} rows read ({100.0 * progress.Bytes / Math.Max(1, totalBytes):F0}%), {progress.Read / Math.Max(0.001, watch.Elapsed.TotalSeconds):N0} rows/s"));
            }
            return;
        }
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("import", maxValue: Math.Max(1, totalBytes));
                while (!run.IsCompleted)
                {
                    task.Value = progress.Bytes;
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"{progress.Read:N0} rows, {progress.Read / Math.Max(0.001, watch.Elapsed.TotalSeconds):N0} rows/s");
                    await Task.WhenAny(run, Task.Delay(200));
                }
                task.Value = totalBytes;
            });
    }

    internal static void PrintReport(QualityReport report, TimeSpan? elapsed)
    {
        var rate = elapsed is { } e && e.TotalSeconds > 0 ? $", {report.Read / e.TotalSeconds:N0} rows/s in {e.TotalSeconds:F1} s" : "";
        AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"batch {report.BatchId} of [bold]{report.DatasetId}[/]: read [bold]{report.Read:N0}[/], stored [green]{report.Stored:N0}[/], quarantined [yellow]{report.Quarantined:N0}[/], quality score {report.Score}{rate}");
        if (report.RuleCounts.Count > 0)
        {
            var table = new Table().AddColumns("rule", "dimension", "records", "example");
            foreach (var c in report.RuleCounts.Take(10))
            {
                table.AddRow(Markup.Escape(c.RuleKey), c.Dimension.ToString().ToLowerInvariant(), c.Records.ToString("N0", CultureInfo.InvariantCulture), Markup.Escape(c.ExampleReason));
            }
            AnsiConsole.WriteLine("top rejection reasons:");
            AnsiConsole.Write(table);
        }
    }

    public static Command CreateExport()
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset id" };
        var from = new Option<string?>("--from") { Description = "Start of the time range (inclusive), e.g. 2025-05-01 or 2025-05-01T08:00:00+08:00" };
        var to = new Option<string?>("--to") { Description = "End of the time range (exclusive)" };
        var format = new Option<string>("--format") { Description = "csv, jsonl or geojson", DefaultValueFactory = _ => "csv" };
        var output = new Option<FileInfo?>("--out") { Description = "Output file (default: standard output)" };
        var unmasked = new Option<bool>("--unmasked") { Description = "Export personal fields in clear (audited)" };
        var cmd = new Command("export", "Exports a dataset's records (personal fields masked unless --unmasked)") { dataset, from, to, format, output, unmasked };
        cmd.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var d = CommonOptions.Dataset(p, r.GetValue(dataset)!);
            var fromTime = ParseTime(r.GetValue(from), "--from");
            var toTime = ParseTime(r.GetValue(to), "--to");
            var fmt = r.GetValue(format)!.ToLowerInvariant();
            if (fmt == "geojson" && d.PointFields is null)
            {
                throw new CliException($"{d.Id} has no coordinates to export as GeoJSON; use csv or jsonl");
            }
            if (fmt is not ("csv" or "jsonl" or "geojson"))
            {
                throw new CliException($"unknown format '{fmt}': use csv, jsonl or geojson");
            }
            var outFile = r.GetValue(output);
            await using var stream = outFile is null ? Console.OpenStandardOutput() : outFile.Create();
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
            var exporter = new RecordExporter(d, fmt, writer);
            exporter.Begin();
            var rows = await p.Sharing.ExportAsync(Caller.LocalOperator(d.Id, r.GetValue(unmasked)), d, fromTime, toTime, v => exporter.Write(v), "cli", ct);
            exporter.End();
            await writer.FlushAsync(ct);
            if (outFile is not null)
            {
                Console.WriteLine($"exported {rows:N0} records of {d.Id} to {outFile.FullName}");
            }
            return 0;
        }, ct));
        return cmd;
    }

    internal static DateTimeOffset? ParseTime(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }
        if (ValueParser.TryParseInstant(text, out var t))
        {
            return t;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), ValueParser.ChinaStandardTime).ToUniversalTime();
        }
        throw new CliException($"{option}: '{text}' is not a time (e.g. 2025-05-01 or 2025-05-01 08:00:00, China Standard Time unless an offset is given)");
    }
}

/// <summary>Writes records as CSV, JSON lines or a GeoJSON FeatureCollection.</summary>
internal sealed class RecordExporter(DatasetDefinition dataset, string format, TextWriter writer)
{
    private bool _first = true;

    public void Begin()
    {
        if (format == "csv")
        {
            writer.WriteLine(string.Join(",", dataset.Fields.Select(f => f.Name)));
        }
        else if (format == "geojson")
        {
            writer.Write("{\"type\":\"FeatureCollection\",\"features\":[");
        }
    }

    public ValueTask Write(object?[] values)
    {
        switch (format)
        {
            case "csv":
                for (var i = 0; i < values.Length; i++)
                {
                    if (i > 0)
                    {
                        writer.Write(',');
                    }
                    writer.Write(Csv(ValueParser.Format(values[i])));
                }
                writer.WriteLine();
                break;
            case "jsonl":
                writer.WriteLine(JsonSerializer.Serialize(Api.RecordDto.ToJson(dataset, values)));
                break;
            default:
                var (lonField, latField) = dataset.PointFields!.Value;
                var lon = values[dataset.FieldIndex(lonField)];
                var lat = values[dataset.FieldIndex(latField)];
                writer.Write(_first ? "" : ",");
                var feature = new
                {
                    type = "Feature",
                    geometry = lon is double x && lat is double y ? new { type = "Point", coordinates = new[] { x, y } } : null,
                    properties = Api.RecordDto.ToJson(dataset, values),
                };
                writer.Write(JsonSerializer.Serialize(feature));
                break;
        }
        _first = false;
        return ValueTask.CompletedTask;
    }

    public void End()
    {
        if (format == "geojson")
        {
            writer.WriteLine("]}");
        }
    }

    private static string Csv(string s) =>
        s.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
