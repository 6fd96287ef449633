using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;
using TransportBrain.Identity;

namespace TransportBrain.Host.Cli;

/// <summary><c>brain users</c>: console users (the first administrator is created here).</summary>
internal static class UserCommands
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "User name (login), e.g. admin", Required = true };
        var role = new Option<string>("--role") { Description = "administrator, operator, supervisor or viewer", DefaultValueFactory = _ => "viewer" };
        var org = new Option<string>("--org") { Description = "Organisation, e.g. 贵州省交通运输厅", Required = true };
        var display = new Option<string?>("--display-name") { Description = "Full name shown in the console, e.g. 张伟" };
        var password = new Option<string?>("--password") { Description = "Password (visible in the process list: prefer the prompt or --password-stdin)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input" };

        var create = new Command("create", "Creates a console user; asks for the password unless given") { name, role, org, display, password, passwordStdin };
        create.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            if (!ConsolePermissions.TryParse(r.GetValue(role), out var parsedRole))
            {
                throw new CliException($"--role '{r.GetValue(role)}' is not administrator, operator, supervisor or viewer");
            }
            var secret = ReadPassword(r.GetValue(password), r.GetValue(passwordStdin), confirm: true);
            var identity = new IdentityService(p.Store, p.Clock);
            try
            {
                var u = await identity.CreateUserAsync(r.GetValue(name)!, secret, parsedRole, r.GetValue(org)!, r.GetValue(display), "cli:" + Environment.UserName, ct);
                Console.WriteLine($"user {u.Name} ({ConsolePermissions.Slug(u.Role)} {ConsolePermissions.NameZh(u.Role)}) of {u.Organisation} created; log in at the console (/)");
                return 0;
            }
            catch (IdentityException e)
            {
                throw new CliException(e.Message);
            }
        }, ct));

        var list = new Command("list", "Lists console users with role, organisation and lockout");
        list.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var identity = new IdentityService(p.Store, p.Clock);
            var table = new Table().AddColumns("user", "name", "role", "organisation", "state", "last login (UTC)");
            foreach (var u in (await identity.ListUsersAsync(ct)).OrderBy(u => u.Name, StringComparer.Ordinal))
            {
                var state = u.Disabled ? "disabled" : u.IsLockedAt(p.Clock.GetUtcNow()) ? $"locked until {u.LockedUntil:u}" : "active";
                table.AddRow(Markup.Escape(u.Name), Markup.Escape(u.DisplayName ?? ""), ConsolePermissions.Slug(u.Role), Markup.Escape(u.Organisation), state,
                    u.LastLoginAt?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            }
            AnsiConsole.Write(table);
            return 0;
        }, ct));

        var target = new Argument<string>("user") { Description = "User name" };
        var unlock = new Command("unlock", "Lifts a login lockout") { target };
        unlock.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            await Mutate(() => new IdentityService(p.Store, p.Clock).UnlockAsync(r.GetValue(target)!, ct));
            Console.WriteLine($"{r.GetValue(target)} unlocked");
            return 0;
        }, ct));

        var pwTarget = new Argument<string>("user") { Description = "User name" };
        var setPassword = new Command("set-password", "Sets a new password (ends the user's sessions)") { pwTarget, passwordStdin };
        setPassword.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            var secret = ReadPassword(null, r.GetValue(passwordStdin), confirm: true);
            await Mutate(() => new IdentityService(p.Store, p.Clock).SetPasswordAsync(r.GetValue(pwTarget)!, secret, ct));
            Console.WriteLine($"password of {r.GetValue(pwTarget)} changed");
            return 0;
        }, ct));

        var roleTarget = new Argument<string>("user") { Description = "User name" };
        var newRole = new Argument<string>("role") { Description = "administrator, operator, supervisor or viewer" };
        var setRole = new Command("set-role", "Changes a user's role (ends the user's sessions)") { roleTarget, newRole };
        setRole.SetAction((r, ct) => CommonOptions.RunAsync(r, async p =>
        {
            if (!ConsolePermissions.TryParse(r.GetValue(newRole), out var parsed))
            {
                throw new CliException($"'{r.GetValue(newRole)}' is not administrator, operator, supervisor or viewer");
            }
            await Mutate(() => new IdentityService(p.Store, p.Clock).UpdateUserAsync(r.GetValue(roleTarget)!, parsed, null, null, null, ct));
            Console.WriteLine($"{r.GetValue(roleTarget)} is now {ConsolePermissions.Slug(parsed)}");
            return 0;
        }, ct));

        return new Command("users", "Console users: create (the first administrator), list, unlock, set-password, set-role") { create, list, unlock, setPassword, setRole };
    }

    private static async Task Mutate(Func<Task<ConsoleUser>> change)
    {
        try
        {
            await change();
        }
        catch (IdentityException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static string ReadPassword(string? given, bool fromStdin, bool confirm)
    {
        if (given is not null)
        {
            return given;
        }
        if (fromStdin || Console.IsInputRedirected)
        {
            return Console.In.ReadLine() ?? throw new CliException("no password on standard input");
        }
        var first = Prompt("password: ");
        if (confirm && Prompt("again:    ") != first)
        {
            throw new CliException("the passwords differ");
        }
        return first;
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label);
        var sb = new StringBuilder();
        while (true)
        {
            var k = Console.ReadKey(intercept: true);
            if (k.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return sb.ToString();
            }
            if (k.Key == ConsoleKey.Backspace)
            {
                if (sb.Length > 0)
                {
                    sb.Length--;
                }
            }
            else if (!char.IsControl(k.KeyChar))
            {
                sb.Append(k.KeyChar);
            }
        }
    }
}
