using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Tests.Jt808;

/// <summary>
/// What the upstream tests assert, restated against our types. Traccar assertions on vendor attributes
/// (battery, temperatures, ICCID in vendor items …) are checked as "the asserted value is in the raw item we
/// kept"; the codec deliberately does not decode vendor items.
/// </summary>
internal static class UpstreamAssertions
{
    private static readonly DateTimeOffset s_20180715_101010 = new(2018, 7, 15, 10, 10, 10, TimeSpan.FromHours(8));

    private static readonly Dictionary<string, Action<Jt808Header, byte[]>> s_byRow = new(StringComparer.Ordinal)
    {
        // Traccar
        ["traccar/traccar|0x0704|L14"] = (_, b) => Assert.Equal((byte)14, Batch(b).Locations[0].GnssSatellites),
        ["traccar/traccar|0x0704|L33"] = (_, b) => Assert.Equal((byte)14, Batch(b).Locations[0].GnssSatellites),
        ["traccar/traccar|0x0702|L41"] = (_, b) => Assert.Contains("0029b885", Ascii(b), StringComparison.Ordinal),
        ["traccar/traccar|0x0701|L81"] = (_, b) => Assert.Contains("MD,SET CONFIG OK!", Ascii(b), StringComparison.Ordinal),
        ["traccar/traccar|0x0900|L89"] = (_, b) => Assert.Contains("10218094", Ascii(Transparent(b).Content.Span), StringComparison.Ordinal),
        ["traccar/traccar|0x0900|L100"] = (_, b) => Assert.Contains(",565.96,", Ascii(Transparent(b).Content.Span), StringComparison.Ordinal),
        // The device pads the day with a space ("Nov  4"); the corpus restates the value with one.
        ["traccar/traccar|0x6006|L104"] = (_, b) => Assert.Contains("<VER:SDK:BC78E_PET_V1.02_240611,APP:PET10#HW014JTS10203D241104_Nov 4 2024_14:49:34>", Ascii(b).Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal),
        ["traccar/traccar|0x1300|L267"] = (_, b) => Assert.Contains(Hex.Of(Encoding.BigEndianUnicode.GetBytes("Set OK!")), Hex.Of(b), StringComparison.Ordinal),
        ["traccar/traccar|0x0200|L69"] = (_, b) => Assert.Equal(4u, BinaryPrimitives.ReadUInt32BigEndian(Item(Location(b), 0x14).Value.Span)),
        ["traccar/traccar|0x0704|L61"] = (_, b) => Assert.All(Batch(b).Locations, l => Assert.Contains("UTC+08:00", Ascii(Item(l, 0xEB).Value.Span), StringComparison.Ordinal)),
        ["traccar/traccar|0x0200|L65"] = (_, b) => Assert.Equal("55.000", Ascii(Item(Location(b), 0xE6).Value.Span).Split(',')[2]),
        ["traccar/traccar|0x0200|L130"] = (_, b) => Assert.Contains(Location(b).OtherItems, i => Hex.Of(i.Value.Span).Contains("8942310221007544309", StringComparison.Ordinal)),
        ["traccar/traccar|0x0200|L179"] = (_, b) => Assert.Contains("DRIVING LICENSE$TEST$MR.", Ascii(Item(Location(b), 0xBC).Value.Span), StringComparison.Ordinal),
        ["traccar/traccar|0x0200|L224"] = (_, b) => Assert.Equal(Jt808AlarmFlags.MainPowerUndervoltage, Location(b).Alarms),
        ["traccar/traccar|0x0200|L228"] = (_, b) => Assert.Equal("P538f,U029f", Ascii(Item(Location(b), 0xA0).Value.Span)),
        ["traccar/traccar|0x0200|L244"] = (_, b) => Assert.Equal(Jt808AlarmFlags.Reserved17, Location(b).Alarms),
        ["traccar/traccar|0x0200|L364"] = (_, b) => Assert.Contains("867567041100769", Hex.Of(Item(Location(b), 0xF6).Value.Span), StringComparison.Ordinal),
        ["traccar/traccar|0x0107|L372"] = (_, b) => Assert.Contains("89883030000131882455", Hex.Of(b), StringComparison.Ordinal),
        ["traccar/traccar|0x0200|L381"] = (_, b) => Assert.True(Location(b).Status.HasFlag(Jt808StatusFlags.Door4Open)),
        ["traccar/traccar|0x0200|L391"] = (_, b) => Assert.Equal(Jt808AlarmFlags.Reserved16, Location(b).Alarms),
        ["traccar/traccar|0x0200|L421"] = (_, b) => Assert.Contains(Location(b).OtherItems, i => Hex.Of(i.Value.Span).Contains("898604A6102181622843", StringComparison.Ordinal)),

        // SmallChi/JT808
        ["SmallChi/JT808|0x0002|L33"] = (h, b) => AssertHeartbeat(h, b, 10, "12345678900"),
        ["SmallChi/JT808|0x0002|L44"] = (h, b) => AssertHeartbeat(h, b, 43, "40021679287"),
        ["SmallChi/JT808|0x0003|L29"] = (h, b) =>
        {
            Assert.True(Jt808Deregistration.TryDecode(b, out _, out _));
            Assert.Equal(1, h.FlowNumber);
        },
        ["SmallChi/JT808|0x0100|L41"] = (h, b) => AssertSmallChiRegistration(h, b, Jt808Edition.V2013, "smallchi123"),
        ["SmallChi/JT808|0x0100|L89"] = (h, b) =>
        {
            Assert.Equal(1, h.ProtocolVersion);
            AssertSmallChiRegistration(h, b, Jt808Edition.V2019, "smallchi123");
        },
        ["SmallChi/JT808|0x0100|L186"] = (h, b) => AssertSmallChiRegistration(h, b, Jt808Edition.V2011, "tk12345"),
        ["SmallChi/JT808|0x0100|L135"] = (h, b) =>
        {
            var r = Registration(h, b);
            Assert.Equal("22222222222", Phone(h));
            Assert.Equal(1, h.ProtocolVersion);
            Assert.Equal((0, 0, Jt808PlateColor.Yellow, "粤A12346"), (r.ProvinceId, r.CityId, r.PlateColor, r.PlateText));
            Assert.All(new[] { r.MakerId, r.TerminalId, r.TerminalModel }, f => Assert.Equal("Koike002", f.TrimStart('0')));
        },
        ["SmallChi/JT808|0x0102|L91"] = (h, b) =>
        {
            Assert.Equal((12345, "12345678900"), (h.FlowNumber, Phone(h)));
            Assert.Equal("456121111", Authentication(h, b).AuthCode);
        },
        ["SmallChi/JT808|0x0200|L298"] = (h, b) =>
        {
            Assert.Equal((38, 8888, "112233445566", false, false), (h.BodyLength, h.FlowNumber, Phone(h), h.IsSubPackage, h.IsEncrypted));
            AssertSmallChiLocation(Location(b), 1, s_20180715_101010, 12222222, 132444444, 60, 0, 2, 100, 55);
        },
        ["SmallChi/JT808|0x0200|L591"] = (_, b) =>
        {
            var l = Location(b);
            Assert.Equal((100u, (ushort)55, (ushort)56, (byte)2, (byte)5), (l.MileageDeciKm, l.FuelDeciLitres, l.RecorderSpeedDeciKmh, l.SignalStrength, l.GnssSatellites));
            Assert.Equal(new byte[] { 0x04, 0x11, 0x12, 0x13, 0x25, 0x2A, 0x2B }, l.OtherItems.Select(i => i.Id));
        },
        ["SmallChi/JT808|0x0704|L129"] = (h, b) =>
        {
            var batch = Batch(b);
            Assert.Equal((8888, "112233445566", 2, Jt808BatchLocationType.Normal), (h.FlowNumber, Phone(h), batch.DeclaredCount, batch.Type));
            AssertSmallChiLocation(batch.Locations[0], 1, s_20180715_101010, 12222222, 132444444, 60, 0, 2, 100, 55);
            AssertSmallChiLocation(batch.Locations[1], 2, s_20180715_101010.AddSeconds(20), 13333333, 132555555, 54, 120, 1, 96, 66);
        },
        ["SmallChi/JT808|0x8001|L45"] = (h, b) =>
        {
            Assert.True(Jt808PlatformGeneralReply.TryDecode(b, out var reply, out _));
            Assert.Equal(new Jt808PlatformGeneralReply(100, 0x0200, Jt808ReplyResult.Success), reply);
            Assert.Equal((10, "12345678900"), (h.FlowNumber, Phone(h)));
        },
        ["SmallChi/JT808|0x8100|L45"] = (h, b) =>
        {
            Assert.True(Jt808RegistrationReply.TryDecode(b, out var reply, out _));
            Assert.Equal(new Jt808RegistrationReply(100, Jt808RegistrationResult.Success, "123456"), reply);
        },
        ["SmallChi/JT808|0x8100|L91"] = (h, b) =>
        {
            Assert.True(Jt808RegistrationReply.TryDecode(b, out var reply, out _));
            Assert.Equal(new Jt808RegistrationReply(100, Jt808RegistrationResult.TerminalNotInDatabase, null), reply);
        },

        // go-jt808
        ["cuteLittleDevil/go-jt808|0x0801|L34"] = (h, _) => Assert.Equal((1, true), (h.EncryptionMode, h.IsEncrypted)),
        ["cuteLittleDevil/go-jt808|0x0002|L38"] = (h, b) => Assert.True(Jt808Heartbeat.TryDecode(b, out _, out _)),
    };

