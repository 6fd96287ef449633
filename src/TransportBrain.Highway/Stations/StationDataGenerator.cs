using TransportBrain.Highway.Network;

namespace TransportBrain.Highway.Stations;

/// <summary>Faults the generator can inject into a station's lane records.</summary>
public enum StationFaultKind
{
    /// <summary>No records at all (a dead detector or a dead link).</summary>
    Dead,
    /// <summary>The same non-zero record repeated (a stuck detector).</summary>
    Stuck,
    /// <summary>Only about a third of the records arrive.</summary>
    Sparse,
    /// <summary>Zero vehicles while occupancy stays positive.</summary>
    ZeroFlowWithOccupancy,
    /// <summary>Occupancy above 85 % all the time.</summary>
    HighOccupancy,
    /// <summary>Records arrive but every value is zero (PeMS "card off").</summary>
    AllZero,
}

/// <summary>A fault on one station direction (lane 0 = every lane) over [From, To).</summary>
public sealed record StationFault(string StationId, int Direction, int Lane, StationFaultKind Kind, DateTimeOffset From, DateTimeOffset To)
{
    public bool Applies(string station, int direction, int lane, DateTimeOffset t) =>
        station == StationId && direction == Direction && (Lane == 0 || Lane == lane) && t >= From && t < To;
}

/// <summary>
/// Deterministic 5-minute lane records for every survey station of a network: a two-peak daily profile, lane
/// shares, a vehicle-class split, speeds falling with flow, occupancy from flow and speed, headway from flow.
/// Rows are typed in the schema order of <c>highway.survey_station_5min</c>. Same seed, same rows.
/// </summary>
public sealed class StationDataGenerator(RoadNetwork network, int seed = 11)
{
    private static readonly double[] ClassShares = [0.62, 0.05, 0.09, 0.07, 0.08, 0.05, 0.03, 0.01];
    private readonly SurveyStationIndex _index = new(network);

    /// <summary>Effective vehicle length plus detector zone, metres (turns flow and speed into occupancy).</summary>
    public double EffectiveLengthM { get; init; } = 7.5;

    /// <summary>Peak hourly flow of one lane.</summary>
    public double PeakLaneVph { get; init; } = 900;

