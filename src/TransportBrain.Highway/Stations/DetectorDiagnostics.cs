using System.Globalization;
using TransportBrain.Highway.Network;

namespace TransportBrain.Highway.Stations;

/// <summary>
/// Daily detector tests in the spirit of Caltrans PeMS (docs/highway-stations.md). Lane records are kept per
/// lane and China-time day in fixed slots of the diagnostic window (05:00-22:00 by default, 204 five-minute
/// slots), so arrival order does not matter and a repeated record is ignored. <see cref="Diagnose"/> runs the
/// tests for every survey station of the network (a station that sent nothing is "no_data"), records the
/// results in the <see cref="DetectorHealthBook"/> and returns them; the rows go to <c>highway.detector_health</c>.
/// Thread-safe.
/// </summary>
public sealed class DetectorDiagnostics
{
    private readonly Lock _gate = new();
    private readonly SurveyStationIndex _index;
    private readonly Dictionary<(int Station, int Direction, int Lane, DateOnly Day), LaneDay> _lanes = [];
    private readonly int _slots;
    private readonly long _windowStartTicks;
    private DateOnly _horizon = DateOnly.MinValue;

    public DetectorDiagnostics(RoadNetwork network, DetectorHealthBook book, HealthThresholds? thresholds = null, ProcessorQuarantine? quarantine = null)
        : this(new SurveyStationIndex(network), book, thresholds, quarantine)
    {
    }

    public DetectorDiagnostics(SurveyStationIndex index, DetectorHealthBook book, HealthThresholds? thresholds = null, ProcessorQuarantine? quarantine = null)
    {
        _index = index;
        Book = book;
        Thresholds = thresholds ?? HealthThresholds.PemsRural;
        Quarantine = quarantine ?? new ProcessorQuarantine();
        _slots = Thresholds.WindowSlots;
        _windowStartTicks = Thresholds.WindowStart.ToTimeSpan().Ticks;
    }

    public DetectorHealthBook Book { get; }
    public HealthThresholds Thresholds { get; }
    public ProcessorQuarantine Quarantine { get; }

    /// <summary>Lane records accepted into a diagnostic window.</summary>
    public long Accepted { get; private set; }

    /// <summary>Adds one typed row of <c>highway.survey_station_5min</c>; records outside the window are ignored.</summary>
    public void Add(IReadOnlyList<object?> row)
    {
        if (!_index.TryRead(row, out var r, out var reason, out var detail))
        {
            Quarantine.Add(SurveyStationIndex.Dataset.Id, reason, detail, row);
            return;
        }
        Add(r, row);
    }

    internal void Add(in SurveyRecord r, IReadOnlyList<object?> row)
    {
        var local = r.IntervalStart.ToOffset(ChinaTime.Offset);
        var day = DateOnly.FromDateTime(local.DateTime);
        var slot = (local.TimeOfDay.Ticks - _windowStartTicks) / SurveyStationIndex.Interval.Ticks;
        if (slot < 0 || slot >= _slots)
        {
            return;
        }
        lock (_gate)
        {
            if (day < _horizon)
            {
                Quarantine.Add(SurveyStationIndex.Dataset.Id, ProcessorQuarantine.TooLate, $"day {ChinaTime.Format(day)} was already diagnosed and evicted", row);
                return;
            }
            var key = (r.Station.Index, r.Direction, r.Lane, day);
            if (!_lanes.TryGetValue(key, out var lane))
            {
                _lanes[key] = lane = new LaneDay(_slots);
            }
            if (!lane.Set((int)slot, r.Total, r.SpeedKmh, r.OccupancyPct))
            {
                Quarantine.Add(SurveyStationIndex.Dataset.Id, ProcessorQuarantine.Duplicate, "lane record already received", row);
                return;
            }
            Accepted++;
        }
    }

