using TransportBrain.Highway.Network;
using TransportBrain.Highway.Stations;
using TransportBrain.Highway.Tests.Stations;
using TransportBrain.Highway.Weather;

namespace TransportBrain.Highway.Tests.Weather;

public class WeatherWarningsTests
{
    private static readonly RoadNetwork Net = SyntheticNetwork.Create();
    private static readonly Facility Station = Net.OfKind(FacilityKind.WeatherStation).OrderBy(f => f.Id, StringComparer.Ordinal).First();
    private static readonly DateTimeOffset T0 = StationTestKit.Local(StationTestKit.Day, 5);

    private static DateTimeOffset At(int i) => T0.AddMinutes(5 * i);

    private static WeatherObservation Fog(int i, double? visibility) => new(Station.Id, At(i), VisibilityM: visibility);

    // Visibility by observation: 0 clear, 1-2 below 500 m, 3-4 below 200 m, 5-7 below 100 m, 8-10 clear again.
    private static readonly double[] FogSeries = [5_000, 400, 300, 150, 150, 80, 80, 90, 3_000, 3_000, 3_000, 4_000];

    private static string Key(WeatherWarning w) => string.Join("|", w.ToRow());

    private static WeatherWarnings Run(IEnumerable<WeatherObservation> observations)
    {
        var engine = new WeatherWarnings(Net);
        foreach (var o in observations)
        {
            engine.Add(o);
        }
        engine.Flush();
        return engine;
    }

    [Fact]
    public void Fog_is_raised_upgraded_and_cleared_at_the_right_observations()
    {
        var engine = Run(FogSeries.Select((v, i) => Fog(i, v)));
        var versions = engine.History();

        Assert.Equal(4, versions.Count);
        Assert.All(versions, w => Assert.Equal(versions[0].WarningId, w.WarningId));
        Assert.Equal([1, 2, 3, 4], versions.Select(w => w.Version));
        Assert.Equal([At(2), At(4), At(6), At(10)], versions.Select(w => w.UpdatedAt)); // raise after 2, clear after 3
        Assert.Equal(["blue", "yellow", "orange", "orange"], versions.Select(w => w.LevelName));
        Assert.All(versions, w => Assert.Equal(At(2), w.IssuedAt));
        Assert.Null(versions[2].ClearedAt);
        Assert.Equal(At(10), versions[3].ClearedAt);
        Assert.Contains("限速60公里/小时", versions[1].AdviceZh);
        Assert.Contains("40 km/h", versions[2].AdviceEn);
        Assert.Contains("visibility 80 m", versions[2].Evidence);

        Assert.Empty(engine.Active(At(1)));
        Assert.Equal("blue", Assert.Single(engine.Active(At(2))).LevelName);
        Assert.Equal("yellow", Assert.Single(engine.Active(At(5))).LevelName);
        Assert.Equal("orange", Assert.Single(engine.Active(At(9))).LevelName);
        Assert.Empty(engine.Active(At(10)));
    }

    [Fact]
    public void A_single_bad_reading_raises_nothing_and_a_single_good_one_clears_nothing()
    {
        double[] series = [5_000, 150, 5_000, 5_000, 150, 150, 5_000, 150, 5_000, 150];
        var engine = Run(series.Select((v, i) => Fog(i, v)));
        var versions = engine.History();
        var raised = Assert.Single(versions);
        Assert.Equal(At(5), raised.IssuedAt);
        Assert.Equal("yellow", raised.LevelName);
        Assert.NotEmpty(engine.Active(At(9)));
    }

    [Fact]
    public void A_level_falls_one_step_when_conditions_ease_and_missing_visibility_neither_raises_nor_clears()
    {
        double?[] series = [80, 80, null, null, null, null, 300, 300, 300, 5_000, 5_000, 5_000];
        var versions = Run(series.Select((v, i) => Fog(i, v))).History();
        Assert.Equal([(At(1), "orange", false), (At(8), "blue", false), (At(11), "blue", true)],
            versions.Select(w => (w.UpdatedAt, w.LevelName, w.IsCleared)));
    }

    [Fact]
    public void Out_of_order_and_duplicated_observations_within_the_lateness_give_the_same_warnings()
    {
        var ordered = Run(FogSeries.Select((v, i) => Fog(i, v))).History();

        var observations = FogSeries.Select((v, i) => Fog(i, v)).ToList();
        var messy = new List<WeatherObservation>();
        for (var i = 0; i < observations.Count; i += 2) // swap neighbours: 5 minutes late, within the 10-minute bound
        {
            if (i + 1 < observations.Count)
            {
                messy.Add(observations[i + 1]);
            }
            messy.Add(observations[i]);
            messy.Add(observations[i]);
        }
        var engine = Run(messy);

        Assert.Equal(ordered.Select(Key), engine.History().Select(Key));
        Assert.Equal(observations.Count, engine.Evaluated);
        Assert.Equal(messy.Count - observations.Count, engine.Quarantine.Count(ProcessorQuarantine.Duplicate));
    }

