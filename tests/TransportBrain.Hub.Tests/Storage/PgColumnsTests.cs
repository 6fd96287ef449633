using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Storage.Postgres;

namespace TransportBrain.Hub.Tests.Storage;

/// <summary>Which PostgreSQL column a new dataset table gives each field.</summary>
public class PgColumnsTests
{
    private static DatasetDefinition Dataset(params FieldDefinition[] fields) => TestData.Passing with { Id = "test.columns", Fields = fields, UniqueKey = [], TimeField = null };

    [Fact]
    public void A_whole_number_gets_the_narrowest_column_that_holds_every_value_the_gate_allows()
    {
        var d = Dataset(
            Field.Integer("colour", "颜色", "Colour") with { AllowedValues = ["0", "1", "6"] },
            Field.Integer("axles", "轴数", "Axles") with { Min = 2, Max = 8 },
            Field.Integer("fee_fen", "金额", "Fee") with { Min = 0, Max = 10_000_000 },
            Field.Integer("signed", "有符号", "Signed") with { Min = -32_768, Max = 32_767 },
            Field.Integer("just_over", "超出", "Just over") with { Min = 0, Max = 32_768 },
            Field.Integer("huge", "大数", "Huge") with { Min = 0, Max = 1e12 },
            Field.Integer("unbounded_above", "无上限", "No maximum") with { Min = 0 },
            Field.Integer("coded", "编码", "Codes that are not numbers") with { AllowedValues = ["1", "A"] },
            Field.Integer("plain", "普通", "Plain"),
            Field.Text("name", "名称", "Name"),
            Field.Number("speed", "速度", "Speed") with { Min = 0, Max = 200 });

        Assert.Equal(
            [PgColumn.Int16, PgColumn.Int16, PgColumn.Int32, PgColumn.Int16, PgColumn.Int32, PgColumn.Int64, PgColumn.Int64, PgColumn.Int64, PgColumn.Int64, PgColumn.Text, PgColumn.Float8],
            PgColumns.Declared(d));
    }

    [Fact]
    public void A_derived_dataset_keeps_bigint_because_its_rows_do_not_pass_the_gate()
    {
        var d = Dataset(Field.Integer("count", "数量", "Count") with { Min = 0, Max = 100 }) with { Lineage = new(["test.passing"], "count per station") };
        Assert.Equal([PgColumn.Int64], PgColumns.Declared(d));
    }

    [Fact]
    public void An_existing_table_keeps_the_width_its_integer_columns_have()
    {
        Assert.Equal(PgColumn.Int64, PgColumns.Existing("bigint", PgColumn.Int16));
        Assert.Equal(PgColumn.Int32, PgColumns.Existing("integer", PgColumn.Int64));
        Assert.Equal(PgColumn.Text, PgColumns.Existing("bigint", PgColumn.Text));
    }
}
