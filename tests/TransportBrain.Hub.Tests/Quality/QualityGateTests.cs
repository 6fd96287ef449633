using TransportBrain.Hub.Quality;

namespace TransportBrain.Hub.Tests.Quality;

public class QualityGateTests
{
    private static readonly Dictionary<string, IReadOnlySet<string>> Stations = new() { ["test.station.station_id"] = new HashSet<string> { "S1" } };

    private static List<Violation> Check(params string?[] texts)
    {
        var gate = new QualityGate(TestData.Passing, Stations, TestData.Now);
        var violations = new List<Violation>();
        gate.Check(texts, new object?[texts.Length], violations);
        return violations;
    }

    [Fact]
    public void A_good_record_passes_and_gets_typed_values_in_utc()
    {
        var gate = new QualityGate(TestData.Passing, Stations, TestData.Now);
        var values = new object?[8];
        var violations = new List<Violation>();
        Assert.True(gate.Check(["p1", "S1", "2025-05-31 12:00:00", "贵A12345", "13800001111", "88.5", "11", "是"], values, violations));
        Assert.Equal(new DateTimeOffset(2025, 5, 31, 4, 0, 0, TimeSpan.Zero), values[2]);
        Assert.Equal(88.5, values[5]);
        Assert.Equal(11L, values[6]);
        Assert.Equal(true, values[7]);
    }

    [Fact]
    public void A_repeated_value_is_checked_the_same_every_time_it_comes()
    {
        // The CSV reader hands the same string instance for a repeated cell; the gate may remember what a
        // passing instance gave, but must never let a failing one through or move a value between fields.
        var gate = new QualityGate(TestData.Passing, Stations, TestData.Now);
        var violations = new List<Violation>();
        string station = "S1", unknown = "S9", speed = "88.5", tooFast = "250", type = "11";
        for (var i = 0; i < 10_000; i++)
        {
            var values = new object?[8];
            violations.Clear();
            var bad = i % 3 == 0;
            var ok = gate.Check(["p" + i, bad ? unknown : station, "2025-05-31 12:00:00", null, null, bad ? tooFast : speed, type, null], values, violations);
            Assert.Equal(!bad, ok);
            if (bad)
            {
                Assert.Equal([RuleKind.Range, RuleKind.Reference], violations.Select(v => v.Rule).Order());
                Assert.Equal(250.0, values[5]);
            }
            else
            {
                Assert.Equal("S1", values[1]);
                Assert.Equal(88.5, values[5]);
            }
            Assert.Equal(11L, values[6]);
        }
        // The same instance in another field is that field's text: "11" is not a station.
        var other = new object?[8];
        violations.Clear();
        Assert.False(gate.Check(["p", type, "2025-05-31 12:00:00", null, null, type, type, null], other, violations));
        Assert.Equal(RuleKind.Reference, Assert.Single(violations).Rule);
        Assert.Equal(11.0, other[5]);
    }

    [Fact]
    public void A_personal_value_is_quoted_masked_in_its_rejection_reason()
    {
        var v = Assert.Single(Check("p", "S1", "2025-05-31 12:00:00", "贵I0O000", null, null, null, null));
        Assert.Equal(RuleKind.Pattern, v.Rule);
        Assert.DoesNotContain("贵I0O000", v.Reason);
        Assert.Contains("'贵I·***00'", v.Reason);
        // A value that is not personal is quoted as it came.
        Assert.Contains("'S9'", Assert.Single(Check("p", "S9", "2025-05-31 12:00:00", null, null, null, null, null)).Reason);
    }

