using TransportBrain.Twin.Validation;

namespace TransportBrain.Twin.Tests;

public class ValidationTests
{
    [Fact]
    public void The_fundamental_diagram_shows_a_plausible_capacity_and_a_capacity_drop()
    {
        var result = FundamentalDiagram.Run(new FundamentalDiagramOptions { Runs = 4 });
        Assert.InRange(result.CapacityVehPerHourPerLane, 1_800, 2_400);
        Assert.True(result.Breakdowns > 0);
        Assert.NotNull(result.DischargeVehPerHourPerLane);
        Assert.InRange(result.CapacityDropPercent, 3, 30);
        // Free-flow cells are fast and sparse; congested cells dense.
        Assert.Contains(result.Points, p => p.SpeedKmh > 90 && p.DensityVehPerKmPerLane < 25);
        Assert.Contains(result.Points, p => p.SpeedKmh < 40 && p.DensityVehPerKmPerLane > 40);

        var svg = FundamentalDiagram.ToSvg(result);
        Assert.StartsWith("<svg", svg);
        Assert.Contains("capacity", svg);
        Assert.True(svg.Split("<circle").Length > 200);
    }
}
