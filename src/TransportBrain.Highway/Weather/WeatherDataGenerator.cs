using TransportBrain.Highway.Network;

namespace TransportBrain.Highway.Weather;

public enum WeatherEpisodeKind
{
    /// <summary>Visibility falls to <see cref="WeatherEpisode.Intensity"/> metres over the first third, holds, and recovers over the last third.</summary>
    Fog,
    /// <summary>Freezing rain then ice: surface temperature down to <see cref="WeatherEpisode.Intensity"/> °C (negative), ice from the middle on.</summary>
    Ice,
    /// <summary>Rain rising to <see cref="WeatherEpisode.Intensity"/> mm/h and back.</summary>
    HeavyRain,
    /// <summary>Wind rising to <see cref="WeatherEpisode.Intensity"/> m/s and back.</summary>
    StrongWind,
    /// <summary>The station sends nothing.</summary>
    Outage,
}

/// <summary>A weather episode at one station over [From, To).</summary>
public sealed record WeatherEpisode(string StationId, WeatherEpisodeKind Kind, DateTimeOffset From, DateTimeOffset To, double Intensity);

/// <summary>
/// Deterministic observations for every road weather station of a network every <c>step</c> (default 5 min):
/// a mild, humid background with a daily temperature cycle, plus injected episodes (fog, ice, heavy rain,
/// strong wind, outage). Rows are typed in the schema order of <c>highway.weather_observation</c>.
/// </summary>
public sealed class WeatherDataGenerator(RoadNetwork network, int seed = 23)
{
    /// <summary>Daily mean air temperature of the background (°C).</summary>
    public double MeanAirTempC { get; init; } = 8;

    public IEnumerable<object?[]> Generate(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<WeatherEpisode>? episodes = null, TimeSpan? step = null) =>
        Observations(from, to, episodes, step).Select(o => o.ToRow());

    public IEnumerable<WeatherObservation> Observations(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<WeatherEpisode>? episodes = null, TimeSpan? step = null)
    {
        episodes ??= [];
        var dt = step ?? TimeSpan.FromMinutes(5);
        var stations = network.OfKind(FacilityKind.WeatherStation).OrderBy(f => f.Id, StringComparer.Ordinal).ToList();
        var start = new DateTimeOffset(from.UtcTicks - from.UtcTicks % dt.Ticks, TimeSpan.Zero);
        for (var t = start; t < to; t += dt)
        {
            var hour = t.ToOffset(TimeSpan.FromHours(8)).TimeOfDay.TotalHours;
            for (var s = 0; s < stations.Count; s++)
            {
                var id = stations[s].Id;
                var noise = Noise(s, t.UtcTicks);
                var air = MeanAirTempC + 5 * Math.Sin((hour - 9) / 24 * 2 * Math.PI) + (noise - 0.5);
                var o = new WeatherObservation(id, t,
                    VisibilityM: Math.Round(12_000 + 6_000 * noise),
                    PrecipitationMmH: 0,
                    RoadSurfaceTempC: Math.Round(air + 2 + (noise - 0.5), 1),
                    AirTempC: Math.Round(air, 1),
                    RelativeHumidityPct: Math.Round(70 + 10 * noise),
                    WindSpeedMs: Math.Round(2 + 3 * noise, 1),
                    RoadSurfaceState: "dry");
                var skip = false;
                foreach (var e in episodes)
                {
                    if (e.StationId != id || t < e.From || t >= e.To)
                    {
                        continue;
                    }
                    var phase = (t - e.From) / (e.To - e.From); // 0..1
                    var shape = phase < 1.0 / 3 ? phase * 3 : phase > 2.0 / 3 ? (1 - phase) * 3 : 1; // ramp, hold, ramp
                    switch (e.Kind)
                    {
                        case WeatherEpisodeKind.Outage:
                            skip = true;
                            break;
                        case WeatherEpisodeKind.Fog:
                            o = o with
                            {
                                VisibilityM = Math.Round(Math.Exp(Math.Log(o.VisibilityM!.Value) * (1 - shape) + Math.Log(e.Intensity) * shape)),
                                RelativeHumidityPct = Math.Round(Math.Min(100, 90 + 10 * shape)),
                                RoadSurfaceState = "moist",
                            };
                            break;
                        case WeatherEpisodeKind.HeavyRain:
                            var rain = Math.Round(e.Intensity * shape, 1);
                            o = o with { PrecipitationMmH = rain, RelativeHumidityPct = 98, RoadSurfaceState = rain >= 10 ? "standing_water" : "wet", VisibilityM = Math.Round(Math.Min(o.VisibilityM!.Value, 3_000 / (1 + rain / 5))) };
                            break;
                        case WeatherEpisodeKind.StrongWind:
                            o = o with { WindSpeedMs = Math.Round(o.WindSpeedMs!.Value + (e.Intensity - o.WindSpeedMs.Value) * shape, 1) };
                            break;
                        case WeatherEpisodeKind.Ice:
                            var surface = Math.Round(2 + (e.Intensity - 2) * shape, 1);
                            o = o with
                            {
                                RoadSurfaceTempC = surface,
                                AirTempC = Math.Round(surface - 1, 1),
                                PrecipitationMmH = phase < 0.75 ? 0.6 : 0,
                                RelativeHumidityPct = 97,
                                RoadSurfaceState = phase >= 0.5 && surface <= 0 ? "ice" : "wet",
                            };
                            break;
                    }
                }
                if (!skip)
                {
                    yield return o;
                }
            }
        }
    }

    private double Noise(int station, long ticks)
    {
        var h = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(station + 1) * 0xBF58476D1CE4E5B9UL ^ (ulong)ticks;
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return (h >> 11) * (1.0 / (1UL << 53));
    }
}
