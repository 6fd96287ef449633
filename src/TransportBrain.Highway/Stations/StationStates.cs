using TransportBrain.Highway.Network;

namespace TransportBrain.Highway.Stations;

/// <summary>
/// The state of one survey station in one direction over one 5-minute interval. <see cref="FlowVph"/> is all
/// reporting lanes' vehicles scaled to an hour; <see cref="SpeedKmh"/> is the flow-weighted mean of the lanes'
/// mean speeds (null without vehicles); <see cref="OccupancyPct"/> is the mean over lanes that report it.
/// <see cref="Healthy"/>: the detector health book trusts the station that day AND every lane reported.
/// </summary>
public sealed record StationInterval(string StationId, int Direction, DateTimeOffset IntervalStart,
    int LanesReporting, double FlowVph, double? SpeedKmh, double? OccupancyPct, bool Healthy);

/// <summary>
/// Turns lane records of <c>highway.survey_station_5min</c> into station states keyed by (station, direction,
/// interval). Order-insensitive: each lane's record lands in its interval's cell whenever it arrives; a repeat
/// of a lane record already held is ignored (the first one stays, as the hub's unique key keeps the first).
/// Records the network model refuses, from the future beyond the clock-skew bound, or for intervals already
/// evicted are counted in <see cref="Quarantine"/> and kept there. Thread-safe.
/// </summary>
public sealed class StationStates
{
    private readonly Lock _gate = new();
    private readonly SurveyStationIndex _index;
    private readonly DetectorHealthBook _health;
    private readonly TimeProvider _clock;
    private readonly SortedDictionary<long, Dictionary<int, Cell>> _intervals = [];
    private long _horizonTicks = long.MinValue;

    public StationStates(RoadNetwork network, DetectorHealthBook health)
        : this(new SurveyStationIndex(network), health)
    {
    }

    public StationStates(SurveyStationIndex index, DetectorHealthBook health, ProcessorQuarantine? quarantine = null, TimeProvider? clock = null)
    {
        _index = index;
        _health = health;
        _clock = clock ?? TimeProvider.System;
        Quarantine = quarantine ?? new ProcessorQuarantine();
    }

    /// <summary>How far ahead of the clock an interval may start before it is refused as clock skew.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(10);

    public ProcessorQuarantine Quarantine { get; }

    /// <summary>Lane records accepted.</summary>
    public long Accepted { get; private set; }

    /// <summary>The latest interval any accepted record belongs to (the data's own clock).</summary>
    public DateTimeOffset? Watermark { get; private set; }

    /// <summary>Intervals currently held.</summary>
    public int IntervalCount
    {
        get
        {
            lock (_gate)
            {
                return _intervals.Count;
            }
        }
    }

    /// <summary>Adds one typed row of <c>highway.survey_station_5min</c> (schema order). Never throws on bad input.</summary>
    public void Add(IReadOnlyList<object?> row)
    {
        if (!_index.TryRead(row, out var r, out var reason, out var detail))
        {
            Quarantine.Add(SurveyStationIndex.Dataset.Id, reason, detail, row);
            return;
        }
        Add(r, row);
    }

    internal AddOutcome Add(in SurveyRecord r, IReadOnlyList<object?> row)
    {
        if (r.IntervalStart > _clock.GetUtcNow() + MaxFutureSkew)
        {
            Quarantine.Add(SurveyStationIndex.Dataset.Id, ProcessorQuarantine.ClockSkew, $"interval {r.IntervalStart:O} is more than {MaxFutureSkew.TotalMinutes:F0} min ahead of the clock", row);
            return AddOutcome.Skew;
        }
        var ticks = r.IntervalStart.UtcTicks;
        lock (_gate)
        {
            if (ticks < _horizonTicks)
            {
                Quarantine.Add(SurveyStationIndex.Dataset.Id, ProcessorQuarantine.TooLate, $"interval {r.IntervalStart:O} was already evicted", row);
                return AddOutcome.Late;
            }
            if (!_intervals.TryGetValue(ticks, out var cells))
            {
                _intervals[ticks] = cells = [];
            }
            var key = r.Station.Index * 4 + r.Direction;
            if (!cells.TryGetValue(key, out var cell))
            {
                cells[key] = cell = new Cell(r.Station, r.Direction);
            }
            ref var lane = ref cell.Lanes[r.Lane - 1];
            if (lane.Present)
            {
                Quarantine.Add(SurveyStationIndex.Dataset.Id, ProcessorQuarantine.Duplicate, "lane record already received", row);
                return AddOutcome.Duplicate;
            }
            lane = new LaneValue(true, r.Total, r.SpeedKmh, r.OccupancyPct);
            cell.Reporting++;
            Accepted++;
            if (Watermark is null || r.IntervalStart > Watermark)
            {
                Watermark = r.IntervalStart;
            }
            return AddOutcome.Accepted;
        }
    }

