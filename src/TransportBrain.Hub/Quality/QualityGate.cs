using System.Globalization;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Quality;

/// <summary>
/// Applies a dataset's declarative rules to one record's field texts: required, type, range, pattern,
/// enumeration, timeliness and reference. Uniqueness is checked by the store, which alone sees every
/// record already kept. A gate is built once per batch and is not thread-safe.
/// </summary>
public sealed class QualityGate
{
    private readonly DatasetDefinition _dataset;
    private readonly IReadOnlyDictionary<string, IReadOnlySet<string>> _references;
    private readonly HashSet<string>?[] _allowed;
    private readonly IReadOnlySet<string>?[] _referenceSets;
    private readonly object?[] _lastInstant;
    private readonly int _timeIndex;
    private readonly DateTimeOffset _latestAllowed;
    private readonly DateTimeOffset? _earliestAllowed;

    /// <param name="references">For each field with a reference rule ("dataset.field"), the values that exist.</param>
    public QualityGate(DatasetDefinition dataset, IReadOnlyDictionary<string, IReadOnlySet<string>> references, DateTimeOffset now)
    {
        _dataset = dataset;
        _references = references;
        _timeIndex = dataset.TimeFieldIndex;
        _latestAllowed = now + dataset.MaxFutureSkew;
        _earliestAllowed = dataset.MaxAge is { } age ? now - age : null;
        _allowed = new HashSet<string>?[dataset.Fields.Count];
        _referenceSets = new IReadOnlySet<string>?[dataset.Fields.Count];
        _lastInstant = new object?[dataset.Fields.Count];
        for (var i = 0; i < dataset.Fields.Count; i++)
        {
            var f = dataset.Fields[i];
            if (f.AllowedValues is { } values)
            {
                _allowed[i] = new HashSet<string>(values, StringComparer.Ordinal);
            }
            if (f.References is { } r)
            {
                _referenceSets[i] = references.TryGetValue(r, out var set) ? set : new HashSet<string>();
            }
        }
    }

    public DatasetDefinition Dataset => _dataset;

    public IReadOnlyDictionary<string, IReadOnlySet<string>> References => _references;

    /// <summary>
    /// Checks one record. <paramref name="texts"/> holds the text of each field in schema order
    /// (null when absent); <paramref name="values"/> receives the typed values.
    /// Returns true when no rule is broken; otherwise every broken rule is added to <paramref name="violations"/>.
    /// </summary>
    public bool Check(ReadOnlySpan<string?> texts, object?[] values, List<Violation> violations)
    {
        var fields = _dataset.Fields;
        var before = violations.Count;
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            var text = texts[i];
            if (string.IsNullOrWhiteSpace(text))
            {
                values[i] = null;
                if (f.Required)
                {
                    violations.Add(new Violation(RuleKind.Required, f.Name, $"{f.Name} ({f.DescriptionZh}) is required but empty"));
                }
                continue;
            }
            object? value;
            if (f.Type == FieldType.Instant && ValueParser.TryParseInstant(text, out var instant))
            {
                // Records in a file are mostly in time order: reuse the previous record's box when the
                // instant repeats rather than keep one more copy alive until the store has it.
                value = _lastInstant[i] is DateTimeOffset last && last.UtcTicks == instant.UtcTicks && last.Offset == instant.Offset
                    ? _lastInstant[i]
                    : _lastInstant[i] = instant;
            }
            else if (!ValueParser.TryParse(f.Type, text, out value, out var error))
            {
                values[i] = null;
                violations.Add(new Violation(RuleKind.Type, f.Name, $"{f.Name}: {error}"));
                continue;
            }
            values[i] = value;
            if (f.Type == FieldType.String && text.Contains('\0', StringComparison.Ordinal))
            {
                // PostgreSQL cannot store U+0000 in text; reject it everywhere so both stores agree.
                values[i] = null;
                violations.Add(new Violation(RuleKind.Type, f.Name, $"{f.Name}: contains a NUL character"));
                continue;
            }
            if (f.Min is not null || f.Max is not null)
            {
                var number = value switch { long l => (double)l, double d => d, _ => double.NaN };
                if (!double.IsNaN(number) && (number < f.Min || number > f.Max))
                {
                    violations.Add(new Violation(RuleKind.Range, f.Name,
                        $"{f.Name}: {number.ToString(CultureInfo.InvariantCulture)} is outside [{Bound(f.Min)}, {Bound(f.Max)}]{(f.Unit is null ? "" : " " + f.Unit)}"));
                }
            }
            if (f.Regex is { } regex && !regex.IsMatch(text))
            {
                violations.Add(new Violation(RuleKind.Pattern, f.Name,
                    $"{f.Name}: '{ValueParser.Shorten(text)}' is not {f.PatternDescription ?? "in the expected form"}"));
            }
            if (_allowed[i] is { } allowed && !allowed.Contains(text))
            {
                violations.Add(new Violation(RuleKind.Enumeration, f.Name,
                    $"{f.Name}: '{ValueParser.Shorten(text)}' is not one of {string.Join(", ", f.AllowedValues!.Take(12))}"));
            }
            if (_referenceSets[i] is { } known && !known.Contains(text))
            {
                violations.Add(new Violation(RuleKind.Reference, f.Name,
                    $"{f.Name}: '{ValueParser.Shorten(text)}' does not exist in {f.References}"));
            }
        }
        if (_timeIndex >= 0 && values[_timeIndex] is DateTimeOffset t)
        {
            if (t > _latestAllowed)
            {
                violations.Add(new Violation(RuleKind.Timeliness, _dataset.TimeField,
                    $"{_dataset.TimeField}: {ValueParser.Format(t)} is in the future (more than {_dataset.MaxFutureSkew.TotalMinutes:0} min ahead)"));
            }
            else if (t < _earliestAllowed)
            {
                violations.Add(new Violation(RuleKind.Timeliness, _dataset.TimeField,
                    $"{_dataset.TimeField}: {ValueParser.Format(t)} is older than the {_dataset.MaxAge!.Value.TotalDays:0}-day bound"));
            }
        }
        return violations.Count == before;
    }

    private static string Bound(double? b) => b?.ToString(CultureInfo.InvariantCulture) ?? "∞";
}
