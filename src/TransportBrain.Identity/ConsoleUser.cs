namespace TransportBrain.Identity;

/// <summary>A console user as stored (hub document <c>identity.user</c>, keyed by the lower-case name).</summary>
public sealed record ConsoleUser
{
    public required string Name { get; init; }
    public string? DisplayName { get; init; }
    public required string Organisation { get; init; }
    public ConsoleRole Role { get; init; }
    public required string PasswordHash { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public bool Disabled { get; init; }

    /// <summary>Consecutive failed logins since the last success or lockout.</summary>
    public int FailedAttempts { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public DateTimeOffset? LastLoginAt { get; init; }

    public bool IsLockedAt(DateTimeOffset now) => LockedUntil is { } until && until > now;
}

/// <summary>
/// A console session as stored (hub document <c>identity.session</c>). The key is the SM3 hash of the
/// token, so a copy of the store does not hand out live sessions.
/// </summary>
public sealed record ConsoleSession
{
    public required string Id { get; init; }
    public required string UserName { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset LastSeenAt { get; init; }
    /// <summary>The hard end of the session, whatever the activity.</summary>
    public DateTimeOffset ExpiresAt { get; init; }
    public string? Client { get; init; }
}

public sealed class IdentityOptions
{
    /// <summary>Failed logins in a row that lock an account.</summary>
    public int MaxFailedAttempts { get; init; } = 5;
    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>A session with no request for this long expires.</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(30);
    /// <summary>A session ends this long after login, whatever the activity (one shift).</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(12);
    /// <summary>PBKDF2 iterations for new password hashes.</summary>
    public int PasswordIterations { get; init; } = PasswordHasher.DefaultIterations;
    public int MinPasswordLength { get; init; } = 8;
}

public enum LoginOutcome
{
    Success,
    BadCredentials,
    LockedOut,
    Disabled,
}

/// <param name="Token">The session token to hand to the browser (only on success; never stored).</param>
/// <param name="LockedUntil">When a locked account opens again.</param>
/// <param name="AttemptsLeft">Failed attempts left before the account locks (on a bad password).</param>
public sealed record LoginResult(LoginOutcome Outcome, ConsoleUser? User = null, string? Token = null, ConsoleSession? Session = null,
    DateTimeOffset? LockedUntil = null, int? AttemptsLeft = null);

/// <summary>A request's signed-in user, resolved from a session token.</summary>
public sealed record SignedIn(ConsoleUser User, ConsoleSession Session);

public sealed class IdentityException(string message) : Exception(message);
