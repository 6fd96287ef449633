using System.Globalization;
using System.Text;
using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Tests.Jt808;

/// <summary>
/// Judges one corpus row: the frame must either decode to the values in the row (the helper-derived
/// fields for every row, plus what the upstream test asserts where that is a standard field) or be
/// rejected for the reason the row states (bad XOR, body length mismatch, too short).
/// </summary>
internal static class CorpusRowChecker
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;
    private static readonly TimeSpan s_cst = TimeSpan.FromHours(8);

    private static readonly HashSet<string> s_ignoredKeys =
    [
        "checksum", "bodylen_match", "error", "notes", // judged separately
    ];

    public static List<string> Check(CorpusPacket row)
    {
        var problems = new List<string>();
        try
        {
            CheckRow(row, problems);
        }
#pragma warning disable CA1031 // A crash in one row is a finding for that row, not the end of the run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            problems.Add($"exception: {ex.GetType().Name}: {ex.Message}");
        }

        return problems;
    }

    private static void CheckRow(CorpusPacket row, List<string> problems)
    {
        byte[] wire = row.Wire;
        var outcome = Jt808TestStream.ReadAll(wire);

        // The same bytes in 1- and 7-byte chunks must give the same result (segment boundaries, partial frames).
        foreach (int chunk in new[] { 1, 7 })
        {
            var chunked = Jt808TestStream.ReadAll(wire, chunk);
            if (!chunked.Events.Select(Describe).SequenceEqual(outcome.Events.Select(Describe)) || chunked.PendingBytes != outcome.PendingBytes)
            {
                problems.Add($"reading in {chunk}-byte chunks differs from reading at once");
            }
        }

        if (row.MessageId == "(frame-escape)")
        {
            // Escape-only vectors: not a whole message, so the reader rejects them as too short,
            // and the unescaped content must be what Traccar's frame decoder outputs.
            ExpectSingleRejection(outcome, Jt808FrameErrorKind.TooShort, problems);
            string expected = row.ExpectedByTest[(row.ExpectedByTest.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim();
            int start = Array.IndexOf(wire, Jt808Escaping.Delimiter);
            byte[] escaped = wire[(start + 1)..^1];
            byte[] unescaped = new byte[escaped.Length];
            Check(Jt808Escaping.TryUnescape(escaped, unescaped, out int n, out _), "unescape succeeds", problems);
            Same("7E" + Hex.Of(unescaped.AsSpan(0, n)) + "7E", expected, "unescaped frame", problems);
            return;
        }

        // go-jt808 names the error its decoder must return; that upstream expectation comes first.
        var goError = row.ExpectedByTest switch
        {
            var t when t.Contains("ErrHeaderLength2Short", StringComparison.Ordinal) => Jt808FrameErrorKind.TooShort,
            var t when t.Contains("ErrCheckCode", StringComparison.Ordinal) => Jt808FrameErrorKind.BadChecksum,
            var t when t.Contains("ErrBodyLengthInconsistency", StringComparison.Ordinal) => Jt808FrameErrorKind.BodyLengthMismatch,
            _ => Jt808FrameErrorKind.None,
        };
        if (goError != Jt808FrameErrorKind.None)
        {
            ExpectSingleRejection(outcome, goError, problems);
            return;
        }

        if (row.Get("error") == "too-short")
        {
            ExpectSingleRejection(outcome, Jt808FrameErrorKind.TooShort, problems);
            return;
        }

        if (row.MessageId == "(non-808 frame)")
        {
            // Not 0x7E-framed: an ASCII sentence is skipped as garbage; a frame start without an end waits.
            Check(outcome.Events.Count == 0, "no frame and no rejection", problems);
            int expectedPending = Array.IndexOf(wire, Jt808Escaping.Delimiter) is int i and >= 0 ? wire.Length - i : 0;
            Same(outcome.PendingBytes, expectedPending, "pending bytes", problems);
            return;
        }

        bool badChecksum = row.Get("checksum")?.StartsWith("BAD", StringComparison.Ordinal) == true;
        bool lengthMismatch = row.Get("bodylen_match")?.StartsWith("MISMATCH", StringComparison.Ordinal) == true;
        if (badChecksum || lengthMismatch)
        {
            ExpectSingleRejection(outcome, badChecksum ? Jt808FrameErrorKind.BadChecksum : Jt808FrameErrorKind.BodyLengthMismatch, problems);
            if (badChecksum)
            {
                // The values must still be there once the check code is ignored (most of these captures
                // had their phone numbers anonymised after the fact, which broke the XOR).
                byte[] content = new byte[wire.Length];
                Check(Jt808Escaping.TryUnescape(wire.AsSpan(1, wire.Length - 2), content, out int n, out _), "unescape succeeds", problems);
                bool parsed = Jt808FrameReader.TryParseContent(content.AsSpan(0, n), verifyChecksum: false, out var header, out var body, out var error);
                if (lengthMismatch)
                {
                    Same(error?.Kind, Jt808FrameErrorKind.BodyLengthMismatch, "lenient parse error", problems);
                }
                else if (Check(parsed, $"lenient parse succeeds ({error})", problems))
                {
                    CheckDerived(row, header, body.ToArray(), problems);
                }
            }

            return;
        }

        var frames = outcome.Frames.ToList();
        if (!Check(frames.Count == 1 && outcome.Events.Count == 1, $"exactly one frame (got {string.Join(", ", outcome.Events)})", problems))
        {
            return;
        }

        Same(outcome.PendingBytes, 0, "pending bytes", problems);
        Same(Hex.Of(frames[0].Wire), Hex.Of(wire), "frame wire bytes", problems);
        CheckDerived(row, frames[0].Header, frames[0].Body, problems);
        if (UpstreamAssertions.ForRow(row) is { } assertion)
        {
            assertion(frames[0].Header, frames[0].Body);
        }
    }

    private static string Describe(ReadEvent e) => e.Status == Jt808ReadStatus.Frame ? "F" + Hex.Of(e.Wire) : "R" + e.Error!.Kind;

    private static void ExpectSingleRejection(ReadOutcome outcome, Jt808FrameErrorKind kind, List<string> problems)
    {
        var kinds = outcome.Events.Select(e => e.Error?.Kind.ToString() ?? "Frame").ToList();
        Check(kinds.Count == 1 && kinds[0] == kind.ToString(), $"rejected as {kind} (got [{string.Join(", ", kinds)}])", problems);
    }

    /// <summary>Compares every field the corpus helper derived; an unknown field name is itself a problem.</summary>
    private static void CheckDerived(CorpusPacket row, Jt808Header h, byte[] body, List<string> problems)
    {
        var d = row.Derived;
        var handled = new HashSet<string>(s_ignoredKeys);
        void Field(string key, object? actual)
        {
            handled.Add(key);
            if (d.TryGetValue(key, out string? expected))
            {
                Same(Convert.ToString(actual, s_inv), expected, key, problems);
            }
        }

        Field("msgid", $"0x{h.MessageId:X4}");
        Field("attr", $"0x{h.BodyProperties:X4}");
        Field("bodylen", h.BodyLength);
        Field("enc", h.EncryptionMode);
        Field("sub", h.IsSubPackage ? 1 : 0);
        Field("vflag", h.HasVersionFlag ? 1 : 0);
        Field("bit15", (h.BodyProperties & 0x8000) != 0 ? 1 : 0);
        Field("layout", h.IsVersionFlagQuirk ? "2013-layout-with-bit14-set" : h.Uses2019Layout ? "2019" : "2013");
        Field("protover", h.ProtocolVersion);
        Field("serial", h.FlowNumber);
        Field("pkg", $"{h.SubPackageIndex}/{h.SubPackageCount}");
        handled.Add("phone_bcd");
        if (row.Get("phone_bcd") is { } phone)
        {
            Same(h.Phone, Jt808TerminalPhone.Parse(phone), "phone_bcd", problems);
        }

        bool decodeBody = !h.IsSubPackage || h.SubPackageIndex == 1;
        switch (h.MessageId)
        {
            case Jt808MessageIds.LocationReport:
                if (Decoded(Jt808LocationReport.TryDecode(body, out var location, out string? e1), e1, problems))
                {
                    CheckLocation(d, handled, location, problems);
                }

                break;
            case Jt808MessageIds.LocationQueryReply:
                if (Decoded(Jt808LocationQueryReply.TryDecode(body, out var queryReply, out string? e2), e2, problems))
                {
                    Field("ack_serial", queryReply.ReplyFlowNumber);
                    CheckLocation(d, handled, queryReply.Location, problems);
                }

                break;
            case Jt808MessageIds.LocationBatchUpload:
                if (Decoded(Jt808LocationBatchUpload.TryDecode(body, out var batch, out string? e3), e3, problems))
                {
                    Field("count", batch!.DeclaredCount);
                    Field("type", (int)batch.Type);
                    handled.Add("items");
                    if (row.Get("items") is { } items)
                    {
                        string ours = string.Join(" | ", batch.Locations.Select(l => $"{Time(l)},{Degrees(l.LatitudeDegrees)},{Degrees(l.LongitudeDegrees)},{l.SpeedKmh.ToString("F1", s_inv)}kmh"));
                        Same(ours, items, "items", problems);
                    }
                }

                break;
            case Jt808MessageIds.TerminalRegistration:
                if (Decoded(Jt808TerminalRegistration.TryDecode(body, h, out var registration, out string? e4), e4, problems))
                {
                    Field("province", registration!.ProvinceId);
                    Field("city", registration.CityId);
                    Field("maker", registration.MakerId);
                    Field("model", registration.TerminalModel);
                    Field("plate_color", (int)registration.PlateColor);
                    Field("reg_layout", registration.Edition.ToString()[1..]);
                    handled.Add("plate");
                    Same(registration.PlateText.Trim(), row.Get("plate")!.Trim('\0', ' '), "plate", problems);
                    handled.Add("termid");
                    string termId = row.Get("termid")!;
                    if (!termId.Any(char.IsControl))
                    {
                        // One capture (row 88) carries a binary terminal id; there is no text to compare.
                        Same(registration.TerminalId, termId, "termid", problems);
                    }
                }

                break;
            case Jt808MessageIds.TerminalAuthentication:
                if (Decoded(Jt808TerminalAuthentication.TryDecode(body, h, out var auth, out string? e5), e5, problems))
                {
                    Field("auth", auth!.AuthCode);
                    Field("imei", auth.Imei);
                    Field("sw", auth.SoftwareVersion);
                }

                break;
            case Jt808MessageIds.TerminalGeneralReply:
                if (Decoded(Jt808TerminalGeneralReply.TryDecode(body, out var terminalReply, out string? e6), e6, problems))
                {
                    Field("ack_serial", terminalReply.ReplyFlowNumber);
                    Field("ack_id", $"0x{terminalReply.ReplyMessageId:X4}");
                    Field("result", (int)terminalReply.Result);
                }

                break;
            case Jt808MessageIds.PlatformGeneralReply:
                if (Decoded(Jt808PlatformGeneralReply.TryDecode(body, out var platformReply, out string? e7), e7, problems))
                {
                    Field("ack_serial", platformReply.ReplyFlowNumber);
                    Field("ack_id", $"0x{platformReply.ReplyMessageId:X4}");
                    Field("result", (int)platformReply.Result);
                }

                break;
            case Jt808MessageIds.RegistrationReply:
                if (Decoded(Jt808RegistrationReply.TryDecode(body, out var registrationReply, out string? e8), e8, problems))
                {
                    Field("ack_serial", registrationReply.ReplyFlowNumber);
                    Field("result", (int)registrationReply.Result);
                    Field("auth", registrationReply.AuthCode ?? string.Empty);
                }

                break;
            case Jt808MessageIds.MultimediaDataUpload when decodeBody && !h.IsEncrypted:
                if (Decoded(Jt808MultimediaDataUpload.TryDecode(body, out var upload, out string? e9), e9, problems))
                {
                    Field("media_id", upload!.MediaId);
                    Field("media_type", (int)upload.MediaType);
                    Field("media_fmt", (int)upload.Format);
                    Field("event", upload.EventCode);
                    Field("channel", upload.ChannelId);
                    Field("loc", $"{Time(upload.Location)},{Degrees(upload.Location.LatitudeDegrees)},{Degrees(upload.Location.LongitudeDegrees)}");
                }

                break;
        }

        foreach (string key in d.Keys.Where(k => !handled.Contains(k) && !k.StartsWith("escape-vector", StringComparison.Ordinal)))
        {
            problems.Add($"derived field '{key}' is not checked by this test");
        }
    }

    private static void CheckLocation(IReadOnlyDictionary<string, string> d, HashSet<string> handled, Jt808LocationReport l, List<string> problems)
    {
        void Field(string key, string actual)
        {
            handled.Add(key);
            if (d.TryGetValue(key, out string? expected))
            {
                Same(actual, expected, key, problems);
            }
        }

        Field("alarm", $"0x{(uint)l.Alarms:X8}");
        Field("status", $"0x{(uint)l.Status:X8}");
        Field("lat", Degrees(l.LatitudeDegrees));
        Field("lon", Degrees(l.LongitudeDegrees));
        Field("alt_m", l.AltitudeM.ToString(s_inv));
        Field("speed_kmh", l.SpeedKmh.ToString("F1", s_inv));
        Field("dir", l.DirectionDeg.ToString(s_inv));
        Field("time_gmt8", Time(l));
        handled.Add("extras");
        if (d.TryGetValue("extras", out string? extras))
        {
            CheckExtras(extras, l, problems);
        }
    }

    /// <summary>
    /// Items as the helper lists them, in wire order: "01:mileage=0.1km" for typed ones, "EB(len57)" for
    /// raw ones, "F6(len4>remaining),trailing=4" for one cut off by the end of the body.
    /// </summary>
    private static void CheckExtras(string extras, Jt808LocationReport l, List<string> problems)
    {
        var typedSeen = new HashSet<byte>();
        int other = 0;
        Jt808AdditionalItem? last = null;
        foreach (string token in extras.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.StartsWith("trailing=", StringComparison.Ordinal))
            {
                Same(last?.Raw.Length, int.Parse(token[9..], s_inv), "truncated item raw length", problems);
                continue;
            }

            byte id = byte.Parse(token.AsSpan(0, 2), NumberStyles.HexNumber, s_inv);
            if (token[2] == ':' && typedSeen.Add(id))
            {
                string value = token[(token.IndexOf('=', StringComparison.Ordinal) + 1)..];
                string ours = id switch
                {
                    0x01 => l.MileageKm?.ToString("F1", s_inv) + "km",
                    0x02 => l.FuelLitres?.ToString("F1", s_inv) + "L",
                    0x03 => l.RecorderSpeedKmh?.ToString("F1", s_inv) + "kmh",
                    0x30 => l.SignalStrength?.ToString(s_inv) ?? "",
                    0x31 => l.GnssSatellites?.ToString(s_inv) ?? "",
                    _ => "?",
                };
                Same(ours, value, $"item {id:X2}", problems);
                continue;
            }

            if (!Check(other < l.OtherItems.Count, $"raw item {token} is present", problems))
            {
                return;
            }

            var item = l.OtherItems[other++];
            last = item;
            Same(item.Id, id, $"raw item {other} id", problems);
            if (token[2] == ':')
            {
                Same(item.State, Jt808AdditionalItemState.Duplicate, $"repeated item {id:X2} state", problems);
                continue;
            }

            string lenText = token[(token.IndexOf("len", StringComparison.Ordinal) + 3)..].TrimEnd(')');
            bool truncated = lenText.EndsWith(">remaining", StringComparison.Ordinal);
            Same(item.DeclaredLength, int.Parse(truncated ? lenText[..^10] : lenText, s_inv), $"raw item {id:X2} length", problems);
            Same(item.State == Jt808AdditionalItemState.Truncated, truncated, $"raw item {id:X2} truncated", problems);
        }

        Same(l.OtherItems.Count, other, "raw item count", problems);
    }

    internal static string Degrees(double value) => value.ToString("F6", s_inv);

    internal static string Time(Jt808LocationReport l) =>
        l.DeviceTimeUtc?.ToOffset(s_cst).ToString("yyyy-MM-dd HH:mm:ss", s_inv) ?? "(invalid)";

    internal static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    private static bool Decoded(bool ok, string? error, List<string> problems) => Check(ok, $"body decodes ({error})", problems);

    private static bool Check(bool condition, string what, List<string> problems)
    {
        if (!condition)
        {
            problems.Add("expected " + what);
        }

        return condition;
    }

    private static void Same<T>(T actual, T expected, string what, List<string> problems)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
        {
            problems.Add($"{what}: expected '{expected}', decoded '{actual}'");
        }
    }
}
