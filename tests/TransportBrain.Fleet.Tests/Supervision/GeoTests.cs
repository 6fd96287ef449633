using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

public sealed class GeoTests
{
    [Fact]
    public void Haversine_gives_about_111_km_per_degree_of_latitude()
    {
        Assert.Equal(111_195, Geo.HaversineM(26, 106, 27, 106), 0);
        Assert.Equal(0, Geo.HaversineM(26.6, 106.7, 26.6, 106.7));
    }

    [Fact]
    public void Beijing_to_Shanghai_is_about_1070_km()
    {
        var km = Geo.HaversineM(39.9042, 116.4074, 31.2304, 121.4737) / 1000;

        Assert.InRange(km, 1060, 1075);
    }

    [Fact]
    public void Point_in_polygon_handles_a_concave_ring()
    {
        // An L shape: the notch at the top right is outside.
        (double, double)[] ring = [(0, 0), (0, 2), (1, 2), (1, 1), (2, 1), (2, 0)];

        Assert.True(Geo.IsInPolygon(0.5, 1.5, ring));
        Assert.True(Geo.IsInPolygon(1.5, 0.5, ring));
        Assert.False(Geo.IsInPolygon(1.5, 1.5, ring));
        Assert.False(Geo.IsInPolygon(-0.1, 0.5, ring));
    }

    [Fact]
    public void Distance_to_a_polyline_is_the_perpendicular_distance_or_the_distance_to_the_nearest_end()
    {
        (double, double)[] line = [(TestVehicle.HomeLat, TestVehicle.HomeLon), (TestVehicle.HomeLat, TestVehicle.East(1000))];

        Assert.Equal(250, Geo.DistanceToPolylineM(TestVehicle.North(250), TestVehicle.East(500), line), 1);
        Assert.Equal(500, Geo.DistanceToPolylineM(TestVehicle.HomeLat, TestVehicle.East(1500), line), 1);
        Assert.Equal(Geo.HaversineM(TestVehicle.North(300), TestVehicle.East(-400), TestVehicle.HomeLat, TestVehicle.HomeLon),
            Geo.DistanceToPolylineM(TestVehicle.North(300), TestVehicle.East(-400), line), 0);
    }

    [Fact]
    public void A_circle_contains_points_within_its_radius()
    {
        var circle = new GeoCircle(TestVehicle.HomeLat, TestVehicle.HomeLon, 500);

        Assert.True(circle.Contains(TestVehicle.North(499), TestVehicle.HomeLon));
        Assert.False(circle.Contains(TestVehicle.North(501), TestVehicle.HomeLon));
        Assert.Equal(100, circle.DistanceToBoundaryM(TestVehicle.North(400), TestVehicle.HomeLon), 0);
        Assert.True(circle.Bounds.Contains(TestVehicle.North(499), TestVehicle.HomeLon));
    }

    [Fact]
    public void Bad_shapes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new GeoPolygon([(0, 0), (1, 1)]));
        Assert.Throws<ArgumentException>(() => new GeoPolygon([(0, 0), (1, 1), (95, 0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeoCircle(26, 106, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeoCorridor([(26, 106)], double.NaN));
    }

    [Fact]
    public void Where_zones_overlap_the_lowest_limit_wins_and_its_grade_is_the_road_grade()
    {
        var zones = new SpeedLimitZones([
            new SpeedLimitZone("expressway", new GeoCorridor([(TestVehicle.HomeLat, TestVehicle.East(-5000)), (TestVehicle.HomeLat, TestVehicle.East(5000))], 60), 100, RoadGrade: 0),
            new SpeedLimitZone("works", new GeoCircle(TestVehicle.HomeLat, TestVehicle.HomeLon, 300), 60, RoadGrade: 0),
            new SpeedLimitZone("county", TestPlaces.SquareAroundHome(2000), 70, RoadGrade: 3),
        ]);

        Assert.Equal(60, zones.SpeedLimitKmh(TestVehicle.HomeLat, TestVehicle.HomeLon, 90));
        Assert.Equal(70, zones.SpeedLimitKmh(TestVehicle.HomeLat, TestVehicle.East(1000), 90));
        Assert.Equal(3, zones.RoadGrade(TestVehicle.HomeLat, TestVehicle.East(1000)));
        Assert.Equal(0, zones.RoadGrade(TestVehicle.HomeLat, TestVehicle.HomeLon));
        Assert.Equal(100, zones.SpeedLimitKmh(TestVehicle.HomeLat, TestVehicle.East(4000), 90));
        Assert.Null(zones.SpeedLimitKmh(TestVehicle.North(5000), TestVehicle.HomeLon, 90));
        Assert.Null(zones.RoadGrade(TestVehicle.North(5000), TestVehicle.HomeLon));
    }

    [Fact]
    public void A_directional_zone_applies_only_to_traffic_heading_its_way()
    {
        var zones = new SpeedLimitZones([new SpeedLimitZone("eastbound", TestPlaces.SquareAroundHome(), 60, RoadGrade: 1, HeadingDeg: 90)]);

        Assert.Equal(60, zones.SpeedLimitKmh(TestVehicle.HomeLat, TestVehicle.HomeLon, 120));
        Assert.Null(zones.SpeedLimitKmh(TestVehicle.HomeLat, TestVehicle.HomeLon, 270));
        Assert.Equal(1, zones.RoadGrade(TestVehicle.HomeLat, TestVehicle.HomeLon));
    }
}
