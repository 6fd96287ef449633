namespace TransportBrain.Highway.Fusion;

/// <summary>The five grades operators use, from free flow (1) to severe congestion (5).</summary>
public enum CongestionLevel
{
    Unknown = 0,
    Free = 1,
    MostlyFree = 2,
    Light = 3,
    Moderate = 4,
    Severe = 5,
}

/// <summary>
/// Speed thresholds per road class (km/h, lower bounds of grades 1-4; below the last is grade 5).
/// Defaults are in docs/highway-methods.md with their sources: GB/T 33171-2016 gives 65/50/35/20 for
/// urban expressways; intercity expressways (design speed 100-120) use 70/50/35/20 by default here.
/// </summary>
public sealed class CongestionLevels
{
    private readonly Dictionary<string, double[]> _thresholds;

    public CongestionLevels(IReadOnlyDictionary<string, double[]>? thresholds = null)
    {
        _thresholds = new Dictionary<string, double[]>(StringComparer.OrdinalIgnoreCase)
        {
            ["expressway"] = [70, 50, 35, 20],
            ["urban_expressway"] = [65, 50, 35, 20],
            ["class1"] = [50, 40, 30, 20],
        };
        foreach (var (k, v) in thresholds ?? new Dictionary<string, double[]>())
        {
            if (v.Length != 4 || v.Zip(v.Skip(1)).Any(p => p.First <= p.Second))
            {
                throw new ArgumentException($"thresholds for '{k}' must be four decreasing speeds");
            }
            _thresholds[k] = v;
        }
    }

    public static CongestionLevels Default { get; } = new();

    public IReadOnlyList<double> ThresholdsFor(string roadClass) => _thresholds.GetValueOrDefault(roadClass) ?? _thresholds["expressway"];

    public CongestionLevel Classify(string roadClass, double? speedKmh)
    {
        if (speedKmh is not { } v)
        {
            return CongestionLevel.Unknown;
        }
        var t = ThresholdsFor(roadClass);
        return v >= t[0] ? CongestionLevel.Free : v >= t[1] ? CongestionLevel.MostlyFree : v >= t[2] ? CongestionLevel.Light : v >= t[3] ? CongestionLevel.Moderate : CongestionLevel.Severe;
    }

    public static string NameZh(CongestionLevel level) => level switch
    {
        CongestionLevel.Free => "畅通",
        CongestionLevel.MostlyFree => "基本畅通",
        CongestionLevel.Light => "轻度拥堵",
        CongestionLevel.Moderate => "中度拥堵",
        CongestionLevel.Severe => "严重拥堵",
        _ => "未知",
    };

    public static string NameEn(CongestionLevel level) => level switch
    {
        CongestionLevel.Free => "free flow",
        CongestionLevel.MostlyFree => "mostly free",
        CongestionLevel.Light => "light congestion",
        CongestionLevel.Moderate => "moderate congestion",
        CongestionLevel.Severe => "severe congestion",
        _ => "unknown",
    };
}
