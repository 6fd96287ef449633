using System.Globalization;
using System.Text.Json;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Quality;

namespace TransportBrain.Hub.Ingest;

/// <summary>
/// Reads JSON records: either JSON lines (one object a line, streamed) or, when the content starts
/// with '[', one JSON array of objects (for HTTP push bodies, which are size-bounded). Properties are
/// matched to fields by name; numbers keep their exact text; unknown properties are ignored.
/// </summary>
public sealed class JsonRecordSource : IRecordSource
{
    private readonly Stream _stream;
    private readonly DatasetDefinition _dataset;
    private readonly SourceRecord _record;
    private readonly Dictionary<string, int> _fieldByName;
    private readonly ByteRecordFramer? _lines;
    private readonly byte[]? _array;
    private int _arrayPos;
    private bool _arrayDone;
    private long _position;

    public JsonRecordSource(Stream stream, DatasetDefinition dataset, int maxRecordBytes = 1 << 20)
    {
        _stream = stream;
        _dataset = dataset;
        _record = new SourceRecord(dataset.Fields.Count);
        _fieldByName = dataset.Fields.Select((f, i) => (f.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.OrdinalIgnoreCase);
        var first = PeekFirstNonWhitespace(stream, out var prefix);
        var body = new ConcatStream(prefix, stream);
        if (first == '[')
        {
            // An array cannot be streamed element by element through a framer; it is bounded by the request size.
            using var ms = new MemoryStream();
            body.CopyTo(ms);
            _array = ms.ToArray();
            _arrayPos = Array.IndexOf(_array, (byte)'[') + 1;
        }
        else
        {
            _lines = new ByteRecordFramer(body, quoteAware: false, maxRecordBytes);
        }
    }

    public string Format => "json";
    public string? Header => null;
    public string EncodingName => "utf-8";
    public long BytesRead => _lines?.BytesConsumed ?? _arrayPos;

    public bool TryRead(out SourceRecord record)
    {
        record = _record;
        return _lines is not null ? TryReadLine() : TryReadArrayElement();
    }

    private bool TryReadLine()
    {
        while (_lines!.TryNext(out var bytes, out var truncated))
        {
            _position++;
            var span = bytes.Span.Trim(" \t"u8);
            if (span.StartsWith(SourceEncodings.Utf8Bom))
            {
                span = span[3..];
            }
            if (span.IsEmpty)
            {
                continue;
            }
            _record.Position = _position;
            _record.Raw = bytes;
            _record.FormatError = truncated
                ? new Violation(RuleKind.Format, null, $"line {_position}: the record is longer than the limit")
                : Fill(span, $"line {_position}");
            return true;
        }
        return false;
    }

    private bool TryReadArrayElement()
    {
        if (_arrayDone)
        {
            return false;
        }
        var rest = _array.AsSpan(_arrayPos);
        var skip = 0;
        while (skip < rest.Length && (char.IsWhiteSpace((char)rest[skip]) || rest[skip] == (byte)','))
        {
            skip++;
        }
        rest = rest[skip..];
        _arrayPos += skip;
        if (rest.IsEmpty || rest[0] == (byte)']')
        {
            _arrayDone = true;
            if (rest.IsEmpty)
            {
                // The array never closed: say so rather than pretend all is well.
                _position++;
                _record.Position = _position;
                _record.Raw = ReadOnlyMemory<byte>.Empty;
                _record.FormatError = new Violation(RuleKind.Format, null, "the JSON array is not closed with ']'");
                return true;
            }
            return false;
        }
        _position++;
        _record.Position = _position;
        var reader = new Utf8JsonReader(rest, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || !reader.TrySkip())
            {
                throw new JsonException("incomplete value");
            }
            var length = (int)reader.BytesConsumed;
            _record.Raw = new ReadOnlyMemory<byte>(_array, _arrayPos, length);
            _arrayPos += length;
            _record.FormatError = Fill(_record.Raw.Span, $"element {_position}");
        }
        catch (JsonException e)
        {
            // Everything after a syntax error is unreadable; keep it all as one quarantined record.
            _record.Raw = new ReadOnlyMemory<byte>(_array, _arrayPos, _array!.Length - _arrayPos);
            _record.FormatError = new Violation(RuleKind.Format, null, $"element {_position}: malformed JSON ({e.Message}); the rest of the body was kept as this record");
            _arrayDone = true;
        }
        return true;
    }

    private Violation? Fill(ReadOnlySpan<byte> json, string where)
    {
        Array.Clear(_record.Texts);
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return new Violation(RuleKind.Format, null, $"{where}: a record must be a JSON object");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                if (!_fieldByName.TryGetValue(name, out var index))
                {
                    reader.Skip();
                    continue;
                }
                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        _record.Texts[index] = reader.GetString();
                        break;
                    case JsonTokenType.Number:
                        _record.Texts[index] = System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
                        break;
                    case JsonTokenType.True or JsonTokenType.False:
                        _record.Texts[index] = reader.GetBoolean() ? "true" : "false";
                        break;
                    case JsonTokenType.Null:
                        break;
                    default:
                        return new Violation(RuleKind.Format, _dataset.Fields[index].Name, $"{where}: {name} must be a string, number or boolean, not {reader.TokenType.ToString().ToLower(CultureInfo.InvariantCulture)}");
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return new Violation(RuleKind.Format, null, $"{where}: unexpected content after the object");
            }
            return null;
        }
        catch (JsonException e)
        {
            return new Violation(RuleKind.Format, null, $"{where}: malformed JSON ({e.Message})");
        }
    }

    private static int PeekFirstNonWhitespace(Stream stream, out byte[] consumed)
    {
        var buffer = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            buffer.Add((byte)b);
            if (!char.IsWhiteSpace((char)b) && b != 0xEF && b != 0xBB && b != 0xBF)
            {
                break;
            }
        }
        consumed = buffer.ToArray();
        return b;
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>Puts back the bytes peeked to tell an array from JSON lines.</summary>
    private sealed class ConcatStream(byte[] prefix, Stream rest) : Stream
    {
        private int _prefixPos;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_prefixPos < prefix.Length)
            {
                var n = Math.Min(count, prefix.Length - _prefixPos);
                Array.Copy(prefix, _prefixPos, buffer, offset, n);
                _prefixPos += n;
                return n;
            }
            return rest.Read(buffer, offset, count);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
