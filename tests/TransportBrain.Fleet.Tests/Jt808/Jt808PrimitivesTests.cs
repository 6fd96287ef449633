using TransportBrain.Fleet.Jt808;

namespace TransportBrain.Fleet.Tests.Jt808;

public sealed class Jt808PrimitivesTests
{
    [Fact]
    public void A_phone_from_a_2013_and_a_2019_header_is_the_same_terminal()
    {
        var short6 = Jt808TerminalPhone.FromBcd(Hex.Bytes("013912345678"));
        var long10 = Jt808TerminalPhone.FromBcd(Hex.Bytes("00000000013912345678"));

        Assert.Equal(short6, long10);
        Assert.Equal(short6.GetHashCode(), long10.GetHashCode());
        Assert.Equal("013912345678", long10.ToString());
        Assert.True(long10.FitsSixBytes);
    }

    [Fact]
    public void A_20_digit_phone_does_not_fit_the_6_byte_field_but_fits_the_10_byte_one()
    {
        var phone = Jt808TerminalPhone.Parse("12345678901234567890");
        byte[] six = new byte[6];
        byte[] ten = new byte[10];

        Assert.False(phone.FitsSixBytes);
        Assert.False(phone.TryWriteBcd(six));
        Assert.True(phone.TryWriteBcd(ten));
        Assert.Equal("12345678901234567890", Hex.Of(ten));
    }

    [Fact]
    public void Non_decimal_nibbles_in_a_phone_are_kept_as_hex_letters()
    {
        var phone = Jt808TerminalPhone.FromBcd(Hex.Bytes("4EB6FB4AFD9E"));

        Assert.Equal("4eb6fb4afd9e", phone.ToString());
        Assert.Equal(phone, Jt808TerminalPhone.Parse("4EB6FB4AFD9E"));
    }

    [Fact]
    public void Bcd_time_in_china_standard_time_becomes_a_utc_instant()
    {
        Assert.True(Jt808Bcd.TryReadChinaTime(Hex.Bytes("180715101010"), out var utc));

        Assert.Equal(new DateTimeOffset(2018, 7, 15, 2, 10, 10, TimeSpan.Zero), utc);
        Assert.Equal(TimeSpan.Zero, utc.Offset);
    }

    [Fact]
    public void Every_bcd_day_of_the_century_reads_as_the_same_instant_as_the_calendar_says()
    {
        var china = TimeSpan.FromHours(8);
        byte[] bcd = new byte[Jt808Bcd.TimeLength];
        int checkedDays = 0;
        for (var day = new DateTime(2000, 1, 1); day.Year < 2100; day = day.AddDays(1))
        {
            var local = new DateTimeOffset(day.AddSeconds((day.DayOfYear * 7919) % 86400), china);
            Jt808Bcd.WriteChinaTime(local, bcd);

            Assert.True(Jt808Bcd.TryReadChinaTime(bcd, out var utc));
            Assert.Equal(local.ToUniversalTime(), utc);
            Assert.Equal(TimeSpan.Zero, utc.Offset);
            checkedDays++;
        }

        Assert.Equal(36_525, checkedDays);
    }

    [Theory]
    [InlineData("000000000000")]
    [InlineData("230230120000")]
    [InlineData("2301012400FF")]
    [InlineData("1A0101000000")]
    [InlineData("230229120000")] // 2023 is not a leap year
    [InlineData("231131120000")]
    [InlineData("231301120000")]
    [InlineData("231200120000")]
    [InlineData("231201126000")]
    [InlineData("2312011200A0")]
    [InlineData("23120112")]
    public void An_impossible_bcd_time_is_refused_rather_than_thrown(string bcd)
    {
        Assert.False(Jt808Bcd.TryReadChinaTime(Hex.Bytes(bcd), out _));
    }

    [Fact]
    public void Escaping_replaces_both_special_bytes_and_unescaping_restores_them()
    {
        byte[] content = Hex.Bytes("307E087D55");
        byte[] escaped = new byte[Jt808Escaping.GetEscapedLength(content)];
        byte[] restored = new byte[escaped.Length];

        Jt808Escaping.Escape(content, escaped);

        Assert.Equal("307D02087D0155", Hex.Of(escaped));
        Assert.True(Jt808Escaping.TryUnescape(escaped, restored, out int n, out _));
        Assert.Equal("307E087D55", Hex.Of(restored.AsSpan(0, n)));
    }

    [Fact]
    public void The_check_code_is_the_xor_of_every_byte_for_any_length()
    {
        var random = new Random(808);
        for (int length = 0; length < 200; length++) // past two 16-byte blocks, for the vector path
        {
            byte[] bytes = new byte[length];
            random.NextBytes(bytes);
            byte expected = 0;
            foreach (byte b in bytes)
            {
                expected ^= b;
            }

            Assert.Equal(expected, Jt808Escaping.ComputeChecksum(bytes));
        }
    }
}
