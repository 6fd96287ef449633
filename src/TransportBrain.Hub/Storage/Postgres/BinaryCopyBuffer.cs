using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace TransportBrain.Hub.Storage.Postgres;

/// <summary>
/// A growable buffer of values in PostgreSQL's binary COPY format: per row a field count, then each value
/// length-prefixed and big-endian. Encoding costs a bounds check and a byte swap (Npgsql's typed importer
/// resolves a converter and runs an async state machine for every value), which matters because the
/// client shares two cores with the server during an import.
/// </summary>
internal class BinaryTupleBuffer(int capacity)
{
    /// <summary>Microseconds between 0001-01-01 and 2000-01-01, PostgreSQL's timestamp epoch.</summary>
    private const long PostgresEpochTicks = 630_822_816_000_000_000;

    private static readonly UTF8Encoding Utf8 = new(false, false);

    protected byte[] _buffer = new byte[capacity];
    protected int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> Slice(int start, int length) => _buffer.AsSpan(start, length);

    public void Clear() => _length = 0;

    public void StartRow(int fields)
    {
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), (short)fields);
        _length += 2;
    }

    public void Null()
    {
        Reserve(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), -1);
        _length += 4;
    }

    public void Int64(long value)
    {
        Reserve(12);
        var span = _buffer.AsSpan(_length);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], value);
        _length += 12;
    }

    public void Int16(short value)
    {
        Reserve(6);
        var span = _buffer.AsSpan(_length);
        BinaryPrimitives.WriteInt32BigEndian(span, 2);
        BinaryPrimitives.WriteInt16BigEndian(span[4..], value);
        _length += 6;
    }

    public void Int32(int value)
    {
        Reserve(8);
        var span = _buffer.AsSpan(_length);
        BinaryPrimitives.WriteInt32BigEndian(span, 4);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], value);
        _length += 8;
    }

    public void Double(double value)
    {
        Reserve(12);
        var span = _buffer.AsSpan(_length);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteDoubleBigEndian(span[4..], value);
        _length += 12;
    }

    public void Boolean(bool value)
    {
        Reserve(5);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), 1);
        _buffer[_length + 4] = value ? (byte)1 : (byte)0;
        _length += 5;
    }

    /// <summary>A timestamptz: microseconds since 2000-01-01 UTC; sub-microsecond ticks are cut, as PostgreSQL would.</summary>
    public void Instant(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        Int64((ticks - ticks % 10 - PostgresEpochTicks) / 10);
    }

    /// <summary>The instant (UTC) of a timestamptz's microseconds, as <see cref="Instant"/> wrote them.</summary>
    public static DateTimeOffset InstantOf(long microseconds) => new(microseconds * 10 + PostgresEpochTicks, TimeSpan.Zero);

    /// <summary>Text as UTF-8 (a lone surrogate becomes U+FFFD, as SQLite stores it).</summary>
    public void Text(string value)
    {
        Reserve(4 + Utf8.GetMaxByteCount(value.Length));
        var n = Utf8.GetBytes(value, _buffer.AsSpan(_length + 4));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), n);
        _length += 4 + n;
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Reserve(4 + value.Length);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value.Length);
        value.CopyTo(_buffer.AsSpan(_length + 4));
        _length += 4 + value.Length;
    }

    /// <summary>Values already encoded in this format (the fields of an <see cref="PostgresEncodedRows"/> row).</summary>
    public void Encoded(ReadOnlySpan<byte> values)
    {
        Reserve(values.Length);
        values.CopyTo(_buffer.AsSpan(_length));
        _length += values.Length;
    }

    protected void Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
    }
}

/// <summary>
/// Encodes rows in PostgreSQL's binary COPY format (header, rows, trailer) into a reusable buffer that
/// is sent through a raw COPY stream as it fills.
/// </summary>
internal sealed class BinaryCopyBuffer() : BinaryTupleBuffer(FlushAt + 64 * 1024)
{
    /// <summary>Sent once the buffer holds this much, so the server works while the next rows are encoded.</summary>
    private const int FlushAt = 128 * 1024;

    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private NpgsqlRawCopyStream? _stream;

    /// <summary>Starts a COPY ... FROM STDIN (FORMAT BINARY) on the connection.</summary>
    public async Task BeginAsync(NpgsqlConnection connection, string copyCommand, CancellationToken ct)
    {
        _stream = await connection.BeginRawBinaryCopyAsync(copyCommand, ct);
        Header.CopyTo(_buffer, 0);
        _length = Header.Length;
    }

    /// <summary>Sends what is buffered once there is enough of it; call between rows.</summary>
    public ValueTask FlushIfFullAsync(CancellationToken ct) => _length >= FlushAt ? FlushAsync(ct) : ValueTask.CompletedTask;

    private async ValueTask FlushAsync(CancellationToken ct)
    {
        await _stream!.WriteAsync(_buffer.AsMemory(0, _length), ct);
        _length = 0;
    }

    /// <summary>Sends the trailer and ends the COPY; a server-side error (such as a unique violation) is thrown here.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), -1);
        _length += 2;
        await FlushAsync(ct);
        var stream = _stream!;
        _stream = null;
        await stream.DisposeAsync();
    }

    /// <summary>Abandons the COPY (after a failure of ours, not the server's): nothing written is kept.</summary>
    public async Task CancelAsync()
    {
        if (_stream is not { } stream)
        {
            return;
        }
        _stream = null;
        _length = 0;
        try
        {
            await stream.CancelAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
        {
            // The connection is broken or the server already ended the COPY; the transaction is rolled back either way.
        }
        await stream.DisposeAsync();
    }
}
