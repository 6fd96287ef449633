using TransportBrain.Governance.Control;
using TransportBrain.Governance.Incidents;

namespace TransportBrain.Host.OpsConsole;

/// <summary>
/// Sends incident road controls to whoever listens on the live feed's <c>control</c> topic (the twin in
/// the demo, the map on every console). Delivered means at least one subscriber was connected to receive
/// it; with none the control is recorded as not delivered so the operator knows the road did not get it.
/// A deployment replaces this with its road-side control system's <see cref="IRoadControl"/>.
/// </summary>
public sealed class LiveFeedRoadControl(LiveFeed feed) : IRoadControl
{
    public Task<RoadControlReceipt> SendAsync(RoadControlCommand c, CancellationToken ct = default)
    {
        var listeners = feed.SubscriberCount;
        feed.Publish("control", new
        {
            controlId = c.ControlId,
            incidentId = c.IncidentId,
            kind = c.Kind switch { ControlKind.LaneClosure => "lane_closure", ControlKind.SpeedLimit => "speed_limit", _ => "board_message" },
            sectionId = c.SectionId,
            lanes = c.Lanes,
            speedLimitKmh = c.SpeedLimitKmh,
            text = c.Text,
            lift = c.Lift,
            at = c.At,
            issuedBy = c.IssuedBy,
        });
        return Task.FromResult(listeners > 0
            ? new RoadControlReceipt(true, $"published on the live feed (topic control) to {listeners} subscriber(s)")
            : new RoadControlReceipt(false, "no road-side system or twin connected; recorded only"));
    }
}

/// <summary>
/// Sends a control to the road side (<paramref name="road"/>: the twin, a road-side system) and announces it
/// on the live feed; the receipt is the road side's, with the feed's answer appended.
/// </summary>
public sealed class BroadcastRoadControl(IRoadControl road, LiveFeedRoadControl feed) : IRoadControl
{
    public async Task<RoadControlReceipt> SendAsync(RoadControlCommand command, CancellationToken ct = default)
    {
        RoadControlReceipt receipt;
        try
        {
            receipt = await road.SendAsync(command, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            receipt = new RoadControlReceipt(false, "road side failed: " + e.Message);
        }
        var announced = await feed.SendAsync(command, ct);
        return receipt with { Detail = receipt.Detail + "; " + announced.Detail };
    }
}
