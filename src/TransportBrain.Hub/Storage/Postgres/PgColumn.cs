using System.Globalization;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Storage.Postgres;

/// <summary>The PostgreSQL column type a dataset field is stored in. Binary COPY must send each value in exactly its column's width.</summary>
internal enum PgColumn : byte
{
    Text,
    Int16,
    Int32,
    Int64,
    Float8,
    Boolean,
    Timestamptz,
}

internal static class PgColumns
{
    /// <summary>
    /// The column a new table gives each field. A whole number whose values the quality gate bounds (an
    /// enumeration of whole numbers, or both a minimum and a maximum) gets the narrowest integer column that
    /// holds every allowed value: the gantry transaction heap is 17% smaller with smallint and integer
    /// columns than with bigint everywhere (docs/benchmarks.md, session 10). Derived datasets keep bigint:
    /// their rows come from code, not through the gate, so nothing holds them to the bounds.
    /// </summary>
    public static PgColumn Declared(DatasetDefinition dataset, FieldDefinition field) => field.Type switch
    {
        FieldType.String => PgColumn.Text,
        FieldType.Double => PgColumn.Float8,
        FieldType.Boolean => PgColumn.Boolean,
        FieldType.Instant => PgColumn.Timestamptz,
        _ => dataset.Lineage is null && Bounds(field) is var (low, high)
            ? low >= short.MinValue && high <= short.MaxValue ? PgColumn.Int16
            : low >= int.MinValue && high <= int.MaxValue ? PgColumn.Int32
            : PgColumn.Int64
            : PgColumn.Int64,
    };

    public static PgColumn[] Declared(DatasetDefinition dataset) => [.. dataset.Fields.Select(f => Declared(dataset, f))];

    /// <summary>The smallest and largest value the gate lets through for a whole-number field, or null when it does not bound them.</summary>
    private static (double Low, double High)? Bounds(FieldDefinition field)
    {
        if (field.AllowedValues is { Count: > 0 } allowed)
        {
            var values = new List<long>(allowed.Count);
            foreach (var text in allowed)
            {
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
                {
                    return null;
                }
                values.Add(v);
            }
            return (values.Min(), values.Max());
        }
        return field is { Min: { } min, Max: { } max } ? (Math.Floor(min), Math.Ceiling(max)) : null;
    }

    public static string SqlType(PgColumn column) => column switch
    {
        PgColumn.Text => "text",
        PgColumn.Int16 => "smallint",
        PgColumn.Int32 => "integer",
        PgColumn.Int64 => "bigint",
        PgColumn.Float8 => "double precision",
        PgColumn.Boolean => "boolean",
        _ => "timestamptz",
    };

    /// <summary>The width an existing integer column has (its <c>format_type</c>); a field of another type keeps its declared column.</summary>
    public static PgColumn Existing(string sqlType, PgColumn declared) => declared is PgColumn.Int16 or PgColumn.Int32 or PgColumn.Int64
        ? sqlType switch
        {
            "smallint" => PgColumn.Int16,
            "integer" => PgColumn.Int32,
            "bigint" => PgColumn.Int64,
            _ => declared,
        }
        : declared;

    /// <summary>Whether integer column <paramref name="existing"/> holds fewer values than <paramref name="declared"/> needs.</summary>
    public static bool Narrower(PgColumn existing, PgColumn declared) =>
        existing is PgColumn.Int16 or PgColumn.Int32 && declared is PgColumn.Int32 or PgColumn.Int64 && Width(existing) < Width(declared);

    private static int Width(PgColumn column) => column switch { PgColumn.Int16 => 2, PgColumn.Int32 => 4, _ => 8 };

    /// <summary>Bytes in a row; a new table puts wider fixed-width columns first, so PostgreSQL adds no alignment padding between them.</summary>
    public static int StorageOrder(PgColumn column) => column switch
    {
        PgColumn.Int64 or PgColumn.Float8 or PgColumn.Timestamptz => 0,
        PgColumn.Int32 => 1,
        PgColumn.Int16 => 2,
        PgColumn.Boolean => 3,
        _ => 4,
    };
}
