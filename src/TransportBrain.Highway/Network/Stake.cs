using System.Globalization;

namespace TransportBrain.Highway.Network;

/// <summary>
/// Stake marks (桩号) such as K123+400: kilometre 123 plus 400 metres along a route, i.e. 123,400 m from
/// the route's origin. Sections, stations and incidents are located by stake; arithmetic is in metres.
/// </summary>
public static class Stake
{
    /// <summary>Parses K123+400 (also k123+400, K123+4.5 is refused) into metres.</summary>
    public static bool TryParse(string? text, out double metres)
    {
        metres = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        if (s.Length < 4 || (s[0] != 'K' && s[0] != 'k'))
        {
            return false;
        }
        var plus = s.IndexOf('+');
        if (plus < 2 || plus == s.Length - 1)
        {
            return false;
        }
        if (!long.TryParse(s.AsSpan(1, plus - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var km)
            || !double.TryParse(s.AsSpan(plus + 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var m)
            || m >= 1000)
        {
            return false;
        }
        metres = km * 1000 + m;
        return true;
    }

    public static double Parse(string text) =>
        TryParse(text, out var m) ? m : throw new FormatException($"'{text}' is not a stake mark such as K123+400");

    /// <summary>Formats metres as K123+400 (whole metres).</summary>
    public static string Format(double metres)
    {
        var whole = (long)Math.Round(metres, MidpointRounding.AwayFromZero);
        return string.Create(CultureInfo.InvariantCulture, $"K{whole / 1000}+{whole % 1000:D3}");
    }
}
