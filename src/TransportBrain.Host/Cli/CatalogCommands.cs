using System.CommandLine;
using Spectre.Console;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Host.Cli;

internal static class CatalogCommands
{

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var list = new Command("list", "Lists the datasets of the catalog") { json };
        list.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var datasets = p.Registry.All.OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
            if (r.GetValue(json))
            {
                CommonOptions.PrintJson(datasets.Select(Api.CatalogDto.Summary));
                return 0;
            }
            var table = new Table().AddColumns("id", "名称 name", "分级 grade", "共享 sharing", "开放 open", "更新 frequency", "records");
            foreach (var d in datasets)
            {
                table.AddRow(Markup.Escape(d.Id), Markup.Escape($"{d.NameZh} / {d.NameEn}"), d.Grade.ToString(), Markup.Escape(Api.CatalogDto.SharingName(d.Sharing)),
                    d.IsOpen ? "yes" : "no", Markup.Escape(d.UpdateFrequency), (await p.Store.CountRecordsAsync(d, ct)).ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            return 0;
        }, ct));

        var idArg = new Argument<string>("id") { Description = "Dataset id, e.g. highway.gantry_transaction" };
        var show = new Command("show", "Shows one dataset: metadata, schema and latest quality") { idArg, json };
        show.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var d = CommonOptions.Dataset(p, r.GetValue(idArg)!);
            var latest = (await p.Store.ListBatchesAsync(d.Id, 1, ct)).FirstOrDefault();
            var count = await p.Store.CountRecordsAsync(d, ct);
            if (r.GetValue(json))
            {
                CommonOptions.PrintJson(Api.CatalogDto.Detail(d, count, latest));
                return 0;
            }
            AnsiConsole.MarkupLineInterpolated($"[bold]{d.Id}[/]  {d.NameZh} / {d.NameEn}");
            AnsiConsole.WriteLine(d.DescriptionZh);
            AnsiConsole.WriteLine(d.DescriptionEn);
            var meta = new Grid().AddColumn().AddColumn();
            meta.AddRow("owner 数据责任单位", Markup.Escape(d.OwnerOrganisation));
            meta.AddRow("grade 分级", Markup.Escape($"{d.Grade} — {d.GradeStandardName}"));
            meta.AddRow("sharing 共享类型", Markup.Escape(Api.CatalogDto.SharingName(d.Sharing)));
            meta.AddRow("open 开放", d.IsOpen ? "yes" : "no");
            meta.AddRow("update frequency 更新频率", Markup.Escape(d.UpdateFrequency));
            meta.AddRow("source system 来源系统", Markup.Escape(d.SourceSystem));
            meta.AddRow("lineage 血缘", Markup.Escape(d.Lineage is null ? "source dataset" : $"{string.Join(", ", d.Lineage.Upstream)}: {d.Lineage.Process}"));
            meta.AddRow("records 记录数", count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
            meta.AddRow("latest quality 最近质量", latest is null ? "no batch yet" : $"batch {latest.BatchId}: score {latest.Score}, read {latest.Read}, stored {latest.Stored}, quarantined {latest.Quarantined}");
            AnsiConsole.Write(meta);
            var fields = new Table().AddColumns("field", "type", "unit", "req", "说明", "description", "rules");
            foreach (var f in d.Fields)
            {
                var rules = new List<string>();
                if (f.Min is not null || f.Max is not null)
                {
                    rules.Add($"range [{f.Min}, {f.Max}]");
                }
                if (f.Pattern is not null)
                {
                    rules.Add("pattern");
                }
                if (f.AllowedValues is not null)
                {
                    rules.Add("in {" + string.Join(",", f.AllowedValues) + "}");
                }
                if (f.References is not null)
                {
                    rules.Add("→ " + f.References);
                }
                if (f.Personal != PersonalKind.None)
                {
                    rules.Add("personal: " + f.Personal);
                }
                fields.AddRow(Markup.Escape(f.Name), f.Type.ToString(), Markup.Escape(f.Unit ?? ""), f.Required ? "yes" : "", Markup.Escape(f.DescriptionZh), Markup.Escape(f.DescriptionEn), Markup.Escape(string.Join("; ", rules)));
            }
            AnsiConsole.Write(fields);
            return 0;
        }, ct));

        var text = new Argument<string>("text") { Description = "Words to look for, Chinese or English (e.g. 门架)" };
        var search = new Command("search", "Searches the catalog (names, descriptions, fields) in Chinese or English") { text, json };
        search.SetAction((r, ct) => CommonOptions.RunAsync(r, p =>
        {
            var hits = p.Registry.Search(r.GetValue(text)!);
            if (r.GetValue(json))
            {
                CommonOptions.PrintJson(hits.Select(h => new { id = h.Dataset.Id, nameZh = h.Dataset.NameZh, nameEn = h.Dataset.NameEn, score = h.Score, matchedIn = h.MatchedIn }));
                return Task.FromResult(0);
            }
            if (hits.Count == 0)
            {
                Console.WriteLine($"no dataset matches '{r.GetValue(text)}'");
                return Task.FromResult(0);
            }
            var table = new Table().AddColumns("id", "名称 name", "score", "matched in");
            foreach (var h in hits)
            {
                table.AddRow(Markup.Escape(h.Dataset.Id), Markup.Escape($"{h.Dataset.NameZh} / {h.Dataset.NameEn}"), h.Score.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(string.Join(", ", h.MatchedIn)));
            }
            AnsiConsole.Write(table);
            return Task.FromResult(0);
        }, ct));

        return new Command("catalog", "The resource catalog (总账本)") { list, show, search };
    }
}
