using System.CommandLine;
using System.Net;
using TransportBrain.Host.Api;

namespace TransportBrain.Host.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var maxBody = new Option<long>("--max-request-bytes") { Description = "Largest push-ingest body accepted, in bytes", DefaultValueFactory = _ => 16L * 1024 * 1024 };
        var jt808Port = new Option<int>("--jt808-port") { Description = "TCP port of the JT/T 808 gateway for vehicle terminals (0: no gateway)", DefaultValueFactory = _ => 6808 };
        var jt808Host = new Option<string>("--jt808-host") { Description = "Address the JT/T 808 gateway binds (0.0.0.0 for every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var cmd = new Command("serve", "Runs the platform (HTTP API and the JT/T 808 gateway) on the chosen store") { urls, maxBody, jt808Port, jt808Host };
        cmd.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var port = r.GetValue(jt808Port);
            if (port is < 0 or > 65535)
            {
                throw new CliException($"--jt808-port {port} is not a TCP port");
            }
            if (!IPAddress.TryParse(r.GetValue(jt808Host), out var address))
            {
                throw new CliException($"--jt808-host '{r.GetValue(jt808Host)}' is not an IP address");
            }
            var options = CommonOptions.Platform(r);
            await using var fleet = await p.StartFleetAsync(port == 0 ? null : new IPEndPoint(address, port), options.DataDirectory,
                m => Console.Error.WriteLine("jt808: " + m), ct);
            await using var highway = await p.StartHighwayAsync(live: true, ct);
            var app = ServerHost.Build(p, new ServerOptions(r.GetValue(urls)!, r.GetValue(maxBody)), fleet, highway: highway);
            await app.StartAsync(ct);
            Console.WriteLine($"TransportBrain serving on {string.Join(", ", app.Urls)} (store: {p.Store.Kind} at {p.Store.Location})");
            Console.WriteLine($"  catalog: {app.Urls.First()}/api/v1/catalog   OpenAPI: {app.Urls.First()}/openapi/v1.json   health: {app.Urls.First()}/health");
            Console.WriteLine(fleet.Gateway?.EndPoint is { } ep
                ? $"  JT/T 808 gateway: tcp://{ep}   vehicles: {app.Urls.First()}/api/v1/fleet/vehicles"
                : "  JT/T 808 gateway: off");
            Console.WriteLine(highway.Network is { } net
                ? $"  highway: {net.Sections.Count} sections, {net.Gantries.Count} gantries   map: {app.Urls.First()}/api/v1/highway/network"
                : "  highway: no road network yet (brain highway network import FILE)");
            await app.WaitForShutdownAsync(ct);
            await app.DisposeAsync();
            return 0;
        }, ct));
        return cmd;
    }
}
