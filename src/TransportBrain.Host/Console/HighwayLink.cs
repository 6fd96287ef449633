using TransportBrain.Governance.Incidents;
using TransportBrain.Highway;
using TransportBrain.Highway.Fusion;
using TransportBrain.Highway.Incidents;

namespace TransportBrain.Host.OpsConsole;

/// <summary>
/// Connects the live highway pipeline to the console: final section states go out on the live feed's
/// "sections" topic (new subscribers get the latest states as a snapshot), and each detected incident
/// (not recurrent congestion) opens a candidate in emergency command with the detection as its source.
/// </summary>
public static class HighwayLink
{
    public static void Connect(HighwayService highway, LiveFeed feed, ConsoleRuntime console, Action<string>? log = null)
    {
        feed.SetSnapshot("sections", () => Payload(highway, highway.LatestStates()));
        highway.StatesFinal += states => feed.Publish("sections", Payload(highway, states));
        highway.IncidentRaised += candidate =>
        {
            if (candidate.Kind != "incident")
            {
                return;
            }
            _ = OpenAsync(highway, console, candidate, log);
        };
    }

    private static async Task OpenAsync(HighwayService highway, ConsoleRuntime console, IncidentCandidate c, Action<string>? log)
    {
        try
        {
            var section = highway.Network?.Section(c.SectionId);
            var at = section is null ? default : highway.Network!.PointAt(section.Route, c.Stake);
            await console.Command.OpenAsync(new NewIncident
            {
                Kind = IncidentKind.Congestion,
                Source = IncidentSource.Detection,
                SourceRef = c.Id,
                Title = $"{c.Route} {c.StakeText} {(c.Direction == 1 ? "上行" : "下行")} 疑似交通事件",
                Description = c.EvidenceZh ?? c.Evidence,
                DetectedAt = new DateTimeOffset(c.DetectedTicks, TimeSpan.Zero),
                Location = new IncidentLocation { Longitude = at.Lon, Latitude = at.Lat, Route = c.Route, Stake = c.StakeText, Direction = c.Direction == 1 ? "上行" : "下行", SectionId = c.SectionId },
            }, new Actor("highway-detection", "路网监测", "system"));
        }
        catch (Exception e)
        {
            log?.Invoke($"highway: could not open incident {c.Id} in emergency command: {e.Message}");
        }
    }

    private static object Payload(HighwayService highway, IReadOnlyList<SectionState?> states) => new
    {
        sections = states.Where(s => s is not null).Select(s => new
        {
            id = s!.SectionId, interval_start = s.IntervalStart, speed_kmh = s.SpeedKmh, travel_time_s = s.TravelTimeS, flow_vph = Math.Round(s.FlowVph),
            level = (int)s.Level, level_zh = CongestionLevels.NameZh(s.Level), level_en = CongestionLevels.NameEn(s.Level),
        }).ToList(),
    };
}
