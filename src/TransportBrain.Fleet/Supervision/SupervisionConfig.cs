namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// A recurring daily window in local time, <c>[Start, End)</c>; it wraps midnight when
/// <see cref="End"/> is earlier than <see cref="Start"/> (22:00-06:00). Start equal to End is empty.
/// </summary>
public readonly record struct DailyTimeWindow(TimeOnly Start, TimeOnly End)
{
    public bool IsEmpty => Start == End;

    public bool Contains(TimeOnly localTime) => !IsEmpty && localTime.IsBetween(Start, End);

    public override string ToString() => $"{Start:HH\\:mm}-{End:HH\\:mm}";
}

/// <summary>
/// Rule parameters for every vehicle category. Every default and the regulation behind it is
/// listed in <c>docs/supervision-rules.md</c>; change a category with <see cref="WithCategory"/>.
/// </summary>
public sealed record SupervisionConfig
{
    private static readonly IReadOnlyDictionary<VehicleCategory, RuleSettings> s_defaultCategories =
        Enum.GetValues<VehicleCategory>().ToDictionary(c => c, RuleSettings.DefaultFor);

    public static SupervisionConfig Default { get; } = new();

    /// <summary>Settings per category; a category missing here uses the <see cref="VehicleCategory.Unknown"/> entry, then the built-in defaults.</summary>
    public IReadOnlyDictionary<VehicleCategory, RuleSettings> Categories { get; init; } = s_defaultCategories;

    public RuleSettings For(VehicleCategory category) =>
        Categories.TryGetValue(category, out var settings) ? settings
        : Categories.TryGetValue(VehicleCategory.Unknown, out var fallback) ? fallback
        : RuleSettings.DefaultFor(category);

    /// <summary>A copy with one category's settings changed.</summary>
    public SupervisionConfig WithCategory(VehicleCategory category, Func<RuleSettings, RuleSettings> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var categories = Enum.GetValues<VehicleCategory>().ToDictionary(c => c, For);
        categories[category] = change(For(category));
        return this with { Categories = categories };
    }

    /// <summary>A copy with every category's settings changed the same way.</summary>
    public SupervisionConfig WithEveryCategory(Func<RuleSettings, RuleSettings> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return this with { Categories = Enum.GetValues<VehicleCategory>().ToDictionary(c => c, c => change(For(c))) };
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad key; the engine calls it at start.</summary>
    public void Validate()
    {
        foreach (var category in Enum.GetValues<VehicleCategory>())
        {
            For(category).Validate(category);
        }
    }
}

/// <summary>Rule parameters for one vehicle category.</summary>
public sealed record RuleSettings
{
    /// <summary>A vehicle is moving (driving) above this GNSS speed; below or at it, it is stopped. km/h.</summary>
    public double MovingThresholdKmh { get; init; } = 5;

    /// <summary>
    /// Longest gap between consecutive fixes that is still bridged by assuming the earlier fix's
    /// state held throughout; longer gaps restart sustained-condition timers and are not counted as driving.
    /// </summary>
    public TimeSpan MaxFixGap { get; init; } = TimeSpan.FromMinutes(5);

    public OverspeedSettings Overspeed { get; init; } = new();

    public FatigueSettings Fatigue { get; init; } = new();

    public NightDrivingSettings NightDriving { get; init; } = new();

    public OfflineSettings Offline { get; init; } = new();

    public GeofenceSettings Geofence { get; init; } = new();

    public RouteDeviationSettings RouteDeviation { get; init; } = new();

    public DeviceAlarmSettings DeviceAlarms { get; init; } = new();

    public static RuleSettings DefaultFor(VehicleCategory category) => category switch
    {
        VehicleCategory.Coach or VehicleCategory.Charter => new RuleSettings
        {
            Overspeed = new OverspeedSettings { ExpresswayLimitKmh = 100, NightSpeedFactor = 0.8 },
            Fatigue = new FatigueSettings { NightContinuousLimit = TimeSpan.FromHours(2) },
            NightDriving = new NightDrivingSettings { Enabled = true },
        },
        VehicleCategory.DangerousGoods => new RuleSettings
        {
            Overspeed = new OverspeedSettings { ExpresswayLimitKmh = 80, OtherRoadLimitKmh = 60 },
        },
        VehicleCategory.HeavyTruck => new RuleSettings
        {
            Overspeed = new OverspeedSettings { ExpresswayLimitKmh = 100 },
        },
        _ => new RuleSettings
        {
            Fatigue = new FatigueSettings { DailyLimit = null },
        },
    };

