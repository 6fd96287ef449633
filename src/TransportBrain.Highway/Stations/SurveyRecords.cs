using System.Globalization;
using TransportBrain.Highway.Network;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Highway.Stations;

/// <summary>One survey station of the network as the processors see it.</summary>
public sealed record SurveyStationInfo(int Index, Facility Facility, int Lanes)
{
    public string Id => Facility.Id;

    /// <summary>Whether the station measures this carriageway (direction 0 in the network = both).</summary>
    public bool Serves(int direction) => direction is 1 or 2 && (Facility.Direction == 0 || Facility.Direction == direction);

    public IEnumerable<int> Directions => Facility.Direction == 0 ? [1, 2] : [Facility.Direction];
}

/// <summary>One lane record of <c>highway.survey_station_5min</c>, checked against the network.</summary>
public readonly record struct SurveyRecord(
    SurveyStationInfo Station,
    int Direction,
    int Lane,
    DateTimeOffset IntervalStart,
    long Total,
    double? SpeedKmh,
    double? OccupancyPct);

/// <summary>
/// The survey stations of a road network (lanes from the facility's "lanes_per_direction" attribute, else the
/// route's) and the reading of typed survey rows in the dataset's schema order.
/// </summary>
public sealed class SurveyStationIndex
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, SurveyStationInfo> _byId = new(StringComparer.Ordinal);
    private readonly int _station;
    private readonly int _direction;
    private readonly int _lane;
    private readonly int _interval;
    private readonly int _total;
    private readonly int _speed;
    private readonly int _occupancy;

    public SurveyStationIndex(RoadNetwork network)
    {
        var list = new List<SurveyStationInfo>();
        foreach (var f in network.OfKind(FacilityKind.SurveyStation).OrderBy(f => f.Id, StringComparer.Ordinal))
        {
            var lanes = int.TryParse(f.Attribute("lanes_per_direction"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 8
                ? n
                : network.RouteByCode.TryGetValue(f.Route, out var r) ? Math.Clamp(r.LanesPerDirection, 1, 8) : 2;
            var info = new SurveyStationInfo(list.Count, f, lanes);
            list.Add(info);
            _byId[f.Id] = info;
        }
        Stations = list;
        var ds = HighwayDatasets.SurveyStation5Min;
        _station = ds.FieldIndex("station_id");
        _direction = ds.FieldIndex("direction");
        _lane = ds.FieldIndex("lane_no");
        _interval = ds.FieldIndex("interval_start");
        _total = ds.FieldIndex("total");
        _speed = ds.FieldIndex("mean_speed_kmh");
        _occupancy = ds.FieldIndex("occupancy_pct");
    }

    public IReadOnlyList<SurveyStationInfo> Stations { get; }

    public SurveyStationInfo? Station(string id) => _byId.GetValueOrDefault(id);

    public static DatasetDefinition Dataset => HighwayDatasets.SurveyStation5Min;

    /// <summary>
    /// Reads a typed row; false with a quarantine reason when it is malformed, from a station the network
    /// does not know, for a direction the station does not serve, for a lane beyond its lanes, or for an
    /// interval that does not start on a 5-minute boundary.
    /// </summary>
    public bool TryRead(IReadOnlyList<object?> row, out SurveyRecord record, out string reason, out string detail)
    {
        record = default;
        var id = RowValues.Text(row, _station);
        var direction = RowValues.Integer(row, _direction);
        var lane = RowValues.Integer(row, _lane);
        var start = RowValues.Instant(row, _interval);
        var total = RowValues.Integer(row, _total);
        if (id is null || direction is null || lane is null || start is null || total is null || total < 0)
        {
            reason = ProcessorQuarantine.Malformed;
            detail = "station_id, direction, lane_no, interval_start and a non-negative total are required";
            return false;
        }
        if (!_byId.TryGetValue(id, out var station))
        {
            reason = ProcessorQuarantine.UnknownStation;
            detail = $"survey station '{id}' is not in the road network";
            return false;
        }
        if (!station.Serves((int)direction.Value))
        {
            reason = ProcessorQuarantine.DirectionNotServed;
            detail = $"station {id} does not measure direction {direction}";
            return false;
        }
        if (lane < 1 || lane > station.Lanes)
        {
            reason = ProcessorQuarantine.LaneOutOfRange;
            detail = $"station {id} has {station.Lanes} lanes per direction; record is for lane {lane}";
            return false;
        }
        var utc = start.Value.ToUniversalTime();
        if (utc.Ticks % Interval.Ticks != 0)
        {
            reason = ProcessorQuarantine.Misaligned;
            detail = $"interval_start {utc:O} is not on a 5-minute boundary";
            return false;
        }
        var speed = RowValues.Number(row, _speed);
        var occupancy = RowValues.Number(row, _occupancy);
        if (speed is < 0 or > 250 || occupancy is < 0 or > 100)
        {
            reason = ProcessorQuarantine.Implausible;
            detail = "speed must be 0-250 km/h and occupancy 0-100 %";
            return false;
        }
        record = new SurveyRecord(station, (int)direction.Value, (int)lane.Value, utc, total.Value, speed, occupancy);
        reason = "";
        detail = "";
        return true;
    }
}
