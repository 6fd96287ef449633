using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

/// <summary>Builds fixes and drives one vehicle through an engine, collecting every signal.</summary>
internal sealed class TestVehicle(SupervisionEngine engine, string terminalId = TestVehicle.DefaultTerminal, VehicleCategory category = VehicleCategory.Coach)
{
    public const string DefaultTerminal = "T013800138000";

    /// <summary>Somewhere in Guiyang.</summary>
    public const double HomeLat = 26.6;
    public const double HomeLon = 106.7;

    public static readonly TimeSpan Cst = TimeSpan.FromHours(8);

    public string TerminalId { get; } = terminalId;

    public VehicleCategory Category { get; set; } = category;

    public double Lat { get; set; } = HomeLat;

    public double Lon { get; set; } = HomeLon;

    public List<AlarmSignalEvent> Signals { get; } = [];

    public static DateTimeOffset Local(int year, int month, int day, int hour, int minute, int second = 0) =>
        new(year, month, day, hour, minute, second, Cst);

    public VehicleFix Fix(DateTimeOffset time, double speedKmh, uint alarms = 0, bool accOn = true, bool located = true, int heading = 90) =>
        new(TerminalId, "贵A12345", Category, time, Lat, Lon, speedKmh, heading, alarms, accOn, located);

    public IReadOnlyList<AlarmSignalEvent> At(DateTimeOffset time, double speedKmh, uint alarms = 0, bool accOn = true, bool located = true)
    {
        var signals = engine.Process(Fix(time, speedKmh, alarms, accOn, located));
        Signals.AddRange(signals);
        return signals;
    }

    /// <summary>One fix every <paramref name="step"/> from <paramref name="from"/> (inclusive) to <paramref name="to"/> (inclusive).</summary>
    public IReadOnlyList<AlarmSignalEvent> Run(DateTimeOffset from, DateTimeOffset to, TimeSpan step, double speedKmh)
    {
        var produced = new List<AlarmSignalEvent>();
        for (var t = from; t <= to; t += step)
        {
            produced.AddRange(At(t, speedKmh));
        }

        return produced;
    }

    public IEnumerable<AlarmSignalEvent> Of(AlarmKind kind) => Signals.Where(s => s.Kind == kind);

    /// <summary>Metres north of home, as latitude.</summary>
    public static double North(double metres) => HomeLat + metres / Geo.MetresPerDegreeLatitude;

    /// <summary>Metres east of home, as longitude.</summary>
    public static double East(double metres) => HomeLon + metres / (Geo.MetresPerDegreeLatitude * Math.Cos(HomeLat * Math.PI / 180));
}

internal static class TestPlaces
{
    /// <summary>A square of about 2 km × 2 km centred on home.</summary>
    public static GeoPolygon SquareAroundHome(double halfSideM = 1000) =>
        new([
            (TestVehicle.North(-halfSideM), TestVehicle.East(-halfSideM)),
            (TestVehicle.North(-halfSideM), TestVehicle.East(halfSideM)),
            (TestVehicle.North(halfSideM), TestVehicle.East(halfSideM)),
            (TestVehicle.North(halfSideM), TestVehicle.East(-halfSideM)),
        ]);

    public static SpeedLimitZones OneZoneAroundHome(double limitKmh, int? grade) =>
        new([new SpeedLimitZone("z1", SquareAroundHome(), limitKmh, grade)]);
}
