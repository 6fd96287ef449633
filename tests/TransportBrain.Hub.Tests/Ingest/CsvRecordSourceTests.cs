using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Quality;

namespace TransportBrain.Hub.Tests.Ingest;

public class CsvRecordSourceTests
{
    private static List<(long Line, string?[] Texts, Violation? Error, string Raw)> ReadAll(Stream s, string encoding = "utf-8")
    {
        using var source = new CsvRecordSource(s, TestData.Passing, SourceEncodings.Parse(encoding));
        var list = new List<(long, string?[], Violation?, string)>();
        while (source.TryRead(out var r))
        {
            list.Add((r.Position, (string?[])r.Texts.Clone(), r.FormatError, System.Text.Encoding.UTF8.GetString(r.Raw.Span)));
        }
        return list;
    }

    [Fact]
    public void Quoted_fields_keep_commas_newlines_and_escaped_quotes()
    {
        var rows = ReadAll(TestData.Utf8(TestData.PassingHeader + "\r\n" +
            "p1,S1,2025-05-31 12:00:00,贵A12345,\"138,0000\",80.5,1,true\r\n" +
            "p2,S1,2025-05-31 12:00:01,\"贵B\"\"X\",\"line\nbreak\",,,\n"));
        Assert.Equal(2, rows.Count);
        Assert.Null(rows[0].Error);
        Assert.Equal("138,0000", rows[0].Texts[4]);
        Assert.Equal("80.5", rows[0].Texts[5]);
        Assert.Equal("贵B\"X", rows[1].Texts[3]);
        Assert.Equal("line\nbreak", rows[1].Texts[4]);
        Assert.Equal(3, rows[1].Line);
    }

    [Fact]
    public void Records_with_and_without_quotes_alternate_and_keep_their_line_numbers()
    {
        var rows = ReadAll(TestData.Utf8(TestData.PassingHeader + "\n" +
            "p1,S1,2025-05-31 12:00:00,贵A12345,,,,\n" +
            "p2,S1,2025-05-31 12:00:01,,\"two\nlines\",,,\n" +
            "p3,S1,2025-05-31 12:00:02,贵A12345,x,,,\n" +
            "p4,S1,2025-05-31 12:00:03,\"a\"\"b\",\"three\nmore\nlines\",,,\n" +
            "p5,S1,2025-05-31 12:00:04,,,,,\n"));
        Assert.Equal(["p1", "p2", "p3", "p4", "p5"], rows.Select(r => r.Texts[0]));
        Assert.Equal([2L, 3L, 5L, 6L, 9L], rows.Select(r => r.Line));
        Assert.All(rows, r => Assert.Null(r.Error));
        Assert.Equal("x", rows[2].Texts[4]);
        Assert.Equal("a\"b", rows[3].Texts[3]);
        Assert.Equal("", rows[4].Texts[7]);
    }

    [Fact]
    public void A_row_with_the_wrong_column_count_is_a_format_error_naming_the_line()
    {
        var rows = ReadAll(TestData.Utf8(TestData.PassingHeader + "\np1,S1,2025-05-31 12:00:00\np2,S1,2025-05-31 12:00:00,,,,,\n"));
        Assert.Equal(RuleKind.Format, rows[0].Error!.Value.Rule);
        Assert.Contains("line 2: expected 8 columns, found 3", rows[0].Error!.Value.Reason);
        Assert.Null(rows[1].Error);
    }

    [Fact]
    public void Text_after_a_closing_quote_and_a_stray_quote_are_rejected()
    {
        var rows = ReadAll(TestData.Utf8(TestData.PassingHeader + "\n\"p1\"x,S1,t,,,,,\np\"2\"x,S1,t,,,,,\n"));
        Assert.Contains("text after a closing quote", rows[0].Error!.Value.Reason);
        Assert.Contains("a quote inside an unquoted value", rows[1].Error!.Value.Reason);
    }

    [Fact]
    public void An_unclosed_quote_costs_one_line_not_the_rest_of_the_file()
    {
        var rows = ReadAll(TestData.Utf8(TestData.PassingHeader + "\n\"p1,S1,t,,,,,\np2,S1,2025-05-31 12:00:00,,,,,\np3,S1,2025-05-31 12:00:00,,,,,\n"));
        Assert.Equal(3, rows.Count);
        Assert.Contains("unclosed quote", rows[0].Error!.Value.Reason);
        Assert.Equal("\"p1,S1,t,,,,,", rows[0].Raw);
        Assert.Equal("p2", rows[1].Texts[0]);
        Assert.Equal("p3", rows[2].Texts[0]);
    }

    [Fact]
    public void Gbk_files_decode_to_the_same_text()
    {
        var rows = ReadAll(TestData.Gbk(TestData.PassingHeader + "\np1,S1,2025-05-31 12:00:00,贵A12345,,,,\n"), "gbk");
        Assert.Equal("贵A12345", rows[0].Texts[3]);
    }

    [Fact]
    public void Gbk_bytes_read_as_utf8_are_a_format_error_with_a_hint()
    {
        var rows = ReadAll(TestData.Gbk(TestData.PassingHeader + "\np1,S1,2025-05-31 12:00:00,贵A12345,,,,\n"));
        Assert.Contains("not valid utf-8", rows[0].Error!.Value.Reason);
        Assert.Contains("--encoding gbk", rows[0].Error!.Value.Reason);
    }

    [Fact]
    public void Headers_may_use_the_chinese_field_descriptions_in_any_order()
    {
        using var source = new CsvRecordSource(TestData.Utf8("过车时间,过车编号,站点编号,备注\n2025-05-31 12:00:00,p1,S1,ignored\n"), TestData.Passing, SourceEncodings.Parse("utf-8"));
        Assert.True(source.TryRead(out var r));
        Assert.Null(r.FormatError);
        Assert.Equal("p1", r.Texts[0]);
        Assert.Equal("S1", r.Texts[1]);
        Assert.Equal("2025-05-31 12:00:00", r.Texts[2]);
    }

    [Fact]
    public void A_header_without_a_required_column_stops_the_import_with_the_missing_names()
    {
        var e = Assert.Throws<IngestException>(() => new CsvRecordSource(TestData.Utf8("passing_id,plate\n"), TestData.Passing, SourceEncodings.Parse("utf-8")));
        Assert.Contains("station_id, seen_at", e.Message);
    }

    [Fact]
    public void Records_are_read_in_a_stream_across_buffer_boundaries()
    {
        var sb = new System.Text.StringBuilder(TestData.PassingHeader + "\n");
        for (var i = 0; i < 20_000; i++)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"p{i},S1,2025-05-31 12:00:00,贵A12345,\"x,{i}\",1,1,false\n");
        }
        var rows = ReadAll(TestData.Utf8(sb.ToString()));
        Assert.Equal(20_000, rows.Count);
        Assert.All(rows, r => Assert.Null(r.Error));
        Assert.Equal("x,19999", rows[^1].Texts[4]);
    }
}
