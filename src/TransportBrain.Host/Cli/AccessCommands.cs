using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using TransportBrain.Hub.Sharing;

namespace TransportBrain.Host.Cli;

internal static class AccessCommands
{
    public static Command CreateKeys()
    {
        var org = new Option<string>("--org") { Description = "Organisation the key belongs to, e.g. 贵州省公安厅交警总队", Required = true };
        var name = new Option<string>("--name") { Description = "What the key is for", DefaultValueFactory = _ => "api" };
        var admin = new Option<bool>("--admin") { Description = "An administrator key (reads the audit log, writes every dataset)" };
        var grants = new Option<string[]>("--grant")
        {
            Description = "DATASET[:r][w][u] — read, write, unmasked (repeatable), e.g. highway.gantry_transaction:ru",
            AllowMultipleArgumentsPerToken = true,
        };
        var create = new Command("create", "Creates an API key; the secret is shown once") { org, name, admin, grants };
        create.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var parsed = (r.GetValue(grants) ?? []).Select(g => ParseGrant(p, g)).ToList();
            var (key, secret) = await p.Keys.CreateAsync(r.GetValue(org)!, r.GetValue(name)!, r.GetValue(admin), ct);
            foreach (var (dataset, read, write, unmasked) in parsed)
            {
                await p.Store.SetGrantAsync(new DatasetGrant(key.Id, dataset, read, write, unmasked), ct);
            }
            Console.WriteLine($"key {key.Id} for {key.Organisation}{(key.IsAdmin ? " (administrator)" : "")}");
            Console.WriteLine($"secret (shown once, send as 'Authorization: Bearer <secret>'):");
            Console.WriteLine(secret);
            return 0;
        }, ct));

        var listJson = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "Lists API keys and their grants") { listJson };
        list.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var keys = await p.Store.ListKeysAsync(ct);
            if (r.GetValue(listJson))
            {
                var rows = new List<object>();
                foreach (var k in keys)
                {
                    var grants = await p.Store.ListGrantsAsync(k.Id, ct);
                    rows.Add(new
                    {
                        id = k.Id, organisation = k.Organisation, name = k.Name, admin = k.IsAdmin, createdAt = k.CreatedAt, revokedAt = k.RevokedAt,
                        grants = grants.Select(x => new { dataset = x.DatasetId, read = x.CanRead, write = x.CanWrite, unmasked = x.Unmasked }),
                    });
                }
                CommonOptions.PrintJson(rows);
                return 0;
            }
            var table = new Table().AddColumns("key", "organisation", "name", "admin", "created (UTC)", "revoked", "grants");
            foreach (var k in keys)
            {
                var g = await p.Store.ListGrantsAsync(k.Id, ct);
                table.AddRow(k.Id, Markup.Escape(k.Organisation), Markup.Escape(k.Name), k.IsAdmin ? "yes" : "", k.CreatedAt.ToString("u", CultureInfo.InvariantCulture),
                    k.RevokedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "",
                    Markup.Escape(string.Join(" ", g.Select(x => $"{x.DatasetId}:{(x.CanRead ? "r" : "")}{(x.CanWrite ? "w" : "")}{(x.Unmasked ? "u" : "")}"))));
            }
            AnsiConsole.Write(table);
            return 0;
        }, ct));

        var keyId = new Argument<string>("key") { Description = "Key id (tbk_...)" };
        var revoke = new Command("revoke", "Revokes a key at once") { keyId };
        revoke.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var ok = await p.Store.RevokeKeyAsync(r.GetValue(keyId)!, p.Clock.GetUtcNow(), ct);
            Console.WriteLine(ok ? $"revoked {r.GetValue(keyId)}" : $"no active key {r.GetValue(keyId)}");
            return ok ? 0 : 1;
        }, ct));

        var grantKey = new Argument<string>("key") { Description = "Key id (tbk_...)" };
        var grantSpec = new Argument<string>("grant") { Description = "DATASET[:r][w][u]" };
        var grant = new Command("grant", "Grants (or changes) a key's access to a dataset") { grantKey, grantSpec };
        grant.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var key = await p.Store.FindKeyAsync(r.GetValue(grantKey)!, ct) ?? throw new CliException($"no key {r.GetValue(grantKey)}");
            var (dataset, read, write, unmasked) = ParseGrant(p, r.GetValue(grantSpec)!);
            await p.Store.SetGrantAsync(new DatasetGrant(key.Id, dataset, read, write, unmasked), ct);
            Console.WriteLine($"{key.Id} ({key.Organisation}) on {dataset}: read={read} write={write} unmasked={unmasked}");
            return 0;
        }, ct));

        return new Command("keys", "API keys for sharing (A4)") { create, list, revoke, grant };
    }

    private static (string Dataset, bool Read, bool Write, bool Unmasked) ParseGrant(Platform p, string spec)
    {
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var id = colon < 0 ? spec : spec[..colon];
        var flags = colon < 0 ? "r" : spec[(colon + 1)..];
        var d = CommonOptions.Dataset(p, id);
        if (flags.Any(c => c is not ('r' or 'w' or 'u')))
        {
            throw new CliException($"grant '{spec}': the flags after ':' are r (read), w (write) and u (unmasked)");
        }
        if (d.Sharing == Hub.Catalog.SharingType.NotShared && flags.Contains('r'))
        {
            throw new CliException($"{d.Id} is not shared (不予共享): read grants cannot be given");
        }
        return (d.Id, flags.Contains('r'), flags.Contains('w'), flags.Contains('u'));
    }

    public static Command CreateAudit()
    {
        var dataset = new Option<string?>("--dataset") { Description = "Only this dataset" };
        var org = new Option<string?>("--org") { Description = "Only this organisation" };
        var limit = new Option<int>("--limit") { Description = "How many (newest first)", DefaultValueFactory = _ => 50 };
        var json = new Option<bool>("--json") { Description = "Print JSON (as GET /api/v1/audit)" };
        var list = new Command("list", "Shows the audit log of data access") { dataset, org, limit, json };
        list.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var entries = await p.Store.QueryAuditAsync(new AuditQuery(r.GetValue(dataset), r.GetValue(org), null, null, null, r.GetValue(limit)), ct);
            if (r.GetValue(json))
            {
                CommonOptions.PrintJson(entries);
                return 0;
            }
            var table = new Table().AddColumns("id", "time (UTC+8)", "organisation", "key", "dataset", "action", "query", "rows");
            foreach (var e in entries)
            {
                table.AddRow(e.Id.ToString(CultureInfo.InvariantCulture), e.At.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    Markup.Escape(e.Organisation), Markup.Escape(e.KeyId ?? "-"), Markup.Escape(e.DatasetId), Markup.Escape(e.Action), Markup.Escape(e.Query),
                    e.RowCount.ToString(CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            return 0;
        }, ct));
        var verify = new Command("verify", "Checks the audit log's SM3 hash chain for tampering");
        verify.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var broken = await p.Store.VerifyAuditChainAsync(ct);
            Console.WriteLine(broken is null ? "audit chain intact" : $"audit chain BROKEN at entry {broken}");
            return broken is null ? 0 : 3;
        }, ct));
        return new Command("audit", "The audit trail of data access (A4, I2)") { list, verify };
    }
}
