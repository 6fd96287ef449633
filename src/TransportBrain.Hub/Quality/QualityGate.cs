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
    private readonly PassedTexts?[] _passed;
    private readonly int _timeIndex;
    private DateTimeOffset _latestAllowed;
    private DateTimeOffset? _earliestAllowed;

    /// <param name="references">For each field with a reference rule ("dataset.field"), the values that exist.</param>
    public QualityGate(DatasetDefinition dataset, IReadOnlyDictionary<string, IReadOnlySet<string>> references, DateTimeOffset now)
    {
        _dataset = dataset;
        _references = references;
        _timeIndex = dataset.TimeFieldIndex;
        SetNow(now);
        _allowed = new HashSet<string>?[dataset.Fields.Count];
        _referenceSets = new IReadOnlySet<string>?[dataset.Fields.Count];
        _lastInstant = new object?[dataset.Fields.Count];
        _passed = new PassedTexts?[dataset.Fields.Count];
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
            if (f.Type != FieldType.Instant)
            {
                _passed[i] = new PassedTexts();
            }
        }
    }

    public DatasetDefinition Dataset => _dataset;

    public IReadOnlyDictionary<string, IReadOnlySet<string>> References => _references;

    /// <summary>
    /// Moves the clock the timeliness rule measures against, so a long-lived source (a device gateway)
    /// can keep one gate per batch instead of building one for every group of records.
    /// </summary>
    public void SetNow(DateTimeOffset now)
    {
        _latestAllowed = now + _dataset.MaxFutureSkew;
        _earliestAllowed = _dataset.MaxAge is { } age ? now - age : null;
    }

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
            var passed = _passed[i];
            if (text is not null && passed is not null && passed.TryGet(text, out var known))
            {
                values[i] = known;
                continue;
            }
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
            var violationsBefore = violations.Count;
            CheckRules(i, f, value!, text, values, violations);
            if (violations.Count == violationsBefore)
            {
                passed?.Add(text, value!);
            }
        }
        CheckTimeliness(values, violations);
        return violations.Count == before;
    }

    /// <summary>
    /// One field's texts that passed its rules, by string instance, with their typed values. Sources hand
    /// the same instance for a repeated value (the CSV reader's per-column text cache: gantry ids, codes,
    /// small numbers), so a repeat costs one reference lookup instead of parsing it and running its rules
    /// again (a pattern, a reference set). A string is immutable, so the same instance always gives the
    /// same result. A field whose texts are seldom the same instance stops looking after a sample.
    /// </summary>
    private sealed class PassedTexts
    {
        private const int MaxEntries = 4096;
        private const int Sample = 8192;
        private readonly Dictionary<string, object> _values = new(ReferenceEqualityComparer.Instance);
        private int _lookups;
        private int _hits;
        private bool _off;

        public bool TryGet(string text, out object value)
        {
            if (_off)
            {
                value = null!;
                return false;
            }
            if (_lookups < Sample && ++_lookups == Sample && _hits < Sample / 2)
            {
                _off = true;
                _values.Clear();
                value = null!;
                return false;
            }
            if (_values.TryGetValue(text, out value!))
            {
                _hits++;
                return true;
            }
            return false;
        }

        public void Add(string text, object value)
        {
            if (!_off && _values.Count < MaxEntries)
            {
                _values[text] = value;
            }
        }
    }

    /// <summary>
    /// Checks one record whose values are already typed (a device gateway decodes binary fields straight
    /// into numbers and instants): the same rules as <see cref="Check"/>, without formatting the values
    /// as text and parsing them back. <paramref name="values"/> holds each field's value in schema order:
    /// null when absent, else a <see cref="string"/>, <see cref="long"/>, <see cref="double"/>,
    /// <see cref="bool"/> or <see cref="DateTimeOffset"/> as the field's type says (an <see cref="int"/> is
    /// taken for a whole-number field). Values are normalised in place the way the text path types them
    /// (instants to UTC, blank strings to null, numbers to their declared type); a value of the wrong type,
    /// or a number that is not finite, breaks the type rule. Pattern, enumeration and reference rules on
    /// a field that is not a string compare the value's invariant text, as the text path would.
    /// Returns true when no rule is broken; otherwise every broken rule is added to <paramref name="violations"/>.
    /// </summary>
    public bool CheckValues(object?[] values, List<Violation> violations)
    {
        var fields = _dataset.Fields;
        if (values.Length != fields.Count)
        {
            throw new ArgumentException($"{_dataset.Id} has {fields.Count} fields; {values.Length} values were given", nameof(values));
        }
        var before = violations.Count;
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            var value = values[i];
            if (value is string blank && string.IsNullOrWhiteSpace(blank))
            {
                value = values[i] = null;
            }
            if (value is null)
            {
                if (f.Required)
                {
                    violations.Add(new Violation(RuleKind.Required, f.Name, $"{f.Name} ({f.DescriptionZh}) is required but empty"));
                }
                continue;
            }
            if (!TryConform(f.Type, ref value, out var error))
            {
                values[i] = null;
                violations.Add(new Violation(RuleKind.Type, f.Name, $"{f.Name}: {error}"));
                continue;
            }
            values[i] = value;
            CheckRules(i, f, value, value as string, values, violations);
        }
        CheckTimeliness(values, violations);
        return violations.Count == before;
    }

    /// <summary>A typed value of the field's type, as the text path would have produced it; false with the reason otherwise.</summary>
    private static bool TryConform(FieldType type, ref object value, out string? error)
    {
        error = null;
        switch (type, value)
        {
            case (FieldType.String, string):
            case (FieldType.Int64, long):
            case (FieldType.Boolean, bool):
                return true;
            case (FieldType.Int64, int n):
                value = ValueParser.Box(n);
                return true;
            case (FieldType.Double, double d):
                if (double.IsFinite(d))
                {
                    return true;
                }
                error = $"'{ValueParser.Format(d)}' is not a number";
                return false;
            case (FieldType.Double, long or int):
                value = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                return true;
            case (FieldType.Instant, DateTimeOffset t):
                if (t.Offset != TimeSpan.Zero)
                {
                    value = new DateTimeOffset(t.UtcTicks, TimeSpan.Zero);
                }
                return true;
            default:
                error = $"expected {TypeName(type)}, got a {value.GetType().Name}";
                return false;
        }
    }

    private static string TypeName(FieldType type) => type switch
    {
        FieldType.String => "text",
        FieldType.Int64 => "a whole number",
        FieldType.Double => "a number",
        FieldType.Boolean => "true/false",
        _ => "a time",
    };

    /// <summary>
    /// The rules on one typed value: NUL in text, range, pattern, enumeration, reference. <paramref name="text"/>
    /// is the value as written (the text path) or null, in which case the value's invariant text is used
    /// for the text rules, formatted only when the field has one.
    /// </summary>
    private void CheckRules(int i, FieldDefinition f, object value, string? text, object?[] values, List<Violation> violations)
    {
        if (f.Type == FieldType.String && value is string s && s.Contains('\0', StringComparison.Ordinal))
        {
            // PostgreSQL cannot store U+0000 in text; reject it everywhere so both stores agree.
            values[i] = null;
            violations.Add(new Violation(RuleKind.Type, f.Name, $"{f.Name}: contains a NUL character"));
            return;
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
        if (f.Regex is null && _allowed[i] is null && _referenceSets[i] is null)
        {
            return;
        }
        text ??= ValueParser.Format(value);
        if (f.Regex is { } regex && !regex.IsMatch(text))
        {
            violations.Add(new Violation(RuleKind.Pattern, f.Name,
                $"{f.Name}: '{Quote(f, text)}' is not {f.PatternDescription ?? "in the expected form"}"));
        }
        if (_allowed[i] is { } allowed && !allowed.Contains(text))
        {
            violations.Add(new Violation(RuleKind.Enumeration, f.Name,
                $"{f.Name}: '{Quote(f, text)}' is not one of {string.Join(", ", f.AllowedValues!.Take(12))}"));
        }
        if (_referenceSets[i] is { } known && !known.Contains(text))
        {
            violations.Add(new Violation(RuleKind.Reference, f.Name,
                $"{f.Name}: '{Quote(f, text)}' does not exist in {f.References}"));
        }
    }

    /// <summary>
    /// A value as a rejection reason quotes it: a personal field's value masked as a reader without an unmasked
    /// grant would see it (贵A·***45), because reasons reach quality reports, which the catalog serves to anyone.
    /// The record's own bytes stay in quarantine, readable only with a grant.
    /// </summary>
    internal static string Quote(FieldDefinition f, string text) =>
        ValueParser.Shorten(f.Personal == PersonalKind.None ? text : Sharing.Masking.Mask(f.Personal, text));

    private void CheckTimeliness(object?[] values, List<Violation> violations)
    {
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
    }

    private static string Bound(double? b) => b?.ToString(CultureInfo.InvariantCulture) ?? "∞";
}
