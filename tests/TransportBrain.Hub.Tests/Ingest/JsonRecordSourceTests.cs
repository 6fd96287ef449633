using TransportBrain.Hub.Ingest;

namespace TransportBrain.Hub.Tests.Ingest;

public class JsonRecordSourceTests
{
    private static List<(string?[] Texts, string? Error)> ReadAll(string json)
    {
        using var source = new JsonRecordSource(TestData.Utf8(json), TestData.Passing);
        var list = new List<(string?[], string?)>();
        while (source.TryRead(out var r))
        {
            list.Add(((string?[])r.Texts.Clone(), r.FormatError?.Reason));
        }
        return list;
    }

    [Fact]
    public void A_json_array_yields_one_record_per_object_with_numbers_as_written()
    {
        var rows = ReadAll("""[{"passing_id":"p1","station_id":"S1","seen_at":"2025-05-31T04:00:00Z","speed_kmh":80.50,"is_truck":true,"unknown":{"x":1}}, {"passing_id":"p2"}]""");
        Assert.Equal(2, rows.Count);
        Assert.Null(rows[0].Error);
        Assert.Equal("80.50", rows[0].Texts[5]);
        Assert.Equal("true", rows[0].Texts[7]);
        Assert.Equal("p2", rows[1].Texts[0]);
    }

    [Fact]
    public void Json_lines_keep_going_after_a_malformed_line()
    {
        var rows = ReadAll("{\"passing_id\":\"p1\"}\n{\"passing_id\": oops}\n[1,2]\n{\"passing_id\":\"p3\"}\n");
        Assert.Equal(4, rows.Count);
        Assert.Null(rows[0].Error);
        Assert.Contains("line 2: malformed JSON", rows[1].Error);
        Assert.Contains("must be a JSON object", rows[2].Error);
        Assert.Equal("p3", rows[3].Texts[0]);
    }

    [Fact]
    public void A_broken_array_keeps_the_unreadable_rest_as_one_record()
    {
        var rows = ReadAll("""[{"passing_id":"p1"},{"passing_id":"p2" "station_id":"x"},{"passing_id":"p3"}]""");
        Assert.Equal(2, rows.Count);
        Assert.Null(rows[0].Error);
        Assert.Contains("malformed JSON", rows[1].Error);
    }

    [Fact]
    public void A_nested_value_for_a_field_is_rejected_with_its_name()
    {
        var rows = ReadAll("""[{"passing_id":{"a":1}}]""");
        Assert.Contains("passing_id must be a string, number or boolean", rows[0].Error);
    }
}
