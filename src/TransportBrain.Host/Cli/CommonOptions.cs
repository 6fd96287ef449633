using System.CommandLine;
using Spectre.Console;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;

namespace TransportBrain.Host.Cli;

/// <summary>Options every command shares: where the data lives and which store.</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> Data = new("--data") { Description = "Data directory (default: $BRAIN_DATA or ./data)", Recursive = true };
    /// <summary>How the commands print JSON (<c>--json</c>): the API's names (camelCase), indented, Chinese as it is.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void PrintJson(object value) => Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(value, Json));

    public static readonly Option<string?> Store = new("--store") { Description = "Store: sqlite (default, in the data directory) or postgres://user:pass@host:port/db", Recursive = true };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Data);
        root.Options.Add(Store);
    }

    public static PlatformOptions Platform(ParseResult r) => PlatformOptions.FromEnvironment(r.GetValue(Data), r.GetValue(Store));

    /// <summary>Runs a command body with the platform open; user errors print one clear line and exit 1.</summary>
    public static async Task<int> RunAsync(ParseResult r, Func<Platform, Task<int>> body, CancellationToken ct)
    {
        try
        {
            await using var platform = await TransportBrain.Host.Platform.OpenAsync(Platform(r), ct: ct);
            return await body(platform);
        }
        catch (Exception e) when (e is IngestException or ArgumentException or IOException or UnauthorizedAccessException or CliException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 1;
        }
    }

    public static DatasetDefinition Dataset(Platform p, string id) =>
        p.Registry.TryGet(id, out var d) ? d : throw new CliException($"there is no dataset '{id}' in the catalog; 'brain catalog list' shows them");
}

internal sealed class CliException(string message) : Exception(message);
