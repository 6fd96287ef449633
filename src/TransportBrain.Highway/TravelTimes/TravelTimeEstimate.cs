namespace TransportBrain.Highway.TravelTimes;

/// <summary>Where a section's figure for an interval came from.</summary>
public enum EstimateSource : byte
{
    /// <summary>Enough matched vehicles in the interval.</summary>
    Observed,
    /// <summary>Too few vehicles: the historical profile for the same weekday and time of day.</summary>
    Historical,
    /// <summary>Too few vehicles and no history yet.</summary>
    None,
}

/// <summary>A travel time and speed for one vehicle group on one section in one interval.</summary>
public readonly record struct GroupEstimate(int Samples, int Used, double? TravelTimeS, double? SpeedKmh, double Confidence, EstimateSource Source)
{
    public static readonly GroupEstimate Empty = new(0, 0, null, null, 0, EstimateSource.None);

    public static string SourceName(EstimateSource s) => s switch
    {
        EstimateSource.Observed => "observed",
        EstimateSource.Historical => "historical",
        _ => "none",
    };
}

/// <summary>
/// The robust estimate of a section's travel time from the matched vehicles of an interval (see
/// docs/highway-methods.md): the median travel time, a fence of 3 scaled median absolute deviations
/// around it (at least 20% of the median) that drops service-area stops and mismatches, and the
/// mean of what is left, so the speed is the space-mean speed (length over mean travel time). The
/// confidence grows with the number of vehicles used and falls with their spread. Mixed traffic is
/// fenced group by group (<see cref="EstimateMixed"/>): one fence around the cars' median would cut
/// the slower trucks off as outliers and bias the stream's speed upwards (the twin's ground truth
/// showed it: +9%).
/// </summary>
public static class TravelTimeEstimator
{
    public static GroupEstimate Estimate(List<float> travelTimes, double lengthM, int minSamples, Span<float> scratch) =>
        EstimateMixed(travelTimes, null, lengthM, minSamples, scratch);

    /// <summary>The estimate of a stream of two groups (cars and trucks), each fenced around its own median.</summary>
    public static GroupEstimate EstimateMixed(List<float> first, List<float>? second, double lengthM, int minSamples, Span<float> scratch)
    {
        var n = first.Count + (second?.Count ?? 0);
        if (n == 0)
        {
            return GroupEstimate.Empty;
        }
        double sum = 0, sumSq = 0;
        var used = 0;
        Keep(first, scratch, ref sum, ref sumSq, ref used);
        if (second is not null)
        {
            Keep(second, scratch, ref sum, ref sumSq, ref used);
        }
        if (used < minSamples)
        {
            return new GroupEstimate(n, used, null, null, 0, EstimateSource.None);
        }
        var mean = sum / used;
        var variance = Math.Max(0, sumSq / used - mean * mean);
        var cv = mean > 0 ? Math.Sqrt(variance) / mean : 1;
        var standardError = cv / Math.Sqrt(used);
        var confidence = Math.Clamp((1 - Math.Exp(-used / 6.0)) * (1 - 2 * standardError), 0, 1);
        return new GroupEstimate(n, used, mean, lengthM / mean * 3.6, Math.Round(confidence, 3), EstimateSource.Observed);
    }

    /// <summary>Adds the travel times of one group that lie inside its median ± fence.</summary>
    private static void Keep(List<float> travelTimes, Span<float> scratch, ref double sum, ref double sumSq, ref int used)
    {
        var n = travelTimes.Count;
        if (n == 0)
        {
            return;
        }
        var sorted = n <= scratch.Length ? scratch[..n] : new float[n];
        for (var i = 0; i < n; i++)
        {
            sorted[i] = travelTimes[i];
        }
        sorted.Sort();
        var median = Median(sorted);
        Span<float> deviations = n <= 256 ? stackalloc float[n] : new float[n];
        for (var i = 0; i < n; i++)
        {
            deviations[i] = Math.Abs(sorted[i] - median);
        }
        deviations.Sort();
        var mad = Median(deviations);
        var fence = Math.Max(3 * 1.4826 * mad, 0.2 * median);
        foreach (var t in sorted)
        {
            if (Math.Abs(t - median) <= fence)
            {
                sum += t;
                sumSq += (double)t * t;
                used++;
            }
        }
    }

    private static float Median(Span<float> sorted)
    {
        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