    [Fact]
    public void Bad_observations_are_quarantined_and_never_throw()
    {
        var engine = new WeatherWarnings(Net, clock: new FixedClock(At(20)));
        engine.Add(Fog(0, 5_000));
        engine.Add(Fog(5, 5_000));
        engine.Add(Fog(1, 5_000));                                                      // 20 minutes late: beyond the bound
        engine.Add(new WeatherObservation("QX-NOWHERE", At(6), VisibilityM: 100));
        engine.Add(Fog(40, 100));                                                        // 100 minutes ahead of the clock
        engine.Add(new WeatherObservation(Station.Id, At(7), RoadSurfaceTempC: 25, RoadSurfaceState: "ice"));
        engine.Add(["short"]);
        engine.Add([]);
        engine.Flush();

        var q = engine.Quarantine;
        Assert.Equal(1, q.Count(ProcessorQuarantine.TooLate));
        Assert.Equal(1, q.Count(ProcessorQuarantine.UnknownStation));
        Assert.Equal(1, q.Count(ProcessorQuarantine.ClockSkew));
        Assert.Equal(1, q.Count(ProcessorQuarantine.Implausible));
        Assert.Equal(2, q.Count(ProcessorQuarantine.Malformed));
        Assert.Equal(2, engine.Evaluated);
        Assert.Empty(engine.History());
    }

    [Fact]
    public void A_warning_covers_the_sections_of_both_carriageways_within_the_station_cover()
    {
        var covers = double.Parse(Station.Attribute("covers_m")!, System.Globalization.CultureInfo.InvariantCulture);
        var engine = Run(FogSeries.Select((v, i) => Fog(i, v)));
        var w = engine.History()[0];

        var route = Net.RouteByCode[Station.Route];
        var from = Math.Max(Station.Stake - covers, route.StartStake);
        var to = Math.Min(Station.Stake + covers, route.EndStake);
        Assert.Equal(Station.Route, w.Route);
        Assert.Equal(from, w.FromStake);
        Assert.Equal(to, w.ToStake);
        var expected = Net.Sections.Where(s => s.Route == Station.Route && Math.Max(s.FromStake, s.ToStake) >= from && Math.Min(s.FromStake, s.ToStake) <= to)
            .OrderBy(s => s.Direction).ThenBy(s => s.Direction == 1 ? s.FromStake : -s.FromStake).Select(s => s.Id).ToList();
        Assert.Equal(expected, w.SectionIds);
        Assert.Contains(Net.SectionAt(Station.Route, 1, Station.Stake)!.Id, w.SectionIds);
        Assert.Contains(Net.SectionAt(Station.Route, 2, Station.Stake)!.Id, w.SectionIds);
        Assert.DoesNotContain(Net.Sections, s => s.Route != Station.Route && w.SectionIds.Contains(s.Id));
        Assert.True(w.SectionIds.Count < Net.Carriageway(Station.Route, 1).Count + Net.Carriageway(Station.Route, 2).Count);
    }

    [Fact]
    public void Ice_rises_from_wet_and_freezing_to_ice_with_precipitation()
    {
        var series = new[]
        {
            new WeatherObservation(Station.Id, At(0), RoadSurfaceTempC: 3, PrecipitationMmH: 0.5, RoadSurfaceState: "wet"),
            new WeatherObservation(Station.Id, At(1), RoadSurfaceTempC: -0.5, PrecipitationMmH: 0.5, RoadSurfaceState: "wet"),
            new WeatherObservation(Station.Id, At(2), RoadSurfaceTempC: -1, PrecipitationMmH: 0.5, RoadSurfaceState: "wet"),
            new WeatherObservation(Station.Id, At(3), RoadSurfaceTempC: -2, PrecipitationMmH: 0, RoadSurfaceState: "ice"),
            new WeatherObservation(Station.Id, At(4), RoadSurfaceTempC: -2, PrecipitationMmH: 0, RoadSurfaceState: "ice"),
            new WeatherObservation(Station.Id, At(5), RoadSurfaceTempC: -3, PrecipitationMmH: 1.2, RoadSurfaceState: "ice"),
            new WeatherObservation(Station.Id, At(6), RoadSurfaceTempC: -3, PrecipitationMmH: 1.0, RoadSurfaceState: "snow"),
        };
        var versions = Run(series).History();
        Assert.Equal([(At(2), "yellow"), (At(4), "orange"), (At(6), "red")], versions.Select(w => (w.UpdatedAt, w.LevelName)));
        Assert.All(versions, w => Assert.Equal(WarningKind.Ice, w.Kind));
        Assert.Contains("关闭", versions[2].AdviceZh);
    }

