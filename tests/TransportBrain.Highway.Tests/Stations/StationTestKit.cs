using TransportBrain.Highway.Network;
using TransportBrain.Highway.Stations;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Highway.Tests.Stations;

/// <summary>A clock fixed at an instant, for clock-skew rules.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

internal static class StationTestKit
{
    /// <summary>A China-time day in the past, so the system clock never counts its data as clock skew.</summary>
    public static readonly DateOnly Day = new(2025, 1, 14);

    public static DateTimeOffset Local(DateOnly day, int hour, int minute = 0) => ChinaTime.Start(day).AddHours(hour).AddMinutes(minute);

    public static RoadNetwork SyntheticNet() => SyntheticNetwork.Create();

    /// <summary>The synthetic network with the first survey station measuring direction 1 only.</summary>
    public static (RoadNetwork Network, string StationId) NetworkWithOneWayStation()
    {
        var json = SyntheticNetwork.CreateGeoJson();
        const string marker = "\"kind\":\"survey_station\",";
        var at = json.IndexOf(marker, StringComparison.Ordinal);
        var idStart = at + marker.Length + "\"id\":\"".Length;
        var id = json[idStart..json.IndexOf('"', idStart)];
        json = json.Insert(at + marker.Length, "\"direction\":1,");
        return (NetworkFile.LoadGeoJson(json).Network, id);
    }

    public static object?[] Row(string station, int direction, int lane, DateTimeOffset start, long total, double? speed, double? occupancy)
    {
        var ds = HighwayDatasets.SurveyStation5Min;
        var row = new object?[ds.Fields.Count];
        row[ds.FieldIndex("station_id")] = station;
        row[ds.FieldIndex("direction")] = (long)direction;
        row[ds.FieldIndex("lane_no")] = (long)lane;
        row[ds.FieldIndex("interval_start")] = start;
        row[ds.FieldIndex("small_passenger")] = total;
        row[ds.FieldIndex("total")] = total;
        row[ds.FieldIndex("mean_speed_kmh")] = speed;
        row[ds.FieldIndex("occupancy_pct")] = occupancy;
        return row;
    }

    /// <summary>Asserts every value has the CLR type the hub gives typed rows of that field type.</summary>
    public static void AssertTyped(DatasetDefinition ds, IReadOnlyList<object?> row)
    {
        Assert.Equal(ds.Fields.Count, row.Count);
        for (var i = 0; i < row.Count; i++)
        {
            var f = ds.Fields[i];
            if (row[i] is null)
            {
                Assert.False(f.Required, $"{ds.Id}.{f.Name} is required but null");
                continue;
            }
            var expected = f.Type switch
            {
                FieldType.String => typeof(string),
                FieldType.Int64 => typeof(long),
                FieldType.Double => typeof(double),
                FieldType.Boolean => typeof(bool),
                _ => typeof(DateTimeOffset),
            };
            Assert.True(expected == row[i]!.GetType(), $"{ds.Id}.{f.Name}: {row[i]!.GetType().Name} instead of {expected.Name}");
            if (f.AllowedValues is { } allowed)
            {
                Assert.Contains(Convert.ToString(row[i], System.Globalization.CultureInfo.InvariantCulture), allowed);
            }
            if (row[i] is double d)
            {
                Assert.True((f.Min is null || d >= f.Min) && (f.Max is null || d <= f.Max), $"{ds.Id}.{f.Name} = {d} out of range");
            }
            if (row[i] is long l)
            {
                Assert.True((f.Min is null || l >= f.Min) && (f.Max is null || l <= f.Max), $"{ds.Id}.{f.Name} = {l} out of range");
            }
        }
    }
}