    internal void Validate(VehicleCategory category)
    {
        var where = $"SupervisionConfig[{category}]";
        Require(double.IsFinite(MovingThresholdKmh) && MovingThresholdKmh >= 0, $"{where}.MovingThresholdKmh must be >= 0 km/h.");
        Require(MaxFixGap > TimeSpan.Zero, $"{where}.MaxFixGap must be positive.");

        var o = Overspeed;
        Require(o.ExpresswayLimitKmh is null or > 0, $"{where}.Overspeed.ExpresswayLimitKmh must be positive or null.");
        Require(o.OtherRoadLimitKmh is null or > 0, $"{where}.Overspeed.OtherRoadLimitKmh must be positive or null.");
        Require(o.ToleranceKmh >= 0 && o.TolerancePercent >= 0, $"{where}.Overspeed tolerances must be >= 0.");
        Require(o.MinDuration >= TimeSpan.Zero && o.EndHold >= TimeSpan.Zero, $"{where}.Overspeed.MinDuration and EndHold must be >= 0.");
        Require(o.NightSpeedFactor is > 0 and <= 1, $"{where}.Overspeed.NightSpeedFactor must be in (0, 1].");
        Require(o.SeriousExcessRatio > 0 && o.CriticalExcessRatio >= o.SeriousExcessRatio, $"{where}.Overspeed excess ratios must satisfy 0 < Serious <= Critical.");

        var f = Fatigue;
        Require(f.ContinuousLimit > TimeSpan.Zero, $"{where}.Fatigue.ContinuousLimit must be positive.");
        Require(f.NightContinuousLimit is null || f.NightContinuousLimit > TimeSpan.Zero, $"{where}.Fatigue.NightContinuousLimit must be positive or null.");
        Require(f.MinRest > TimeSpan.Zero, $"{where}.Fatigue.MinRest must be positive.");
        Require(f.DailyLimit is null || f.DailyLimit > TimeSpan.Zero, $"{where}.Fatigue.DailyLimit must be positive or null.");
        Require(f.GapRestMaxDisplacementM >= 0, $"{where}.Fatigue.GapRestMaxDisplacementM must be >= 0.");

        var n = NightDriving;
        Require(n.MinRestrictedRoadGrade is >= 0 and <= 4, $"{where}.NightDriving.MinRestrictedRoadGrade must be 0-4.");
        Require(n.MinDuration >= TimeSpan.Zero && n.EndHold >= TimeSpan.Zero, $"{where}.NightDriving.MinDuration and EndHold must be >= 0.");

        Require(Offline.OfflineAfter > TimeSpan.Zero, $"{where}.Offline.OfflineAfter must be positive.");
        Require(Offline.OnDutyWindow > Offline.OfflineAfter, $"{where}.Offline.OnDutyWindow must be longer than OfflineAfter.");

        Require(Geofence.ConfirmFixes >= 1, $"{where}.Geofence.ConfirmFixes must be >= 1.");
        Require(Geofence.BorderMarginM >= 0, $"{where}.Geofence.BorderMarginM must be >= 0 m.");

        Require(RouteDeviation.MinDuration >= TimeSpan.Zero, $"{where}.RouteDeviation.MinDuration must be >= 0.");
        Require(RouteDeviation.MinFixes >= 1, $"{where}.RouteDeviation.MinFixes must be >= 1.");

        Require(DeviceAlarms.LateMergeWindow >= TimeSpan.Zero, $"{where}.DeviceAlarms.LateMergeWindow must be >= 0.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}

/// <summary>超速 (overspeed).</summary>
public sealed record OverspeedSettings
{
    public bool Enabled { get; init; } = true;

    /// <summary>Category limit on expressways, and where the road grade is unknown. Null: only road limits apply. km/h.</summary>
    public double? ExpresswayLimitKmh { get; init; }

    /// <summary>Category limit on roads of grade 一级 to 四级; null uses <see cref="ExpresswayLimitKmh"/>. km/h.</summary>
    public double? OtherRoadLimitKmh { get; init; }

    /// <summary>Absolute allowance above the limit, km/h.</summary>
    public double ToleranceKmh { get; init; }

    /// <summary>Allowance above the limit in percent of the limit (added to <see cref="ToleranceKmh"/>).</summary>
    public double TolerancePercent { get; init; }

    /// <summary>The speed must stay above the limit this long (from the first fast fix) before the alarm is raised.</summary>
    public TimeSpan MinDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The speed must stay at or below the limit this long before the alarm ends.</summary>
    public TimeSpan EndHold { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Multiplier on the limit inside <see cref="NightWindow"/> (客运车辆夜间 80 %); 1 disables it.</summary>
    public double NightSpeedFactor { get; init; } = 1.0;

    public DailyTimeWindow NightWindow { get; init; } = new(new TimeOnly(22, 0), new TimeOnly(6, 0));

    /// <summary>Excess over the limit (as a share of it) from which the alarm is Serious (0.2 = 20 %).</summary>
    public double SeriousExcessRatio { get; init; } = 0.2;

    /// <summary>Excess over the limit (as a share of it) from which the alarm is Critical (0.5 = 50 %).</summary>
    public double CriticalExcessRatio { get; init; } = 0.5;
}

/// <summary>疲劳驾驶 (fatigue driving).</summary>
public sealed record FatigueSettings
{
    public bool Enabled { get; init; } = true;

    /// <summary>Continuous driving longer than this without a qualifying rest raises FatigueContinuous.</summary>
    public TimeSpan ContinuousLimit { get; init; } = TimeSpan.FromHours(4);

    /// <summary>Driving inside <see cref="NightWindow"/> within one continuous stint longer than this also raises FatigueContinuous; null disables.</summary>
    public TimeSpan? NightContinuousLimit { get; init; }

    public DailyTimeWindow NightWindow { get; init; } = new(new TimeOnly(22, 0), new TimeOnly(6, 0));

    /// <summary>A stop at least this long ends a continuous-driving stint.</summary>
    public TimeSpan MinRest { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>Driving in one local calendar day longer than this raises FatigueDaily; null disables.</summary>
    public TimeSpan? DailyLimit { get; init; } = TimeSpan.FromHours(8);

    /// <summary>A gap longer than <see cref="RuleSettings.MaxFixGap"/> counts as rest only if the vehicle moved at most this far across it. Metres.</summary>
    public double GapRestMaxDisplacementM { get; init; } = 500;
}

/// <summary>夜间禁行 (night-time driving ban for coaches).</summary>
public sealed record NightDrivingSettings
{
    public bool Enabled { get; init; }

    public DailyTimeWindow Window { get; init; } = new(new TimeOnly(2, 0), new TimeOnly(5, 0));

    /// <summary>
    /// Roads of this grade number and higher are restricted (0 expressway … 4 四级): 0 restricts
    /// every road, 3 restricts 三级及以下 roads only.
    /// </summary>
    public int MinRestrictedRoadGrade { get; init; }

    /// <summary>Whether a road of unknown grade (no source, no zone, no fix) counts as restricted.</summary>
    public bool RestrictUnknownGrade { get; init; } = true;

    /// <summary>Moving on a restricted road inside the window this long raises the alarm.</summary>
    public TimeSpan MinDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Stopped (or on an unrestricted road) this long ends it; leaving the window ends it at once.</summary>
    public TimeSpan EndHold { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>终端离线 (terminal offline while on duty).</summary>
public sealed record OfflineSettings
{
    public bool Enabled { get; init; } = true;

    /// <summary>No fix for this long after an on-duty fix raises Offline (on <see cref="SupervisionEngine.Tick"/>).</summary>
    public TimeSpan OfflineAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Silence longer than this is no longer treated as "on duty" and raises nothing.</summary>
    public TimeSpan OnDutyWindow { get; init; } = TimeSpan.FromHours(24);
}

/// <summary>电子围栏 (geofences).</summary>
public sealed record GeofenceSettings
{
    public bool Enabled { get; init; } = true;

    /// <summary>Consecutive fixes on the other side needed to change inside/outside.</summary>
    public int ConfirmFixes { get; init; } = 2;

    /// <summary>Fixes closer than this to the border count for neither side. Metres.</summary>
    public double BorderMarginM { get; init; } = 20;
}

/// <summary>路线偏离 (deviation from a planned route corridor).</summary>
public sealed record RouteDeviationSettings
{
    public bool Enabled { get; init; } = true;

    /// <summary>Outside every valid corridor this long, or for <see cref="MinFixes"/> fixes (whichever first), raises the alarm.</summary>
    public TimeSpan MinDuration { get; init; } = TimeSpan.FromSeconds(60);

    public int MinFixes { get; init; } = 3;
}

/// <summary>终端报警转发 (relaying the terminal's own alarm bits).</summary>
public sealed record DeviceAlarmSettings
{
    public bool Enabled { get; init; } = true;

    /// <summary>Mask of JT/T 808 alarm bits relayed; see <see cref="DeviceAlarmBits.DefaultRelayedMask"/>.</summary>
    public uint RelayedBits { get; init; } = DeviceAlarmBits.DefaultRelayedMask;

    /// <summary>A late (补传) fix's alarm bit within this time of an episode already signalled is not signalled again.</summary>
    public TimeSpan LateMergeWindow { get; init; } = TimeSpan.FromMinutes(10);
}
