using TransportBrain.Highway.Fusion;
using TransportBrain.Highway.Incidents;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Processing;
using TransportBrain.Highway.Simulation;
using Xunit.Abstractions;

namespace TransportBrain.Highway.Tests.Processing;

public sealed class IncidentDetectionTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 9, 0, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void Injected_incidents_are_detected_and_recurrent_congestion_is_not_called_an_incident()
    {
        var net = SyntheticNetwork.Create(routes: 2, gantriesPerDirection: 7, spacingKm: 5);
        var day8 = Monday.AddDays(7);
        var incidents = new[]
        {
            new InjectedIncident(2, day8.AddHours(10), TimeSpan.FromMinutes(50)),
            new InjectedIncident(9, day8.AddHours(13.5), TimeSpan.FromMinutes(40)),
            new InjectedIncident(15, day8.AddHours(16), TimeSpan.FromMinutes(60)),
            new InjectedIncident(20, day8.AddHours(11), TimeSpan.FromMinutes(45)),
        };
        var gen = new GantryTrafficGenerator(new TrafficScenario
        {
            Network = net, DayStart = Monday, Span = TimeSpan.FromDays(8), Vehicles = 8 * 50_000, Seed = 11,
            RecurrentBottlenecks = [0, 12], Incidents = incidents,
        });
        var pipeline = new HighwayPipeline(net);
        var raised = new List<IncidentCandidate>();
        var forecasts = new List<SectionForecast>();
        long decisions = 0;
        pipeline.Detector.Raised += raised.Add;
        pipeline.StatesFinal += s =>
        {
            if (s[0].IntervalTicks >= day8.UtcTicks)
            {
                decisions += s.Count;
            }
        };
        pipeline.Forecasts += f =>
        {
            if (f.Count > 0 && f[0].IssuedTicks > day8.UtcTicks)
            {
                forecasts.AddRange(f);
            }
        };
        foreach (var r in gen.Reads())
        {
            pipeline.Add(gen.ToPass(r));
        }
        pipeline.Flush();

        var onDay8 = raised.Where(c => c.DetectedTicks >= day8.UtcTicks).ToList();
        var score = DetectionEvaluation.Score(net, incidents, onDay8, decisions);
        output.WriteLine($"detection {score}");
        foreach (var c in onDay8)
        {
            output.WriteLine($"  {c.Kind} {c.SectionId} at {new DateTimeOffset(c.DetectedTicks, TimeSpan.Zero).ToOffset(TimeSpan.FromHours(8)):HH:mm} {c.Evidence}");
        }
        var warnings = DetectionEvaluation.ScoreWarnings(net, forecasts, gen.Truth);
        foreach (var w in warnings)
        {
            output.WriteLine($"warning {w}");
        }
        Assert.Equal(4, score.Detected);
        // the evidence comes in both languages, with the same figures
        Assert.All(onDay8, c =>
        {
            Assert.Matches(@"^speed \d+ km/h \(usual \d+\), downstream (\d+|-) km/h, in \d+ / out (\d+|-) veh in 5 min, \d+ intervals$", c.Evidence);
            Assert.Matches(@"^车速 \d+ km/h（平常 \d+），下游 (\d+|-) km/h，5 分钟驶入 \d+ 辆、驶出 (\d+|-) 辆，已持续 \d+ 个周期$", c.EvidenceZh);
            Assert.Equal(System.Text.RegularExpressions.Regex.Matches(c.Evidence, @"\d+").Select(m => m.Value).Order(), System.Text.RegularExpressions.Regex.Matches(c.EvidenceZh!, @"\d+").Select(m => m.Value).Order());
        });
        Assert.True(score.MeanTimeToDetectMinutes < 25, $"mean time to detect {score.MeanTimeToDetectMinutes:F1} min");
        Assert.True(score.FalseAlarmRate < 0.001, $"false alarm rate {score.FalseAlarmRate:P3}");
        // the weekday peak bottlenecks are known to the profile by day 8: usual congestion, not incidents
        Assert.DoesNotContain(onDay8, c => c.Kind == "incident" && (c.Section == 0 || c.Section == 12));
        Assert.All(warnings, w => Assert.True(w.Accuracy >= 0.9 && w.Precision >= 0.9, $"warning accuracy at {w.HorizonMinutes} min: {w.Accuracy:P1}, precision {w.Precision:P1}"));
        // and the peaks are predicted: warnings on the bottleneck sections on the morning of day 8
        Assert.Contains(forecasts, f => (f.Section == 0 || f.Section == 12) && f.Level >= CongestionLevel.Light);
    }
}
