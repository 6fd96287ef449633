using Microsoft.Extensions.FileProviders;
using TransportBrain.Governance.Control;
using TransportBrain.Identity;

namespace TransportBrain.Host.OpsConsole;

/// <summary>Registers and maps the operations console: services, API routes, and the built web app at <c>/</c>.</summary>
public static class ConsoleHost
{
    public static IServiceCollection AddConsole(this IServiceCollection services, Platform platform, ConsoleOptions options)
    {
        services.AddSingleton(options);
        var security = options.SecurityClock ?? platform.Clock;
        services.AddSingleton(new IdentityService(platform.Store, security, options.Identity));
        services.AddSingleton(sp => new LoginThrottle(options, security));
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<IRoadControl>(sp => options.RoadControl is { } road
            ? new BroadcastRoadControl(road, new LiveFeedRoadControl(sp.GetRequiredService<LiveFeed>()))
            : new LiveFeedRoadControl(sp.GetRequiredService<LiveFeed>()));
        services.AddSingleton<ConsoleRuntime>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsoleRuntime>());
        return services;
    }

    /// <summary>The web app's folder: <see cref="ConsoleOptions.WebRoot"/>, or wwwroot next to the executable.</summary>
    public static string WebRoot(ConsoleOptions options) => options.WebRoot ?? Path.Combine(AppContext.BaseDirectory, "wwwroot");

    public static void MapConsole(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<ConsoleOptions>();
        var root = WebRoot(options);
        if (File.Exists(Path.Combine(root, "index.html")))
        {
            var files = new PhysicalFileProvider(root);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                OnPrepareResponse = ctx =>
                {
                    // Hashed asset names never change: cache them; index.html always revalidates.
                    ctx.Context.Response.Headers.CacheControl = ctx.File.Name == "index.html" ? "no-cache" : "public, max-age=31536000, immutable";
                },
            });
        }
        else
        {
            app.MapGet("/", () => TypedResults.Problem($"the console is not built: {root}/index.html is missing (the build runs npm in web/; see README 'Console')",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Console not built")).ExcludeFromDescription();
        }
        var api = app.MapGroup("/api/v1");
        api.MapConsoleAuth();
        api.MapIncidents();
        api.MapLive(options);
        api.MapPlatformClock();
    }
}
