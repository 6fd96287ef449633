using TransportBrain.Governance.Incidents;
using TransportBrain.Hub.Sharing;
using TransportBrain.Identity;

namespace TransportBrain.Host.OpsConsole;

/// <summary>
/// Console sessions on HTTP: the session cookie, what a signed-in user may read through the hub's
/// sharing rules, and the attribution of workflow steps. Requests that change something with a cookie
/// must carry the <c>X-TB-Console</c> header: a cross-site form cannot send it (and the cookie is
/// SameSite=Strict as well), so a signed-in browser cannot be made to act by another site.
/// </summary>
public static class ConsoleAuth
{
    public const string CookieName = "tb_session";
    public const string CsrfHeader = "X-TB-Console";

    public static string? SessionToken(HttpRequest request) =>
        request.Cookies.TryGetValue(CookieName, out var token) && !string.IsNullOrEmpty(token) ? token : null;

    /// <summary>The signed-in console user of this request, or null (no cookie, expired, or console not running).</summary>
    public static async Task<SignedIn?> SignedInAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Items.TryGetValue(typeof(SignedIn), out var cached))
        {
            return cached as SignedIn;
        }
        var token = SessionToken(http.Request);
        var identity = http.RequestServices.GetService<IdentityService>();
        var signedIn = token is null || identity is null ? null : await identity.ValidateAsync(token, ct);
        http.Items[typeof(SignedIn)] = signedIn;
        return signedIn;
    }

    /// <summary>
    /// The hub caller for a console session (used by the hub's and fleet's endpoints): administrators are
    /// administrators; the other roles read every shared dataset masked (least privilege), and those who
    /// handle alarms may write fleet.alarm. Null when there is no valid session. A cookie request that
    /// changes something without the console header is refused.
    /// </summary>
    public static async Task<(Caller? Caller, IResult? Denied)> CallerAsync(HttpContext http, Platform p, CancellationToken ct)
    {
        var signedIn = await SignedInAsync(http, ct);
        if (signedIn is null)
        {
            return (null, null);
        }
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !http.Request.Headers.ContainsKey(CsrfHeader))
        {
            return (null, TypedResults.Problem($"a console request that changes something carries the {CsrfHeader} header", statusCode: StatusCodes.Status403Forbidden, title: "Missing console header"));
        }
        return (ToCaller(signedIn.User, p), null);
    }

    public static Caller ToCaller(ConsoleUser user, Platform p)
    {
        var key = new ApiKey
        {
            Id = "user:" + user.Name,
            Organisation = user.Organisation,
            Name = user.Name,
            IsAdmin = user.Role == ConsoleRole.Administrator,
            SecretHash = "",
        };
        if (key.IsAdmin)
        {
            return new Caller(key, []);
        }
        var alarms = ConsolePermissions.CanHandleAlarms(user.Role);
        var grants = p.Registry.All
            .Select(d => new DatasetGrant(key.Id, d.Id, CanRead: true, CanWrite: alarms && d.Id == TransportBrain.Fleet.FleetDatasets.Alarm.Id, Unmasked: false))
            .ToList();
        return new Caller(key, grants);
    }

    public static Actor ToActor(ConsoleUser u) => new(u.DisplayName is { Length: > 0 } dn ? $"{u.Name}/{dn}" : u.Name, u.Organisation, ConsolePermissions.Slug(u.Role));

    /// <summary>
    /// The actor for a console action that needs <paramref name="permission"/>: a signed-in user whose role
    /// has it, or an administrator API key (systems integrating with the desk). Otherwise 401/403.
    /// </summary>
    public static async Task<(Actor? Actor, ConsoleUser? User, IResult? Denied)> ActorAsync(HttpContext http, Platform p, Func<ConsoleRole, bool> permission, CancellationToken ct)
    {
        var (caller, denied) = await CallerAsync(http, p, ct);
        if (denied is not null)
        {
            return (null, null, denied);
        }
        var signedIn = await SignedInAsync(http, ct);
        if (signedIn is not null)
        {
            return permission(signedIn.User.Role)
                ? (ToActor(signedIn.User), signedIn.User, null)
                : (null, null, TypedResults.Problem($"role {ConsolePermissions.Slug(signedIn.User.Role)} ({ConsolePermissions.NameZh(signedIn.User.Role)}) may not do this", statusCode: StatusCodes.Status403Forbidden, title: "Not permitted"));
        }
        var (keyCaller, keyDenied) = await TransportBrain.Host.Api.HubEndpoints.Authorize(http, p, c => c.IsAdmin ? AccessDecision.Allowed : c.Key is null ? AccessDecision.NeedsKey : AccessDecision.Forbidden, ct);
        if (keyDenied is not null)
        {
            return (null, null, caller is null && http.Request.Headers.Authorization.Count == 0 && !http.Request.Headers.ContainsKey("X-Api-Key")
                ? TypedResults.Problem("sign in to the console (POST /api/v1/auth/login) or present an administrator API key", statusCode: StatusCodes.Status401Unauthorized, title: "Sign in")
                : keyDenied);
        }
        return (new Actor(keyCaller!.Key!.Name, keyCaller.Organisation, "api-key"), null, null);
    }

    /// <summary>Read access to the console's own data (incidents, resources): any signed-in user or any valid API key.</summary>
    public static async Task<IResult?> ViewerAsync(HttpContext http, Platform p, CancellationToken ct)
    {
        if (await SignedInAsync(http, ct) is not null)
        {
            return null;
        }
        var (_, denied) = await TransportBrain.Host.Api.HubEndpoints.Authorize(http, p, c => c.Key is null ? AccessDecision.NeedsKey : AccessDecision.Allowed, ct);
        return denied;
    }
}
