using System.Globalization;

namespace TransportBrain.Fleet.Supervision;

public enum AlarmKind
{
    Overspeed,
    FatigueContinuous,
    FatigueDaily,
    NightDriving,
    Offline,
    GeofenceExit,
    GeofenceEntry,
    RouteDeviation,
    DeviceEmergency,
    DeviceCollision,
    DeviceRollover,
    DeviceOther,
}

public enum AlarmSeverity
{
    Info,
    Warning,
    Serious,
    Critical,
}

/// <summary>A rule raises an alarm once when its condition starts, and signals Ended when the condition clears.</summary>
public enum AlarmSignal
{
    Raised,
    Ended,
}

/// <summary>
/// One Raised or Ended signal of a supervision alarm. Both signals of one episode carry the same
/// <see cref="AlarmId"/> and <see cref="StartedAt"/>; <see cref="At"/> is the event time of the signal.
/// </summary>
/// <param name="AlarmId">Stable id: <c>{terminal}-{kind}[-{qualifier}]-{yyyyMMddTHHmmssZ of StartedAt}</c>, see <see cref="AlarmIds"/>.</param>
/// <param name="Evidence">Numbers behind the decision, keys in camelCase with units (<c>maxSpeedKmh</c>, <c>limitKmh</c>, <c>durationS</c>…).</param>
public sealed record AlarmSignalEvent(
    AlarmSignal Signal,
    string AlarmId,
    AlarmKind Kind,
    AlarmSeverity Severity,
    string TerminalId,
    string? Plate,
    VehicleCategory Category,
    DateTimeOffset StartedAt,
    DateTimeOffset At,
    double Latitude,
    double Longitude,
    string DetailZh,
    string DetailEn,
    IReadOnlyDictionary<string, double> Evidence);

/// <summary>Builds alarm ids; the same episode always gets the same id, across restarts too.</summary>
public static class AlarmIds
{
    public static string Slug(AlarmKind kind) => kind switch
    {
        AlarmKind.Overspeed => "overspeed",
        AlarmKind.FatigueContinuous => "fatigue-continuous",
        AlarmKind.FatigueDaily => "fatigue-daily",
        AlarmKind.NightDriving => "night-driving",
        AlarmKind.Offline => "offline",
        AlarmKind.GeofenceExit => "geofence-exit",
        AlarmKind.GeofenceEntry => "geofence-entry",
        AlarmKind.RouteDeviation => "route-deviation",
        AlarmKind.DeviceEmergency => "device-emergency",
        AlarmKind.DeviceCollision => "device-collision",
        AlarmKind.DeviceRollover => "device-rollover",
        AlarmKind.DeviceOther => "device-other",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown alarm kind."),
    };

    /// <param name="qualifier">Tells apart episodes of one kind that may start together: the geofence id, or <c>bit4</c> for a device bit.</param>
    public static string For(string terminalId, AlarmKind kind, DateTimeOffset startedAt, string? qualifier = null)
    {
        var time = startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return string.IsNullOrEmpty(qualifier)
            ? $"{terminalId}-{Slug(kind)}-{time}"
            : $"{terminalId}-{Slug(kind)}-{qualifier}-{time}";
    }
}
