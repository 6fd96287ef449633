using System.Data.Common;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Storage;

/// <summary>The few things SQLite and PostgreSQL spell differently. Everything else is shared SQL.</summary>
public abstract class SqlDialect
{
    public abstract string IdentityPrimaryKey { get; }

    /// <summary>
    /// The type of a dataset table's <c>_seq</c> column. Time-indexed tables page by (time, _seq), so a
    /// store may leave out the primary key index on <c>_seq</c> when keeping it costs (PostgreSQL: one index
    /// fewer to maintain on every insert); SQLite's rowid key is free.
    /// </summary>
    public virtual string RecordSequence(bool timeIndexed) => IdentityPrimaryKey;

    /// <summary>The statement that drops an existing primary key on <c>_seq</c> of a time-indexed table, or null when there is none to drop.</summary>
    public virtual string? DropRecordSequenceKey(string table) => null;

    /// <summary>The statement that brings an existing dataset table's _seq sequence up to date, or null when there is nothing to do.</summary>
    public virtual string? RecordSequenceUpgrade(string table) => null;
    public abstract string BytesType { get; }

    public abstract string ColumnType(FieldType type);

    /// <summary>The column type a new dataset table gives <paramref name="field"/>; by default its type's.</summary>
    public virtual string ColumnType(DatasetDefinition dataset, FieldDefinition field) => ColumnType(field.Type);

    /// <summary>
    /// Where a field goes in a new dataset table, lowest first. By default 8-byte values, then booleans, then
    /// text: PostgreSQL aligns an 8-byte value to 8 bytes, so one placed after a text pads the row.
    /// </summary>
    public virtual int StorageOrder(DatasetDefinition dataset, FieldDefinition field) => field.Type switch
    {
        FieldType.Int64 or FieldType.Instant or FieldType.Double => 0,
        FieldType.Boolean => 1,
        _ => 2,
    };

    /// <summary>A value as the provider wants it as a parameter.</summary>
    public abstract object ToDb(object? value, FieldType type);

    public abstract object? FromDb(DbDataReader reader, int ordinal, FieldType type);

    public string Expand(string sql) => sql
        .Replace("{pk}", IdentityPrimaryKey, StringComparison.Ordinal)
        .Replace("{bytes}", BytesType, StringComparison.Ordinal)
        .Replace("{ts}", ColumnType(FieldType.Instant), StringComparison.Ordinal)
        .Replace("{bool}", ColumnType(FieldType.Boolean), StringComparison.Ordinal)
        .Replace("{int}", ColumnType(FieldType.Int64), StringComparison.Ordinal)
        .Replace("{text}", ColumnType(FieldType.String), StringComparison.Ordinal);
}
