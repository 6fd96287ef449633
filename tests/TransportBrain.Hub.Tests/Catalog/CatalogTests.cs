using TransportBrain.Host;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Sharing;

namespace TransportBrain.Hub.Tests.Catalog;

public class CatalogTests
{
    private static readonly DatasetRegistry Registry = new(Platform.AllDatasets());

    [Fact]
    public void Every_registered_dataset_is_valid_and_documented_in_both_languages()
    {
        Assert.Contains(Registry.All, d => d.Id == "highway.gantry_transaction");
        Assert.Contains(Registry.All, d => d.Id == "highway.survey_station_5min");
        foreach (var d in Registry.All)
        {
            Assert.Empty(d.Validate());
            Assert.All(d.Fields, f => Assert.False(string.IsNullOrWhiteSpace(f.DescriptionZh) || string.IsNullOrWhiteSpace(f.DescriptionEn)));
        }
    }

    [Fact]
    public void Every_derived_dataset_names_upstream_datasets_that_are_in_the_catalog()
    {
        var derived = Registry.All.Where(d => d.Lineage is not null).ToList();
        Assert.Contains(derived, d => d.Id == "highway.section_travel_time");
        foreach (var d in derived)
        {
            Assert.NotEmpty(d.Lineage!.Upstream);
            Assert.False(string.IsNullOrWhiteSpace(d.Lineage.Process), d.Id);
            Assert.All(d.Lineage.Upstream, u =>
            {
                Assert.NotEqual(d.Id, u);
                Assert.True(Registry.TryGet(u, out _), $"{d.Id} names {u}, which is not in the catalog");
            });
        }
    }

    [Theory]
    [InlineData(DataGrade.Public, "一般数据 (general)")]
    [InlineData(DataGrade.Internal, "一般数据 (general)")]
    [InlineData(DataGrade.Sensitive, "重要数据 (important)")]
    [InlineData(DataGrade.Core, "核心数据 (core)")]
    public void Grades_map_to_the_categories_of_GB_T_43697(DataGrade grade, string category) =>
        Assert.Equal(category, (TestData.Passing with { Grade = grade }).GradeStandardName);

    [Theory]
    [InlineData("门架", "highway.gantry_transaction")]
    [InlineData("交调", "highway.survey_station_5min")]
    [InlineData("gantry transactions", "highway.gantry_transaction")]
    [InlineData("车牌", "highway.gantry_transaction")]
    [InlineData("OCCUPANCY", "highway.survey_station_5min")]
    public void Search_finds_datasets_by_chinese_and_english_words(string query, string expected)
    {
        var hits = Registry.Search(query);
        Assert.Contains(hits, h => h.Dataset.Id == expected);
    }

    [Fact]
    public void Search_ranks_name_matches_above_field_matches_and_requires_every_term()
    {
        var hits = Registry.Search("门架 交易");
        Assert.Equal("highway.gantry_transaction", hits[0].Dataset.Id);
        Assert.Empty(Registry.Search("门架 船舶"));
    }

    [Fact]
    public void A_dataset_with_a_nullable_unique_key_is_refused_at_registration()
    {
        var bad = TestData.Station with { Id = "test.bad", Fields = [Field.Text("station_id", "编号", "id")] };
        var e = Assert.Throws<ArgumentException>(() => new DatasetRegistry([bad]));
        Assert.Contains("must be required", e.Message);
    }

    [Theory]
    [InlineData(PersonalKind.Plate, "贵A12345", "贵A·***45")]
    [InlineData(PersonalKind.Plate, "贵AD12345", "贵A·***45")]
    [InlineData(PersonalKind.Phone, "13812345678", "138****5678")]
    [InlineData(PersonalKind.IdNumber, "520102199001011234", "520102********1234")]
    [InlineData(PersonalKind.Name, "张三丰", "张**")]
    public void Personal_fields_are_masked_the_way_chinese_systems_show_them(PersonalKind kind, string value, string masked) =>
        Assert.Equal(masked, Masking.Mask(kind, value));
}
