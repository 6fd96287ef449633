using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Tests.Jt808;

public sealed class Jt808LocationReportTests
{
    // Alarm 0x00000081 (emergency, main power undervoltage), status 0x0000000F (ACC on, fix, south, west),
    // 33.697808 / 116.954088, 120 m, 65.5 km/h, heading 270, 2024-02-29 23:59:59 UTC+8.
    internal const string TwelveItemsEscaped =
        "7E0200005C1122334455667D027D01000000010000000200BA7F0E07E4F11C0028003C000018071510101001040000006402020037"
        + "03020038040200011105010000000112060100000001011307000000020022012504000000172A0200F42B04000000F23001023101058F7E";

    private const string Basic = "00000081" + "0000000F" + "02023010" + "06F893E8" + "0078" + "028F" + "010E" + "240229235959";

    [Fact]
    public void The_basic_part_decodes_to_signed_degrees_metric_units_and_a_utc_instant()
    {
        Assert.True(Jt808LocationReport.TryDecode(Hex.Bytes(Basic), out var l, out _));

        Assert.Equal(Jt808AlarmFlags.Emergency | Jt808AlarmFlags.MainPowerUndervoltage, l.Alarms);
        Assert.Equal(Jt808StatusFlags.AccOn | Jt808StatusFlags.Positioned | Jt808StatusFlags.SouthLatitude | Jt808StatusFlags.WestLongitude, l.Status);
        Assert.Equal(-33.697808, l.LatitudeDegrees, 6);
        Assert.Equal(-116.954088, l.LongitudeDegrees, 6);
        Assert.Equal((120, 65.5, 270), ((int)l.AltitudeM, l.SpeedKmh, (int)l.DirectionDeg));
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 15, 59, 59, TimeSpan.Zero), l.DeviceTimeUtc);
        Assert.Equal(Jt808LoadState.Empty, l.LoadState);
        Assert.Null(l.MileageKm);
        Assert.Empty(l.OtherItems);
    }

    [Fact]
    public void Standard_items_are_typed_in_their_units()
    {
        string items = "0104000004D2" + "02020190" + "0302028F" + "300117" + "31010C";

        Assert.True(Jt808LocationReport.TryDecode(Hex.Bytes(Basic + items), out var l, out _));

        Assert.Equal((123.4, 40.0, 65.5), (l.MileageKm!.Value, l.FuelLitres!.Value, l.RecorderSpeedKmh!.Value));
        Assert.Equal(((byte)23, (byte)12), (l.SignalStrength!.Value, l.GnssSatellites!.Value));
        Assert.Empty(l.OtherItems);
    }

    [Fact]
    public void Unknown_wrong_length_repeated_and_cut_off_items_are_kept_raw_in_wire_order()
    {
        string items =
            "0104000004D2" // mileage, typed
            + "30020001"   // signal strength with 2 bytes: wrong length
            + "EB03AABBCC" // vendor item
            + "010400000001" // mileage again: duplicate
            + "2500"       // standard but undecoded, empty value
            + "F609112233"; // declares 9 bytes, 3 remain

        Assert.True(Jt808LocationReport.TryDecode(Hex.Bytes(Basic + items), out var l, out _));

        Assert.Equal(1234u, l.MileageDeciKm);
        Assert.Null(l.SignalStrength);
        Assert.Equal(
            [
                (0x30, 2, Jt808AdditionalItemState.WrongLength, "30020001"),
                (0xEB, 3, Jt808AdditionalItemState.Undecoded, "EB03AABBCC"),
                (0x01, 4, Jt808AdditionalItemState.Duplicate, "010400000001"),
                (0x25, 0, Jt808AdditionalItemState.Undecoded, "2500"),
                (0xF6, 9, Jt808AdditionalItemState.Truncated, "F609112233"),
            ],
            l.OtherItems.Select(i => ((int)i.Id, i.DeclaredLength, i.State, Hex.Of(i.Raw.Span))));
        Assert.Equal("AABBCC", Hex.Of(l.OtherItems[1].Value.Span));
    }

    [Fact]
    public void A_lone_item_id_at_the_end_is_kept_as_a_truncated_item()
    {
        Assert.True(Jt808LocationReport.TryDecode(Hex.Bytes(Basic + "31"), out var l, out _));

        var item = Assert.Single(l.OtherItems);
        Assert.Equal((0x31, Jt808AdditionalItemState.Truncated, "31"), ((int)item.Id, item.State, Hex.Of(item.Raw.Span)));
    }

    [Fact]
    public void A_body_shorter_than_the_basic_part_is_refused_with_a_reason()
    {
        Assert.False(Jt808LocationReport.TryDecode(Hex.Bytes(Basic)[..27], out _, out string? error));
        Assert.Equal("location body has 27 bytes; the basic part alone needs 28", error);
    }

    [Fact]
    public void An_invalid_device_time_leaves_the_instant_empty_instead_of_failing()
    {
        byte[] body = Hex.Bytes(Basic);
        body.AsSpan(22).Clear();

        Assert.True(Jt808LocationReport.TryDecode(body, out var l, out _));
        Assert.Null(l.DeviceTimeUtc);
    }

    [Fact]
    public void Raw_items_own_their_bytes_after_the_frame_buffer_is_reused()
    {
        byte[] body = Hex.Bytes(Basic + "EB03AABBCC");
        Assert.True(Jt808LocationReport.TryDecode(body, out var l, out _));

        Array.Clear(body);

        Assert.Equal("AABBCC", Hex.Of(l.OtherItems[0].Value.Span));
    }

    [Fact]
    public void A_borrowed_decode_keeps_raw_items_as_a_view_until_they_are_copied_out()
    {
        byte[] body = Hex.Bytes(Basic + "0104000004D2" + "EB03AABBCC" + "2500");
        Assert.True(Jt808LocationReport.TryDecodeBorrowed(body, out var l, out _));
        var owned = l.ToOwned();

        Assert.True(l.OtherItems.IsBorrowed);
        Assert.False(owned.OtherItems.IsBorrowed);
        Assert.Equal(2, l.OtherItems.Count);
        Assert.Equal(1234u, l.MileageDeciKm);
        Assert.Equal("0104000004D2EB03AABBCC2500", Hex.Of(l.OtherItems.ItemBytes.Span));

        body[Basic.Length / 2 + 6 + 2] = 0xFF; // first value byte of EB, in the caller's buffer

        Assert.Equal("FFBBCC", Hex.Of(l.OtherItems[0].Value.Span));
        Assert.Equal("AABBCC", Hex.Of(owned.OtherItems[0].Value.Span));
        Assert.Equal([0xEB, 0x25], owned.OtherItems.Select(i => (int)i.Id));
    }

    [Fact]
    public void A_report_without_raw_items_borrows_nothing_and_owning_it_copies_nothing()
    {
        Assert.True(Jt808LocationReport.TryDecodeBorrowed(Hex.Bytes(Basic + "0104000004D2"), out var l, out _));

        Assert.False(l.OtherItems.IsBorrowed);
        Assert.True(l.OtherItems.ItemBytes.IsEmpty);
        Assert.Empty(l.OtherItems);
        Assert.Equal(l.OtherItems, l.ToOwned().OtherItems);
        Assert.Equal(default, Jt808AdditionalItemList.Empty.GetEnumerator().Current);
    }

    [Fact]
    public void The_item_list_enumerates_by_foreach_and_by_index_alike_and_refuses_an_index_past_the_end()
    {
        string items = "EB03AABBCC" + "0104000004D2" + "30020001" + "010400000001" + "F609112233";
        Assert.True(Jt808LocationReport.TryDecode(Hex.Bytes(Basic + items), out var l, out _));

        var byForeach = new List<Jt808AdditionalItem>();
        foreach (var item in l.OtherItems)
        {
            byForeach.Add(item);
        }

        Assert.Equal(4, byForeach.Count);
        Assert.Equal(byForeach, Enumerable.Range(0, l.OtherItems.Count).Select(i => l.OtherItems[i]));
        Assert.Equal(byForeach, l.OtherItems.ToList());
        Assert.Throws<ArgumentOutOfRangeException>(() => l.OtherItems[4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => l.OtherItems[-1]);
    }

    [Fact]
    public void A_0x0200_with_twelve_additional_items_reads_and_decodes_without_allocating()
    {
        // SmallChi/JT808's benchmark frame (MIT), flow number changed to 0x7E7D so the frame is escaped.
        byte[] wire = Hex.Bytes(TwelveItemsEscaped);
        byte[] frameBuffer = new byte[Jt808FrameReader.DefaultMaxFrameBytes];
        long sum = 0;

        void ReadAndDecode()
        {
            var buffer = new System.Buffers.ReadOnlySequence<byte>(wire);
            // No asserts in here: xUnit's comparers allocate.
            var status = Jt808FrameReader.TryReadFrame(ref buffer, Jt808FrameReader.DefaultMaxFrameBytes, frameBuffer, out var frame, out _);
            bool decoded = Jt808LocationReport.TryDecodeBorrowed(frame.GetBodyMemory(frameBuffer), out var l, out _);
            sum += (status == Jt808ReadStatus.Frame && decoded ? 0 : 1_000_000_000) + frame.Header.FlowNumber + l.MileageDeciKm!.Value + l.DeviceTimeUtc!.Value.Second;
            foreach (var item in l.OtherItems)
            {
                sum += item.Id + item.Value.Length;
            }
        }

        ReadAndDecode();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            ReadAndDecode();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1_001 * (0x7E7D + 100 + 10 + (0x04 + 2 + 0x11 + 5 + 0x12 + 6 + 0x13 + 7 + 0x25 + 4 + 0x2A + 2 + 0x2B + 4)), sum);
    }

    [Fact]
    public void The_twelve_item_report_decodes_every_field()
    {
        var frame = Jt808TestStream.ReadAll(Hex.Bytes(TwelveItemsEscaped)).Frames.Single();
        Assert.True(Jt808LocationReport.TryDecode(frame.Body, out var l, out _));

        Assert.Equal((0x7E7D, "112233445566"), (frame.Header.FlowNumber, frame.Header.Phone.ToString()));
        Assert.Equal((Jt808AlarmFlags.Emergency, Jt808StatusFlags.Positioned), (l.Alarms, l.Status));
        Assert.Equal((12222222u, 132444444u, 40, 60, 0), (l.LatitudeMicroDegrees, l.LongitudeMicroDegrees, (int)l.AltitudeM, (int)l.SpeedDeciKmh, (int)l.DirectionDeg));
        Assert.Equal(new DateTimeOffset(2018, 7, 15, 2, 10, 10, TimeSpan.Zero), l.DeviceTimeUtc);
        Assert.Equal((100u, (ushort)55, (ushort)56, (byte)2, (byte)5), (l.MileageDeciKm, l.FuelDeciLitres, l.RecorderSpeedDeciKmh, l.SignalStrength, l.GnssSatellites));
        Assert.Equal(
            ["04:0001", "11:0100000001", "12:010000000101", "13:00000002002201", "25:00000017", "2A:00F4", "2B:000000F2"],
            l.OtherItems.Select(i => $"{i.Id:X2}:{Hex.Of(i.Value.Span)}"));
        Assert.All(l.OtherItems, i => Assert.Equal(Jt808AdditionalItemState.Undecoded, i.State));
    }

    [Fact]
    public void Asking_for_the_body_memory_of_a_frame_read_into_another_buffer_is_refused()
    {
        byte[] frameBuffer = new byte[Jt808FrameReader.DefaultMaxFrameBytes];
        var buffer = new System.Buffers.ReadOnlySequence<byte>(Hex.Bytes(TwelveItemsEscaped));
        Jt808FrameReader.TryReadFrame(ref buffer, Jt808FrameReader.DefaultMaxFrameBytes, frameBuffer, out var frame, out _);

        Assert.Equal(92, frame.GetBodyMemory(frameBuffer).Length);
        Assert.Equal("frameBuffer", BodyMemoryError(frame, new byte[frameBuffer.Length])?.ParamName);
        Assert.Equal("frameBuffer", BodyMemoryError(frame, frameBuffer.AsMemory(1))?.ParamName);
        Assert.Equal("frameBuffer", BodyMemoryError(frame, frameBuffer.AsMemory(0, 20))?.ParamName);
    }

    private static ArgumentException? BodyMemoryError(Jt808Frame frame, ReadOnlyMemory<byte> buffer)
    {
        try
        {
            frame.GetBodyMemory(buffer);
            return null;
        }
        catch (ArgumentException e)
        {
            return e;
        }
    }

    [Fact]
    public void A_batch_keeps_good_items_and_reports_a_broken_one_with_its_reason()
    {
        string good = "001C" + Basic;
        string shortItem = "0004" + "00000000";
        string cutOff = "0030" + "0000";
        byte[] body = Hex.Bytes("0003" + "01" + good + shortItem + cutOff);

        Assert.True(Jt808LocationBatchUpload.TryDecode(body, out var batch, out _));

        Assert.Equal((Jt808BatchLocationType.BlindArea, 3), (batch!.Type, batch.DeclaredCount));
        Assert.Equal(-33.697808, Assert.Single(batch.Locations).LatitudeDegrees, 6);
        Assert.Equal(
            [(1, "location body has 4 bytes; the basic part alone needs 28"), (2, "item declares 48 bytes but 2 remain")],
            batch.MalformedItems.Select(m => (m.Index, m.Reason)));
        Assert.Equal("00300000", Hex.Of(batch.MalformedItems[1].Raw.Span));
    }

    [Fact]
    public void A_2011_registration_is_told_from_2013_by_its_body_length()
    {
        var header = new Jt808Header { MessageId = Jt808MessageIds.TerminalRegistration };

        // SmallChi/JT808 JT808_0x0100Test (MIT): 2011 layout, 8-byte model; and the 2013 layout, 20-byte model.
        Assert.True(Jt808TerminalRegistration.TryDecode(Hex.Bytes("002800323132333400746B3132333435004348493132330001D4C1413132333435"), header, out var r2011, out _));
        Assert.True(Jt808TerminalRegistration.TryDecode(Hex.Bytes("002800323132333400736D616C6C6368693132330000000000000000004348493132330001D4C1413132333435"), header, out var r2013, out _));

        Assert.Equal(new Jt808TerminalRegistration(Jt808Edition.V2011, 40, 50, "1234", "tk12345", "CHI123", Jt808PlateColor.Blue, "粤A12345"), r2011);
        Assert.Equal(new Jt808TerminalRegistration(Jt808Edition.V2013, 40, 50, "1234", "smallchi123", "CHI123", Jt808PlateColor.Blue, "粤A12345"), r2013);
    }
}
