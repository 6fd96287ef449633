using System.Buffers.Binary;
using TransportBrain.Fleet.Gateway;
using TransportBrain.Fleet.Jt808;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Quality;

namespace TransportBrain.Fleet.Tests.Gateway;

/// <summary>
/// The gateway hands the hub's gate typed values (no text round trip): the gate must decide exactly as
/// it would on the same record written as text, and refuse what the text path would refuse.
/// </summary>
public class TypedPositionTests
{
    private static readonly DatasetDefinition Position = FleetDatasets.Position;
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 8, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, double, double, double, int, uint, bool> Reports => new()
    {
        { "plausible", 26.58, 106.71, 62.5, -5, 0, true },
        { "latitude outside China", 60.1, 106.7, 50, -5, 0, true },
        { "implausible speed", 26.5, 106.7, 250.5, -5, 0, true },
        { "in the future", 26.5, 106.7, 50, 30, 0, true },
        { "older than 30 days", 26.5, 106.7, 50, -31 * 24 * 60, 0, true },
        { "alarm bits and no extra items", 26.5, 106.7, 0, -1, 0x8000_0001, false },
    };

    [Theory]
    [MemberData(nameof(Reports))]
    public void Typed_values_pass_the_gate_exactly_as_their_texts_would(string what, double lat, double lon, double speed, int minutesFromNow, uint alarms, bool items)
    {
        var report = Decode(lat, lon, speed, Now.AddMinutes(minutesFromNow), alarms, items);
        var info = new TerminalInfo { TerminalId = "013800000001", Plate = "贵A12345", Category = VehicleCategory.Coach };
        var typed = PositionValues.From(report, info.TerminalId, info, 4242, 0, "realtime", Now);
        var texts = typed.Select(v => v is null ? null : ValueParser.Format(v)).ToArray();

        var gate = new QualityGate(Position, new Dictionary<string, IReadOnlySet<string>>(), Now);
        var fromTexts = new object?[Position.Fields.Count];
        var textViolations = new List<Violation>();
        var textOk = gate.Check(texts, fromTexts, textViolations);
        var typedViolations = new List<Violation>();
        var typedOk = gate.CheckValues(typed, typedViolations);

        Assert.Equal(textOk, typedOk);
        Assert.Equal(textViolations, typedViolations);
        Assert.Equal(fromTexts, typed);
        Assert.Equal(what == "plausible" || what.StartsWith("alarm", StringComparison.Ordinal), typedOk);
    }

    [Fact]
    public void The_typed_gate_refuses_wrong_types_and_blanks_and_normalises_instants_like_the_text_path()
    {
        var report = Decode(26.5, 106.7, 50, Now.AddMinutes(-1), 0, true);
        var gate = new QualityGate(Position, new Dictionary<string, IReadOnlySet<string>>(), Now);

        var values = PositionValues.From(report, "013800000001", null, 1, 0, "realtime", Now.ToOffset(TimeSpan.FromHours(8)));
        values[Position.FieldIndex("latitude")] = "26.5";                  // text where a number belongs
        values[Position.FieldIndex("longitude")] = double.NaN;              // not a number
        values[Position.FieldIndex("terminal_id")] = "  ";                  // blank is absent, and it is required
        values[Position.FieldIndex("satellites")] = 12;                     // an int for a whole-number field is fine
        values[Position.FieldIndex("category")] = "tractor";                // not one of the categories
        var violations = new List<Violation>();
        Assert.False(gate.CheckValues(values, violations));

        Assert.Equal(["enumeration:category", "required:terminal_id", "type:latitude", "type:longitude"], violations.Select(v => v.RuleKey).Order(StringComparer.Ordinal));
        Assert.Null(values[Position.FieldIndex("terminal_id")]);
        Assert.Equal(12L, values[Position.FieldIndex("satellites")]);
        var received = Assert.IsType<DateTimeOffset>(values[Position.FieldIndex("received_at")]);
        Assert.Equal(TimeSpan.Zero, received.Offset);                     // stored as UTC, like a parsed text
        Assert.Equal(Now, received);
        Assert.Throws<ArgumentException>(() => gate.CheckValues(new object?[3], []));
    }

    /// <summary>A 0x0200 body (with the mileage, signal and satellite items when asked) decoded as the gateway decodes it.</summary>
    private static Jt808LocationReport Decode(double lat, double lon, double speed, DateTimeOffset time, uint alarms, bool items)
    {
        var basic = TestTerminal.LocationBody(lat, lon, speed, time, alarms);
        var body = basic;
        if (items)
        {
            body = [.. basic, 0x01, 4, 0, 0, 0x30, 0x39, 0x30, 1, 25, 0x31, 1, 12];
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(30), 123_456);
        }
        Assert.True(Jt808LocationReport.TryDecode(body, out var report, out var error), error);
        return report;
    }
}