    /// <summary>The assertion for a row, also re-encoding platform messages where upstream checks byte equality.</summary>
    public static Action<Jt808Header, byte[]>? ForRow(CorpusPacket row)
    {
        var specific = s_byRow.GetValueOrDefault($"{row.SourceRepo}|{row.MessageId}|{row.SourceLine}");
        bool yezhihao = row.SourceRepo == "yezhihao/jt808-server";
        bool reencode = row.MessageId is "0x8001" or "0x8100";
        if (specific is null && !yezhihao && !reencode)
        {
            return null;
        }

        return (h, b) =>
        {
            specific?.Invoke(h, b);
            if (yezhihao)
            {
                YezhihaoRecord.Check(row.ExpectedByTest, h, b);
            }

            if (reencode)
            {
                // SmallChi serialises and yezhihao round-trips these: our encoder must produce the same bytes.
                var recipient = new Jt808Recipient(h.Phone, h.Edition, h.ProtocolVersion == 0 ? (byte)1 : h.ProtocolVersion);
                byte[] encoded = h.MessageId == Jt808MessageIds.PlatformGeneralReply
                    ? Encode(recipient, h.FlowNumber, PlatformReply(b))
                    : Encode(recipient, h.FlowNumber, RegistrationReply(b));
                Assert.Equal(Hex.Of(row.Wire), Hex.Of(encoded));
            }
        };
    }

