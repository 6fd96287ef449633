using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Sharing;

/// <summary>
/// Masks personal fields (I4) so a reader without an unmasked grant still sees enough to work with:
/// the plate's province and authority with its last two characters (贵A·***45), a phone's first three
/// and last four digits, an ID number's region and last four, a name's surname.
/// </summary>
public static class Masking
{
    public static string Mask(PersonalKind kind, string value) => kind switch
    {
        PersonalKind.Plate => MaskPlate(value),
        PersonalKind.Phone => Keep(value, 3, 4),
        PersonalKind.IdNumber => Keep(value, 6, 4),
        PersonalKind.Name => value.Length <= 1 ? "*" : value[..1] + new string('*', value.Length - 1),
        _ => value,
    };

    private static string MaskPlate(string plate) =>
        plate.Length < 5 ? new string('*', plate.Length) : $"{plate[..2]}·***{plate[^2..]}";

    private static string Keep(string value, int head, int tail) =>
        value.Length <= head + tail ? new string('*', value.Length) : value[..head] + new string('*', value.Length - head - tail) + value[^tail..];

    /// <summary>Masks, in place, every personal field of a record's values.</summary>
    public static void Apply(DatasetDefinition dataset, object?[] values)
    {
        for (var i = 0; i < dataset.Fields.Count; i++)
        {
            var kind = dataset.Fields[i].Personal;
            if (kind != PersonalKind.None && values[i] is string s)
            {
                values[i] = Mask(kind, s);
            }
        }
    }
}
