using TransportBrain.Fleet.Jt808;
using Xunit.Abstractions;

namespace TransportBrain.Fleet.Tests.Jt808;

/// <summary>
/// Conformance against ../shared/conformance/jt808 (Traccar, SmallChi/JT808, yezhihao/jt808-server, go-jt808;
/// see SOURCES.md there for commits and licences).
/// </summary>
public sealed class Jt808CorpusConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_corpus_frame_decodes_to_the_asserted_values_or_is_rejected_for_the_stated_reason()
    {
        if (Jt808Corpus.UnavailableMessage() is { } message)
        {
            output.WriteLine(message);
            return;
        }

        var packets = Jt808Corpus.LoadPackets();
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var packet in packets)
        {
            var problems = CorpusRowChecker.Check(packet);
            if (problems.Count > 0)
            {
                failures.Add($"{packet.Id}: {string.Join("; ", problems)}");
            }

            string outcome = Classify(packet);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine($"{packets.Count - failures.Count}/{packets.Count} frames match");
        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {outcome}: {count}");
        }

        foreach (string failure in failures)
        {
            output.WriteLine(failure);
        }

        Assert.Equal(178, packets.Count);
        Assert.Empty(failures);
    }

    [Fact]
    public void Every_corpus_stream_yields_the_expected_frames_and_resynchronises_after_bad_ones()
    {
        if (Jt808Corpus.UnavailableMessage() is { } message)
        {
            output.WriteLine(message);
            return;
        }

        // go-jt808 stops at the first frame that fails to decode and counts pending bytes its own way;
        // this reader reports the bad frame, keeps its closing 0x7E as a possible opening one, drops
        // garbage that holds no 0x7E, and reads on. Our pending bytes per case:
        var ourPending = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["L71"] = 0, ["L81"] = 17, ["L89"] = 0, ["L100"] = 17, ["L209"] = 0, ["L215"] = 1, ["L221"] = 1,
            ["L227"] = 0, ["L233"] = 3, ["L239"] = 1, ["L245"] = 1, ["L252"] = 0, ["L258"] = 0,
        };
        var streams = Jt808Corpus.LoadStreams();
        Assert.Equal(13, streams.Count);
        foreach (var stream in streams)
        {
            byte[] input = Hex.Bytes(stream.InputHex);
            foreach (int chunk in new[] { int.MaxValue, 1, 5 })
            {
                var outcome = Jt808TestStream.ReadAll(input, chunk);
                var frames = outcome.Frames.Select(f => Hex.Of(f.Wire)).ToList();
                bool decodeFails = stream.Notes.Contains("expected to fail", StringComparison.Ordinal);
                if (decodeFails)
                {
                    // The go test expects the first extracted frame to fail to decode: it is 12 bytes, one short of a header and check code.
                    Assert.Equal(Jt808FrameErrorKind.TooShort, outcome.Rejections.First().Error!.Kind);
                    Assert.Equal(Hex.Bytes("7E000200000123456789017FFF7E"), outcome.Rejections.First().Error!.RawBytes.ToArray());
                }
                else
                {
                    Assert.Empty(outcome.Rejections);
                }

                var expected = stream.SourceLine == "L258"
                    ? ["7E000200000123456789017FFF0A7E"] // the valid second frame go-jt808 never reaches
                    : stream.ExpectedFramesHex.ToList();
                Assert.Equal(stream.SourceLine == "L258" ? 1 : stream.ExpectedFrameCount, frames.Count);
                if (stream.ExpectedFramesHex.Count > 0 || stream.SourceLine == "L258")
                {
                    Assert.Equal(expected, frames);
                }

                Assert.Equal(ourPending[stream.SourceLine], outcome.PendingBytes);
            }

            output.WriteLine($"{stream.SourceLine} {stream.CaseName}: ok");
        }
    }

    private static string Classify(CorpusPacket packet)
    {
        var outcome = Jt808TestStream.ReadAll(packet.Wire);
        return outcome.Events.Count == 0 ? "no frame (not 0x7E-framed or incomplete)"
            : outcome.Events[0].Status == Jt808ReadStatus.Frame ? "decoded"
            : "rejected: " + outcome.Events[0].Error!.Kind;
    }
}
