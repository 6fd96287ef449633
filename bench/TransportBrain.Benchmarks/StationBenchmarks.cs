using BenchmarkDotNet.Attributes;
using TransportBrain.Highway.Network;
using TransportBrain.Highway.Stations;
using TransportBrain.Highway.Weather;

namespace TransportBrain.Benchmarks;

/// <summary>
/// One province-day of survey-station data: 200 stations (20 routes × 10), 2 or 3 lanes per direction, both
/// directions, 288 five-minute intervals (~288,000 lane records), and one day of road weather observations
/// (140 stations × 288) with fog, ice and rain episodes. Rows are generated once; each operation processes
/// the whole day. Run: dotnet run -c Release -- --filter '*StationBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 8)]
public class StationBenchmarks
{
    private static readonly DateOnly Day = new(2025, 1, 14);
    private RoadNetwork _network = null!;
    private SurveyStationIndex _index = null!;
    private List<object?[]> _rows = [];
    private List<object?[]> _weather = [];

    [GlobalSetup]
    public void Setup()
    {
        _network = SyntheticNetwork.Create(routes: 20, gantriesPerDirection: 30, spacingKm: 5);
        _index = new SurveyStationIndex(_network);
        var stations = _index.Stations;
        var start = ChinaTime.Start(Day);
        var faults = new[]
        {
            new StationFault(stations[0].Id, 1, 0, StationFaultKind.Dead, start, start.AddDays(1)),
            new StationFault(stations[1].Id, 1, 0, StationFaultKind.Stuck, start, start.AddDays(1)),
            new StationFault(stations[2].Id, 2, 1, StationFaultKind.ZeroFlowWithOccupancy, start, start.AddDays(1)),
        };
        _rows = [.. new StationDataGenerator(_network).Generate(start, start.AddDays(1), faults)];
        var weatherStations = _network.OfKind(FacilityKind.WeatherStation).Select(f => f.Id).Order(StringComparer.Ordinal).ToList();
        var episodes = new[]
        {
            new WeatherEpisode(weatherStations[0], WeatherEpisodeKind.Fog, start.AddHours(4), start.AddHours(9), 40),
            new WeatherEpisode(weatherStations[5], WeatherEpisodeKind.Ice, start.AddHours(1), start.AddHours(8), -4),
            new WeatherEpisode(weatherStations[9], WeatherEpisodeKind.HeavyRain, start.AddHours(13), start.AddHours(17), 30),
        };
        _weather = [.. new WeatherDataGenerator(_network).Generate(start, start.AddDays(1), episodes)];
        if (stations.Count != 200 || BuildStates() == 0 || DiagnoseDay() == 0 || WeatherDay() == 0)
        {
            throw new InvalidOperationException($"unexpected benchmark set-up: {stations.Count} stations, {_rows.Count} rows");
        }
        Console.WriteLine($"// {stations.Count} survey stations, {_rows.Count} lane records, {weatherStations.Count} weather stations, {_weather.Count} observations");
    }

    /// <summary>Every lane record into station states, then every interval's states read once (as fusion would).</summary>
    [Benchmark(Description = "station states: 1 province-day in, 288 intervals read")]
    public long BuildStates()
    {
        var states = new StationStates(_index, new DetectorHealthBook());
        foreach (var r in _rows)
        {
            states.Add(r);
        }
        long n = 0;
        var start = ChinaTime.Start(Day);
        for (var i = 0; i < 288; i++)
        {
            n += states.For(start.AddMinutes(5 * i)).Count;
        }
        return n;
    }

    /// <summary>Every lane record into the diagnostics, then the day's tests for every station, direction and lane.</summary>
    [Benchmark(Description = "detector health: 1 province-day in, diagnosed")]
    public long DiagnoseDay()
    {
        var d = new DetectorDiagnostics(_index, new DetectorHealthBook());
        foreach (var r in _rows)
        {
            d.Add(r);
        }
        return d.Diagnose(Day).Count;
    }

    /// <summary>The live pipeline: states, diagnostics, eviction and the next day's health rows.</summary>
    [Benchmark(Description = "station processor: 1 province-day (states + health + eviction)")]
    public long Processor()
    {
        var p = new StationProcessor(_network);
        p.Add(_rows);
        p.Add([]); // no-op batch
        return p.States.Accepted + p.Diagnostics.Accepted;
    }

    /// <summary>One day of weather observations through the warning engine.</summary>
    [Benchmark(Description = "weather warnings: 1 province-day of observations")]
    public long WeatherDay()
    {
        var engine = new WeatherWarnings(_network);
        foreach (var r in _weather)
        {
            engine.Add(r);
        }
        engine.Flush();
        return engine.Evaluated + engine.History().Count;
    }
}
