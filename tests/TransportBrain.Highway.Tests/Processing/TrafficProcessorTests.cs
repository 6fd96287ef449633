using TransportBrain.Highway.Network;
using TransportBrain.Highway.Processing;
using TransportBrain.Highway.Simulation;
using TransportBrain.Highway.TravelTimes;

namespace TransportBrain.Highway.Tests.Processing;

public sealed class TrafficProcessorTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly DateTimeOffset Day = new(2026, 11, 16, 0, 0, 0, TimeSpan.FromHours(8)); // a Monday, local midnight
    private static readonly long T0 = Day.UtcTicks + TimeSpan.FromHours(10).Ticks;

    private static RoadNetwork Network() => SyntheticNetwork.Create(routes: 2, gantriesPerDirection: 6, spacingKm: 5);

    private static (List<SectionInterval> Sections, List<GantryFlow> Flows, List<OdCount> Od) Collect(TrafficProcessor p)
    {
        var sections = new List<SectionInterval>();
        var flows = new List<GantryFlow>();
        var od = new List<OdCount>();
        p.SectionFinal += sections.Add;
        p.GantryFlowFinal += flows.Add;
        p.OdFinal += od.Add;
        return (sections, flows, od);
    }

    [Fact]
    public void Live_arrival_out_of_order_within_the_lateness_gives_the_batch_answer_exactly()
    {
        var net = Network();
        var gen = new GantryTrafficGenerator(new TrafficScenario
        {
            Network = net, DayStart = Day, Span = TimeSpan.FromHours(6), Vehicles = 6_000, Seed = 3,
            Incidents = [new InjectedIncident(2, Day.AddHours(3), TimeSpan.FromMinutes(40))],
        });
        var reads = gen.Reads().Select(r => gen.ToPass(r)).ToList();

        var batch = new TrafficProcessor(net);
        var b = Collect(batch);
        foreach (var pass in reads)
        {
            batch.Add(pass);
        }
        batch.Flush();

        // Live: each pass arrives up to 100 s after its event time (the lateness bound is 2 min), some twice.
        var rng = new Random(9);
        var arrivals = reads.Select(r => (Arrival: r.Ticks + (long)(rng.NextDouble() * 100 * TimeSpan.TicksPerSecond), Pass: r)).ToList();
        arrivals.AddRange(reads.Where((_, i) => i % 50 == 0).Select(r => (Arrival: r.Ticks + 90 * TimeSpan.TicksPerSecond, Pass: r)));
        var live = new TrafficProcessor(net);
        var l = Collect(live);
        foreach (var (_, pass) in arrivals.OrderBy(a => a.Arrival))
        {
            live.Add(pass);
        }
        live.Flush();

        Assert.Equal(0, live.Counters.Late);
        Assert.Equal(reads.Count / 50 + (reads.Count % 50 == 0 ? 0 : 1), live.Counters.DuplicateTransaction);
        Assert.Equal(reads.Count, live.Counters.Accepted);
        Assert.True(b.Sections.Count > 1000);
        Assert.Equal(b.Sections, l.Sections);
        Assert.Equal(b.Flows.Select(f => (f.Gantry, f.IntervalTicks, string.Join(",", f.ByClass))), l.Flows.Select(f => (f.Gantry, f.IntervalTicks, string.Join(",", f.ByClass))));
        Assert.Equal(b.Od, l.Od);
        Assert.True(b.Od.Sum(o => o.Trips) > 1000);
        Assert.Equal(batch.Counters.Matched, live.Counters.Matched);
    }

    [Fact]
    public void Estimated_speeds_are_within_5_percent_of_the_truth_where_ten_vehicles_pass()
    {
        var net = Network();
        var gen = new GantryTrafficGenerator(new TrafficScenario
        {
            Network = net, DayStart = Day, Vehicles = 60_000, Seed = 5,
            RecurrentBottlenecks = [0, 7],
            Incidents = [new InjectedIncident(3, Day.AddHours(14), TimeSpan.FromMinutes(45))],
        });
        var p = new TrafficProcessor(net);
        var results = Collect(p).Sections;
        foreach (var r in gen.Reads())
        {
            p.Add(gen.ToPass(r));
        }
        p.Flush();

        var errors = new List<double>();
        foreach (var r in results)
        {
            if (gen.Truth.Speed(net, r.Section, r.IntervalTicks) is { Vehicles: >= 10 } truth && r.Car.Source == EstimateSource.Observed)
            {
                errors.Add(Math.Abs(r.Car.SpeedKmh!.Value - truth.SpeedKmh) / truth.SpeedKmh);
            }
        }
        errors.Sort();
        Assert.True(errors.Count > 500, $"only {errors.Count} intervals had 10 vehicles");
        var median = errors[errors.Count / 2];
        output.WriteLine($"{errors.Count} intervals with at least 10 cars: median absolute speed error {median:P2}, 90th percentile {errors[errors.Count * 9 / 10]:P2}");
        Assert.True(median < 0.05, $"median absolute speed error {median:P2}");
        // the incident shows: the section's speed collapses while it lasts
        var during = results.First(r => r.Section == 3 && r.IntervalTicks == Day.AddHours(14).AddMinutes(30).UtcTicks);
        Assert.True(during.All.SpeedKmh < 30, $"speed during the incident {during.All.SpeedKmh}");
    }

    [Fact]
    public void A_service_area_stop_does_not_drag_the_section_speed_down()
    {
        var net = Network();
        var s = net.Sections[0];
        var p = new TrafficProcessor(net);
        var results = Collect(p).Sections;
        var from = Gantry(net, s.From.Id);
        var to = Gantry(net, s.To.Id);
        var seconds = s.LengthM / (100 / 3.6);
        var passes = new List<GantryPass>();
        for (var v = 0; v < 8; v++)
        {
            var t = T0 + v * 2 * TimeSpan.TicksPerSecond;
            var stop = v == 3 ? 25 * TimeSpan.TicksPerMinute : 0;
            passes.Add(new GantryPass(t, from, v, 1, v * 2, null, 0));
            passes.Add(new GantryPass(t + (long)(seconds * TimeSpan.TicksPerSecond) + stop, to, v, 1, v * 2 + 1, null, 0));
        }
        foreach (var pass in passes.OrderBy(x => x.Ticks))
        {
            p.Add(pass);
        }
        p.Flush();
        var interval = results.Where(r => r.Section == s.Index && r.All.Samples > 0).ToList();
        Assert.Equal(8, interval.Sum(r => r.All.Samples));
        var main = interval.Single(r => r.All.Samples == 7);
        Assert.Equal(EstimateSource.Observed, main.All.Source);
        Assert.Equal(100, main.All.SpeedKmh!.Value, 0.5);
        Assert.Equal(7, main.Car.Used);
    }

    [Fact]
    public void Implausible_pairs_and_duplicate_reads_are_counted_not_used()
    {
        var net = Network();
        var s = net.Sections[0];
        var p = new TrafficProcessor(net);
        var results = Collect(p);
        var from = Gantry(net, s.From.Id);
        var to = Gantry(net, s.To.Id);
        // 10 s over ~5 km is 1,800 km/h: a clock error or a cloned OBU
        p.Add(new GantryPass(T0, from, 1, 1, 1, null, 0));
        p.Add(new GantryPass(T0 + 10 * TimeSpan.TicksPerSecond, to, 1, 1, 2, null, 0));
        // read twice at the same gantry 15 s apart, then downstream three hours later
        p.Add(new GantryPass(T0, from, 2, 1, 3, null, 0));
        p.Add(new GantryPass(T0 + 15 * TimeSpan.TicksPerSecond, from, 2, 1, 4, null, 0));
        p.Add(new GantryPass(T0 + 3 * TimeSpan.TicksPerHour, to, 2, 1, 5, null, 0));
        p.Flush();
        Assert.Equal(1, p.Counters.TooFast);
        Assert.Equal(1, p.Counters.DuplicateReads);
        Assert.Equal(1, p.Counters.TooSlow);
        Assert.Equal(0, p.Counters.Matched);
        Assert.Equal(5, p.Counters.Accepted);
        Assert.Equal(2, results.Flows.Where(f => f.Gantry == from).Sum(f => f.Total)); // vehicle 2 counted once
        Assert.All(results.Sections, r => Assert.Equal(0, r.All.Used));
    }

    [Fact]
    public void A_pass_older_than_the_watermark_is_late_and_changes_nothing()
    {
        var net = Network();
        var p = new TrafficProcessor(net);
        var g = Gantry(net, net.Sections[0].From.Id);
        p.Add(new GantryPass(T0, g, 1, 1, 1, null, 0));
        Assert.False(p.Add(new GantryPass(T0 - 3 * TimeSpan.TicksPerMinute, g, 2, 1, 2, null, 0)));
        Assert.True(p.Add(new GantryPass(T0 - 1 * TimeSpan.TicksPerMinute, g, 3, 1, 3, null, 0)));
        Assert.Equal(1, p.Counters.Late);
        Assert.Equal(2, p.Counters.Accepted);
    }

    [Fact]
    public void Too_few_vehicles_fall_back_to_the_profile_of_the_same_weekday_and_time_and_say_so()
    {
        var net = Network();
        var s = net.Sections[0];
        var p = new TrafficProcessor(net);
        var results = Collect(p).Sections;
        var from = Gantry(net, s.From.Id);
        var to = Gantry(net, s.To.Id);
        var tt = (long)(s.LengthM / (90 / 3.6) * TimeSpan.TicksPerSecond);
        long tx = 0;
        var passes = new List<GantryPass>();
        void Drive(long start, int vehicles)
        {
            for (var v = 0; v < vehicles; v++)
            {
                var vehicle = tx;
                passes.Add(new GantryPass(start + v * TimeSpan.TicksPerSecond, from, vehicle, 1, tx++, null, 0));
                passes.Add(new GantryPass(start + v * TimeSpan.TicksPerSecond + tt, to, vehicle, 1, tx++, null, 0));
            }
        }
        Drive(T0, 6);                                  // a Monday: learnt
        Drive(T0 + TimeSpan.FromDays(7).Ticks, 1);     // the next Monday, same time: one car only
        foreach (var pass in passes.OrderBy(x => x.Ticks))
        {
            p.Add(pass);
        }
        p.Flush();
        var exit = p.Floor(T0 + TimeSpan.FromDays(7).Ticks + tt);
        var fallback = results.Single(r => r.Section == s.Index && r.IntervalTicks == exit);
        Assert.Equal(EstimateSource.Historical, fallback.All.Source);
        Assert.Equal(1, fallback.All.Samples);
        Assert.Equal(90, fallback.All.SpeedKmh!.Value, 0.5);
        var nothing = results.First(r => r.Section == s.Index && r.IntervalTicks == exit + TimeSpan.FromHours(1).Ticks);
        Assert.Equal(EstimateSource.None, nothing.All.Source);
        Assert.Null(nothing.All.SpeedKmh);
    }

    private static int Gantry(RoadNetwork net, string id) => net.Gantries.Select((g, i) => (g, i)).Single(x => x.g.Id == id).i;
}
