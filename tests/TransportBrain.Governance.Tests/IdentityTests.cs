using TransportBrain.Identity;

namespace TransportBrain.Governance.Tests;

public sealed class IdentityTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 8, 0, 0, TimeSpan.Zero);
    private readonly ManualClock _clock = new(T0);
    private readonly IdentityOptions _options = new() { PasswordIterations = 1_000, MaxFailedAttempts = 3, LockoutDuration = TimeSpan.FromMinutes(15) };
    private TempStore _store = null!;
    private IdentityService _identity = null!;

    public async Task InitializeAsync()
    {
        _store = await TempStore.OpenAsync();
        _identity = new IdentityService(_store.Store, _clock, _options);
        await _identity.CreateUserAsync("Zhang.Wei", "correct horse", ConsoleRole.Operator, "省交通运输厅指挥中心", "张伟");
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public void Password_hashes_are_salted_pbkdf2_hmac_sm3_and_verify_only_the_right_password()
    {
        var a = PasswordHasher.Hash("密码 with 中文", 2_000);
        var b = PasswordHasher.Hash("密码 with 中文", 2_000);
        Assert.StartsWith("pbkdf2-hmac-sm3$2000$", a);
        Assert.NotEqual(a, b);
        Assert.True(PasswordHasher.Verify("密码 with 中文", a));
        Assert.False(PasswordHasher.Verify("密码 with 中文 ", a));
        Assert.False(PasswordHasher.Verify("x", "pbkdf2-hmac-sm3$notanumber$AA==$AA=="));
        Assert.False(PasswordHasher.Verify("x", "sha1$1$AA==$AA=="));
    }

    [Fact]
    public async Task A_login_with_the_right_password_opens_a_session_that_resolves_to_the_user()
    {
        var r = await _identity.LoginAsync("zhang.wei", "correct horse", "127.0.0.1");
        Assert.Equal(LoginOutcome.Success, r.Outcome);
        var s = await _identity.ValidateAsync(r.Token);
        Assert.NotNull(s);
        Assert.Equal("zhang.wei", s.User.Name);
        Assert.Equal(ConsoleRole.Operator, s.User.Role);
        Assert.Equal("省交通运输厅指挥中心", s.User.Organisation);
        Assert.Null(await _identity.ValidateAsync("not-a-token"));
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account_and_even_the_right_password_is_refused_until_the_lockout_ends()
    {
        var first = await _identity.LoginAsync("zhang.wei", "wrong", null);
        Assert.Equal(LoginOutcome.BadCredentials, first.Outcome);
        Assert.Equal(2, first.AttemptsLeft);
        Assert.Equal(LoginOutcome.BadCredentials, (await _identity.LoginAsync("zhang.wei", "wrong", null)).Outcome);
        var third = await _identity.LoginAsync("zhang.wei", "wrong", null);
        Assert.Equal(LoginOutcome.LockedOut, third.Outcome);
        Assert.Equal(T0 + TimeSpan.FromMinutes(15), third.LockedUntil);

        _clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(LoginOutcome.LockedOut, (await _identity.LoginAsync("zhang.wei", "correct horse", null)).Outcome);

        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(LoginOutcome.Success, (await _identity.LoginAsync("zhang.wei", "correct horse", null)).Outcome);
        Assert.Equal(0, (await _identity.FindUserAsync("zhang.wei"))!.FailedAttempts);
    }

    [Fact]
    public async Task A_lockout_survives_a_restart_because_it_is_stored()
    {
        for (var i = 0; i < 3; i++)
        {
            await _identity.LoginAsync("zhang.wei", "wrong", null);
        }
        await _store.ReopenAsync();
        var fresh = new IdentityService(_store.Store, _clock, _options);
        Assert.Equal(LoginOutcome.LockedOut, (await fresh.LoginAsync("zhang.wei", "correct horse", null)).Outcome);
        await fresh.UnlockAsync("zhang.wei");
        Assert.Equal(LoginOutcome.Success, (await fresh.LoginAsync("zhang.wei", "correct horse", null)).Outcome);
    }

    [Fact]
    public async Task An_unknown_user_gets_the_same_answer_as_a_wrong_password()
    {
        var r = await _identity.LoginAsync("nobody", "whatever1", null);
        Assert.Equal(LoginOutcome.BadCredentials, r.Outcome);
        Assert.Null(r.Token);
    }

    [Fact]
    public async Task Sessions_expire_after_idle_time_and_after_their_lifetime_whatever_the_activity()
    {
        var r = await _identity.LoginAsync("zhang.wei", "correct horse", null);
        // Activity every 20 minutes keeps the 30-minute idle timeout at bay...
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(20));
            Assert.NotNull(await _identity.ValidateAsync(r.Token));
        }
        // ...and 31 idle minutes end it.
        _clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Null(await _identity.ValidateAsync(r.Token));

        var r2 = await _identity.LoginAsync("zhang.wei", "correct horse", null);
        for (var i = 0; i < 36; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(20));
            if (i < 35)
            {
                Assert.NotNull(await _identity.ValidateAsync(r2.Token));
            }
        }
        Assert.Null(await _identity.ValidateAsync(r2.Token)); // 12 h absolute lifetime passed
    }

    [Fact]
    public async Task Logout_disabling_and_role_changes_end_sessions_and_a_disabled_user_cannot_log_in()
    {
        var r = await _identity.LoginAsync("zhang.wei", "correct horse", null);
        await _identity.LogoutAsync(r.Token!);
        Assert.Null(await _identity.ValidateAsync(r.Token));

        var r2 = await _identity.LoginAsync("zhang.wei", "correct horse", null);
        await _identity.UpdateUserAsync("zhang.wei", ConsoleRole.Viewer, null, null, null);
        Assert.Null(await _identity.ValidateAsync(r2.Token));

        await _identity.UpdateUserAsync("zhang.wei", null, null, null, disabled: true);
        Assert.Equal(LoginOutcome.Disabled, (await _identity.LoginAsync("zhang.wei", "correct horse", null)).Outcome);
    }

    [Fact]
    public async Task Sessions_are_stored_so_another_server_instance_resolves_them()
    {
        var r = await _identity.LoginAsync("zhang.wei", "correct horse", null);
        var other = new IdentityService(_store.Store, _clock, _options);
        Assert.Equal("zhang.wei", (await other.ValidateAsync(r.Token))!.User.Name);
    }

    [Fact]
    public async Task Users_need_a_unique_name_an_organisation_and_a_long_enough_password()
    {
        await Assert.ThrowsAsync<IdentityException>(() => _identity.CreateUserAsync("zhang.wei", "another pass", ConsoleRole.Viewer, "x"));
        await Assert.ThrowsAsync<IdentityException>(() => _identity.CreateUserAsync("li.na", "short", ConsoleRole.Viewer, "x"));
        await Assert.ThrowsAsync<IdentityException>(() => _identity.CreateUserAsync("li.na", "long enough", ConsoleRole.Viewer, " "));
        await Assert.ThrowsAsync<IdentityException>(() => _identity.CreateUserAsync("li na", "long enough", ConsoleRole.Viewer, "x"));
    }

    [Theory]
    [InlineData(ConsoleRole.Administrator, true, true, true, true)]
    [InlineData(ConsoleRole.Operator, true, true, false, false)]
    [InlineData(ConsoleRole.Supervisor, false, true, true, false)]
    [InlineData(ConsoleRole.Viewer, false, false, false, false)]
    public void Roles_grant_what_the_console_allows(ConsoleRole role, bool incidents, bool alarms, bool approve, bool users)
    {
        Assert.Equal(incidents, ConsolePermissions.CanRunIncidents(role));
        Assert.Equal(alarms, ConsolePermissions.CanHandleAlarms(role));
        Assert.Equal(approve, ConsolePermissions.CanApproveReleases(role));
        Assert.Equal(users, ConsolePermissions.CanManageUsers(role));
        Assert.True(ConsolePermissions.TryParse(ConsolePermissions.Slug(role), out var parsed) && parsed == role);
    }
}
