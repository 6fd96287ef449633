namespace TransportBrain.Hub.Quality;

/// <summary>
/// The quality report of one ingest batch. Counting is exact: Read = Stored + Quarantined.
/// RuleCounts counts broken rules (one record may break several).
/// </summary>
public sealed record QualityReport
{
    public long BatchId { get; init; }
    public required string DatasetId { get; init; }
    public required string Source { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public long Read { get; init; }
    public long Stored { get; init; }
    public long Quarantined { get; init; }
    public IReadOnlyList<RuleCount> RuleCounts { get; init; } = [];

    /// <summary>Share of read records that passed every rule, 0-100.</summary>
    public double Score => Read == 0 ? 100 : Math.Round(100.0 * Stored / Read, 2);

    /// <summary>Per dimension, the share of read records with no violation of that dimension, 0-100.</summary>
    public IReadOnlyDictionary<string, double> DimensionScores =>
        Enum.GetValues<QualityDimension>().ToDictionary(
            d => d.ToString().ToLowerInvariant(),
            d =>
            {
                var hit = RuleCounts.Where(r => r.Dimension == d).Sum(r => r.Records);
                return Read == 0 ? 100 : Math.Round(100.0 * Math.Max(0, Read - hit) / Read, 2);
            });

    public bool IsConsistent => Read == Stored + Quarantined;
}

/// <summary>How many records broke a rule in a batch, with one example reason.</summary>
public sealed record RuleCount(string RuleKey, RuleKind Rule, long Records, string ExampleReason)
{
    public QualityDimension Dimension => Rule.Dimension();
}

/// <summary>Accumulates rule counts while a batch runs.</summary>
public sealed class RuleTally
{
    private readonly Dictionary<string, (RuleKind Rule, long Count, string Example)> _counts = new(StringComparer.Ordinal);

    public void Add(IEnumerable<Violation> violations)
    {
        // A record counts once per rule key even if it broke it twice.
        foreach (var v in violations.DistinctBy(v => v.RuleKey))
        {
            var key = v.RuleKey;
            _counts[key] = _counts.TryGetValue(key, out var c) ? (c.Rule, c.Count + 1, c.Example) : (v.Rule, 1, v.Reason);
        }
    }

    public IReadOnlyList<RuleCount> ToList() =>
        _counts.Select(kv => new RuleCount(kv.Key, kv.Value.Rule, kv.Value.Count, kv.Value.Example))
            .OrderByDescending(r => r.Records).ThenBy(r => r.RuleKey, StringComparer.Ordinal).ToList();
}
