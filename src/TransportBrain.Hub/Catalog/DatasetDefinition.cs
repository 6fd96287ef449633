using System.Text.RegularExpressions;

namespace TransportBrain.Hub.Catalog;

/// <summary>The value types a dataset field can hold. Instants are stored as UTC.</summary>
public enum FieldType
{
    String,
    Int64,
    Double,
    Boolean,
    Instant,
}

/// <summary>
/// Data classification. Public and Internal map to GB/T 43697-2024 "一般数据",
/// Sensitive to "重要数据" and Core to "核心数据".
/// </summary>
public enum DataGrade
{
    Public,
    Internal,
    Sensitive,
    Core,
}

/// <summary>Sharing type of the government data-sharing rules: 无条件共享 / 有条件共享 / 不予共享.</summary>
public enum SharingType
{
    Unconditional,
    Conditional,
    NotShared,
}

/// <summary>What kind of personal information a field holds; drives masking (I4).</summary>
public enum PersonalKind
{
    None,
    Plate,
    IdNumber,
    Phone,
    Name,
}

/// <summary>One typed field of a dataset schema, with the declarative quality rules that apply to it.</summary>
public sealed record FieldDefinition
{
    public required string Name { get; init; }
    public required FieldType Type { get; init; }
    public required string DescriptionZh { get; init; }
    public required string DescriptionEn { get; init; }
    public bool Required { get; init; }
    public string? Unit { get; init; }
    public PersonalKind Personal { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    /// <summary>A regular expression the whole text value must match.</summary>
    public string? Pattern { get; init; }
    public string? PatternDescription { get; init; }
    public IReadOnlyList<string>? AllowedValues { get; init; }
    /// <summary>"dataset.field" that every non-empty value must exist in (a reference rule).</summary>
    public string? References { get; init; }

    private Regex? _regex;
    internal Regex? Regex => Pattern is null ? null : _regex ??= new Regex("^(?:" + Pattern + ")$", RegexOptions.Compiled | RegexOptions.CultureInvariant);
}

/// <summary>How a derived dataset was produced from others.</summary>
public sealed record Lineage(IReadOnlyList<string> Upstream, string Process);

/// <summary>
/// A dataset of the catalog ("总账本"): declared in code by the context that owns it,
/// stored with its metadata, and the unit of every ingest, quality report, grant and audit entry.
/// </summary>
public sealed record DatasetDefinition
{
    public required string Id { get; init; }
    public required string NameZh { get; init; }
    public required string NameEn { get; init; }
    public required string DescriptionZh { get; init; }
    public required string DescriptionEn { get; init; }
    public required string OwnerOrganisation { get; init; }
    public required DataGrade Grade { get; init; }
    public required SharingType Sharing { get; init; }
    public bool IsOpen { get; init; }
    /// <summary>Expected update frequency, e.g. "realtime", "5min", "daily".</summary>
    public required string UpdateFrequency { get; init; }
    public required string SourceSystem { get; init; }
    public Lineage? Lineage { get; init; }
    public required IReadOnlyList<FieldDefinition> Fields { get; init; }
    /// <summary>The event-time field records are ordered and range-queried by; null for reference data.</summary>
    public string? TimeField { get; init; }
    /// <summary>Fields whose values together identify a record; a repeat is quarantined as a duplicate.</summary>
    public IReadOnlyList<string> UniqueKey { get; init; } = [];
    /// <summary>How far in the future an event time may be (clock skew of the source).</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>How old an event time may be when it arrives; null for no bound.</summary>
    public TimeSpan? MaxAge { get; init; }
    /// <summary>Optional geometry for GeoJSON export: longitude and latitude fields in WGS-84.</summary>
    public (string Longitude, string Latitude)? PointFields { get; init; }

    public int FieldIndex(string name)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (string.Equals(Fields[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    public int TimeFieldIndex => TimeField is null ? -1 : FieldIndex(TimeField);

    /// <summary>GB/T 43697 class name of the grade.</summary>
    public string GradeStandardName => Grade switch
    {
        DataGrade.Public or DataGrade.Internal => "一般数据 (general)",
        DataGrade.Sensitive => "重要数据 (important)",
        _ => "核心数据 (core)",
    };

    /// <summary>Checks the definition's internal consistency; contexts call this from tests.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!DatasetIds.IsValid(Id))
        {
            problems.Add($"dataset id '{Id}' must be 'context.name' in lower case letters, digits and underscores");
        }
        if (Id.Length > 48)
        {
            problems.Add($"dataset id '{Id}' is longer than 48 characters (PostgreSQL cuts identifiers at 63, and index names add a suffix)");
        }
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var f in Fields)
        {
            if (!DatasetIds.IsValidFieldName(f.Name))
            {
                problems.Add($"field '{f.Name}' must be lower case letters, digits and underscores");
            }
            if (!names.Add(f.Name))
            {
                problems.Add($"field '{f.Name}' is declared twice");
            }
            if (f.Name.StartsWith('_'))
            {
                problems.Add($"field '{f.Name}' must not start with '_' (reserved for the store)");
            }
        }
        if (TimeField is not null && (TimeFieldIndex < 0 || Fields[TimeFieldIndex].Type != FieldType.Instant))
        {
            problems.Add($"time field '{TimeField}' must be an Instant field of the dataset");
        }
        foreach (var k in UniqueKey)
        {
            if (FieldIndex(k) < 0)
            {
                problems.Add($"unique key field '{k}' is not a field of the dataset");
            }
            else if (!Fields[FieldIndex(k)].Required)
            {
                problems.Add($"unique key field '{k}' must be required (an empty key cannot be unique)");
            }
        }
        if (Sharing == SharingType.NotShared && IsOpen)
        {
            problems.Add("a dataset that is not shared cannot be open");
        }
        return problems;
    }
}

public static partial class DatasetIds
{
    public static bool IsValid(string id) => IdPattern().IsMatch(id);

    public static bool IsValidFieldName(string name) => FieldPattern().IsMatch(name);

    /// <summary>The store table of a dataset: "highway.gantry_transaction" → "ds_highway__gantry_transaction".</summary>
    public static string TableName(string id) => "ds_" + id.Replace(".", "__", StringComparison.Ordinal);

    [GeneratedRegex("^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex FieldPattern();
}
