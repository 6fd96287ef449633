using System.Data.Common;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Storage;

/// <summary>The few things SQLite and PostgreSQL spell differently. Everything else is shared SQL.</summary>
public abstract class SqlDialect
{
    public abstract string IdentityPrimaryKey { get; }
    public abstract string BytesType { get; }

    public abstract string ColumnType(FieldType type);

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
