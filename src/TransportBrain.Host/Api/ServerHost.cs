using TransportBrain.Fleet;
using TransportBrain.Host.OpsConsole;

namespace TransportBrain.Host.Api;

/// <summary>Server settings. MaxRequestBytes bounds a push-ingest body (bytes).</summary>
public sealed record ServerOptions(string Urls, long MaxRequestBytes = 16 * 1024 * 1024)
{
    /// <summary>When set, also receives the server's errors (see <see cref="RecentServerErrors"/>).</summary>
    public RecentServerErrors? Errors { get; init; }
}

/// <summary>Builds the platform's web application: API, health, OpenAPI document.</summary>
public static class ServerHost
{
    public static WebApplication Build(Platform platform, ServerOptions options, FleetService fleet, ConsoleOptions? console = null, TransportBrain.Highway.HighwayService? highway = null)
    {
        // The content root is the application's folder, not the working directory: the host watches its
        // content root (recursively, for configuration changes), and a data directory under the working
        // directory made every database write an inotify event for it (5% of the server's CPU under the
        // JT/T 808 burst load).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBytes);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (options.Errors is { } errors)
        {
            builder.Logging.AddProvider(errors);
        }
        builder.Services.AddSingleton(platform);
        builder.Services.AddSingleton(fleet);
        // Without a live highway service (tests, tools) the API still serves the stored network, read-only.
        builder.Services.AddSingleton(highway ?? platform.StartHighwayAsync(live: false).GetAwaiter().GetResult());
        builder.Services.AddExceptionHandler<StoreBusyHandler>();
        builder.Services.AddProblemDetails();
        builder.Services.AddConsole(platform, console ?? new ConsoleOptions());
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "TransportBrain API";
            doc.Info.Description = "数字交通数据大脑 / transport data brain: catalog, ingest with quality gates, sharing with masking and audit.";
            return Task.CompletedTask;
        }));
        var app = builder.Build();
        if (highway is not null)
        {
            // the live highway pipeline feeds the console's map and opens detected incidents in emergency command
            TransportBrain.Host.OpsConsole.HighwayLink.Connect(highway, app.Services.GetRequiredService<TransportBrain.Host.OpsConsole.LiveFeed>(),
                app.Services.GetRequiredService<TransportBrain.Host.OpsConsole.ConsoleRuntime>(), m => app.Logger.LogWarning("{Message}", m));
        }
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi("/openapi/v1.json");
        app.MapGet("/health", (Platform p) => TypedResults.Ok(new { status = "ok", store = p.Store.Kind, datasets = p.Registry.All.Count }))
            .WithSummary("Liveness: the store kind and how many datasets are registered.");
        app.MapHub(options);
        app.MapFleet();
        app.MapHighway();
        app.MapConsole();
        return app;
    }
}
