namespace TransportBrain.Identity;

/// <summary>What a console user may do. Roles are ordered by nothing: each permission lists its roles.</summary>
public enum ConsoleRole
{
    /// <summary>管理员: everything, including users and the data office (quarantine, audit).</summary>
    Administrator,

    /// <summary>值班员 (operator): runs incidents and emergency response, handles alarms.</summary>
    Operator,

    /// <summary>监管员 (supervisor): the fleet supervision desk; approves public information releases.</summary>
    Supervisor,

    /// <summary>只读 (viewer): looks at everything it is shown, changes nothing.</summary>
    Viewer,
}

/// <summary>The console's permissions, one place to read them.</summary>
public static class ConsolePermissions
{
    public static bool CanRunIncidents(ConsoleRole r) => r is ConsoleRole.Administrator or ConsoleRole.Operator;

    public static bool CanHandleAlarms(ConsoleRole r) => r is ConsoleRole.Administrator or ConsoleRole.Operator or ConsoleRole.Supervisor;

    /// <summary>Approving a public information release: a person on duty above the operator who drafted it.</summary>
    public static bool CanApproveReleases(ConsoleRole r) => r is ConsoleRole.Administrator or ConsoleRole.Supervisor;

    public static bool CanManageResources(ConsoleRole r) => r is ConsoleRole.Administrator or ConsoleRole.Operator;

    public static bool CanManageUsers(ConsoleRole r) => r is ConsoleRole.Administrator;

    public static string Slug(ConsoleRole r) => r switch
    {
        ConsoleRole.Administrator => "administrator",
        ConsoleRole.Operator => "operator",
        ConsoleRole.Supervisor => "supervisor",
        _ => "viewer",
    };

    public static string NameZh(ConsoleRole r) => r switch
    {
        ConsoleRole.Administrator => "管理员",
        ConsoleRole.Operator => "值班员",
        ConsoleRole.Supervisor => "监管员",
        _ => "只读用户",
    };

    public static bool TryParse(string? text, out ConsoleRole role)
    {
        role = text?.Trim().ToLowerInvariant() switch
        {
            "administrator" or "admin" or "管理员" => ConsoleRole.Administrator,
            "operator" or "值班员" => ConsoleRole.Operator,
            "supervisor" or "监管员" => ConsoleRole.Supervisor,
            "viewer" or "只读" or "只读用户" => ConsoleRole.Viewer,
            _ => (ConsoleRole)(-1),
        };
        return (int)role >= 0;
    }

    public static IReadOnlyList<string> Permissions(ConsoleRole r)
    {
        var list = new List<string>();
        if (CanRunIncidents(r))
        {
            list.Add("incidents");
        }
        if (CanHandleAlarms(r))
        {
            list.Add("alarms");
        }
        if (CanApproveReleases(r))
        {
            list.Add("approve_releases");
        }
        if (CanManageResources(r))
        {
            list.Add("resources");
        }
        if (CanManageUsers(r))
        {
            list.Add("users");
            list.Add("data_office");
        }
        return list;
    }
}