    /// <summary>All stations' states for an interval (those with at least one lane record), by station then direction.</summary>
    public IReadOnlyList<StationInterval> For(DateTimeOffset intervalStart)
    {
        lock (_gate)
        {
            if (!_intervals.TryGetValue(intervalStart.UtcTicks, out var cells))
            {
                return [];
            }
            var list = new List<StationInterval>(cells.Count);
            foreach (var cell in cells.Values)
            {
                list.Add(State(cell, intervalStart));
            }
            list.Sort((a, b) => a.StationId == b.StationId ? a.Direction.CompareTo(b.Direction) : string.CompareOrdinal(a.StationId, b.StationId));
            return list;
        }
    }

    public StationInterval? Get(string stationId, int direction, DateTimeOffset intervalStart)
    {
        if (_index.Station(stationId) is not { } station)
        {
            return null;
        }
        lock (_gate)
        {
            return _intervals.TryGetValue(intervalStart.UtcTicks, out var cells) && cells.TryGetValue(station.Index * 4 + direction, out var cell)
                ? State(cell, intervalStart)
                : null;
        }
    }

    /// <summary>Forgets intervals starting before <paramref name="before"/>; later records for them are quarantined as too late.</summary>
    public void Evict(DateTimeOffset before)
    {
        lock (_gate)
        {
            _horizonTicks = Math.Max(_horizonTicks, before.UtcTicks);
            while (_intervals.Count > 0)
            {
                var first = _intervals.Keys.First();
                if (first >= before.UtcTicks)
                {
                    break;
                }
                _intervals.Remove(first);
            }
        }
    }

    private StationInterval State(Cell cell, DateTimeOffset intervalStart)
    {
        long vehicles = 0;
        double speedWeighted = 0;
        long speedVehicles = 0;
        double occupancy = 0;
        var occupancyLanes = 0;
        for (var i = 0; i < cell.Station.Lanes; i++)
        {
            var lane = cell.Lanes[i];
            if (!lane.Present)
            {
                continue;
            }
            vehicles += lane.Total;
            if (lane.SpeedKmh is { } s && lane.Total > 0)
            {
                speedWeighted += s * lane.Total;
                speedVehicles += lane.Total;
            }
            if (lane.OccupancyPct is { } o)
            {
                occupancy += o;
                occupancyLanes++;
            }
        }
        var start = new DateTimeOffset(intervalStart.UtcTicks, TimeSpan.Zero);
        var healthy = cell.Reporting == cell.Station.Lanes && _health.IsHealthy(cell.Station.Id, cell.Direction, ChinaTime.Day(start));
        return new StationInterval(cell.Station.Id, cell.Direction, start, cell.Reporting,
            vehicles * (TimeSpan.TicksPerHour / (double)SurveyStationIndex.Interval.Ticks),
            speedVehicles > 0 ? speedWeighted / speedVehicles : null,
            occupancyLanes > 0 ? occupancy / occupancyLanes : null,
            healthy);
    }

    internal enum AddOutcome
    {
        Accepted,
        Duplicate,
        Skew,
        Late,
    }

    private readonly record struct LaneValue(bool Present, long Total, double? SpeedKmh, double? OccupancyPct);

    private sealed class Cell(SurveyStationInfo station, int direction)
    {
        public readonly SurveyStationInfo Station = station;
        public readonly int Direction = direction;
        public readonly LaneValue[] Lanes = new LaneValue[station.Lanes];
        public int Reporting;
    }
}
