using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Storage.Postgres;

/// <summary>
/// A chunk's accepted records as the PostgreSQL writer sends them: each row's field values in binary
/// COPY format (without the field count and the _seq, _batch and _pos columns, which the writer puts
/// before them) and each row's unique key (<see cref="KeyBytes"/>), all in pooled blocks reused from
/// chunk to chunk (<see cref="ByteBlocks"/>), with the key's hash for <see cref="ChunkKeys"/>. No object per
/// record stays alive in between.
/// </summary>
internal sealed class PostgresEncodedRows(DatasetDefinition dataset, PgColumn[] columns) : EncodedRows
{
    private readonly PgColumn[] _types = columns.Length == dataset.Fields.Count
        ? columns
        : throw new ArgumentException($"{dataset.Id} has {dataset.Fields.Count} fields; {columns.Length} column types were given", nameof(columns));
    private readonly int[] _keyIndexes = [.. dataset.UniqueKey.Select(dataset.FieldIndex)];

    /// <summary>Rows for a table whose columns are as a new table of <paramref name="dataset"/> declares them.</summary>
    public PostgresEncodedRows(DatasetDefinition dataset) : this(dataset, PgColumns.Declared(dataset))
    {
    }

    /// <summary>A one-field key that is not a number with several encodings of one value (-0, NaN): its key bytes are its row bytes.</summary>
    private readonly bool _keyIsOneField = dataset.UniqueKey.Count == 1 && dataset.Fields[dataset.FieldIndex(dataset.UniqueKey[0])].Type != FieldType.Double;
    private readonly BinaryTupleBuffer _scratch = new(1024);
    private readonly ByteBlocks _bytes = new();
    private readonly List<(ReadOnlyMemory<byte> Values, ReadOnlyMemory<byte> Key, int KeyHash)> _rows = [];

    public DatasetDefinition Dataset { get; } = dataset;

    public override int Count => _rows.Count;

    /// <summary>The encoded field values of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<byte> Values(int row) => _rows[row].Values.Span;

    /// <summary>Whether the row has a unique key: false when the dataset has none or a part of it is null (such a key never conflicts).</summary>
    public bool HasKey(int row) => !_rows[row].Key.IsEmpty;

    /// <summary>The row's unique key, encoded so that two keys have the same bytes exactly when PostgreSQL holds them equal.</summary>
    public ReadOnlySpan<byte> KeyBytes(int row) => _rows[row].Key.Span;

    /// <summary>The hash of <see cref="KeyBytes"/>, computed once when the row was added.</summary>
    public int KeyHash(int row) => _rows[row].KeyHash;

    /// <summary>The hash <see cref="ChunkKeys"/> files an encoded key under.</summary>
    public static int HashOf(ReadOnlySpan<byte> key) => (int)ByteHash.Of(key);

    /// <summary>
    /// The row's unique-key values (in the key's order) as PostgreSQL stores them, for queries and messages;
    /// all null when the key has a null part (it was not kept, as such a key never conflicts).
    /// </summary>
    public object?[] KeyValues(int row)
    {
        var key = _rows[row].Key.Span;
        var values = new object?[_keyIndexes.Length];
        for (var k = 0; k < values.Length && !key.IsEmpty; k++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(key);
            values[k] = Decode(key.Slice(4, length), _types[_keyIndexes[k]]);
            key = key[(4 + length)..];
        }
        return values;
    }

    public override void Add(object?[] values)
    {
        _scratch.Clear();
        try
        {
            Write(_scratch, values, _types);
        }
        catch (OverflowException)
        {
            throw new InvalidOperationException(OverflowMessage(values));
        }
        var encoded = _bytes.Append(_scratch.Slice(0, _scratch.Length));
        var key = ReadOnlyMemory<byte>.Empty;
        if (_keyIsOneField)
        {
            // The key's bytes are the field's own bytes in the row: no second encoding or copy.
            if (values[_keyIndexes[0]] is not (null or DBNull))
            {
                key = encoded[FieldRange(encoded.Span, _keyIndexes[0])];
            }
        }
        else if (_keyIndexes.Length > 0)
        {
            _scratch.Clear();
            if (WriteKey(_scratch, values, _keyIndexes, _types))
            {
                key = _bytes.Append(_scratch.Slice(0, _scratch.Length));
            }
        }
        _rows.Add((encoded, key, key.IsEmpty ? 0 : HashOf(key.Span)));
    }