    /// <summary>Days with at least one record in the window, oldest first.</summary>
    public IReadOnlyList<DateOnly> Days
    {
        get
        {
            lock (_gate)
            {
                return [.. _lanes.Keys.Select(k => k.Day).Distinct().Order()];
            }
        }
    }

    /// <summary>
    /// Runs the tests on a day's data for every survey station and direction of the network, records the
    /// results in the book (replacing an earlier run of the same day) and returns them: lanes, then lane 0
    /// for the station (ok only when every lane is ok; otherwise the status of its first failing lane).
    /// </summary>
    public IReadOnlyList<DetectorHealthResult> Diagnose(DateOnly day)
    {
        var results = new List<DetectorHealthResult>();
        var t = Thresholds;
        lock (_gate)
        {
            foreach (var station in _index.Stations)
            {
                foreach (var direction in station.Directions)
                {
                    var laneResults = new List<DetectorHealthResult>(station.Lanes);
                    for (var lane = 1; lane <= station.Lanes; lane++)
                    {
                        var data = _lanes.GetValueOrDefault((station.Index, direction, lane, day));
                        var (status, samples, detail) = Test(data, t, _slots);
                        laneResults.Add(new DetectorHealthResult(station.Id, direction, lane, day, status, samples, _slots, detail));
                    }
                    results.AddRange(laneResults);
                    var failing = laneResults.Where(r => !r.Healthy).ToList();
                    var stationDetail = failing.Count == 0
                        ? $"all {station.Lanes} lanes ok"
                        : string.Join("; ", failing.Select(r => string.Create(CultureInfo.InvariantCulture, $"lane {r.Lane}: {r.Status.Name()}")))
                            + string.Create(CultureInfo.InvariantCulture, $" (lane {failing[0].Lane}: {failing[0].Detail})");
                    results.Add(new DetectorHealthResult(station.Id, direction, 0, day, failing.Count == 0 ? DetectorStatus.Ok : failing[0].Status,
                        laneResults.Sum(r => r.Samples), laneResults.Sum(r => r.Expected), stationDetail));
                }
            }
        }
        Book.Record(day, results);
        return results;
    }

    /// <summary>Forgets lane data of days before <paramref name="day"/>; later records for them are quarantined as too late.</summary>
    public void Evict(DateOnly day)
    {
        lock (_gate)
        {
            if (day > _horizon)
            {
                _horizon = day;
            }
            foreach (var k in _lanes.Keys.Where(k => k.Day < day).ToList())
            {
                _lanes.Remove(k);
            }
        }
    }

