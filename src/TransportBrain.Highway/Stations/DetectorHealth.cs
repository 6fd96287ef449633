using System.Globalization;

namespace TransportBrain.Highway.Stations;

/// <summary>Detector status, in the order the daily tests are applied (the first that fails decides).</summary>
public enum DetectorStatus
{
    Ok,
    NoData,
    TooLittleData,
    Constant,
    ZeroFlowWithOccupancy,
    Implausible,
}

public static class DetectorStatusNames
{
    public static string Name(this DetectorStatus s) => s switch
    {
        DetectorStatus.Ok => "ok",
        DetectorStatus.NoData => "no_data",
        DetectorStatus.TooLittleData => "too_little_data",
        DetectorStatus.Constant => "constant",
        DetectorStatus.ZeroFlowWithOccupancy => "zero_flow_with_occupancy",
        _ => "implausible",
    };
}

/// <summary>
/// Parameters of the daily detector tests. The defaults are the Caltrans PeMS "Rural" mainline set
/// (diagnostic_threshold_values seed of the PeMS modernisation project, MIT), converted from PeMS's 30-second
/// samples to our 5-minute lane records; see docs/highway-stations.md.
/// </summary>
public sealed record HealthThresholds
{
    /// <summary>Start of the daily window the tests look at, China time (PeMS: 05:00).</summary>
    public TimeOnly WindowStart { get; init; } = new(5, 0);
    /// <summary>End of the window, exclusive (PeMS: up to 21:59).</summary>
    public TimeOnly WindowEnd { get; init; } = new(22, 0);
    /// <summary>Fewer samples than this share of the expected ones is "too little data" (PeMS: 60 %).</summary>
    public double MinSampleShare { get; init; } = 0.6;
    /// <summary>Zero-occupancy samples above this % of expected: the detector reads zero all day (PeMS "Card Off", zero_occ_pct).</summary>
    public double ZeroOccupancyPct { get; init; } = 90;
    /// <summary>Occupancy above this (%) is a high value (PeMS high_occ 0.7).</summary>
    public double HighOccupancy { get; init; } = 70;
    /// <summary>High-occupancy samples above this % of expected: implausible (PeMS high_occ_pct, "High Val").</summary>
    public double HighOccupancyPct { get; init; } = 20;
    /// <summary>Vehicles per lane per 5 minutes above this is a high value (PeMS high_flow 20 per 30 s × 10).</summary>
    public double HighFlowPer5Min { get; init; } = 200;
    /// <summary>High-flow samples above this % of expected: implausible (PeMS high_flow_pct).</summary>
    public double HighFlowPct { get; init; } = 20;
    /// <summary>Zero-flow, positive-occupancy samples above this %: zero flow with occupancy (PeMS flow_occ_pct, "Intermittent").</summary>
    public double ZeroFlowWithOccupancyPct { get; init; } = 2;
    /// <summary>Positive-flow, zero-occupancy samples above this %: implausible (PeMS occ_flow_pct).</summary>
    public double FlowWithoutOccupancyPct { get; init; } = 50;
    /// <summary>This many consecutive samples with unchanged non-zero values is a constant detector (PeMS: 48 five-minute rows, 4 h).</summary>
    public int ConstantRun { get; init; } = 48;

    /// <summary>The PeMS "Rural" mainline set (the default).</summary>
    public static HealthThresholds PemsRural { get; } = new();

    /// <summary>
    /// Reads one set of the PeMS seed file (columns DT_SET_ID, DT_METHOD, DT_NAME, DT_VALUE; method "mainline"):
    /// high_flow (vehicles per 30-s sample, ×10 for 5 minutes), high_occ (fraction, ×100), high_occ_pct,
    /// high_flow_pct, zero_occ_pct, flow_occ_pct, occ_flow_pct. Names the set does not give keep our defaults.
    /// </summary>
    public static HealthThresholds FromPemsSeed(string csv, string setId, string method = "mainline")
    {
        var t = new HealthThresholds();
        var found = false;
        foreach (var raw in csv.Split('\n'))
        {
            var cells = raw.Trim().Split(',');
            if (cells.Length < 4 || cells[0] != setId || cells[1] != method
                || !double.TryParse(cells[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                continue;
            }
            found = true;
            t = cells[2] switch
            {
                "high_flow" => t with { HighFlowPer5Min = v * 10 },
                "high_occ" => t with { HighOccupancy = v * 100 },
                "high_occ_pct" => t with { HighOccupancyPct = v },
                "high_flow_pct" => t with { HighFlowPct = v },
                "zero_occ_pct" => t with { ZeroOccupancyPct = v },
                "flow_occ_pct" => t with { ZeroFlowWithOccupancyPct = v },
                "occ_flow_pct" => t with { FlowWithoutOccupancyPct = v },
                _ => t,
            };
        }
        return found ? t : throw new ArgumentException($"the seed has no '{setId}' {method} thresholds");
    }

    internal int WindowSlots => (int)((WindowEnd - WindowStart).Ticks / SurveyStationIndex.Interval.Ticks);
}

/// <summary>The result of one day's tests for one lane (lane 0: the station in one direction).</summary>
public sealed record DetectorHealthResult(
    string StationId,
    int Direction,
    int Lane,
    DateOnly Day,
    DetectorStatus Status,
    int Samples,
    int Expected,
    string Detail)
{
    public bool Healthy => Status == DetectorStatus.Ok;

    /// <summary>The row of <c>highway.detector_health</c>, in schema order.</summary>
    public object?[] ToRow() =>
    [
        StationId, (long)Direction, (long)Lane, ChinaTime.Format(Day), ChinaTime.Start(Day).ToUniversalTime(),
        Status.Name(), (long)Samples, (long)Expected, Detail,
    ];
}

/// <summary>Which day's diagnostics decide whether a day's data is healthy.</summary>
public enum HealthBasis
{
    /// <summary>
    /// Live operation, as PeMS does it: data of day D is trusted according to the tests run on day D-1 (the
    /// tests of D need D's whole window, which has not happened yet).
    /// </summary>
    PreviousDay,
    /// <summary>Batch recompute of a past day: D's data is judged by D's own tests (they can be run now).</summary>
    SameDay,
}

/// <summary>
/// The health results of survey stations by day, and the question fusion asks: may this station's data
/// for this day be used? Thread-safe (diagnostics write, fusion reads).
/// </summary>
public sealed class DetectorHealthBook(HealthBasis basis = HealthBasis.PreviousDay, bool unknownIsHealthy = true)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Station, int Direction, DateOnly Day), DetectorHealthResult> _stations = [];
    private readonly Dictionary<DateOnly, List<DetectorHealthResult>> _byDay = [];

