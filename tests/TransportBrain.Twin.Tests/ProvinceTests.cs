using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using TransportBrain.Highway;
using TransportBrain.Highway.Network;
using TransportBrain.Hub.Catalog;
using TransportBrain.Twin.Province;

namespace TransportBrain.Twin.Tests;

public class ProvinceTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 19, 23, 0, 0, TimeSpan.Zero); // 07:00 China time

    private static string RepoFile(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TransportBrain.slnx")))
        {
            dir = dir.Parent;
        }
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, relative);
    }

    /// <summary>A small province: two radial routes with 6 gantries per direction, ramps, survey and weather stations.</summary>
    private static RoadNetwork Small() => SyntheticNetwork.Create(routes: 2, gantriesPerDirection: 6, spacingKm: 5, seed: 3);

    private static ProvinceOptions Options(RoadNetwork network, ulong seed = 5, IReadOnlyList<ProvinceIncident>? incidents = null) => new()
    {
        Start = Start, Seed = seed, SpinUp = TimeSpan.FromMinutes(20), Incidents = incidents ?? [], Weather = [],
    };

    private static List<TwinBatch> Run(ProvinceTwin twin, double untilS, double tickS = 10)
    {
        var batches = new List<TwinBatch>();
        for (var t = tickS; t <= untilS + 1e-9; t += tickS)
        {
            twin.AdvanceTo(t);
            batches.Add(twin.Drain());
        }
        return batches;
    }

    [Fact]
    public void The_shipped_demo_province_is_the_generators_output_and_a_plausible_network()
    {
        var shipped = File.ReadAllText(RepoFile(DemoProvince.NetworkPath));
        Assert.Equal(DemoProvince.CreateGeoJson(), shipped);

        var load = NetworkFile.LoadGeoJson(shipped);
        Assert.Empty(load.Problems);
        var n = load.Network;
        Assert.Equal(["G60", "G6001", "G69", "G75", "G76"], n.Routes.Select(r => r.Code).Order(StringComparer.Ordinal));
        var ring = n.RouteByCode[DemoProvince.RingCode];
        Assert.True(RouteGeometry.DistanceM(ring.Line[0], ring.Line[^1]) < 1, "the ring closes on itself");
        var km = n.Routes.Sum(r => r.EndStake - r.StartStake) / 1000;
        Assert.InRange(km, 300, 500);
        Assert.True(n.Gantries.Count >= 90, $"{n.Gantries.Count} gantries");
        Assert.Equal(n.Gantries.Count / 2, n.Gantries.Count(g => g.Direction == 1));
        Assert.True(n.Sections.Count >= 80);
        Assert.True(n.OfKind(FacilityKind.TollStation).Count() >= 10);
        Assert.True(n.OfKind(FacilityKind.SurveyStation).Count() >= 8);
        Assert.True(n.OfKind(FacilityKind.WeatherStation).Count() >= 4);
        Assert.NotEmpty(n.OfKind(FacilityKind.ServiceArea));
        Assert.NotEmpty(n.OfKind(FacilityKind.Tunnel));
        Assert.NotEmpty(n.OfKind(FacilityKind.Bridge));
        Assert.Equal(4, n.OfKind(FacilityKind.Interchange).Count(f => f.Attribute("hub") == "true"));
        Assert.Contains(n.SpeedLimitZones, z => z.Route == "G75" && z.LimitKmh == 80);
    }

    [Fact]
    public void The_same_seed_gives_the_same_feeds_and_another_seed_does_not()
    {
        string Digest(ulong seed)
        {
            var twin = new ProvinceTwin(Small(), Options(Small(), seed));
            var sb = new StringBuilder();
            foreach (var b in Run(twin, 900))
            {
                foreach (var (d, rows) in b.ByDataset())
                {
                    foreach (var row in rows)
                    {
                        sb.Append(d.Id).Append('|').AppendJoin('|', row.Select(v => v is DateTimeOffset t ? t.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))).Append('\n');
                    }
                }
            }
            Assert.True(sb.Length > 10_000, "the run produced feeds");
            return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
        }

        Assert.Equal(Digest(5), Digest(5));
        Assert.NotEqual(Digest(5), Digest(6));
    }

    [Fact]
    public void Gantry_transactions_account_for_every_passage_with_realistic_misses_duplicates_and_valid_fields()
    {
        var network = Small();
        var twin = new ProvinceTwin(network, Options(network) with { MissRate = 0.05, DuplicateRate = 0.03, UnreadablePlateRate = 0.02 });
        var rows = Run(twin, 1_800).SelectMany(b => b.GantryTransactions).ToList();
        var (passages, missed, duplicated, recorded) = twin.GantryCounts;

        Assert.True(passages > 2_000, $"{passages} passages");
        Assert.Equal(passages - missed + duplicated, recorded);
        Assert.Equal(recorded, rows.Count);
        Assert.InRange(missed / (double)passages, 0.03, 0.07);
        Assert.InRange(duplicated / (double)passages, 0.015, 0.045);

        var d = HighwayDatasets.GantryTransaction;
        int F(string name) => d.Fields.Select((f, i) => (f, i)).Single(x => x.f.Name == name).i;
        var plate = new Regex("^(?:" + FieldPatterns.ChinesePlate + ")$");
        var gantries = network.Gantries.Select(g => g.Id).ToHashSet();
        Assert.All(rows, r =>
        {
            Assert.Contains((string)r[F("gantry_id")]!, gantries);
            Assert.True(r[F("plate")] is null || plate.IsMatch((string)r[F("plate")]!), $"plate {r[F("plate")]}");
            var t = (DateTimeOffset)r[F("trans_time")]!;
            Assert.InRange(t, Start, Start.AddSeconds(1_800 + 30));
            Assert.Contains((long)r[F("vehicle_type")]!, new long[] { 1, 2, 3, 4, 11, 12, 13, 14, 15, 16 });
        });
        Assert.Equal(rows.Count, rows.Select(r => r[F("transaction_id")]).Distinct().Count());
        var unreadable = rows.Count(r => r[F("plate")] is null) / (double)rows.Count;
        Assert.InRange(unreadable, 0.005, 0.04);
        // Nothing from the spin-up leaks into the feeds.
        Assert.All(rows, r => Assert.True((DateTimeOffset)r[F("trans_time")]! >= Start));
    }

    [Fact]
    public void Survey_stations_report_every_lane_every_five_minutes_and_count_the_vehicles_that_crossed()
    {
        var network = Small();
        var twin = new ProvinceTwin(network, Options(network));
        var rows = Run(twin, 1_800).SelectMany(b => b.SurveyRecords).ToList();
        var d = HighwayDatasets.SurveyStation5Min;
        int F(string name) => d.Fields.Select((f, i) => (f, i)).Single(x => x.f.Name == name).i;

        var stations = network.OfKind(FacilityKind.SurveyStation).ToList();
        var lanes = stations.Sum(s => 2 * network.RouteByCode[s.Route].LanesPerDirection);
        Assert.Equal(6 * lanes, rows.Count); // 6 intervals of 5 minutes, every lane of both directions
        Assert.Equal(6, rows.Select(r => r[F("interval_start")]).Distinct().Count());
        Assert.All(rows, r =>
        {
            var total = (long)r[F("total")]!;
            var byClass = new[] { "small_passenger", "large_passenger", "small_truck", "medium_truck", "large_truck", "extra_large_truck", "container_truck", "motorcycle" }
                .Sum(c => (long)r[F(c)]!);
            Assert.Equal(total, byClass);
            Assert.InRange((double)r[F("occupancy_pct")]!, 0, 100);
            if (total > 0)
            {
                Assert.InRange((double)r[F("mean_speed_kmh")]!, 5, 160);
            }
        });
        // Traffic is flowing at 07:00-07:30 on every station.
        Assert.All(rows.GroupBy(r => (r[F("station_id")], r[F("direction")])), g => Assert.True(g.Sum(r => (long)r[F("total")]!) > 50));
    }

    [Fact]
    public void Ground_truth_covers_every_section_every_interval_and_an_injected_incident_shows_in_it()
    {
        var network = Small();
        var carriageway = network.Carriageway(network.Routes[0].Code, 1);
        var target = carriageway[3];
        var lanes = network.RouteByCode[target.Route].LanesPerDirection;
        var blocked = Enumerable.Range(1, lanes - 1).ToArray(); // one lane left open
        var incident = new ProvinceIncident("T1", target.Id, 0.8, blocked, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30));
        var twin = new ProvinceTwin(network, Options(network, incidents: [incident]) with { DemandScale = 1.3 });
        var batches = Run(twin, 2_700);
        var truth = batches.SelectMany(b => b.SectionTruth).ToList();
        var d = TwinDatasets.SectionTruth;
        int F(string name) => d.Fields.Select((f, i) => (f, i)).Single(x => x.f.Name == name).i;

        Assert.Equal(9 * network.Sections.Count, truth.Count); // 45 minutes, every section
        Assert.Equal(network.Sections.Select(s => s.Id).Order(), truth.Select(r => (string)r[F("section_id")]!).Distinct().Order());
        foreach (var r in truth.Where(r => r[F("mean_speed_kmh")] is not null))
        {
            var s = network.Section((string)r[F("section_id")]!)!;
            Assert.Equal(s.LengthM / ((double)r[F("mean_speed_kmh")]! / 3.6), (double)r[F("travel_time_s")]!, 0.02 * (double)r[F("travel_time_s")]! + 0.2);
        }
        double Speed(int minute) => (double)truth.Single(r => (string)r[F("section_id")]! == target.Id && (DateTimeOffset)r[F("interval_start")]! == Start.AddMinutes(minute))[F("mean_speed_kmh")]!;
        Assert.True(Speed(30) < 0.6 * Speed(5), $"speed before {Speed(5):0} km/h, during {Speed(30):0} km/h");

        var incidents = batches.SelectMany(b => b.IncidentTruth).ToList();
        var i = Assert.Single(incidents);
        var di = TwinDatasets.IncidentTruth;
        Assert.Equal(target.Id, i[di.Fields.ToList().FindIndex(f => f.Name == "section_id")]);
        Assert.Equal(Start.AddMinutes(10), i[di.Fields.ToList().FindIndex(f => f.Name == "start_time")]);
        // It was announced when it started, not before.
        var announcedIn = batches.FindIndex(b => b.IncidentTruth.Count > 0);
        Assert.Equal(59, announcedIn); // the tick ending at 600 s
    }

    [Fact]
    public void Equipped_vehicles_are_coaches_and_dangerous_goods_trucks_on_the_road_geometry()
    {
        var network = Small();
        var twin = new ProvinceTwin(network, Options(network));
        twin.AdvanceTo(600);
        var vehicles = twin.EquippedVehicles();
        Assert.True(vehicles.Count > 10, $"{vehicles.Count} equipped vehicles");
        Assert.Contains(vehicles, v => v.Category == "dangerous_goods");
        Assert.Contains(vehicles, v => v.Category is "coach" or "charter");
        var lons = network.Routes.SelectMany(r => r.Line).Select(p => p.Lon).ToList();
        var lats = network.Routes.SelectMany(r => r.Line).Select(p => p.Lat).ToList();
        Assert.All(vehicles, v =>
        {
            Assert.InRange(v.Longitude, lons.Min() - 0.01, lons.Max() + 0.01);
            Assert.InRange(v.Latitude, lats.Min() - 0.01, lats.Max() + 0.01);
            Assert.InRange(v.SpeedKmh, 0, 140);
            Assert.InRange(v.Heading, 0, 359);
            // supervised drivers keep (nearly) to their limits: 100 km/h for coaches, 80 for dangerous goods
            Assert.True(v.SpeedKmh <= (v.Category == "dangerous_goods" ? 88 : 125), $"{v.Category} at {v.SpeedKmh:0} km/h");
        });
        Assert.Equal(vehicles.Count, vehicles.Select(v => v.Key).Distinct().Count());
    }

    [Fact]
    public void Every_vehicle_of_a_run_has_its_own_valid_plate()
    {
        var pattern = new Regex("^(?:" + FieldPatterns.ChinesePlate + ")$");
        var plates = new HashSet<string>();
        for (var cw = 0; cw < 10; cw++)
        {
            for (var id = 0; id < 60_000; id++)
            {
                var plate = VehicleIdentity.Plate(VehicleIdentity.Key(cw, id), Simulation.VehicleClasses.Car);
                Assert.True(plates.Add(plate), $"{plate} given twice");
            }
        }
        Assert.All(plates.Take(5_000), p => Assert.Matches(pattern, p));
        Assert.All(plates, p => Assert.StartsWith("贵", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Lane_closures_and_speed_limits_set_on_a_section_reach_its_carriageway_and_lift()
    {
        var network = Small();
        var twin = new ProvinceTwin(network, Options(network));
        var section = network.Carriageway(network.Routes[1].Code, 2)[2];
        var (_, _, sim) = twin.Simulators.Single(s => s.Route == section.Route && s.Direction == section.Direction);

        var closure = twin.CloseLanes(section.Id, [1]); // the fast lane
        var limit = twin.SetSpeedLimit(section.Id, 60);
        var closed = Assert.Single(sim.Closures);
        Assert.Equal(network.RouteByCode[section.Route].LanesPerDirection, closed.Lane); // fast lane = the simulator's leftmost
        Assert.Equal(section.LengthM, closed.ToM - closed.FromM, 1);
        Assert.Equal(network.RouteByCode[section.Route].LanesPerDirection, sim.SpeedLimitOverrides.Count);
        Assert.All(sim.SpeedLimitOverrides, o => Assert.Equal(60, o.LimitKmh));

        Assert.True(twin.Lift(closure));
        Assert.True(twin.Lift(limit));
        Assert.False(twin.Lift(limit));
        Assert.Empty(sim.Closures);
        Assert.Empty(sim.SpeedLimitOverrides);
        Assert.Throws<ArgumentException>(() => twin.CloseLanes("no-such-section", [1]));
    }
}
