using TransportBrain.Fleet.Jt808;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Hub.Quality;

namespace TransportBrain.Fleet.Gateway;

/// <summary>
/// A decoded location as the typed values of a <see cref="FleetDatasets.Position"/> record, in schema
/// order, for the hub's gate to check as they are (<see cref="QualityGate.CheckValues"/>): no field is
/// formatted as text and parsed back. Small numbers and flags use shared boxes.
/// </summary>
public static class PositionValues
{
    private static readonly int Count = FleetDatasets.Position.Fields.Count;
    private static readonly int TerminalId = Index("terminal_id");
    private static readonly int Plate = Index("plate");
    private static readonly int Category = Index("category");
    private static readonly int GnssTime = Index("gnss_time");
    private static readonly int ReceivedAt = Index("received_at");
    private static readonly int Latitude = Index("latitude");
    private static readonly int Longitude = Index("longitude");
    private static readonly int Altitude = Index("altitude_m");
    private static readonly int Speed = Index("speed_kmh");
    private static readonly int Direction = Index("direction_deg");
    private static readonly int AlarmFlags = Index("alarm_flags");
    private static readonly int StatusFlags = Index("status_flags");
    private static readonly int AccOn = Index("acc_on");
    private static readonly int Located = Index("located");
    private static readonly int Mileage = Index("mileage_km");
    private static readonly int Fuel = Index("fuel_l");
    private static readonly int RecorderSpeed = Index("recorder_speed_kmh");
    private static readonly int Signal = Index("signal");
    private static readonly int Satellites = Index("satellites");
    private static readonly int FlowNo = Index("flow_no");
    private static readonly int ItemNo = Index("item_no");
    private static readonly int Source = Index("source");
    private static readonly int OtherItems = Index("other_items");
    private static readonly object True = true;
    private static readonly object False = false;

    /// <param name="receivedAt">When the message arrived, boxed once for all of its locations (UTC).</param>
    public static object?[] From(in Jt808LocationReport r, string terminalId, TerminalInfo? info, ushort flow, int item, string source, object receivedAt)
    {
        var v = new object?[Count];
        v[TerminalId] = terminalId;
        v[Plate] = info?.Plate;
        v[Category] = TerminalRegistry.CategoryName(info?.Category ?? VehicleCategory.Unknown);
        v[GnssTime] = r.DeviceTimeUtc;
        v[ReceivedAt] = receivedAt;
        v[Latitude] = r.LatitudeDegrees;
        v[Longitude] = r.LongitudeDegrees;
        v[Altitude] = ValueParser.Box(r.AltitudeM);
        v[Speed] = r.SpeedKmh;
        v[Direction] = ValueParser.Box(r.DirectionDeg);
        v[AlarmFlags] = ValueParser.Box((uint)r.Alarms);
        v[StatusFlags] = ValueParser.Box((uint)r.Status);
        v[AccOn] = (r.Status & Jt808StatusFlags.AccOn) != 0 ? True : False;
        v[Located] = (r.Status & Jt808StatusFlags.Positioned) != 0 ? True : False;
        v[Mileage] = r.MileageKm;
        v[Fuel] = r.FuelLitres;
        v[RecorderSpeed] = r.RecorderSpeedKmh;
        v[Signal] = r.SignalStrength is { } signal ? ValueParser.Box(signal) : null;
        v[Satellites] = r.GnssSatellites is { } satellites ? ValueParser.Box(satellites) : null;
        v[FlowNo] = ValueParser.Box(flow);
        v[ItemNo] = ValueParser.Box(item);
        v[Source] = source;
        v[OtherItems] = ValueParser.Box(r.OtherItems.Count);
        return v;
    }

    private static int Index(string field)
    {
        var i = FleetDatasets.Position.FieldIndex(field);
        return i >= 0 ? i : throw new InvalidOperationException($"fleet.position has no field {field}");
    }
}