    private static byte[] Encode<T>(Jt808Recipient recipient, ushort flow, T body)
        where T : IJt808OutboundBody => Jt808FrameWriter.ToArray(recipient, flow, body);

    private static void AssertHeartbeat(Jt808Header h, byte[] b, int flow, string phone)
    {
        Assert.True(Jt808Heartbeat.TryDecode(b, out _, out _));
        Assert.Equal((Jt808MessageIds.Heartbeat, flow, phone), (h.MessageId, (int)h.FlowNumber, Phone(h)));
    }

    private static void AssertSmallChiRegistration(Jt808Header h, byte[] b, Jt808Edition edition, string model)
    {
        var r = Registration(h, b);
        Assert.Equal((10, "123456789"), (h.FlowNumber, Phone(h)));
        Assert.Equal(
            (edition, (ushort)40, (ushort)50, "1234", Jt808PlateColor.Blue, "粤A12345", "CHI123", model),
            (r.Edition, r.ProvinceId, r.CityId, r.MakerId, r.PlateColor, r.PlateText, r.TerminalId, r.TerminalModel));
    }

    private static void AssertSmallChiLocation(Jt808LocationReport l, uint alarm, DateTimeOffset time, uint lat, uint lon, int speed, int direction, uint status, uint mileage, int fuel)
    {
        Assert.Equal((Jt808AlarmFlags)alarm, l.Alarms);
        Assert.Equal(time, l.DeviceTimeUtc);
        Assert.Equal(TimeSpan.Zero, l.DeviceTimeUtc!.Value.Offset);
        Assert.Equal((lat, lon, speed, direction, (Jt808StatusFlags)status), (l.LatitudeMicroDegrees, l.LongitudeMicroDegrees, (int)l.SpeedDeciKmh, (int)l.DirectionDeg, l.Status));
        Assert.Equal((mileage, fuel), (l.MileageDeciKm!.Value, (int)l.FuelDeciLitres!.Value));
    }

