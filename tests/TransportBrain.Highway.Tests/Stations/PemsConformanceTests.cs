using TransportBrain.Highway.Network;
using TransportBrain.Highway.Stations;
using static TransportBrain.Highway.Tests.Stations.StationTestKit;

namespace TransportBrain.Highway.Tests.Stations;

/// <summary>
/// Against the Caltrans PeMS diagnostic threshold seed (Stations/pems/diagnostic_threshold_values.csv, MIT,
/// cagov/caldata-mdsa-caltrans-pems): our thresholds load from it, and the sets' differences show in results.
/// </summary>
public class PemsConformanceTests
{
    private static readonly string Seed = File.ReadAllText(SeedPath());

    private static string SeedPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "TransportBrain.Highway.Tests", "Stations", "pems", "diagnostic_threshold_values.csv");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("Stations/pems/diagnostic_threshold_values.csv not found above " + AppContext.BaseDirectory);
    }

    [Theory]
    [InlineData("Urban", 59)]
    [InlineData("Urban_D11", 59)]
    [InlineData("Rural", 90)]
    [InlineData("Low_Volume", 100)]
    [InlineData("D6_Ramps", 59)]
    public void Mainline_sets_load_with_the_5_minute_conversion(string set, double zeroOccPct)
    {
        var t = HealthThresholds.FromPemsSeed(Seed, set);
        Assert.Equal(zeroOccPct, t.ZeroOccupancyPct);
        Assert.Equal(200, t.HighFlowPer5Min);   // 20 vehicles per 30-s sample
        Assert.Equal(70, t.HighOccupancy);      // 0.7 occupancy
        Assert.Equal(20, t.HighOccupancyPct);
        Assert.Equal(2, t.ZeroFlowWithOccupancyPct);
        Assert.Equal(50, t.FlowWithoutOccupancyPct);
    }

    [Fact]
    public void Our_default_is_the_rural_mainline_set()
    {
        Assert.Equal(HealthThresholds.FromPemsSeed(Seed, "Rural"), HealthThresholds.PemsRural);
        Assert.Throws<ArgumentException>(() => HealthThresholds.FromPemsSeed(Seed, "Mars"));
    }

    [Fact]
    public void A_lane_reading_zero_for_70_percent_of_the_window_is_card_off_for_urban_and_ok_for_rural()
    {
        var net = SyntheticNet();
        var station = new SurveyStationIndex(net).Stations[0];
        // Window 05:00-22:00 (204 samples); zero from 05:00 to 16:55 = 144 samples = 70.6 %.
        var fault = new StationFault(station.Id, 1, 1, StationFaultKind.AllZero, Local(Day, 5), Local(Day, 16, 55));
        var rows = new StationDataGenerator(net).Generate(ChinaTime.Start(Day), ChinaTime.Start(Day.AddDays(1)), [fault]).ToList();

        DetectorHealthResult Lane1(HealthThresholds t)
        {
            var d = new DetectorDiagnostics(net, new DetectorHealthBook(), t);
            foreach (var r in rows)
            {
                d.Add(r);
            }
            return d.Diagnose(Day).Single(r => r.StationId == station.Id && r.Direction == 1 && r.Lane == 1);
        }

        Assert.Equal(DetectorStatus.Constant, Lane1(HealthThresholds.FromPemsSeed(Seed, "Urban")).Status);
        Assert.Equal(DetectorStatus.Ok, Lane1(HealthThresholds.FromPemsSeed(Seed, "Rural")).Status);
    }
}
