using System.Globalization;
using System.Text;

namespace MiniNet.Training;

/// <summary>A heat map of a function over a 2-D grid with paths drawn over it: Pascanu's loss surface and the descent paths.</summary>
public sealed class SvgHeatMap
{
    private const double Left = 60, Right = 170, Top = 30, Bottom = 45;

    /// <summary>The title.</summary>
    public required string Title { get; init; }

    /// <summary>Label of the horizontal axis.</summary>
    public required string XLabel { get; init; }

    /// <summary>Label of the vertical axis.</summary>
    public required string YLabel { get; init; }

    /// <summary>Grid values [rows][columns]; row 0 is the bottom (smallest y).</summary>
    public required double[][] Values { get; init; }

    /// <summary>The x range the columns span.</summary>
    public required (double Min, double Max) XRange { get; init; }

    /// <summary>The y range the rows span.</summary>
    public required (double Min, double Max) YRange { get; init; }

    /// <summary>Paths to draw over the map.</summary>
    public IList<ChartSeries> Paths { get; } = [];

    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 820;

    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 520;

    /// <summary>Renders the heat map; colors are log-scaled between the smallest and largest finite value.</summary>
    /// <returns>An <c>&lt;svg&gt;</c> element.</returns>
    public string Render()
    {
        int rows = Values.Length, columns = Values[0].Length;
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        var finite = Values.SelectMany(r => r).Where(v => double.IsFinite(v) && v > 0).ToList();
        double lo = Math.Log10(finite.Count > 0 ? finite.Min() : 1e-6), hi = Math.Log10(finite.Count > 0 ? finite.Max() : 1);
        double X(double x) => Left + ((x - XRange.Min) / (XRange.Max - XRange.Min) * plotW);
        double Y(double y) => Top + plotH - ((y - YRange.Min) / (YRange.Max - YRange.Min) * plotH);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{SvgChart.E(Title)}</text><g class=\"cells\">");
        double cellW = plotW / columns, cellH = plotH / rows;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                double v = Values[r][c];
                double t = double.IsFinite(v) && v > 0 ? (Math.Log10(v) - lo) / Math.Max(hi - lo, 1e-9) : 1;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left + (c * cellW):F1}\" y=\"{Top + plotH - ((r + 1) * cellH):F1}\" width=\"{cellW + 0.5:F1}\" height=\"{cellH + 0.5:F1}\" fill=\"{Color(t)}\"/>");
            }
        }

        svg.Append("</g><g class=\"axis\" font-size=\"11\" stroke=\"#444\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\"/>");
        foreach (double tick in SvgChart.Ticks(XRange.Min, XRange.Max, log: false))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text stroke=\"none\" x=\"{X(tick):F1}\" y=\"{Top + plotH + 16}\" text-anchor=\"middle\">{tick.ToString("0.##", CultureInfo.InvariantCulture)}</text>");
        }

        foreach (double tick in SvgChart.Ticks(YRange.Min, YRange.Max, log: false))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text stroke=\"none\" x=\"{Left - 6}\" y=\"{Y(tick) + 4:F1}\" text-anchor=\"end\">{tick.ToString("0.##", CultureInfo.InvariantCulture)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text stroke=\"none\" x=\"{Left + (plotW / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">{SvgChart.E(XLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text stroke=\"none\" transform=\"translate(16 {Top + (plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">{SvgChart.E(YLabel)}</text></g>");
        for (int s = 0; s < Paths.Count; s++)
        {
            string color = s == 0 ? "#e0301e" : "#1f4fff";
            var pts = Paths[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y))
                .Select(p => (X: X(Math.Clamp(p.X, XRange.Min, XRange.Max)), Y: Y(Math.Clamp(p.Y, YRange.Min, YRange.Max)))).ToList();
            string d = string.Concat(pts.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{p.X:F1},{p.Y:F1}")));
            svg.Append(CultureInfo.InvariantCulture, $"<path class=\"series\" data-name=\"{SvgChart.E(Paths[s].Name)}\" d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>");
            foreach ((double px, double py) in pts)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{px:F1}\" cy=\"{py:F1}\" r=\"2.5\" fill=\"{color}\"/>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"legend\"><line x1=\"{Left + plotW + 10}\" y1=\"{Top + 10 + (s * 18)}\" x2=\"{Left + plotW + 30}\" y2=\"{Top + 10 + (s * 18)}\" stroke=\"{color}\" stroke-width=\"3\"/><text x=\"{Left + plotW + 35}\" y=\"{Top + 14 + (s * 18)}\" font-size=\"12\">{SvgChart.E(Paths[s].Name)}</text></g>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotW + 10}\" y=\"{Top + 70}\" font-size=\"11\">color: log₁₀ loss</text><text x=\"{Left + plotW + 10}\" y=\"{Top + 86}\" font-size=\"11\">dark = low, yellow = high</text></svg>");
        return svg.ToString();
    }

    /// <summary>A viridis-like ramp from dark blue (0) to yellow (1).</summary>
    private static string Color(double t)
    {
        t = Math.Clamp(t, 0, 1);
        (double r, double g, double b)[] stops = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)];
        double scaled = t * (stops.Length - 1);
        int i = Math.Min((int)scaled, stops.Length - 2);
        double f = scaled - i;
        int R(double a, double c) => (int)Math.Round(a + ((c - a) * f));
        return $"#{R(stops[i].r, stops[i + 1].r):x2}{R(stops[i].g, stops[i + 1].g):x2}{R(stops[i].b, stops[i + 1].b):x2}";
    }
}