    internal static string Phone(Jt808Header h) => h.Phone.ToString().TrimStart('0');

    internal static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    internal static Jt808AdditionalItem Item(Jt808LocationReport l, byte id) => Assert.Single(l.OtherItems, i => i.Id == id);

    internal static Jt808LocationReport Location(byte[] b) => Jt808LocationReport.TryDecode(b, out var l, out _) ? l : throw new InvalidOperationException("not a location");

    internal static Jt808LocationBatchUpload Batch(byte[] b) => Jt808LocationBatchUpload.TryDecode(b, out var x, out _) ? x! : throw new InvalidOperationException("not a batch");

    internal static Jt808TransparentData Transparent(byte[] b) => Jt808TransparentData.TryDecode(b, out var x, out _) ? x! : throw new InvalidOperationException("not transparent data");

    internal static Jt808TerminalRegistration Registration(Jt808Header h, byte[] b) => Jt808TerminalRegistration.TryDecode(b, h, out var x, out _) ? x! : throw new InvalidOperationException("not a registration");

    internal static Jt808TerminalAuthentication Authentication(Jt808Header h, byte[] b) => Jt808TerminalAuthentication.TryDecode(b, h, out var x, out _) ? x! : throw new InvalidOperationException("not an authentication");

    internal static Jt808PlatformGeneralReply PlatformReply(byte[] b) => Jt808PlatformGeneralReply.TryDecode(b, out var x, out _) ? x : throw new InvalidOperationException("not a general reply");

    internal static Jt808RegistrationReply RegistrationReply(byte[] b) => Jt808RegistrationReply.TryDecode(b, out var x, out _) ? x : throw new InvalidOperationException("not a registration reply");
}

/// <summary>
/// yezhihao/jt808-server records the decoded message as JSON next to the hex. Every key of that JSON that
/// names a standard field is compared with our decode; unknown keys fail the row so nothing is silently skipped.
/// </summary>
internal static class YezhihaoRecord
{
    public static void Check(string expectedByTest, Jt808Header h, byte[] body)
    {
        string json = expectedByTest[(expectedByTest.IndexOf("decoded=", StringComparison.Ordinal) + 8)..];
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        foreach (var property in root.EnumerateObject())
        {
            var v = property.Value;
            switch (property.Name)
            {
                case "messageId": Assert.Equal(v.GetInt32(), h.MessageId); break;
                case "properties": Assert.Equal(v.GetInt32(), h.BodyProperties); break;
                case "protocolVersion": Assert.Equal(v.GetInt32(), h.ProtocolVersion); break;
                case "clientId": Assert.Equal(Jt808TerminalPhone.Parse(v.GetString()!), h.Phone); break;
                case "serialNo": Assert.Equal(v.GetInt32(), h.FlowNumber); break;
                default: break;
            }
        }

        switch (h.MessageId)
        {
            case Jt808MessageIds.PlatformGeneralReply:
                var reply = UpstreamAssertions.PlatformReply(body);
                Assert.Equal((Int(root, "responseSerialNo"), Int(root, "responseMessageId"), Int(root, "resultCode")), ((int)reply.ReplyFlowNumber, (int)reply.ReplyMessageId, (int)reply.Result));
                break;
            case Jt808MessageIds.RegistrationReply:
                var registrationReply = UpstreamAssertions.RegistrationReply(body);
                Assert.Equal((Int(root, "responseSerialNo"), Int(root, "resultCode"), root.GetProperty("token").GetString()), ((int)registrationReply.ReplyFlowNumber, (int)registrationReply.Result, registrationReply.AuthCode));
                break;
            case Jt808MessageIds.Heartbeat:
                Assert.True(Jt808Heartbeat.TryDecode(body, out _, out _));
                break;
            case Jt808MessageIds.TerminalRegistration:
                var r = UpstreamAssertions.Registration(h, body);
                Assert.Equal(
                    (Int(root, "provinceId"), Int(root, "cityId"), Str(root, "makerId"), Str(root, "deviceModel"), Str(root, "deviceId"), Int(root, "plateColor"), Str(root, "plateNo")),
                    ((int)r.ProvinceId, (int)r.CityId, r.MakerId, r.TerminalModel, r.TerminalId, (int)r.PlateColor, r.PlateText));
                break;
            case Jt808MessageIds.TerminalAuthentication:
                var a = UpstreamAssertions.Authentication(h, body);
                Assert.Equal(Str(root, "token"), a.AuthCode);
                Assert.Equal(root.TryGetProperty("imei", out var imei) ? imei.GetString() : null, a.Imei);
                Assert.Equal(root.TryGetProperty("softwareVersion", out var sw) ? sw.GetString() : null, a.SoftwareVersion);
                break;
            case Jt808MessageIds.LocationReport:
                CheckLocation(root, UpstreamAssertions.Location(body));
                break;
            case Jt808MessageIds.LocationQueryReply:
                Assert.True(Jt808LocationQueryReply.TryDecode(body, out var queryReply, out _));
                Assert.Equal(Int(root, "responseSerialNo"), queryReply.ReplyFlowNumber);
                CheckLocation(root, queryReply.Location);
                break;
            case Jt808MessageIds.LocationBatchUpload:
                var batch = UpstreamAssertions.Batch(body);
                Assert.Equal((Int(root, "total"), Int(root, "type")), (batch.DeclaredCount, (int)batch.Type));
                var items = root.GetProperty("items").EnumerateArray().ToList();
                Assert.Equal(items.Count, batch.Locations.Count);
                for (int i = 0; i < items.Count; i++)
                {
                    CheckLocation(items[i], batch.Locations[i]);
                }

                break;
            case Jt808MessageIds.MultimediaDataUpload:
                Assert.True(Jt808MultimediaDataUpload.TryDecode(body, out var upload, out _));
                Assert.Equal(
                    (Int(root, "id"), Int(root, "type"), Int(root, "format"), Int(root, "event"), Int(root, "channelId"), Str(root, "packet").ToUpperInvariant()),
                    ((int)upload!.MediaId, (int)upload.MediaType, (int)upload.Format, (int)upload.EventCode, (int)upload.ChannelId, Hex.Of(upload.Data.Span)));
                CheckLocation(root.GetProperty("location"), upload.Location);
                break;
            default:
                Assert.Fail($"no yezhihao check for 0x{h.MessageId:X4}");
                break;
        }
    }

