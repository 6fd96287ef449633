using System.Collections.Concurrent;
using TransportBrain.Identity;

namespace TransportBrain.Host.OpsConsole;

public sealed record LoginRequest(string? Name, string? Password);

public sealed record CreateUserRequest(string? Name, string? Password, string? Role, string? Organisation, string? DisplayName);

public sealed record UpdateUserRequest(string? Role, string? Organisation, string? DisplayName, bool? Disabled, string? Password, bool? Unlock);

/// <summary>
/// Failed logins per client address in a sliding window: an account lockout stops guessing one
/// password; this stops one client spraying many names.
/// </summary>
public sealed class LoginThrottle(ConsoleOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    public bool IsBlocked(string client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!_failures.TryGetValue(client, out var q))
        {
            return false;
        }
        lock (q)
        {
            Trim(q);
            if (q.Count < options.MaxClientFailures)
            {
                return false;
            }
            retryAfter = q.Peek() + options.ClientFailureWindow - clock.GetUtcNow();
            return true;
        }
    }

    public void Failed(string client)
    {
        var q = _failures.GetOrAdd(client, _ => new Queue<DateTimeOffset>());
        lock (q)
        {
            Trim(q);
            q.Enqueue(clock.GetUtcNow());
        }
        if (_failures.Count > 10_000)
        {
            foreach (var (k, v) in _failures)
            {
                lock (v)
                {
                    Trim(v);
                    if (v.Count == 0)
                    {
                        _failures.TryRemove(k, out _);
                    }
                }
            }
        }
    }

    private void Trim(Queue<DateTimeOffset> q)
    {
        var cutoff = clock.GetUtcNow() - options.ClientFailureWindow;
        while (q.Count > 0 && q.Peek() < cutoff)
        {
            q.Dequeue();
        }
    }
}

/// <summary>Login, logout, who am I, and user administration (administrators).</summary>
public static class AuthEndpoints
{
    public static void MapConsoleAuth(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/login", async (LoginRequest body, HttpContext http, IdentityService identity, LoginThrottle throttle, CancellationToken ct) =>
        {
            var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            if (throttle.IsBlocked(client, out var retry))
            {
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem("too many failed logins from this address; try again later", statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts");
            }
            var result = await identity.LoginAsync(body.Name ?? "", body.Password ?? "", client, ct);
            switch (result.Outcome)
            {
                case LoginOutcome.Success:
                    http.Response.Cookies.Append(ConsoleAuth.CookieName, result.Token!, new CookieOptions
                    {
                        HttpOnly = true,
                        SameSite = SameSiteMode.Strict,
                        Secure = http.Request.IsHttps,
                        Path = "/",
                        Expires = result.Session!.ExpiresAt,
                    });
                    return Results.Ok(new { user = ConsoleDto.User(result.User!), expiresAt = result.Session.ExpiresAt, idleTimeoutS = identity.Options.SessionIdleTimeout.TotalSeconds });
                case LoginOutcome.LockedOut:
                    throttle.Failed(client);
                    return TypedResults.Problem("the account is locked after repeated failed logins", statusCode: StatusCodes.Status423Locked, title: "Locked",
                        extensions: new Dictionary<string, object?> { ["lockedUntil"] = result.LockedUntil, ["code"] = "locked" });
                case LoginOutcome.Disabled:
                    return TypedResults.Problem("the account is disabled", statusCode: StatusCodes.Status403Forbidden, title: "Disabled", extensions: new Dictionary<string, object?> { ["code"] = "disabled" });
                default:
                    throttle.Failed(client);
                    return TypedResults.Problem("wrong name or password", statusCode: StatusCodes.Status401Unauthorized, title: "Wrong name or password",
                        extensions: new Dictionary<string, object?> { ["attemptsLeft"] = result.AttemptsLeft, ["code"] = "bad_credentials" });
            }
        }).WithSummary("Console login (name, password): sets the session cookie. Locks the account after repeated failures.");

        api.MapPost("/auth/logout", async (HttpContext http, IdentityService identity, CancellationToken ct) =>
        {
            if (ConsoleAuth.SessionToken(http.Request) is { } token)
            {
                await identity.LogoutAsync(token, ct);
            }
            http.Response.Cookies.Delete(ConsoleAuth.CookieName, new CookieOptions { Path = "/" });
            return TypedResults.NoContent();
        }).WithSummary("Ends the console session.");

        api.MapGet("/auth/me", async (HttpContext http, IdentityService identity, CancellationToken ct) =>
        {
            var s = await ConsoleAuth.SignedInAsync(http, ct);
            return s is null
                ? TypedResults.Problem("not signed in or the session expired", statusCode: StatusCodes.Status401Unauthorized, title: "Sign in")
                : Results.Ok(new { user = ConsoleDto.User(s.User), expiresAt = s.Session.ExpiresAt, idleTimeoutS = identity.Options.SessionIdleTimeout.TotalSeconds });
        }).WithSummary("The signed-in console user, role and permissions.");

        api.MapGet("/users", async (HttpContext http, Platform p, IdentityService identity, CancellationToken ct) =>
        {
            var (_, _, denied) = await ConsoleAuth.ActorAsync(http, p, ConsolePermissions.CanManageUsers, ct);
            return denied ?? Results.Ok((await identity.ListUsersAsync(ct)).OrderBy(u => u.Name, StringComparer.Ordinal).Select(ConsoleDto.User));
        }).WithSummary("Console users (administrators).");

        api.MapPost("/users", async (CreateUserRequest body, HttpContext http, Platform p, IdentityService identity, CancellationToken ct) =>
        {
            var (actor, _, denied) = await ConsoleAuth.ActorAsync(http, p, ConsolePermissions.CanManageUsers, ct);
            if (denied is not null)
            {
                return denied;
            }
            if (!ConsolePermissions.TryParse(body.Role, out var role))
            {
                return TypedResults.Problem("role is administrator, operator, supervisor or viewer", statusCode: 400, title: "Bad role");
            }
            try
            {
                var u = await identity.CreateUserAsync(body.Name ?? "", body.Password ?? "", role, body.Organisation ?? "", body.DisplayName, actor!.Name, ct);
                return Results.Ok(ConsoleDto.User(u));
            }
            catch (IdentityException e)
            {
                return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Cannot create the user");
            }
        }).WithSummary("Creates a console user (administrators).");

        api.MapPut("/users/{name}", async (string name, UpdateUserRequest body, HttpContext http, Platform p, IdentityService identity, CancellationToken ct) =>
        {
            var (_, _, denied) = await ConsoleAuth.ActorAsync(http, p, ConsolePermissions.CanManageUsers, ct);
            if (denied is not null)
            {
                return denied;
            }
            ConsoleRole? role = null;
            if (body.Role is not null)
            {
                if (!ConsolePermissions.TryParse(body.Role, out var r))
                {
                    return TypedResults.Problem("role is administrator, operator, supervisor or viewer", statusCode: 400, title: "Bad role");
                }
                role = r;
            }
            try
            {
                var u = await identity.UpdateUserAsync(name, role, body.Organisation, body.DisplayName, body.Disabled, ct);
                if (!string.IsNullOrEmpty(body.Password))
                {
                    u = await identity.SetPasswordAsync(name, body.Password, ct);
                }
                if (body.Unlock == true)
                {
                    u = await identity.UnlockAsync(name, ct);
                }
                return Results.Ok(ConsoleDto.User(u));
            }
            catch (IdentityException e)
            {
                return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Cannot change the user");
            }
        }).WithSummary("Changes a user's role, organisation, display name, disabled flag or password, or lifts a lockout (administrators).");
    }
}
