using System.Text.Json.Serialization;

namespace TransportBrain.Fleet.Supervision;

// Per-vehicle rule state. Everything here is plain data so that ExportState/ImportState can
// carry a vehicle across a restart mid-episode; instants are UTC, durations are seconds.

internal sealed class SupervisionStateDocument
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public long LateFixesIgnored { get; set; }

    public List<VehicleState> Vehicles { get; set; } = [];
}

internal sealed class VehicleState
{
    public string TerminalId { get; set; } = "";

    public string? Plate { get; set; }

    public VehicleCategory Category { get; set; }

    /// <summary>The last fix processed in order; late fixes never replace it.</summary>
    public FixSnapshot? LastFix { get; set; }

    public OverspeedState Overspeed { get; set; } = new();

    public FatigueState Fatigue { get; set; } = new();

    public NightDrivingState NightDriving { get; set; } = new();

    public OfflineState Offline { get; set; } = new();

    /// <summary>By geofence id; only fences that applied to the vehicle at some point.</summary>
    public Dictionary<string, GeofenceState> Geofences { get; set; } = new(StringComparer.Ordinal);

    public RouteDeviationState Route { get; set; } = new();

    public DeviceAlarmState Device { get; set; } = new();
}

internal sealed class FixSnapshot
{
    public DateTimeOffset Time { get; set; }

    public double Latitude { get; set; }

    public double Longitude { get; set; }

    public bool Located { get; set; }

    public double SpeedKmh { get; set; }

    public int HeadingDeg { get; set; }

    public bool AccOn { get; set; }

    public bool Moving { get; set; }
}

/// <summary>How long, or for how many fixes, a condition (or its absence) must last. Whichever is given and reached first.</summary>
internal readonly record struct Persistence(TimeSpan? Duration, int? Fixes)
{
    public bool IsMet(TimeSpan elapsed, int fixes) =>
        (Duration is null && Fixes is null)
        || (Duration is { } d && elapsed >= d)
        || (Fixes is { } n && fixes >= n);
}

internal enum ConditionTransition
{
    None,
    Raised,
    Ended,
}

/// <summary>
/// A condition that must persist before it raises, and whose absence must persist before it
/// ends: the shared core of overspeed, night driving and route deviation.
/// </summary>
internal sealed class SustainedCondition
{
    public bool Open { get; set; }

    /// <summary>Time of the first fix of the current candidate or open episode.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    public int CandidateFixes { get; set; }

    public DateTimeOffset? ClearSince { get; set; }

    public int ClearFixes { get; set; }

    public DateTimeOffset? LastTime { get; set; }

    /// <param name="startedCandidate">True when this fix started a new candidate episode (reset per-episode evidence).</param>
    public ConditionTransition Step(bool condition, DateTimeOffset time, Persistence raise, Persistence end, TimeSpan maxGap, out bool startedCandidate)
    {
        startedCandidate = false;
        var gap = LastTime is { } last && time - last > maxGap;
        LastTime = time;

        if (!Open)
        {
            if (!condition)
            {
                StartedAt = null;
                CandidateFixes = 0;
                return ConditionTransition.None;
            }

            if (StartedAt is null || gap)
            {
                StartedAt = time;
                CandidateFixes = 0;
                startedCandidate = true;
            }

            CandidateFixes++;
            if (raise.IsMet(time - StartedAt.Value, CandidateFixes))
            {
                Open = true;
                ClearSince = null;
                ClearFixes = 0;
                return ConditionTransition.Raised;
            }

            return ConditionTransition.None;
        }

        if (condition)
        {
            ClearSince = null;
            ClearFixes = 0;
            return ConditionTransition.None;
        }

        if (ClearSince is null || gap)
        {
            ClearSince = time;
            ClearFixes = 0;
        }

        ClearFixes++;
        if (end.IsMet(time - ClearSince.Value, ClearFixes))
        {
            Open = false;
            return ConditionTransition.Ended;
        }

        return ConditionTransition.None;
    }

    /// <summary>After an Ended signal has been written: forget the episode.</summary>
    public void Reset()
    {
        Open = false;
        StartedAt = null;
        CandidateFixes = 0;
        ClearSince = null;
        ClearFixes = 0;
    }
}

internal sealed class OverspeedState
{
    public SustainedCondition Condition { get; set; } = new();

    public double MaxSpeedKmh { get; set; }

    /// <summary>Lowest limit seen while fast in this episode, km/h.</summary>
    public double LimitKmh { get; set; }

    /// <summary>Largest (speed / limit - 1) seen in this episode.</summary>
    public double MaxExcessRatio { get; set; }
}

internal sealed class FatigueState
{
    /// <summary>When driving began after the last qualifying rest.</summary>
    public DateTimeOffset? StintStartedAt { get; set; }

    public double ContinuousDrivingS { get; set; }

    public double ContinuousNightDrivingS { get; set; }

    /// <summary>Rest accumulated in the current stop.</summary>
    public double RestS { get; set; }

    public DateOnly? Day { get; set; }

    public double DailyDrivingS { get; set; }

    public bool ContinuousOpen { get; set; }

    public DateTimeOffset? ContinuousStartedAt { get; set; }

    public bool DailyOpen { get; set; }

    public DateTimeOffset? DailyStartedAt { get; set; }
}

internal sealed class NightDrivingState
{
    public SustainedCondition Condition { get; set; } = new();

    public double MaxSpeedKmh { get; set; }

    public int? RoadGrade { get; set; }
}

internal sealed class OfflineState
{
    public bool Open { get; set; }

    /// <summary>Time of the last fix before the silence.</summary>
    public DateTimeOffset? StartedAt { get; set; }
}

internal enum GeofencePresence
{
    Unknown,
    Inside,
    Outside,
}

internal sealed class GeofenceState
{
    public GeofencePresence Presence { get; set; }

    /// <summary>First fix of the streak that confirmed <see cref="Presence"/>.</summary>
    public DateTimeOffset? PresenceSince { get; set; }

    public GeofencePresence Candidate { get; set; }

    public int CandidateFixes { get; set; }

    public DateTimeOffset? CandidateSince { get; set; }

    public bool AlarmOpen { get; set; }

    public AlarmKind AlarmKind { get; set; }

    public DateTimeOffset? AlarmStartedAt { get; set; }

    public string FenceName { get; set; } = "";
}

internal sealed class RouteDeviationState
{
    public SustainedCondition Condition { get; set; } = new();

    public double MaxDistanceM { get; set; }

    public double CorridorWidthM { get; set; }
}

internal sealed class DeviceAlarmState
{
    /// <summary>Relayed bits currently raised (from in-order fixes).</summary>
    public uint ActiveMask { get; set; }

    /// <summary>By bit number; the latest episode of each bit.</summary>
    public Dictionary<int, DeviceBitState> Bits { get; set; } = [];
}

internal sealed class DeviceBitState
{
    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Time of the last late (补传) fix that carried this bit.</summary>
    public DateTimeOffset? LateSeenAt { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SupervisionStateDocument))]
internal sealed partial class SupervisionStateJsonContext : JsonSerializerContext
{
}
