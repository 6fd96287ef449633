using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Tests.Jt808;

public sealed class Jt808LocationReportTests
{
    // Alarm 0x00000081 (emergency, main power undervoltage), status 0x0000000F (ACC on, fix, south, west),
    // 33.697808 / 116.954088, 120 m, 65.5 km/h, heading 270, 2024-02-29 23:59:59 UTC+8.
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