    /// <summary>Rows for every station, direction, lane and interval in [from, to), interval by interval.</summary>
    public IEnumerable<object?[]> Generate(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<StationFault>? faults = null)
    {
        faults ??= [];
        var ds = HighwayDatasets.SurveyStation5Min;
        var width = ds.Fields.Count;
        var idx = new
        {
            Station = ds.FieldIndex("station_id"),
            Direction = ds.FieldIndex("direction"),
            Lane = ds.FieldIndex("lane_no"),
            Start = ds.FieldIndex("interval_start"),
            Total = ds.FieldIndex("total"),
            Speed = ds.FieldIndex("mean_speed_kmh"),
            Occupancy = ds.FieldIndex("occupancy_pct"),
            Headway = ds.FieldIndex("mean_headway_s"),
        };
        var classFields = new[] { "small_passenger", "large_passenger", "small_truck", "medium_truck", "large_truck", "extra_large_truck", "container_truck", "motorcycle" }
            .Select(ds.FieldIndex).ToArray();
        var step = SurveyStationIndex.Interval;
        var start = new DateTimeOffset(from.UtcTicks - from.UtcTicks % step.Ticks, TimeSpan.Zero);
        var stuck = new Dictionary<(string, int, int), object?[]>();
        for (var t = start; t < to; t += step)
        {
            var hour = t.ToOffset(ChinaTime.Offset).TimeOfDay.TotalHours;
            var profile = DailyProfile(hour);
            foreach (var station in _index.Stations)
            {
                foreach (var direction in station.Directions)
                {
                    for (var lane = 1; lane <= station.Lanes; lane++)
                    {
                        var fault = faults.FirstOrDefault(f => f.Applies(station.Id, direction, lane, t));
                        var noise = Noise(station.Index, direction, lane, t.UtcTicks);
                        if (fault?.Kind == StationFaultKind.Dead || (fault?.Kind == StationFaultKind.Sparse && noise < 0.65))
                        {
                            continue;
                        }
                        if (fault?.Kind == StationFaultKind.Stuck && stuck.TryGetValue((station.Id, direction, lane), out var held))
                        {
                            var copy = (object?[])held.Clone();
                            copy[idx.Start] = t;
                            yield return copy;
                            continue;
                        }
                        var laneShare = LaneShare(lane, station.Lanes);
                        var vph = PeakLaneVph * station.Lanes * laneShare * profile * (0.85 + 0.3 * noise) * (1 + 0.1 * (station.Index % 5) / 5.0);
                        var total = (long)Math.Round(vph / 12);
                        var speed = Math.Round(Math.Clamp(112 - 6 * lane - 25 * Math.Pow(vph / 1_800, 2) + 8 * (noise - 0.5), 40, 130), 1);
                        var occupancy = Math.Round(Math.Min(95, vph * EffectiveLengthM / (speed * 1000) * 100), 1);
                        if (fault?.Kind == StationFaultKind.ZeroFlowWithOccupancy)
                        {
                            total = 0;
                            occupancy = Math.Max(occupancy, 3.5);
                        }
                        else if (fault?.Kind == StationFaultKind.HighOccupancy)
                        {
                            occupancy = 85 + Math.Round(10 * noise, 1);
                        }
                        else if (fault?.Kind == StationFaultKind.AllZero)
                        {
                            total = 0;
                            occupancy = 0;
                        }
                        var row = new object?[width];
                        row[idx.Station] = station.Id;
                        row[idx.Direction] = (long)direction;
                        row[idx.Lane] = (long)lane;
                        row[idx.Start] = t;
                        var left = total;
                        for (var c = 0; c < classFields.Length; c++)
                        {
                            var n = c == classFields.Length - 1 ? left : Math.Min(left, (long)Math.Round(total * ClassShares[c]));
                            if (classFields[c] >= 0)
                            {
                                row[classFields[c]] = n;
                            }
                            left -= n;
                        }
                        row[idx.Total] = total;
                        row[idx.Speed] = total > 0 ? speed : null;
                        row[idx.Occupancy] = occupancy;
                        row[idx.Headway] = total > 0 ? Math.Round(300.0 / total, 1) : null;
                        if (fault?.Kind == StationFaultKind.Stuck)
                        {
                            stuck[(station.Id, direction, lane)] = row;
                        }
                        yield return row;
                    }
                }
            }
        }
    }

    /// <summary>Share of the peak flow by hour of the China-time day: night trough, morning and evening peaks.</summary>
    public static double DailyProfile(double hour) =>
        0.08 + 0.55 * Bump(hour, 9, 2.2) + 0.6 * Bump(hour, 17.5, 2.5) + 0.35 * Bump(hour, 13, 4);

    private static double Bump(double x, double centre, double width) => Math.Exp(-Math.Pow((x - centre) / width, 2));

    private static double LaneShare(int lane, int lanes) => lanes switch
    {
        1 => 1,
        2 => lane == 1 ? 0.55 : 0.45,
        _ => lane == 1 ? 0.4 : lane == 2 ? 0.35 : 0.25 / (lanes - 2),
    };

    /// <summary>Deterministic noise in [0, 1) from the record's identity (no shared Random, so any slice is reproducible).</summary>
    private double Noise(int station, int direction, int lane, long ticks)
    {
        var h = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)station * 0xBF58476D1CE4E5B9UL ^ (ulong)(direction * 16 + lane) * 0x94D049BB133111EBUL ^ (ulong)ticks;
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return (h >> 11) * (1.0 / (1UL << 53));
    }
}