    public HealthBasis Basis { get; } = basis;

    /// <summary>What <see cref="IsHealthy"/> answers when the deciding day was never diagnosed (e.g. the first day after installation).</summary>
    public bool UnknownIsHealthy { get; } = unknownIsHealthy;

    /// <summary>The day whose tests decide about data of <paramref name="day"/> under <see cref="Basis"/>.</summary>
    public DateOnly DecidingDay(DateOnly day) => Basis == HealthBasis.PreviousDay ? day.AddDays(-1) : day;

    /// <summary>Whether the station's data in that direction on that (China-time) day may be fused.</summary>
    public bool IsHealthy(string stationId, int direction, DateOnly day)
    {
        lock (_gate)
        {
            return _stations.TryGetValue((stationId, direction, DecidingDay(day)), out var r) ? r.Healthy : UnknownIsHealthy;
        }
    }

    /// <summary>The station-level result (lane 0) of the tests run on data of <paramref name="diagnosedDay"/>.</summary>
    public DetectorHealthResult? Get(string stationId, int direction, DateOnly diagnosedDay)
    {
        lock (_gate)
        {
            return _stations.GetValueOrDefault((stationId, direction, diagnosedDay));
        }
    }

    /// <summary>All results (lanes and stations) of the tests run on data of a day.</summary>
    public IReadOnlyList<DetectorHealthResult> Results(DateOnly diagnosedDay)
    {
        lock (_gate)
        {
            return _byDay.TryGetValue(diagnosedDay, out var list) ? [.. list] : [];
        }
    }

    /// <summary>Stores a day's results (replacing an earlier run for the same day, e.g. a recompute).</summary>
    public void Record(DateOnly diagnosedDay, IReadOnlyList<DetectorHealthResult> results)
    {
        lock (_gate)
        {
            Forget(diagnosedDay);
            _byDay[diagnosedDay] = [.. results];
            foreach (var r in results)
            {
                if (r.Lane == 0)
                {
                    _stations[(r.StationId, r.Direction, r.Day)] = r;
                }
            }
        }
    }

    /// <summary>Loads stored rows of <c>highway.detector_health</c> (schema order), e.g. at start-up.</summary>
    public int Load(IEnumerable<IReadOnlyList<object?>> rows)
    {
        var byDay = new Dictionary<DateOnly, List<DetectorHealthResult>>();
        foreach (var row in rows)
        {
            if (RowValues.Text(row, 0) is not { } station || RowValues.Integer(row, 1) is not { } direction || RowValues.Integer(row, 2) is not { } lane
                || !DateOnly.TryParseExact(RowValues.Text(row, 3), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                continue;
            }
            var status = Array.IndexOf([.. HighwayStationDatasets.HealthStatuses], RowValues.Text(row, 5));
            if (status < 0)
            {
                continue;
            }
            var r = new DetectorHealthResult(station, (int)direction, (int)lane, day, (DetectorStatus)status,
                (int)(RowValues.Integer(row, 6) ?? 0), (int)(RowValues.Integer(row, 7) ?? 0), RowValues.Text(row, 8) ?? "");
            if (!byDay.TryGetValue(day, out var list))
            {
                byDay[day] = list = [];
            }
            list.Add(r);
        }
        foreach (var (day, list) in byDay)
        {
            Record(day, list);
        }
        return byDay.Values.Sum(l => l.Count);
    }

    /// <summary>Drops results of days before <paramref name="day"/> (bounded memory).</summary>
    public void Evict(DateOnly day)
    {
        lock (_gate)
        {
            foreach (var d in _byDay.Keys.Where(d => d < day).ToList())
            {
                Forget(d);
            }
        }
    }

    private void Forget(DateOnly day)
    {
        if (_byDay.Remove(day, out var old))
        {
            foreach (var r in old.Where(r => r.Lane == 0))
            {
                _stations.Remove((r.StationId, r.Direction, r.Day));
            }
        }
    }
}
