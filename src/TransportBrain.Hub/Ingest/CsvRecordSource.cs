using System.Text;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Hub.Ingest;

/// <summary>
/// Streams RFC 4180 CSV (comma separated, double-quote quoting, header row) in UTF-8 or GBK.
/// Header columns are matched to dataset fields by name, or by their Chinese description, so an
/// export with headers like 交易编号 maps too. Columns the dataset does not know are ignored.
/// </summary>
public sealed class CsvRecordSource : IRecordSource
{
    private readonly Stream _stream;
    private readonly ByteRecordFramer _framer;
    private readonly Encoding _encoding;
    private readonly DatasetDefinition _dataset;
    private readonly SourceRecord _record;
    private readonly int[] _columnToField;
    private readonly List<(int Start, int End, bool Quoted)> _cells = new(32);
    private readonly TextCache?[] _textCaches;
    private long _line;

    public CsvRecordSource(Stream stream, DatasetDefinition dataset, Encoding encoding, int maxRecordBytes = 1 << 20)
    {
        _stream = stream;
        _dataset = dataset;
        _encoding = SourceEncodings.Strict(encoding);
        _framer = new ByteRecordFramer(stream, quoteAware: true, maxRecordBytes);
        _record = new SourceRecord(dataset.Fields.Count);
        if (!_framer.TryNext(out var headerBytes, out _))
        {
            throw new IngestException("the file is empty: expected a header row naming the columns");
        }
        _line = 1;
        var header = headerBytes.Span;
        if (header.StartsWith(SourceEncodings.Utf8Bom))
        {
            header = header[3..];
        }
        string headerText;
        try
        {
            headerText = _encoding.GetString(header);
        }
        catch (DecoderFallbackException)
        {
            throw new IngestException($"the header row is not valid {encoding.WebName}; try --encoding {(encoding is UTF8Encoding ? "gbk" : "utf-8")}");
        }
        Header = headerText;
        var names = SplitHeader(headerText);
        _columnToField = new int[names.Count];
        _textCaches = new TextCache?[names.Count];
        var seen = new HashSet<int>();
        for (var c = 0; c < names.Count; c++)
        {
            var name = names[c].Trim();
            var index = dataset.FieldIndex(name);
            if (index < 0)
            {
                index = FindByDescription(dataset, name);
            }
            if (index >= 0 && !seen.Add(index))
            {
                throw new IngestException($"the header names field '{dataset.Fields[index].Name}' twice (column {c + 1})");
            }
            _columnToField[c] = index;
            _textCaches[c] = index >= 0 ? new TextCache() : null;
        }
        var missing = dataset.Fields.Where((f, i) => f.Required && !seen.Contains(i)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            throw new IngestException($"the header has no column for the required field(s) {string.Join(", ", missing)} of {dataset.Id}; header was: {Header}");
        }
    }

    public string Format => "csv";
    public string? Header { get; }
    public string EncodingName => _encoding.WebName;
    public long BytesRead => _framer.BytesConsumed;
    public int ColumnCount => _columnToField.Length;

    public bool TryRead(out SourceRecord record)
    {
        record = _record;
        while (true)
        {
            if (!_framer.TryNext(out var bytes, out var truncated))
            {
                return false;
            }
            _line++;
            if (bytes.IsEmpty)
            {
                continue; // blank lines are not records
            }
            var quoted = _framer.LastHadQuote;
            // Only a quoted value can hold a newline.
            var linesInRecord = quoted ? bytes.Span.Count((byte)'\n') : 0;
            _record.Position = _line;
            _line += linesInRecord;
            _record.Raw = bytes;
            _record.FormatError = truncated
                ? new Violation(RuleKind.Format, null, $"line {_record.Position}: unclosed quote or record longer than the limit")
                : quoted ? Split(bytes.Span) : SplitUnquoted(bytes.Span);
            if (_record.FormatError is not null)
            {
                Array.Clear(_record.Texts);
            }
            return true;
        }
    }

    private Violation? Split(ReadOnlySpan<byte> line)
    {
        _cells.Clear();
        var i = 0;
        while (true)
        {
            if (i < line.Length && line[i] == (byte)'"')
            {
                var start = ++i;
                while (true)
                {
                    var q = line[i..].IndexOf((byte)'"');
                    if (q < 0)
                    {
                        return new Violation(RuleKind.Format, null, $"line {_record.Position}: unclosed quote in column {_cells.Count + 1}");
                    }
                    i += q + 1;
                    if (i < line.Length && line[i] == (byte)'"')
                    {
                        i++; // an escaped quote ""
                        continue;
                    }
                    break;
                }
                _cells.Add((start, i - 1, true));
                if (i < line.Length && line[i] != (byte)',')
                {
                    return new Violation(RuleKind.Format, null, $"line {_record.Position}: text after a closing quote in column {_cells.Count}");
                }
            }
            else
            {
                var start = i;
                var comma = line[i..].IndexOf((byte)',');
                var stop = comma < 0 ? line.Length : i + comma;
                if (line[start..stop].IndexOf((byte)'"') >= 0)
                {
                    return new Violation(RuleKind.Format, null, $"line {_record.Position}: a quote inside an unquoted value in column {_cells.Count + 1}");
                }
                _cells.Add((start, stop, false));
                i = stop;
            }
            if (i >= line.Length)
            {
                break;
            }
            i++; // the comma
            if (i == line.Length)
            {
                _cells.Add((i, i, false));
                break;
            }
        }
        return TakeTexts(line);
    }

