using TransportBrain.Governance.Incidents;

namespace TransportBrain.Governance.Control;

/// <summary>A control sent to the road side: set (or lift) a lane closure, a speed limit or a board message.</summary>
public sealed record RoadControlCommand(string ControlId, string IncidentId, ControlKind Kind, string SectionId, IReadOnlyList<int>? Lanes,
    int? SpeedLimitKmh, string? Text, bool Lift, DateTimeOffset At, string IssuedBy);

/// <param name="Delivered">True when the road side (or the twin) took the command.</param>
/// <param name="Detail">Its answer, kept on the control action.</param>
public sealed record RoadControlReceipt(bool Delivered, string Detail);

/// <summary>
/// Where incident controls go. The digital twin implements this to apply closures and limits to its
/// simulated road; a deployment implements it over the provincial road-side control system. The
/// workflow records every command and the receipt whatever the answer: a control that did not reach
/// the road is shown as not delivered, not silently dropped.
/// </summary>
public interface IRoadControl
{
    Task<RoadControlReceipt> SendAsync(RoadControlCommand command, CancellationToken ct = default);
}
