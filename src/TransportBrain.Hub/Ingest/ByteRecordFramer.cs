namespace TransportBrain.Hub.Ingest;

/// <summary>
/// Cuts a byte stream into records without loading it whole: one line, or for CSV one line plus any
/// newlines inside quoted fields. Works on bytes, which is safe for UTF-8 and GBK alike because
/// neither uses the bytes of '\n', '\r', '"' or ',' inside a multi-byte character. A record longer
/// than the bound (typically an unclosed quote) is cut back to its first line, so one bad quote
/// cannot swallow the rest of a file.
/// </summary>
internal sealed class ByteRecordFramer
{
    private readonly Stream _stream;
    private readonly bool _quoteAware;
    private readonly int _maxRecordBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;

    public ByteRecordFramer(Stream stream, bool quoteAware, int maxRecordBytes)
    {
        _stream = stream;
        _quoteAware = quoteAware;
        _maxRecordBytes = maxRecordBytes;
        _buffer = new byte[Math.Min(256 * 1024, Math.Max(4096, maxRecordBytes))];
    }

    public long BytesConsumed { get; private set; }

    /// <summary>Whether the record <see cref="TryNext"/> returned last holds a double quote (false: no quoting to undo, no newline inside).</summary>
    public bool LastHadQuote { get; private set; }

    /// <summary>Next record without its line terminator; <paramref name="truncated"/> tells that it was cut.</summary>
    public bool TryNext(out ReadOnlyMemory<byte> record, out bool truncated)
    {
        truncated = false;
        var scanFrom = _start;
        var inQuotes = false;
        var sawQuote = false;
        while (true)
        {
            var span = _buffer.AsSpan(scanFrom, _end - scanFrom);
            var found = -1;
            if (_quoteAware)
            {
                // Vectorised: jump to the next quote or newline outside quotes, to the closing quote inside.
                var i = 0;
                while (i < span.Length)
                {
                    var next = inQuotes ? span[i..].IndexOf((byte)'"') : span[i..].IndexOfAny((byte)'"', (byte)'\n');
                    if (next < 0)
                    {
                        break;
                    }
                    i += next;
                    if (span[i] == (byte)'\n')
                    {
                        found = i;
                        break;
                    }
                    sawQuote = true;
                    inQuotes = !inQuotes;
                    i++;
                }
            }
            else
            {
                found = span.IndexOf((byte)'\n');
            }
            LastHadQuote = sawQuote;
            if (found >= 0)
            {
                var stop = scanFrom + found;
                record = Take(_start, stop, stop + 1);
                return true;
            }
            scanFrom = _end;
            if (_end - _start > _maxRecordBytes || (_eof && inQuotes))
            {
                // Cut back to the first physical line: the record is malformed, the rest is re-read.
                var firstNewline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
                truncated = true;
                LastHadQuote = true;
                if (firstNewline >= 0)
                {
                    record = Take(_start, _start + firstNewline, _start + firstNewline + 1);
                }
                else
                {
                    var stop = Math.Min(_end, _start + _maxRecordBytes);
                    var copy = _buffer.AsSpan(_start, stop - _start).ToArray();
                    BytesConsumed += stop - _start;
                    _start = stop;
                    SkipRestOfLine();
                    record = copy;
                }
                return true;
            }
            if (_eof)
            {
                if (_end > _start)
                {
                    record = Take(_start, _end, _end);
                    return true;
                }
                record = default;
                return false;
            }
            var consumedBefore = _start;
            Fill();
            scanFrom -= consumedBefore - _start;
        }
    }

    private void SkipRestOfLine()
    {
        // The rest of an over-long line is part of the rejected record, not a record of its own.
        while (true)
        {
            var nl = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                BytesConsumed += nl + 1;
                _start += nl + 1;
                return;
            }
            BytesConsumed += _end - _start;
            _start = _end;
            if (_eof)
            {
                return;
            }
            Fill();
        }
    }

    private ReadOnlyMemory<byte> Take(int start, int stop, int next)
    {
        var length = stop - start;
        if (length > 0 && _buffer[stop - 1] == (byte)'\r')
        {
            length--;
        }
        var result = new ReadOnlyMemory<byte>(_buffer, start, length);
        BytesConsumed += next - _start;
        _start = next;
        return result;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0)
        {
            _eof = true;
        }
        _end += n;
    }
}