    /// <summary>A record without a quote character (the common case): cells are what lies between commas.</summary>
    private Violation? SplitUnquoted(ReadOnlySpan<byte> line)
    {
        _cells.Clear();
        var start = 0;
        while (true)
        {
            var comma = line[start..].IndexOf((byte)',');
            if (comma < 0)
            {
                _cells.Add((start, line.Length, false));
                break;
            }
            _cells.Add((start, start + comma, false));
            start += comma + 1;
        }
        return TakeTexts(line);
    }

    /// <summary>The texts of the cells <see cref="_cells"/> found, into the record's fields.</summary>
    private Violation? TakeTexts(ReadOnlySpan<byte> line)
    {
        if (_cells.Count != _columnToField.Length)
        {
            return new Violation(RuleKind.Format, null, $"line {_record.Position}: expected {_columnToField.Length} columns, found {_cells.Count}");
        }
        Array.Clear(_record.Texts);
        for (var c = 0; c < _cells.Count; c++)
        {
            var field = _columnToField[c];
            if (field < 0)
            {
                continue;
            }
            var (start, end, quoted) = _cells[c];
            try
            {
                _record.Texts[field] = end == start ? "" : _textCaches[c]!.Get(line[start..end], quoted, _encoding);
            }
            catch (DecoderFallbackException)
            {
                return new Violation(RuleKind.Format, null,
                    $"line {_record.Position}: column {c + 1} ({_dataset.Fields[field].Name}) is not valid {_encoding.WebName} text; is the file in another encoding (--encoding gbk)?");
            }
        }
        return null;
    }

    internal static string Decode(ReadOnlySpan<byte> bytes, bool quoted, Encoding encoding)
    {
        var text = encoding.GetString(bytes);
        return quoted && text.Contains("\"\"", StringComparison.Ordinal) ? text.Replace("\"\"", "\"", StringComparison.Ordinal) : text;
    }

    /// <summary>
    /// The strings of one column, by their bytes, for columns whose values repeat (codes, ids of
    /// gantries and stations, small numbers): the record gets the same string instance instead of a
    /// new one, which is fewer objects for the GC to carry from the reader to the store. A column whose
    /// values mostly do not repeat (ids, times) turns its cache off after a few thousand records.
    /// </summary>
    private sealed class TextCache
    {
        private const int Slots = 1024;
        private const int MaxEntries = Slots / 2;
        private const int MaxBytes = 64;
        private const int Probes = 8;
        private const int Sample = 4096;
        private readonly byte[]?[] _keys = new byte[]?[Slots];
        private readonly string?[] _values = new string?[Slots];
        private readonly bool[] _quoted = new bool[Slots];
        private int _entries;
        private int _lookups;
        private int _hits;
        private bool _off;

        public string Get(ReadOnlySpan<byte> bytes, bool quoted, Encoding encoding)
        {
            if (_off || bytes.Length > MaxBytes)
            {
                return Decode(bytes, quoted, encoding);
            }
            if (++_lookups == Sample && _hits < Sample / 2)
            {
                _off = true;
            }
            var slot = (int)(ByteHash.Of(bytes) & (Slots - 1));
            for (var probe = 0; probe < Probes; probe++, slot = (slot + 1) & (Slots - 1))
            {
                var key = _keys[slot];
                if (key is null)
                {
                    var text = Decode(bytes, quoted, encoding);
                    if (_entries < MaxEntries)
                    {
                        _keys[slot] = bytes.ToArray();
                        _values[slot] = text;
                        _quoted[slot] = quoted;
                        _entries++;
                    }
                    return text;
                }
                if (_quoted[slot] == quoted && bytes.SequenceEqual(key))
                {
                    _hits++;
                    return _values[slot]!;
                }
            }
            return Decode(bytes, quoted, encoding);
        }
    }

    private static int FindByDescription(DatasetDefinition dataset, string name)
    {
        for (var i = 0; i < dataset.Fields.Count; i++)
        {
            if (dataset.Fields[i].DescriptionZh == name || string.Equals(dataset.Fields[i].DescriptionEn, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    private static List<string> SplitHeader(string header)
    {
        var result = new List<string>();
        var sb = new StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < header.Length; i++)
        {
            var c = header[i];
            if (c == '"')
            {
                if (inQuotes && i + 1 < header.Length && header[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else
                {
                    inQuotes = !inQuotes;
                }
            }
            else if (c == ',' && !inQuotes)
            {
                result.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(c);
            }
        }
        result.Add(sb.ToString());
        return result;
    }

    public void Dispose() => _stream.Dispose();
}

public static class SourceEncodings
{
    public static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    static SourceEncodings() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>"utf-8" or "gbk" (also gb2312, gb18030, cp936).</summary>
    public static Encoding Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "utf-8" or "utf8" => new UTF8Encoding(false, true),
        "gbk" or "cp936" or "gb2312" => Strict(Encoding.GetEncoding(936)),
        "gb18030" => Strict(Encoding.GetEncoding(54936)),
        _ => throw new IngestException($"unknown encoding '{name}': use utf-8 or gbk"),
    };

    /// <summary>A copy of the encoding that throws on bytes it cannot decode, so bad text is caught, not mangled.</summary>
    public static Encoding Strict(Encoding encoding) =>
        encoding is UTF8Encoding ? new UTF8Encoding(false, true)
            : Encoding.GetEncoding(encoding.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
}
