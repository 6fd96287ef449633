using TransportBrain.Highway.Network;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;

namespace TransportBrain.Highway.Stations;

/// <summary>
/// The live survey-station pipeline, to subscribe to <c>highway.survey_station_5min</c> on the hub's record
/// feed: every stored lane record goes to <see cref="States"/> (5-minute station states for fusion) and to
/// <see cref="Diagnostics"/> (daily detector tests). Time is the data's own: once the latest interval seen
/// passes the end of a day's diagnostic window (22:00 China time) plus <see cref="DiagnoseLateness"/>, that
/// day is diagnosed, its results go to the health book (deciding the NEXT day, <see cref="HealthBasis.PreviousDay"/>)
/// and its <c>highway.detector_health</c> rows are queued for <see cref="TakeHealthRows"/>. States older than
/// <see cref="StateRetention"/> behind the watermark are evicted. Never throws on bad input.
/// </summary>
public sealed class StationProcessor : IStoredRecordObserver
{
    private readonly Lock _gate = new();
    private readonly SurveyStationIndex _index;
    private readonly List<object?[]> _pendingHealthRows = [];
    private DateOnly? _lastDiagnosed;

    public StationProcessor(RoadNetwork network, DetectorHealthBook? book = null, HealthThresholds? thresholds = null, TimeProvider? clock = null)
    {
        _index = new SurveyStationIndex(network);
        Book = book ?? new DetectorHealthBook();
        Quarantine = new ProcessorQuarantine();
        States = new StationStates(_index, Book, Quarantine, clock);
        Diagnostics = new DetectorDiagnostics(_index, Book, thresholds, new ProcessorQuarantine(0));
    }

    public DetectorHealthBook Book { get; }
    public StationStates States { get; }
    public DetectorDiagnostics Diagnostics { get; }

    /// <summary>What the pipeline refused (the diagnostics see the same records and do not count them again).</summary>
    public ProcessorQuarantine Quarantine { get; }

    /// <summary>How long after the end of the diagnostic window late records are waited for.</summary>
    public TimeSpan DiagnoseLateness { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How far behind the watermark station states are kept.</summary>
    public TimeSpan StateRetention { get; init; } = TimeSpan.FromHours(3);

    /// <summary>Diagnosed days kept in the diagnostics' lane store and the health book.</summary>
    public int DaysKept { get; init; } = 3;

    public void OnStored(DatasetDefinition dataset, IReadOnlyList<object?[]> rows)
    {
        if (dataset.Id == SurveyStationIndex.Dataset.Id)
        {
            Add(rows);
        }
    }

    /// <summary>Adds typed rows (schema order) and runs whatever diagnostics and eviction the data's clock now allows.</summary>
    public void Add(IEnumerable<IReadOnlyList<object?>> rows)
    {
        lock (_gate)
        {
            foreach (var row in rows)
            {
                if (!_index.TryRead(row, out var r, out var reason, out var detail))
                {
                    Quarantine.Add(SurveyStationIndex.Dataset.Id, reason, detail, row);
                    continue;
                }
                // A record too late for the states (evicted) may still count for a day not yet diagnosed.
                if (States.Add(r, row) is StationStates.AddOutcome.Accepted or StationStates.AddOutcome.Late)
                {
                    Diagnostics.Add(r, row);
                }
            }
            Advance();
        }
    }

    /// <summary>Diagnoses a day now (batch recompute), replacing earlier results for it; returns the dataset rows.</summary>
    public IReadOnlyList<object?[]> DiagnoseDay(DateOnly day) => [.. Diagnostics.Diagnose(day).Select(r => r.ToRow())];

    /// <summary>The <c>highway.detector_health</c> rows produced since the last call, for the host to store.</summary>
    public IReadOnlyList<object?[]> TakeHealthRows()
    {
        lock (_gate)
        {
            var rows = _pendingHealthRows.ToArray();
            _pendingHealthRows.Clear();
            return rows;
        }
    }

    private void Advance()
    {
        if (States.Watermark is not { } watermark)
        {
            return;
        }
        var t = Diagnostics.Thresholds;
        var local = watermark.ToOffset(ChinaTime.Offset);
        var today = DateOnly.FromDateTime(local.DateTime);
        var windowClosed = local.TimeOfDay >= t.WindowEnd.ToTimeSpan() + DiagnoseLateness;
        var lastReady = windowClosed ? today : today.AddDays(-1);
        var first = _lastDiagnosed?.AddDays(1) ?? Diagnostics.Days.FirstOrDefault(lastReady);
        if (first < lastReady.AddDays(1 - DaysKept))
        {
            first = lastReady.AddDays(1 - DaysKept); // after a long gap in the data, only the days still kept
        }
        for (var day = first; day <= lastReady; day = day.AddDays(1))
        {
            _pendingHealthRows.AddRange(Diagnostics.Diagnose(day).Select(r => r.ToRow()));
            _lastDiagnosed = day;
        }
        if (_lastDiagnosed is { } last)
        {
            Diagnostics.Evict(last.AddDays(1 - DaysKept));
            Book.Evict(last.AddDays(1 - DaysKept));
        }
        States.Evict(watermark - StateRetention);
    }
}
