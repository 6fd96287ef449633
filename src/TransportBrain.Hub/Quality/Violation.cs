namespace TransportBrain.Hub.Quality;

/// <summary>The kinds of quality rule. Each belongs to one quality dimension.</summary>
public enum RuleKind
{
    /// <summary>The record could not be read at all: wrong column count, bad quoting, bad encoding, bad JSON.</summary>
    Format,
    Required,
    Type,
    Range,
    Pattern,
    Enumeration,
    Unique,
    Timeliness,
    Reference,
}

/// <summary>The quality dimensions a report scores (completeness, validity, uniqueness, timeliness, consistency).</summary>
public enum QualityDimension
{
    Completeness,
    Validity,
    Uniqueness,
    Timeliness,
    Consistency,
}

public static class RuleKinds
{
    public static QualityDimension Dimension(this RuleKind kind) => kind switch
    {
        RuleKind.Required => QualityDimension.Completeness,
        RuleKind.Unique => QualityDimension.Uniqueness,
        RuleKind.Timeliness => QualityDimension.Timeliness,
        RuleKind.Reference => QualityDimension.Consistency,
        _ => QualityDimension.Validity,
    };

    public static string Name(this RuleKind kind) => kind switch
    {
        RuleKind.Format => "format",
        RuleKind.Required => "required",
        RuleKind.Type => "type",
        RuleKind.Range => "range",
        RuleKind.Pattern => "pattern",
        RuleKind.Enumeration => "enumeration",
        RuleKind.Unique => "unique",
        RuleKind.Timeliness => "timeliness",
        _ => "reference",
    };
}

/// <summary>One broken rule: which rule, on which field, and why in words a data clerk understands.</summary>
public readonly record struct Violation(RuleKind Rule, string? Field, string Reason)
{
    /// <summary>The key a report counts by, e.g. "range:speed_kmh" or "format".</summary>
    public string RuleKey => Field is null ? Rule.Name() : Rule.Name() + ":" + Field;

    public override string ToString() => Field is null ? $"[{RuleKey}] {Reason}" : $"[{RuleKey}] {Reason}";
}
