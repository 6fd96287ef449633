using System.Globalization;
using System.Net;
using System.Text;

namespace TransportBrain.Twin.Validation;

/// <summary>
/// A small scatter plot written as SVG text: axes with ticks, point series, horizontal reference lines and bands,
/// a legend. Enough for the validation plots in docs/, without a charting dependency.
/// </summary>
public sealed class SvgScatterPlot(string title, string xLabel, string yLabel, double xMin, double xMax, double yMin, double yMax)
{
    private const int Width = 760;
    private const int Height = 500;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 40;
    private const int Bottom = 55;

    private readonly List<(string Name, string Color, List<(double X, double Y)> Points)> _series = [];
    private readonly List<(double Y, string Color, string Label)> _lines = [];
    private readonly List<(double From, double To, string Color, string Label)> _bands = [];

    public void Series(string name, string color, IEnumerable<(double X, double Y)> points) => _series.Add((name, color, points.ToList()));

    public void HorizontalLine(double y, string color, string label) => _lines.Add((y, color, label));

    public void Band(double from, double to, string color, string label) => _bands.Add((from, to, color, label));

    public string Render()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        double Px(double x) => Left + ((x - xMin) / (xMax - xMin) * (Width - Left - Right));
        double Py(double y) => Height - Bottom - ((y - yMin) / (yMax - yMin) * (Height - Top - Bottom));
        string F(double v) => v.ToString("0.#", inv);
        string E(string s) => WebUtility.HtmlEncode(s);

        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(inv, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        sb.Append(inv, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{E(title)}</text>\n");
        foreach (var (from, to, color, _) in _bands)
        {
            sb.Append(inv, $"<rect x=\"{F(Px(xMin))}\" y=\"{F(Py(to))}\" width=\"{F(Px(xMax) - Px(xMin))}\" height=\"{F(Py(from) - Py(to))}\" fill=\"{color}\" fill-opacity=\"0.35\"/>\n");
        }

        // Axes and ticks.
        sb.Append(inv, $"<line x1=\"{Left}\" y1=\"{F(Py(yMin))}\" x2=\"{Width - Right}\" y2=\"{F(Py(yMin))}\" stroke=\"black\"/>\n");
        sb.Append(inv, $"<line x1=\"{Left}\" y1=\"{F(Py(yMin))}\" x2=\"{Left}\" y2=\"{Top}\" stroke=\"black\"/>\n");
        foreach (var t in Ticks(xMin, xMax))
        {
            sb.Append(inv, $"<line x1=\"{F(Px(t))}\" y1=\"{F(Py(yMin))}\" x2=\"{F(Px(t))}\" y2=\"{F(Py(yMin) + 5)}\" stroke=\"black\"/>");
            sb.Append(inv, $"<text x=\"{F(Px(t))}\" y=\"{F(Py(yMin) + 18)}\" text-anchor=\"middle\">{F(t)}</text>\n");
        }
        foreach (var t in Ticks(yMin, yMax))
        {
            sb.Append(inv, $"<line x1=\"{Left - 5}\" y1=\"{F(Py(t))}\" x2=\"{Left}\" y2=\"{F(Py(t))}\" stroke=\"black\"/>");
            sb.Append(inv, $"<line x1=\"{Left}\" y1=\"{F(Py(t))}\" x2=\"{Width - Right}\" y2=\"{F(Py(t))}\" stroke=\"#eeeeee\"/>");
            sb.Append(inv, $"<text x=\"{Left - 8}\" y=\"{F(Py(t) + 4)}\" text-anchor=\"end\">{F(t)}</text>\n");
        }
        sb.Append(inv, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 15}\" text-anchor=\"middle\">{E(xLabel)}</text>\n");
        sb.Append(inv, $"<text x=\"18\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {(Top + Height - Bottom) / 2})\">{E(yLabel)}</text>\n");

        foreach (var (name, color, points) in _series)
        {
            sb.Append(inv, $"<g fill=\"{color}\" fill-opacity=\"0.6\">");
            foreach (var (x, y) in points)
            {
                if (x >= xMin && x <= xMax && y >= yMin && y <= yMax)
                {
                    sb.Append(inv, $"<circle cx=\"{F(Px(x))}\" cy=\"{F(Py(y))}\" r=\"2.5\"/>");
                }
            }
            sb.Append("</g>\n");
        }
        foreach (var (y, color, _) in _lines)
        {
            sb.Append(inv, $"<line x1=\"{Left}\" y1=\"{F(Py(y))}\" x2=\"{Width - Right}\" y2=\"{F(Py(y))}\" stroke=\"{color}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n");
        }

        // Legend, top right.
        var ly = Top + 10;
        var lx = Width - Right - 300;
        foreach (var (name, color, points) in _series)
        {
            sb.Append(inv, $"<circle cx=\"{lx}\" cy=\"{ly}\" r=\"4\" fill=\"{color}\"/><text x=\"{lx + 10}\" y=\"{ly + 4}\">{E(name)} ({points.Count})</text>\n");
            ly += 18;
        }
        foreach (var (_, color, label) in _lines)
        {
            sb.Append(inv, $"<line x1=\"{lx - 6}\" y1=\"{ly}\" x2=\"{lx + 6}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"/><text x=\"{lx + 10}\" y=\"{ly + 4}\">{E(label)}</text>\n");
            ly += 18;
        }
        foreach (var (_, _, color, label) in _bands)
        {
            sb.Append(inv, $"<rect x=\"{lx - 6}\" y=\"{ly - 5}\" width=\"12\" height=\"10\" fill=\"{color}\" fill-opacity=\"0.6\"/><text x=\"{lx + 10}\" y=\"{ly + 4}\">{E(label)}</text>\n");
            ly += 18;
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static IEnumerable<double> Ticks(double min, double max)
    {
        var raw = (max - min) / 8;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2.0, 2.5, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
        for (var t = Math.Ceiling(min / step) * step; t <= max + 1e-9; t += step)
        {
            yield return t;
        }
    }
}
