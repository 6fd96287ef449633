using System.Globalization;
using TransportBrain.Highway.Processing;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Governance.Incidents;

/// <summary>
/// The row of <see cref="GovernanceDatasets.IncidentHistory"/> for an incident that has ended (closed or
/// dismissed), and its writing to the hub. Durations are <see cref="IncidentTimings"/> (from detection),
/// so the dataset and the desk's metrics agree.
/// </summary>
public static class IncidentHistory
{
    public const string Source = "emergency-command";

    /// <summary>The row in the dataset's field order; the incident must have ended.</summary>
    public static object?[] Row(Incident i)
    {
        if (i.IsOpen)
        {
            throw new ArgumentException($"incident {i.Id} is still open; its history row is written when it closes", nameof(i));
        }
        var end = i.Steps.LastOrDefault(s => s.Action is IncidentActions.Close or IncidentActions.Dismiss)
            ?? throw new ArgumentException($"incident {i.Id} has no close or dismiss step", nameof(i));
        var timings = IncidentTimings.Of(i);
        var resources = i.Dispatches.Select(d => d.ResourceId).Distinct(StringComparer.Ordinal).ToList();
        return
        [
            i.Id,
            i.State == IncidentState.Closed ? "closed" : "dismissed",
            IncidentTexts.Slug(i.Kind),
            (long)i.Severity,
            i.Plan is { } plan ? (long)plan.Level : null,
            i.Source.ToString().ToLowerInvariant(),
            i.SourceRef,
            i.Title,
            i.Location.Route,
            i.Location.Direction,
            i.Location.Stake,
            i.Location.SectionId,
            i.Location.Longitude,
            i.Location.Latitude,
            i.LanesBlocked.Count == 0 ? null : string.Join(",", i.LanesBlocked.Select(l => l.ToString(CultureInfo.InvariantCulture))),
            i.Injuries,
            i.DetectedAt.ToUniversalTime(),
            i.CreatedAt.ToUniversalTime(),
            Utc(i.FirstAt(IncidentActions.Confirm)),
            Utc(i.FirstAt(IncidentActions.Plan)),
            Utc(i.Dispatches.Count == 0 ? null : i.Dispatches.Min(d => d.DispatchedAt)),
            Utc(i.Dispatches.Where(d => d.ArrivedAt is not null).Min(d => d.ArrivedAt)),
            Utc(i.FirstAt(IncidentActions.Clear)),
            end.At.ToUniversalTime(),
            timings.ToConfirmS,
            timings.ToDispatchS,
            timings.ToArriveS,
            timings.ToClearS,
            Math.Max(0, (end.At - i.DetectedAt).TotalSeconds),
            (long)resources.Count,
            resources.Count == 0 ? null : string.Join(",", resources),
            (long)i.Controls.Count,
            (long)i.Releases.Count(r => r.PublishedAt is not null),
            end.By.Name,
            end.By.Organisation,
        ];
    }

    /// <summary>
    /// Writes the ended incident's row as one derived batch (with its quality report). A row already stored
    /// for the incident is quarantined as a duplicate by the store, never silently replaced.
    /// </summary>
    public static async Task WriteAsync(IHubStore store, TimeProvider clock, Incident ended, CancellationToken ct = default)
    {
        await using var writer = new DerivedWriter(store, GovernanceDatasets.IncidentHistory, Source, clock);
        await writer.WriteAsync([Row(ended)], ct);
        await writer.CompleteAsync(ct);
    }

    private static DateTimeOffset? Utc(DateTimeOffset? t) => t?.ToUniversalTime();
}