    [Fact]
    public void Heavy_rain_and_wind_levels_follow_the_hourly_rain_and_wind_force_grades()
    {
        var t = WeatherThresholds.Default;
        WeatherObservation O(double? rain = null, double? wind = null) => new(Station.Id, T0, PrecipitationMmH: rain, WindSpeedMs: wind);
        Assert.Equal(0, t.Level(WarningKind.HeavyRain, O(rain: 4.9)));
        Assert.Equal(1, t.Level(WarningKind.HeavyRain, O(rain: 5)));
        Assert.Equal(2, t.Level(WarningKind.HeavyRain, O(rain: 12)));
        Assert.Equal(3, t.Level(WarningKind.HeavyRain, O(rain: 20)));
        Assert.Equal(4, t.Level(WarningKind.HeavyRain, O(rain: 40)));
        Assert.Null(t.Level(WarningKind.HeavyRain, O(wind: 3)));
        Assert.Equal(0, t.Level(WarningKind.StrongWind, O(wind: 10.7)));
        Assert.Equal(1, t.Level(WarningKind.StrongWind, O(wind: 10.8)));
        Assert.Equal(2, t.Level(WarningKind.StrongWind, O(wind: 17.2)));
        Assert.Equal(4, t.Level(WarningKind.StrongWind, O(wind: 33)));
        Assert.Equal(4, t.Level(WarningKind.Fog, new WeatherObservation(Station.Id, T0, VisibilityM: 49)));
        Assert.Equal(3, t.Level(WarningKind.Fog, new WeatherObservation(Station.Id, T0, VisibilityM: 50)));
    }

    [Fact]
    public void A_generated_fog_episode_warns_only_its_station_and_rows_fit_the_datasets()
    {
        var start = StationTestKit.Local(StationTestKit.Day, 0);
        var episode = new WeatherEpisode(Station.Id, WeatherEpisodeKind.Fog, StationTestKit.Local(StationTestKit.Day, 5), StationTestKit.Local(StationTestKit.Day, 8), 40);
        var gen = new WeatherDataGenerator(Net);
        var engine = new WeatherWarnings(Net);
        foreach (var row in gen.Generate(start, start.AddHours(12), [episode]))
        {
            StationTestKit.AssertTyped(HighwayWeatherDatasets.Observation, row);
            engine.Add(row);
        }
        engine.Flush();

        var versions = engine.TakeNew();
        Assert.All(versions, w => Assert.Equal(Station.Id, w.StationId));
        Assert.All(versions, w => Assert.Equal(WarningKind.Fog, w.Kind));
        Assert.Contains(versions, w => w.LevelName == "red");
        Assert.Equal("red", Assert.Single(engine.Active(StationTestKit.Local(StationTestKit.Day, 6, 30))).LevelName);
        Assert.True(versions[^1].IsCleared);
        Assert.InRange(versions[^1].ClearedAt!.Value, episode.From, episode.To.AddMinutes(15));
        Assert.Empty(engine.Active(start.AddHours(11)));
        Assert.Empty(engine.TakeNew());
        foreach (var w in versions)
        {
            StationTestKit.AssertTyped(HighwayWeatherDatasets.Warning, w.ToRow());
        }
        Assert.Empty(HighwayWeatherDatasets.All.SelectMany(d => d.Validate()));

        engine.Evict(start.AddHours(12));
        Assert.Empty(engine.History());
    }

    [Fact]
    public void Generated_ice_rain_and_wind_episodes_raise_their_kinds()
    {
        var stations = Net.OfKind(FacilityKind.WeatherStation).OrderBy(f => f.Id, StringComparer.Ordinal).ToList();
        var from = StationTestKit.Local(StationTestKit.Day, 0);
        var to = from.AddHours(6);
        var episodes = new[]
        {
            new WeatherEpisode(stations[1].Id, WeatherEpisodeKind.Ice, from.AddHours(1), from.AddHours(5), -4),
            new WeatherEpisode(stations[2].Id, WeatherEpisodeKind.HeavyRain, from.AddHours(1), from.AddHours(4), 25),
            new WeatherEpisode(stations[3].Id, WeatherEpisodeKind.StrongWind, from.AddHours(1), from.AddHours(4), 20),
            new WeatherEpisode(stations[4].Id, WeatherEpisodeKind.Outage, from, to, 0),
        };
        var engine = new WeatherWarnings(Net);
        foreach (var o in new WeatherDataGenerator(Net).Observations(from, to, episodes))
        {
            engine.Add(o);
        }
        engine.Flush();
        var byStation = engine.History().GroupBy(w => w.StationId).ToDictionary(g => g.Key, g => g.ToList());

        Assert.Equal([stations[1].Id, stations[2].Id, stations[3].Id], byStation.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(byStation[stations[1].Id], w => w.Kind == WarningKind.Ice && w.Level >= 3);
        Assert.Contains(byStation[stations[2].Id], w => w.Kind == WarningKind.HeavyRain && w.LevelName == "orange");
        Assert.Contains(byStation[stations[3].Id], w => w.Kind == WarningKind.StrongWind && w.LevelName == "yellow");
    }
}
