using TransportBrain.Fleet.Supervision;

namespace TransportBrain.Fleet.Tests.Supervision;

public sealed class SupervisionConfigTests
{
    [Theory]
    [InlineData(VehicleCategory.Coach, 100.0, null, true)]
    [InlineData(VehicleCategory.Charter, 100.0, null, true)]
    [InlineData(VehicleCategory.DangerousGoods, 80.0, 60.0, false)]
    [InlineData(VehicleCategory.HeavyTruck, 100.0, null, false)]
    [InlineData(VehicleCategory.Unknown, null, null, false)]
    public void Default_category_limits_and_the_night_ban(VehicleCategory category, double? expresswayKmh, double? otherRoadKmh, bool nightBan)
    {
        var settings = SupervisionConfig.Default.For(category);

        Assert.Equal(expresswayKmh, settings.Overspeed.ExpresswayLimitKmh);
        Assert.Equal(otherRoadKmh, settings.Overspeed.OtherRoadLimitKmh);
        Assert.Equal(nightBan, settings.NightDriving.Enabled);
        Assert.Equal(TimeSpan.FromHours(4), settings.Fatigue.ContinuousLimit);
        Assert.Equal(TimeSpan.FromMinutes(20), settings.Fatigue.MinRest);
    }

    [Fact]
    public void Changing_one_category_leaves_the_others_alone()
    {
        var config = SupervisionConfig.Default.WithCategory(VehicleCategory.HeavyTruck, s => s with { Overspeed = s.Overspeed with { ExpresswayLimitKmh = 90 } });

        Assert.Equal(90, config.For(VehicleCategory.HeavyTruck).Overspeed.ExpresswayLimitKmh);
        Assert.Equal(100, config.For(VehicleCategory.Coach).Overspeed.ExpresswayLimitKmh);
        Assert.Equal(100, SupervisionConfig.Default.For(VehicleCategory.HeavyTruck).Overspeed.ExpresswayLimitKmh);
    }

    [Fact]
    public void A_bad_setting_is_refused_at_start_naming_the_key()
    {
        var config = SupervisionConfig.Default.WithCategory(VehicleCategory.Coach, s => s with { Geofence = s.Geofence with { ConfirmFixes = 0 } });

        var e = Assert.Throws<ArgumentException>(() => new SupervisionEngine(config));

        Assert.Contains("SupervisionConfig[Coach].Geofence.ConfirmFixes", e.Message);
    }

    [Fact]
    public void A_disabled_rule_raises_nothing()
    {
        var config = SupervisionConfig.Default.WithCategory(VehicleCategory.Coach, s => s with { Overspeed = s.Overspeed with { Enabled = false } });
        var coach = new TestVehicle(new SupervisionEngine(config));
        var t = TestVehicle.Local(2026, 11, 21, 10, 0);

        coach.Run(t, t + TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10), 150);

        Assert.Empty(coach.Signals);
    }
}
