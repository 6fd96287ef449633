using TransportBrain.Highway.Network;

namespace TransportBrain.Highway.Tests.Network;

public sealed class RoadNetworkTests
{
    [Theory]
    [InlineData("K123+400", 123_400)]
    [InlineData("K0+005", 5)]
    [InlineData("k7+999", 7_999)]
    public void Stake_marks_read_as_metres_and_format_back(string text, double metres)
    {
        Assert.True(Stake.TryParse(text, out var m));
        Assert.Equal(metres, m);
        Assert.Equal(text.ToUpperInvariant(), Stake.Format(m));
    }

    [Theory]
    [InlineData("123+400")]
    [InlineData("K12+1000")]
    [InlineData("K+400")]
    [InlineData("")]
    public void Bad_stake_marks_are_refused(string text) => Assert.False(Stake.TryParse(text, out _));

    [Fact]
    public void Sections_join_consecutive_gantries_of_each_carriageway_in_driving_order()
    {
        var net = SyntheticNetwork.Create(routes: 2, gantriesPerDirection: 5);
        Assert.Equal(20, net.Gantries.Count);
        Assert.Equal(2 * 2 * 4, net.Sections.Count);
        foreach (var s in net.Sections)
        {
            Assert.Equal(s.From.Route, s.To.Route);
            Assert.Equal(s.Direction, s.From.Direction);
            Assert.Equal(Math.Abs(s.ToStake - s.FromStake), s.LengthM);
            // 上行 runs with increasing stake, 下行 against it
            Assert.True(s.Direction == 1 ? s.ToStake > s.FromStake : s.ToStake < s.FromStake);
            Assert.Same(s, net.SectionFrom(s.From.Id));
            if (s.Downstream is { } d)
            {
                Assert.Same(s.To, d.From);
                Assert.Same(s, d.Upstream);
            }
            Assert.Same(s, net.SectionAt(s.Route, s.Direction, (s.FromStake + s.ToStake) / 2));
        }
        // the tunnel's 80 km/h zone lowers the limit of the sections it overlaps
        Assert.Contains(net.Sections, s => s.SpeedLimitKmh == 80);
        Assert.Contains(net.Sections, s => s.SpeedLimitKmh == 120);
    }

    [Fact]
    public void The_network_written_as_GeoJSON_reads_back_the_same()
    {
        var net = SyntheticNetwork.Create(routes: 3, gantriesPerDirection: 6);
        var again = NetworkFile.LoadGeoJson(NetworkGeoJson.Write(net, null));
        Assert.Empty(again.Problems);
        Assert.Equal(net.Sections.Select(s => (s.Id, s.LengthM, s.SpeedLimitKmh)), again.Network.Sections.Select(s => (s.Id, s.LengthM, s.SpeedLimitKmh)));
        Assert.Equal(net.Facilities.Count, again.Network.Facilities.Count);
    }

    [Fact]
    public void Bad_features_are_refused_with_the_reason_and_the_rest_load()
    {
        const string json = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"LineString","coordinates":[[106.6,26.6],[106.9,26.6]]},"properties":{"kind":"route","route":"G60","start_stake":"K100+000","end_stake":"K130+000"}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[106.65,26.6]},"properties":{"kind":"gantry","id":"GA","route":"G60","stake":"K105+000","direction":1}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[106.75,26.6]},"properties":{"kind":"gantry","id":"GB","route":"G60","stake":"K115+000","direction":1}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[106.8,26.6]},"properties":{"kind":"gantry","id":"GC","route":"G60","stake":"K12O+000","direction":1}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[6.8,26.6]},"properties":{"kind":"toll_station","id":"TS","route":"G60","stake":"K120+000"}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[106.8,26.6]},"properties":{"kind":"gantry","id":"GD","route":"G99","stake":"K1+000","direction":1}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[106.8,26.6]},"properties":{"kind":"spaceport","id":"X","route":"G60","stake":"K1+000"}}
        ]}
        """;
        var load = NetworkFile.LoadGeoJson(json);
        Assert.Equal(7, load.FeaturesRead);
        Assert.Equal(4, load.Problems.Count);
        Assert.Contains(load.Problems, p => p.Contains("K12O+000"));
        Assert.Contains(load.Problems, p => p.Contains("outside China"));
        Assert.Contains(load.Problems, p => p.Contains("G99"));
        Assert.Contains(load.Problems, p => p.Contains("spaceport"));
        var s = Assert.Single(load.Network.Sections);
        Assert.Equal("G60-1-K105+000", s.Id);
        Assert.Equal(10_000, s.LengthM);
    }
}
