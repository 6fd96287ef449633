using System.CommandLine;
using TransportBrain.Host.Api;

namespace TransportBrain.Host.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var maxBody = new Option<long>("--max-request-bytes") { Description = "Largest push-ingest body accepted, in bytes", DefaultValueFactory = _ => 16L * 1024 * 1024 };
        var cmd = new Command("serve", "Runs the platform (HTTP API) on the chosen store") { urls, maxBody };
        cmd.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var app = ServerHost.Build(p, new ServerOptions(r.GetValue(urls)!, r.GetValue(maxBody)));
            await app.StartAsync(ct);
            Console.WriteLine($"TransportBrain serving on {string.Join(", ", app.Urls)} (store: {p.Store.Kind} at {p.Store.Location})");
            Console.WriteLine($"  catalog: {app.Urls.First()}/api/v1/catalog   OpenAPI: {app.Urls.First()}/openapi/v1.json   health: {app.Urls.First()}/health");
            await app.WaitForShutdownAsync(ct);
            return 0;
        }, ct));
        return cmd;
    }
}