    private static (DetectorStatus Status, int Samples, string Detail) Test(LaneDay? data, HealthThresholds t, int expected)
    {
        if (data is null || data.Samples == 0)
        {
            return (DetectorStatus.NoData, 0, "no samples in the diagnostic window");
        }
        var n = data.Samples;
        string Share(int count) => string.Create(CultureInfo.InvariantCulture, $"{count}/{expected} ({100.0 * count / expected:F1} %)");
        if (n < t.MinSampleShare * expected)
        {
            return (DetectorStatus.TooLittleData, n, string.Create(CultureInfo.InvariantCulture, $"{Share(n)} samples, fewer than {t.MinSampleShare * 100:F0} % of expected"));
        }
        int zero = 0, highOcc = 0, highFlow = 0, zeroFlowOcc = 0, flowNoOcc = 0;
        int run = 0, longest = 0, previous = -1;
        for (var i = 0; i < data.Totals.Length; i++)
        {
            if (!data.Has(i))
            {
                continue;
            }
            var total = data.Totals[i];
            var occ = data.Occupancy[i];
            var speed = data.Speed[i];
            if (float.IsNaN(occ) ? total == 0 : occ == 0)
            {
                zero++;
            }
            if (!float.IsNaN(occ) && occ > t.HighOccupancy)
            {
                highOcc++;
            }
            if (total > t.HighFlowPer5Min)
            {
                highFlow++;
            }
            if (total == 0 && !float.IsNaN(occ) && occ > 0)
            {
                zeroFlowOcc++;
            }
            if (total > 0 && !float.IsNaN(occ) && occ == 0)
            {
                flowNoOcc++;
            }
            // Constant: consecutive samples (in time order, gaps skipped as PeMS's row window does) whose
            // measured values do not change and are not all zero.
            var nonZero = total > 0 || occ > 0 || speed > 0;
            if (nonZero && previous >= 0 && data.Totals[previous] == total && SameValue(data.Occupancy[previous], occ) && SameValue(data.Speed[previous], speed))
            {
                run++;
            }
            else
            {
                run = nonZero ? 1 : 0;
            }
            longest = Math.Max(longest, run);
            previous = i;
        }
        if (zero > t.ZeroOccupancyPct / 100 * expected)
        {
            return (DetectorStatus.Constant, n, $"{Share(zero)} samples read zero (PeMS 'card off', limit {t.ZeroOccupancyPct.ToString(CultureInfo.InvariantCulture)} %)");
        }
        if (highOcc > t.HighOccupancyPct / 100 * expected)
        {
            return (DetectorStatus.Implausible, n, string.Create(CultureInfo.InvariantCulture, $"{Share(highOcc)} samples with occupancy above {t.HighOccupancy} % (limit {t.HighOccupancyPct} %)"));
        }
        if (highFlow > t.HighFlowPct / 100 * expected)
        {
            return (DetectorStatus.Implausible, n, string.Create(CultureInfo.InvariantCulture, $"{Share(highFlow)} samples with more than {t.HighFlowPer5Min} vehicles per 5 min (limit {t.HighFlowPct} %)"));
        }
        if (zeroFlowOcc > t.ZeroFlowWithOccupancyPct / 100 * expected)
        {
            return (DetectorStatus.ZeroFlowWithOccupancy, n, string.Create(CultureInfo.InvariantCulture, $"{Share(zeroFlowOcc)} samples with zero flow and positive occupancy (limit {t.ZeroFlowWithOccupancyPct} %)"));
        }
        if (flowNoOcc > t.FlowWithoutOccupancyPct / 100 * expected)
        {
            return (DetectorStatus.Implausible, n, string.Create(CultureInfo.InvariantCulture, $"{Share(flowNoOcc)} samples with flow but zero occupancy (limit {t.FlowWithoutOccupancyPct} %)"));
        }
        if (longest >= t.ConstantRun)
        {
            return (DetectorStatus.Constant, n, string.Create(CultureInfo.InvariantCulture, $"{longest} consecutive samples with unchanged values (limit {t.ConstantRun})"));
        }
        return (DetectorStatus.Ok, n, string.Create(CultureInfo.InvariantCulture,
            $"{Share(n)} samples; zero {zero}, high occupancy {highOcc}, high flow {highFlow}, zero flow with occupancy {zeroFlowOcc}, longest unchanged run {longest}"));
    }

    private static bool SameValue(float a, float b) => a.Equals(b); // NaN equals NaN here: both absent

    /// <summary>One lane's samples of one day's window: flat arrays and a presence bitmap (no per-sample objects).</summary>
    private sealed class LaneDay(int slots)
    {
        private readonly ulong[] _present = new ulong[(slots + 63) / 64];
        public readonly int[] Totals = new int[slots];
        public readonly float[] Speed = new float[slots];
        public readonly float[] Occupancy = new float[slots];
        public int Samples;

        public bool Has(int slot) => (_present[slot >> 6] & (1UL << (slot & 63))) != 0;

        public bool Set(int slot, long total, double? speed, double? occupancy)
        {
            if (Has(slot))
            {
                return false;
            }
            _present[slot >> 6] |= 1UL << (slot & 63);
            Totals[slot] = (int)Math.Min(total, int.MaxValue);
            Speed[slot] = speed is { } s ? (float)s : float.NaN;
            Occupancy[slot] = occupancy is { } o ? (float)o : float.NaN;
            Samples++;
            return true;
        }
    }
}
