using System.Globalization;
using System.Runtime.InteropServices;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Storage.Postgres;

/// <summary>
/// A chunk's accepted records as the PostgreSQL writer sends them: each row's field values in binary
/// COPY format (without the field count and the _seq, _batch and _pos columns, which the writer puts
/// before them), in pooled blocks reused from chunk to chunk (<see cref="ByteBlocks"/>); and each row's
/// unique-key values, which the writer needs to find duplicates.
/// </summary>
internal sealed class PostgresEncodedRows(DatasetDefinition dataset) : EncodedRows
{
    private readonly FieldType[] _types = [.. dataset.Fields.Select(f => f.Type)];
    private readonly int[] _keyIndexes = [.. dataset.UniqueKey.Select(dataset.FieldIndex)];
    private readonly BinaryTupleBuffer _row = new(1024);
    private readonly ByteBlocks _bytes = new();
    private readonly List<ReadOnlyMemory<byte>> _rows = [];
    private readonly List<object?> _keyValues = [];

    public DatasetDefinition Dataset { get; } = dataset;

    public override int Count => _rows.Count;

    /// <summary>The encoded field values of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<byte> Values(int row) => _rows[row].Span;

    /// <summary>The row's unique-key values, in the order of the dataset's key.</summary>
    public ReadOnlySpan<object?> KeyValues(int row) =>
        CollectionsMarshal.AsSpan(_keyValues).Slice(row * _keyIndexes.Length, _keyIndexes.Length);

    public override void Add(object?[] values)
    {
        _row.Clear();
        Write(_row, values, _types);
        _rows.Add(_bytes.Append(_row.Slice(0, _row.Length)));
        foreach (var k in _keyIndexes)
        {
            _keyValues.Add(values[k]);
        }
    }

    public override void Clear()
    {
        _rows.Clear();
        _keyValues.Clear();
        _bytes.Clear();
    }

    public override void Dispose()
    {
        Clear();
        _bytes.Dispose();
    }

    /// <summary>Encodes a row's values as their fields' types say.</summary>
    public static void Write(BinaryTupleBuffer buffer, object?[] row, FieldType[] types)
    {
        for (var i = 0; i < row.Length; i++)
        {
            var value = row[i];
            if (value is null or DBNull)
            {
                buffer.Null();
                continue;
            }
            switch (types[i])
            {
                case FieldType.String:
                    buffer.Text(value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                    break;
                case FieldType.Int64:
                    buffer.Int64(value is long l ? l : Convert.ToInt64(value, CultureInfo.InvariantCulture));
                    break;
                case FieldType.Instant:
                    buffer.Instant(value is DateTimeOffset t ? t : PostgresDialect.ToUtcMicroseconds(value));
                    break;
                case FieldType.Double:
                    buffer.Double(value is double d ? d : Convert.ToDouble(value, CultureInfo.InvariantCulture));
                    break;
                default:
                    buffer.Boolean(value is bool b ? b : Convert.ToBoolean(value, CultureInfo.InvariantCulture));
                    break;
            }
        }
    }
}
