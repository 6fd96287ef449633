using System.Text;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Tests;

/// <summary>A small dataset with every kind of rule, so tests do not depend on a context's schemas.</summary>
internal static class TestData
{
    public static readonly DatasetDefinition Station = new()
    {
        Id = "test.station",
        NameZh = "测试站点",
        NameEn = "Test stations",
        DescriptionZh = "测试用参考数据",
        DescriptionEn = "Reference data for tests",
        OwnerOrganisation = "测试单位",
        Grade = DataGrade.Public,
        Sharing = SharingType.Unconditional,
        IsOpen = true,
        UpdateFrequency = "on change",
        SourceSystem = "tests",
        UniqueKey = ["station_id"],
        Fields = [Field.Text("station_id", "站点编号", "Station id", required: true), Field.Text("name", "站点名称", "Name")],
    };

    public static readonly DatasetDefinition Passing = new()
    {
        Id = "test.passing",
        NameZh = "测试过车记录",
        NameEn = "Test vehicle passings",
        DescriptionZh = "带全部规则的测试数据集",
        DescriptionEn = "A dataset with every kind of rule",
        OwnerOrganisation = "测试单位",
        Grade = DataGrade.Sensitive,
        Sharing = SharingType.Conditional,
        UpdateFrequency = "realtime",
        SourceSystem = "tests",
        TimeField = "seen_at",
        UniqueKey = ["passing_id"],
        MaxAge = TimeSpan.FromDays(30),
        Fields =
        [
            Field.Text("passing_id", "过车编号", "Passing id", required: true),
            Field.Text("station_id", "站点编号", "Station id", required: true) with { References = "test.station.station_id" },
            Field.Time("seen_at", "过车时间", "Time seen", required: true),
            Field.Text("plate", "车牌号码", "Plate") with { Personal = PersonalKind.Plate, Pattern = FieldPatterns.ChinesePlate, PatternDescription = FieldPatterns.ChinesePlateDescription },
            Field.Text("phone", "联系电话", "Phone") with { Personal = PersonalKind.Phone },
            Field.Number("speed_kmh", "速度", "Speed", unit: "km/h") with { Min = 0, Max = 220 },
            Field.Integer("vehicle_type", "车型", "Vehicle class") with { AllowedValues = ["1", "2", "11"] },
            Field.Flag("is_truck", "是否货车", "Is a truck"),
        ],
    };

    public static DatasetRegistry Registry() => new([Station, Passing]);

    /// <summary>Now, as the tests' clock sees it: a fixed instant so timeliness rules are reproducible.</summary>
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 4, 0, 0, TimeSpan.Zero);

    public static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    public static MemoryStream Gbk(string text)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return new MemoryStream(Encoding.GetEncoding(936).GetBytes(text));
    }

    public const string PassingHeader = "passing_id,station_id,seen_at,plate,phone,speed_kmh,vehicle_type,is_truck";
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
