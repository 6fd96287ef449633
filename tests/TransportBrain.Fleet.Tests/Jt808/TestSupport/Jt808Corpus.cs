namespace TransportBrain.Fleet.Tests.Jt808;

/// <summary>One row of packets.tsv (see ../shared/conformance/jt808/SOURCES.md for the columns).</summary>
internal sealed record CorpusPacket(
    int Row,
    string SourceRepo,
    string SourceLine,
    string MessageId,
    string Layout,
    string Hex,
    string ExpectedByTest,
    IReadOnlyDictionary<string, string> Derived,
    string Notes,
    string WireHex)
{
    /// <summary>The bytes as they travel: the re-escaped form for the nine vectors stored unescaped.</summary>
    public byte[] Wire => Jt808.Hex.Bytes(WireHex.Length > 0 ? WireHex : Hex);

    public string Id => $"row {Row} {SourceRepo}:{SourceLine} {MessageId}";

    public string? Get(string key) => Derived.TryGetValue(key, out var value) ? value : null;
}

/// <summary>One row of streams.tsv.</summary>
internal sealed record CorpusStream(string SourceLine, string CaseName, string InputHex, int ExpectedFrameCount, IReadOnlyList<string> ExpectedFramesHex, int GoPendingBytes, string Notes);

/// <summary>
/// Finds the shared conformance corpus as ../shared/conformance/jt808/ from the repository root (the directory
/// holding TransportBrain.slnx). Missing corpus fails the test under CI=true and is reported and skipped locally.
/// </summary>
internal static class Jt808Corpus
{
    private static readonly Lazy<string?> s_directory = new(Locate);

    public static string? Directory => s_directory.Value;

    /// <summary>Null when the corpus is available; otherwise the message to print before returning early.</summary>
    public static string? UnavailableMessage()
    {
        if (Directory is not null)
        {
            return null;
        }

        string message = "JT/T 808 conformance corpus not found: expected ../shared/conformance/jt808/packets.tsv next to the directory holding TransportBrain.slnx, walking up from " + AppContext.BaseDirectory;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.Ordinal))
        {
            Assert.Fail(message + " (CI=true: the corpus must be present).");
        }

        return message + " — skipped locally.";
    }

    public static IReadOnlyList<CorpusPacket> LoadPackets()
    {
        var rows = ReadTsv(Path.Combine(Directory!, "packets.tsv"));
        return rows.Select((r, i) => new CorpusPacket(
            i,
            r["source_repo"],
            r["source_line"],
            r["msg_id"],
            r["layout"],
            r["hex"],
            r["expected_by_test"],
            ParseDerived(r["derived_by_helper"]),
            r["notes"],
            r["wire_hex"])).ToList();
    }

    public static IReadOnlyList<CorpusStream> LoadStreams()
    {
        var rows = ReadTsv(Path.Combine(Directory!, "streams.tsv"));
        return rows.Select(r => new CorpusStream(
            r["source_line"],
            r["case_name"],
            r["input_stream_hex"],
            int.Parse(r["expected_frame_count"], System.Globalization.CultureInfo.InvariantCulture),
            r["expected_frames_hex"].Split(' ', StringSplitOptions.RemoveEmptyEntries),
            int.Parse(r["expected_pending_bytes(go-jt808 specific)"], System.Globalization.CultureInfo.InvariantCulture),
            r["notes"])).ToList();
    }

    /// <summary>"k=v;k=v": everything after a "notes" key is free text and may contain ';'.</summary>
    private static Dictionary<string, string> ParseDerived(string derived)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in derived.Split(';'))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            string key = pair[..eq];
            if (key == "notes")
            {
                result[key] = derived[(derived.IndexOf("notes=", StringComparison.Ordinal) + 6)..];
                break;
            }

            result[key] = pair[(eq + 1)..];
        }

        return result;
    }

    private static List<Dictionary<string, string>> ReadTsv(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].Split('\t');
        var rows = new List<Dictionary<string, string>>();
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            string[] cells = line.Split('\t');
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < header.Length; i++)
            {
                row[header[i]] = i < cells.Length ? cells[i] : string.Empty;
            }

            rows.Add(row);
        }

        return rows;
    }

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TransportBrain.slnx")))
            {
                string corpus = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance", "jt808"));
                return File.Exists(Path.Combine(corpus, "packets.tsv")) ? corpus : null;
            }
        }

        return null;
    }
}