    private static void CheckLocation(JsonElement json, Jt808LocationReport l)
    {
        Assert.Equal(
            ((uint)Int(json, "warnBit"), (uint)Int(json, "statusBit"), (uint)Int(json, "latitude"), (uint)Int(json, "longitude"), Int(json, "altitude"), Int(json, "speed"), Int(json, "direction")),
            ((uint)l.Alarms, (uint)l.Status, l.LatitudeMicroDegrees, l.LongitudeMicroDegrees, (int)l.AltitudeM, (int)l.SpeedDeciKmh, (int)l.DirectionDeg));
        var deviceTime = DateTime.Parse(Str(json, "deviceTime"), CultureInfo.InvariantCulture);
        Assert.Equal(new DateTimeOffset(deviceTime, TimeSpan.FromHours(8)), l.DeviceTimeUtc);
        Assert.Equal(json.GetProperty("latitude").GetInt64() <= 90_000_000, l.HasPlausibleCoordinates);
        if (!json.TryGetProperty("attributes", out var attributes))
        {
            return;
        }

        foreach (var attribute in attributes.EnumerateObject())
        {
            byte id = byte.Parse(attribute.Name, CultureInfo.InvariantCulture);
            long? number = attribute.Value.ValueKind == JsonValueKind.Number ? attribute.Value.GetInt64() : null;
            switch (id)
            {
                case 0x01: Assert.Equal(number, l.MileageDeciKm); break;
                case 0x02: Assert.Equal(number, l.FuelDeciLitres); break;
                case 0x03: Assert.Equal(number, l.RecorderSpeedDeciKmh); break;
                case 0x30: Assert.Equal(number, l.SignalStrength); break;
                case 0x31: Assert.Equal(number, l.GnssSatellites); break;
                default:
                    var item = Assert.Single(l.OtherItems, i => i.Id == id);
                    Assert.Equal(Jt808AdditionalItemState.Undecoded, item.State);
                    if (number is { } value)
                    {
                        long raw = 0;
                        foreach (byte b in item.Value.Span)
                        {
                            raw = (raw << 8) | b;
                        }

                        Assert.Equal(value, raw);
                    }

                    break;
            }
        }
    }

    private static int Int(JsonElement e, string name) => e.GetProperty(name).GetInt32();

    private static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;
}