    [Theory]
    [InlineData(RuleKind.Required, "passing_id", "", "S1", "2025-05-31 12:00:00", null, null, null)]
    [InlineData(RuleKind.Type, "speed_kmh", "p", "S1", "2025-05-31 12:00:00", null, "fast", null)]
    [InlineData(RuleKind.Type, "seen_at", "p", "S1", "2025-02-30 12:00:00", null, null, null)]
    [InlineData(RuleKind.Range, "speed_kmh", "p", "S1", "2025-05-31 12:00:00", null, "250", null)]
    [InlineData(RuleKind.Pattern, "plate", "p", "S1", "2025-05-31 12:00:00", "贵I0O000", null, null)]
    [InlineData(RuleKind.Enumeration, "vehicle_type", "p", "S1", "2025-05-31 12:00:00", null, null, "7")]
    [InlineData(RuleKind.Reference, "station_id", "p", "S9", "2025-05-31 12:00:00", null, null, null)]
    [InlineData(RuleKind.Timeliness, "seen_at", "p", "S1", "2025-06-02 12:00:00", null, null, null)]
    [InlineData(RuleKind.Timeliness, "seen_at", "p", "S1", "2024-01-01 12:00:00", null, null, null)]
    public void Each_rule_reports_its_kind_and_field(RuleKind rule, string field, string id, string station, string time, string? plate, string? speed, string? type)
    {
        var v = Assert.Single(Check(id, station, time, plate, null, speed, type, null));
        Assert.Equal(rule, v.Rule);
        Assert.Equal(field, v.Field);
        Assert.Contains(field, v.Reason);
    }

    [Fact]
    public void A_record_breaking_several_rules_reports_them_all()
    {
        var v = Check(null, "S9", "2025-05-31 12:00:00", "bad", null, "-1", null, "maybe");
        Assert.Equal(["required:passing_id", "reference:station_id", "pattern:plate", "range:speed_kmh", "type:is_truck"], v.Select(x => x.RuleKey).ToArray());
    }

    [Theory]
    [InlineData("2025-05-31 12:00:00", "2025-05-31T04:00:00Z")]
    [InlineData("2025-05-31T12:00:00.250", "2025-05-31T04:00:00.25Z")]
    [InlineData("2025-05-31T04:00:00Z", "2025-05-31T04:00:00Z")]
    [InlineData("2025-05-31T06:00:00+02:00", "2025-05-31T04:00:00Z")]
    [InlineData("2024-02-29 08:00:00", "2024-02-29T00:00:00Z")]
    public void Times_without_an_offset_are_china_standard_time(string text, string utc)
    {
        Assert.True(ValueParser.TryParseInstant(text, out var t));
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), t);
        Assert.Equal(TimeSpan.Zero, t.Offset);
    }

    [Theory]
    [InlineData("2025-02-29 08:00:00")]
    [InlineData("2025-13-01 08:00:00")]
    [InlineData("2025-05-31 24:00:00")]
    [InlineData("2025-05-31 23:60:00")]
    [InlineData("yesterday")]
    [InlineData("2025-05-31 12:00:00 bananas")]
    [InlineData("0001-01-01 00:00:00")]
    [InlineData("0001-01-01T07:59:59")]
    public void Impossible_times_are_rejected(string text) => Assert.False(ValueParser.TryParseInstant(text, out _));

    [Fact]
    public void Report_scores_follow_counts_and_dimensions()
    {
        var tally = new RuleTally();
        tally.Add([new Violation(RuleKind.Required, "a", "x"), new Violation(RuleKind.Range, "b", "y")]);
        tally.Add([new Violation(RuleKind.Required, "a", "x")]);
        var report = new QualityReport { DatasetId = "d", Source = "s", Read = 10, Stored = 8, Quarantined = 2, RuleCounts = tally.ToList() };
        Assert.True(report.IsConsistent);
        Assert.Equal(80, report.Score);
        Assert.Equal(80, report.DimensionScores["completeness"]);
        Assert.Equal(90, report.DimensionScores["validity"]);
        Assert.Equal(100, report.DimensionScores["uniqueness"]);
        Assert.Equal(2, report.RuleCounts.Single(r => r.RuleKey == "required:a").Records);
    }
}
