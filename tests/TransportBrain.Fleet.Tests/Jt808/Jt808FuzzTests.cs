using TransportBrain.Fleet.Jt808;
using Xunit.Abstractions;

namespace TransportBrain.Fleet.Tests.Jt808;

/// <summary>
/// Untrusted bytes must never throw: thousands of mutated frames go through the reader (in random chunk
/// sizes) and every body through every decoder. Seeded, so a failure names an input that reproduces it.
/// </summary>
public sealed class Jt808FuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 20_000;

    private static readonly string[] s_builtInSeeds =
    [
        "7E0200002611223344556622B8000000010000000200BA7F0E07E4F11C0028003C000018071510101001040000006402020037577E",
        "7E0704005311223344556622B80002000026000000010000000200BA7F0E07E4F11C0028003C0000180715101010010400000064020200370026000000020000000100CB735507E6A32300290036007818071510103001040000006002020042D47E",
        "7E0100002D000123456789000A002800323132333400736D616C6C6368693132330000000000000000004348493132330001D4C14131323334358A7E",
        "7E010240500112345678901234567890FFFF2C706D59477A47756B4F384B345A356C70494F5467386471623365707259614842625853504C7464627947383D3132333435363738393031323334357777772E6A74743830382E636E00000000000000557E",
        "7E0801200500123456789002DE001A00022808000102537E",
        "7E00020000040021679287002B7D027E",
        "7E0900001B41305888975883194000184754534C7C367C317C307C31303231383039347C317C0D0AB47E",
    ];

    [Fact]
    public void Thousands_of_mutated_frames_never_make_the_reader_or_any_decoder_throw()
    {
        var seeds = s_builtInSeeds.Select(Hex.Bytes).ToList();
        if (Jt808Corpus.Directory is not null)
        {
            seeds.AddRange(Jt808Corpus.LoadPackets().Select(p => p.Wire));
        }

        var random = new Random(20250808);
        int frames = 0;
        int rejections = 0;
        for (int i = 0; i < Iterations; i++)
        {
            byte[] input = Mutate(seeds[random.Next(seeds.Count)], seeds, random);
            int chunk = random.Next(4) == 0 ? random.Next(1, 16) : int.MaxValue;
            int maxFrame = random.Next(3) == 0 ? random.Next(15, 300) : Jt808FrameReader.DefaultMaxFrameBytes;
            try
            {
                var outcome = Jt808TestStream.ReadAll(input, chunk, maxFrame);
                foreach (var e in outcome.Events)
                {
                    if (e.Status == Jt808ReadStatus.Frame)
                    {
                        frames++;
                        Assert.True(e.Wire.Length <= maxFrame);
                        Assert.Equal(e.Header.BodyLength, e.Body.Length);
                        DecodeWithEverything(e.Header, e.Body);
                    }
                    else
                    {
                        rejections++;
                        Assert.False(string.IsNullOrEmpty(e.Error!.Reason));
                    }
                }
            }
            catch (Exception ex)
            {
                Assert.Fail($"iteration {i}, chunk {chunk}, max frame {maxFrame}, input {Hex.Of(input)}: {ex}");
            }
        }

        output.WriteLine($"{Iterations} mutated inputs from {seeds.Count} seeds: {frames} frames decoded by every decoder, {rejections} rejections");

        // The mutations must reach both outcomes often, or the test proves little.
        Assert.InRange(frames, Iterations / 10, Iterations * 4);
        Assert.InRange(rejections, Iterations / 10, int.MaxValue);
    }

    [Fact]
    public void The_contiguous_fast_path_and_the_segmented_path_read_every_input_alike()
    {
        // A whole frame in the first segment takes the span fast path; anything split across segments the
        // sequence path. Several frames and garbage per input, so both paths meet every outcome.
        var seeds = s_builtInSeeds.Select(Hex.Bytes).ToList();
        if (Jt808Corpus.Directory is not null)
        {
            seeds.AddRange(Jt808Corpus.LoadPackets().Select(p => p.Wire));
        }

        static string Show(ReadEvent e) => e.Status == Jt808ReadStatus.Frame
            ? $"F {e.Header.MessageId:X4} {e.Header.BodyProperties:X4} {e.Header.Phone} {e.Header.FlowNumber} {e.Header.SubPackageIndex}/{e.Header.SubPackageCount} {Hex.Of(e.Body)} {Hex.Of(e.Wire)}"
            : $"R {e.Error!.Kind} {e.Error.Reason} {Hex.Of(e.Error.RawBytes.Span)}";

        var random = new Random(0x7E7D);
        for (int i = 0; i < 3_000; i++)
        {
            var input = new List<byte>();
            for (int part = random.Next(1, 5); part > 0; part--)
            {
                input.AddRange(random.Next(3) == 0 ? Mutate(seeds[random.Next(seeds.Count)], seeds, random) : seeds[random.Next(seeds.Count)]);
            }

            byte[] bytes = [.. input];
            int maxFrame = random.Next(3) == 0 ? random.Next(15, 300) : Jt808FrameReader.DefaultMaxFrameBytes;
            int chunk = random.Next(1, 64);
            var whole = Jt808TestStream.ReadAll(bytes, int.MaxValue, maxFrame);
            var chunked = Jt808TestStream.ReadAll(bytes, chunk, maxFrame);

            Assert.True(
                whole.Events.Select(Show).SequenceEqual(chunked.Events.Select(Show)) && whole.PendingBytes == chunked.PendingBytes,
                $"iteration {i}, chunk {chunk}, max frame {maxFrame}, input {Hex.Of(bytes)}");
        }
    }

    [Fact]
    public void Random_bodies_of_every_length_never_make_a_decoder_throw()
    {
        var random = new Random(808);
        var headers = new[]
        {
            new Jt808Header(),
            new Jt808Header { BodyProperties = 0x4000, ProtocolVersion = 1 },
        };
        for (int i = 0; i < 20_000; i++)
        {
            byte[] body = new byte[random.Next(0, 120)];
            random.NextBytes(body);
            DecodeWithEverything(headers[i % 2], body);
        }
    }

    [Fact]
    public void Random_sub_package_headers_never_break_the_reassembler_limits()
    {
        var options = new Jt808ReassemblyOptions { MaxPendingPackages = 8, MaxPartsPerPackage = 16, MaxBufferedBytes = 4096, PartTimeout = TimeSpan.FromSeconds(5) };
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var reassembler = new Jt808SubPackageReassembler(options, clock);
        var random = new Random(808808);
        byte[] body = new byte[300];
        for (int i = 0; i < 20_000; i++)
        {
            var header = new Jt808Header
            {
                MessageId = (ushort)random.Next(3),
                BodyProperties = (ushort)(random.Next(8) == 0 ? 0 : Jt808Header.SubPackageBit),
                Phone = Jt808TerminalPhone.FromBcd([(byte)random.Next(4)]),
                FlowNumber = (ushort)random.Next(65536),
                SubPackageCount = (ushort)random.Next(0, 20),
                SubPackageIndex = (ushort)random.Next(0, 20),
            };
            var result = reassembler.Add(header, body.AsSpan(0, random.Next(body.Length)));
            Assert.True(result.Status != Jt808ReassemblyStatus.Rejected || result.Reason is not null);
            if (random.Next(50) == 0)
            {
                clock.Advance(TimeSpan.FromSeconds(random.Next(10)));
                reassembler.CollectOverdue();
            }

            Assert.InRange(reassembler.PendingCount, 0, options.MaxPendingPackages);
            Assert.InRange(reassembler.BufferedBytes, 0, options.MaxBufferedBytes);
        }
    }

    private static void DecodeWithEverything(Jt808Header header, byte[] body)
    {
        var edition = header.Edition;
        Jt808TerminalGeneralReply.TryDecode(body, out _, out _);
        Jt808PlatformGeneralReply.TryDecode(body, out _, out _);
        Jt808Heartbeat.TryDecode(body, out _, out _);
        Jt808Deregistration.TryDecode(body, out _, out _);
        Jt808TerminalRegistration.TryDecode(body, header, out _, out _);
        Jt808TerminalAuthentication.TryDecode(body, header, out _, out _);
        Jt808TerminalParametersReply.TryDecode(body, out _, out _);
        if (Jt808LocationReport.TryDecode(body, out var location, out _))
        {
            _ = (location.LatitudeDegrees, location.MileageKm, location.OtherItems.Sum(item => item.Value.Length), location.LoadState);
        }

        Jt808LocationQueryReply.TryDecode(body, out _, out _);
        Jt808LocationBatchUpload.TryDecode(body, out _, out _);
        Jt808TransparentData.TryDecode(body, out _, out _);
        Jt808MultimediaDataUpload.TryDecode(body, out _, out _);
        Jt808RegistrationReply.TryDecode(body, out _, out _);
        Jt808SetTerminalParameters.TryDecode(body, out _, out _);
        Jt808QueryLocation.TryDecode(body, out _, out _);
        Jt808TextMessage.TryDecode(body, edition, out _, out _);
        Jt808ResendSubPackagesRequest.TryDecode(body, edition, out _, out _);
        Jt808MultimediaDataUploadReply.TryDecode(body, out _, out _);
        if (Jt808LocationReport.TryDecodeBorrowed(body, out var borrowed, out _))
        {
            // The borrowed view and the owned copy agree item for item.
            static string Show(Jt808AdditionalItem i) => $"{i.Id:X2}/{i.DeclaredLength}/{i.State}/{Hex.Of(i.Raw.Span)}";
            Assert.Equal(borrowed.OtherItems.Count > 0, borrowed.OtherItems.IsBorrowed);
            Assert.Equal(location.OtherItems.Select(Show), borrowed.OtherItems.Select(Show));
            Assert.Equal(location.OtherItems.Select(Show), borrowed.ToOwned().OtherItems.Select(Show));
        }
    }

    private static byte[] Mutate(byte[] seed, List<byte[]> seeds, Random random)
    {
        var bytes = new List<byte>(seed);
        int mutations = random.Next(1, 5);
        for (int m = 0; m < mutations; m++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(9))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, random.Next(3) switch { 0 => 0x7E, 1 => 0x7D, _ => (byte)random.Next(256) });
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 8), bytes.Count - at));
                    break;
                case 4 when bytes.Count > 2:
                    int keep = random.Next(1, bytes.Count);
                    bytes.RemoveRange(keep, bytes.Count - keep);
                    break;
                case 5:
                    bytes.InsertRange(at, seeds[random.Next(seeds.Count)]);
                    break;
                case 6 when bytes.Count > 4:
                    // Rewrite the body length field so decoders see bodies that disagree with their content.
                    bytes[Math.Min(3, bytes.Count - 1)] = (byte)random.Next(256);
                    break;
                case 7:
                    bytes.AddRange(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (byte)random.Next(256)));
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        bytes[at] = 0x7D;
                    }

                    break;
            }
        }

        // Mutations break the check code almost always; fix it half the time so the bodies reach the decoders.
        byte[] result = [.. bytes];
        if (random.Next(2) == 0)
        {
            FixChecksums(result);
        }

        return result;
    }

    private static void FixChecksums(byte[] wire)
    {
        int start = Array.IndexOf(wire, Jt808Escaping.Delimiter);
        while (start >= 0 && start + 1 < wire.Length)
        {
            int end = Array.IndexOf(wire, Jt808Escaping.Delimiter, start + 1);
            if (end < 0)
            {
                return;
            }

            if (end - start >= 3 && wire[end - 2] != Jt808Escaping.EscapeMarker && wire[end - 1] != Jt808Escaping.EscapeMarker)
            {
                byte[] content = new byte[end - start];
                if (Jt808Escaping.TryUnescape(wire.AsSpan(start + 1, end - start - 2), content, out int n, out _))
                {
                    byte checksum = Jt808Escaping.ComputeChecksum(content.AsSpan(0, n));
                    if (checksum is not (Jt808Escaping.Delimiter or Jt808Escaping.EscapeMarker))
                    {
                        wire[end - 1] = checksum;
                    }
                }
            }

            start = end;
        }
    }
}
