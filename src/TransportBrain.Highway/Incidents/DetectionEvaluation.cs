using TransportBrain.Highway.Fusion;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Simulation;

namespace TransportBrain.Highway.Incidents;

/// <summary>How well incidents were detected against known injected ones.</summary>
public sealed record DetectionScore(int Injected, int Detected, int FalseAlarms, long Decisions, double DetectionRate, double FalseAlarmRate, double MeanTimeToDetectMinutes);

/// <summary>How well congestion was predicted at one horizon: each section-interval prediction against the true level then.</summary>
public sealed record WarningScore(int HorizonMinutes, int Predictions, double Accuracy, double Precision, double Recall, int Warned, int Congested);

/// <summary>Scores the detector and the forecaster on generated data with known truth (see docs/highway-methods.md).</summary>
public static class DetectionEvaluation
{
    /// <summary>
    /// A candidate detects an injected incident when it is on the incident's section or the one just
    /// upstream (where the queue stands) and is raised between the start and 20 minutes after the end.
    /// </summary>
    public static DetectionScore Score(RoadNetwork network, IReadOnlyList<InjectedIncident> injected, IReadOnlyList<IncidentCandidate> raised, long decisions)
    {
        var used = new HashSet<IncidentCandidate>();
        var delays = new List<double>();
        foreach (var inc in injected)
        {
            var start = inc.Start.UtcTicks;
            var end = start + inc.Duration.Ticks + 20 * TimeSpan.TicksPerMinute;
            var up = network.Sections[inc.Section].Upstream?.Index;
            var hit = raised.Where(c => c.Kind == "incident" && (c.Section == inc.Section || c.Section == up) && c.DetectedTicks >= start && c.DetectedTicks <= end)
                .OrderBy(c => c.DetectedTicks).FirstOrDefault();
            if (hit is not null)
            {
                used.Add(hit);
                delays.Add((hit.DetectedTicks - start) / (double)TimeSpan.TicksPerMinute);
                foreach (var also in raised.Where(c => (c.Section == inc.Section || c.Section == up) && c.DetectedTicks >= start && c.DetectedTicks <= end))
                {
                    used.Add(also);
                }
            }
        }
        var falseAlarms = raised.Count(c => c.Kind == "incident" && !used.Contains(c));
        return new DetectionScore(injected.Count, delays.Count, falseAlarms, decisions,
            injected.Count == 0 ? 1 : (double)delays.Count / injected.Count,
            decisions == 0 ? 0 : (double)falseAlarms / decisions,
            delays.Count == 0 ? double.NaN : delays.Average());
    }

    public static IReadOnlyList<WarningScore> ScoreWarnings(RoadNetwork network, IEnumerable<SectionForecast> forecasts, GroundTruth truth, CongestionLevels? levels = null, int minVehicles = 5)
    {
        levels ??= CongestionLevels.Default;
        var scores = new List<WarningScore>();
        foreach (var group in forecasts.Where(f => f.Level != CongestionLevel.Unknown).GroupBy(f => f.HorizonMinutes).OrderBy(g => g.Key))
        {
            int n = 0, correct = 0, tp = 0, warned = 0, congested = 0;
            foreach (var f in group)
            {
                // the prediction issued at the end of interval k for h minutes ahead is about the interval containing issue + h - 5 min
                var target = f.IssuedTicks + (group.Key - 5) * TimeSpan.TicksPerMinute;
                if (truth.Speed(network, f.Section, target) is not { } t || t.Vehicles < minVehicles)
                {
                    continue;
                }
                var section = network.Sections[f.Section];
                var actual = levels.Classify(section.RoadClass, t.SpeedKmh) >= CongestionLevel.Light;
                var predicted = f.Level >= CongestionLevel.Light;
                n++;
                correct += actual == predicted ? 1 : 0;
                tp += actual && predicted ? 1 : 0;
                warned += predicted ? 1 : 0;
                congested += actual ? 1 : 0;
            }
            scores.Add(new WarningScore(group.Key, n, n == 0 ? 0 : (double)correct / n, warned == 0 ? 0 : (double)tp / warned, congested == 0 ? 0 : (double)tp / congested, warned, congested));
        }
        return scores;
    }
}