    private string OverflowMessage(object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (_types[i] is PgColumn.Int16 or PgColumn.Int32 && values[i] is not (null or DBNull))
            {
                var v = Convert.ToInt64(values[i], CultureInfo.InvariantCulture);
                if (_types[i] == PgColumn.Int16 ? v is < short.MinValue or > short.MaxValue : v is < int.MinValue or > int.MaxValue)
                {
                    return $"{Dataset.Id}: {Dataset.Fields[i].Name} = {v} does not fit its {PgColumns.SqlType(_types[i])} column (the field's declared bounds make it that narrow)";
                }
            }
        }
        return $"{Dataset.Id}: a value does not fit its column";
    }

    /// <summary>Where field <paramref name="index"/> (its length prefix and value) lies in an encoded row.</summary>
    private static Range FieldRange(ReadOnlySpan<byte> row, int index)
    {
        var start = 0;
        for (var i = 0; i < index; i++)
        {
            start += 4 + Math.Max(0, BinaryPrimitives.ReadInt32BigEndian(row[start..]));
        }
        return new Range(start, start + 4 + Math.Max(0, BinaryPrimitives.ReadInt32BigEndian(row[start..])));
    }

    /// <summary>The key of values read back from the table (in the key's order), encoded as <see cref="Add"/> encodes a row's.</summary>
    public byte[]? KeyOf(object?[] keyValues)
    {
        _scratch.Clear();
        var positions = new int[keyValues.Length];
        var types = new PgColumn[keyValues.Length];
        for (var k = 0; k < positions.Length; k++)
        {
            positions[k] = k;
            types[k] = _types[_keyIndexes[k]];
        }
        return WriteKey(_scratch, keyValues, positions, types) ? _scratch.Slice(0, _scratch.Length).ToArray() : null;
    }

    public override void Clear()
    {
        _rows.Clear();
        _bytes.Clear();
    }

    public override void Dispose()
    {
        Clear();
        _bytes.Dispose();
    }

    /// <summary>Encodes a row's values for their columns; a whole number too big for its column throws <see cref="OverflowException"/>.</summary>
    public static void Write(BinaryTupleBuffer buffer, object?[] row, PgColumn[] types)
    {
        for (var i = 0; i < row.Length; i++)
        {
            if (row[i] is null or DBNull)
            {
                buffer.Null();
            }
            else
            {
                WriteValue(buffer, row[i]!, types[i], asKey: false);
            }
        }
    }

    /// <summary>
    /// Encodes the values at <paramref name="positions"/> so that two keys have the same bytes exactly when
    /// PostgreSQL's unique index holds them equal: text as UTF-8, instants to the microsecond, -0 as 0 and
    /// every NaN as one. False (nothing to compare) when a part is null.
    /// </summary>
    private static bool WriteKey(BinaryTupleBuffer buffer, object?[] values, int[] positions, PgColumn[] types)
    {
        foreach (var i in positions)
        {
            if (values[i] is null or DBNull)
            {
                return false;
            }
            WriteValue(buffer, values[i]!, types[i], asKey: true);
        }
        return true;
    }

    private static void WriteValue(BinaryTupleBuffer buffer, object value, PgColumn type, bool asKey)
    {
        switch (type)
        {
            case PgColumn.Text:
                buffer.Text(value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                break;
            case PgColumn.Int64:
                buffer.Int64(value is long l ? l : Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case PgColumn.Int32:
                buffer.Int32(checked((int)(value is long l4 ? l4 : Convert.ToInt64(value, CultureInfo.InvariantCulture))));
                break;
            case PgColumn.Int16:
                buffer.Int16(checked((short)(value is long l2 ? l2 : Convert.ToInt64(value, CultureInfo.InvariantCulture))));
                break;
            case PgColumn.Timestamptz:
                buffer.Instant(value is DateTimeOffset t ? t : PostgresDialect.ToUtcMicroseconds(value));
                break;
            case PgColumn.Float8:
                var d = value is double v ? v : Convert.ToDouble(value, CultureInfo.InvariantCulture);
                buffer.Double(asKey && d == 0 ? 0.0 : asKey && double.IsNaN(d) ? double.NaN : d);
                break;
            default:
                buffer.Boolean(value is bool b ? b : Convert.ToBoolean(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static object Decode(ReadOnlySpan<byte> value, PgColumn type) => type switch
    {
        PgColumn.Text => Encoding.UTF8.GetString(value),
        PgColumn.Int64 => BinaryPrimitives.ReadInt64BigEndian(value),
        PgColumn.Int32 => (long)BinaryPrimitives.ReadInt32BigEndian(value),
        PgColumn.Int16 => (long)BinaryPrimitives.ReadInt16BigEndian(value),
        PgColumn.Float8 => BinaryPrimitives.ReadDoubleBigEndian(value),
        PgColumn.Boolean => value[0] != 0,
        _ => BinaryTupleBuffer.InstantOf(BinaryPrimitives.ReadInt64BigEndian(value)),
    };
}
