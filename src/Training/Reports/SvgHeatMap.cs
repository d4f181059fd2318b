using System.Globalization;
using System.Text;

namespace MiniNet.Training;

/// <summary>
/// A heat map of values over a grid, on a log colour scale with a labelled colour bar, with paths drawn over it: Pascanu's
/// loss surface with the descent paths, or a run's per-parameter gradient norms (parameters × steps, rows labelled).
/// </summary>
/// <remarks>
/// Colour is log10 of the value, from dark blue (the smallest) to yellow (the largest), between <see cref="ColorLimits"/>
/// or the finite positive values' extremes. A cell without a value (NaN: no step recorded there) is light grey; an
/// infinite one is red. Element classes: <c>cells</c>, <c>colorbar</c>, <c>series</c>, <c>legend</c>.
/// </remarks>
public sealed class SvgHeatMap
{
    private const double Bottom = 45;

    /// <summary>The title.</summary>
    public required string Title { get; init; }

    /// <summary>A second, smaller title line (for example what the map shows first), or null.</summary>
    public string? Subtitle { get; init; }

    /// <summary>Label of the horizontal axis.</summary>
    public required string XLabel { get; init; }

    /// <summary>Label of the vertical axis.</summary>
    public required string YLabel { get; init; }

    /// <summary>Grid values [rows][columns]; row 0 is the bottom (smallest y), or the top when <see cref="RowLabels"/> name the rows.</summary>
    public required double[][] Values { get; init; }

    /// <summary>The x range the columns span.</summary>
    public required (double Min, double Max) XRange { get; init; }

    /// <summary>The y range the rows span (unused when <see cref="RowLabels"/> name the rows).</summary>
    public (double Min, double Max) YRange { get; init; } = (0, 1);

    /// <summary>Names of the rows, top to bottom (for example parameter names), or null for a numeric y axis.</summary>
    public IReadOnlyList<string>? RowLabels { get; init; }

    /// <summary>The values the colour scale spans (to share one scale between maps), or null for this map's extremes.</summary>
    public (double Min, double Max)? ColorLimits { get; init; }

    /// <summary>What the colour shows, above the colour bar.</summary>
    public string ColorLabel { get; init; } = "value";

    /// <summary>Whether each cell carries its value as a hover <c>&lt;title&gt;</c> (keep for small grids).</summary>
    public bool CellTitles { get; init; }

    /// <summary>Paths to draw over the map, in their <see cref="ChartSeries.Color"/> (or the chart palette's).</summary>
    public IList<ChartSeries> Paths { get; } = [];

    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 820;

    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 520;

    /// <summary>The colour range in log10 units actually used: <see cref="ColorLimits"/> or this map's finite positive extremes.</summary>
    public (double Lo, double Hi) LogColorRange()
    {
        if (ColorLimits is (double min, double max) && min > 0 && max > min)
        {
            return (Math.Log10(min), Math.Log10(max));
        }

        var finite = Values.SelectMany(r => r).Where(v => double.IsFinite(v) && v > 0).ToList();
        double lo = Math.Log10(finite.Count > 0 ? finite.Min() : 1e-6), hi = Math.Log10(finite.Count > 0 ? finite.Max() : 1);
        return hi > lo ? (lo, hi) : (lo, lo + 1);
    }

    /// <summary>Renders the heat map.</summary>
    /// <returns>An <c>&lt;svg&gt;</c> element.</returns>
    public string Render()
    {
        int rows = Values.Length, columns = rows == 0 ? 0 : Values[0].Length;
        double left = RowLabels is { Count: > 0 } labels ? 16 + Math.Max(44, labels.Max(l => l.Length) * 6.4) : 60;
        double right = Paths.Count > 0 ? 230 : 90, top = Subtitle is null ? 30 : 46;
        double plotW = Width - left - right, plotH = Height - top - Bottom;
        (double lo, double hi) = LogColorRange();
        double X(double x) => left + ((x - XRange.Min) / Math.Max(XRange.Max - XRange.Min, 1e-12) * plotW);
        double Y(double y) => top + plotH - ((y - YRange.Min) / Math.Max(YRange.Max - YRange.Min, 1e-12) * plotH);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{SvgChart.E(Title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{SvgChart.E(Title)}</text>");
        if (Subtitle is not null)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"subtitle\" x=\"{left}\" y=\"35\" font-size=\"12\" fill=\"#444\">{SvgChart.E(Subtitle)}</text>");
        }

        svg.Append("<g class=\"cells\">");
        double cellW = columns == 0 ? 0 : plotW / columns, cellH = rows == 0 ? 0 : plotH / rows;
        for (int r = 0; r < rows; r++)
        {
            double rowTop = RowLabels is null ? top + plotH - ((r + 1) * cellH) : top + (r * cellH);
            for (int c = 0; c < columns; c++)
            {
                double v = Values[r][c];
                string fill = double.IsNaN(v) ? "#eee" : double.IsPositiveInfinity(v) ? "#e0301e" : Color(v > 0 ? (Math.Log10(v) - lo) / (hi - lo) : 0);
                string title = CellTitles ? $"<title>{SvgChart.E(RowLabels?[r] ?? string.Empty)} {CellRange(c, columns)}: {(double.IsNaN(v) ? "no data" : v.ToString("G3", CultureInfo.InvariantCulture))}</title>" : string.Empty;
                svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + (c * cellW):F1}\" y=\"{rowTop:F1}\" width=\"{cellW + 0.5:F1}\" height=\"{cellH + 0.5:F1}\" fill=\"{fill}\">{title}</rect>");
            }
        }

        svg.Append("</g><g class=\"axis\" font-size=\"11\" stroke=\"#444\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\"/>");
        foreach (double tick in ChartScale.Ticks(XRange.Min, XRange.Max, log: false))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(tick):F1}\" y1=\"{top + plotH}\" x2=\"{X(tick):F1}\" y2=\"{top + plotH + 4}\"/><text stroke=\"none\" x=\"{X(tick):F1}\" y=\"{top + plotH + 16}\" text-anchor=\"middle\">{ChartScale.Label(tick)}</text>");
        }

        if (RowLabels is { } names)
        {
            for (int r = 0; r < names.Count; r++)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text stroke=\"none\" x=\"{left - 6}\" y=\"{top + ((r + 0.5) * cellH) + 4:F1}\" text-anchor=\"end\">{SvgChart.E(names[r])}</text>");
            }
        }
        else
        {
            foreach (double tick in ChartScale.Ticks(YRange.Min, YRange.Max, log: false))
            {
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left - 4}\" y1=\"{Y(tick):F1}\" x2=\"{left}\" y2=\"{Y(tick):F1}\"/><text stroke=\"none\" x=\"{left - 6}\" y=\"{Y(tick) + 4:F1}\" text-anchor=\"end\">{ChartScale.Label(tick)}</text>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text stroke=\"none\" transform=\"translate(16 {top + (plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">{SvgChart.E(YLabel)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text stroke=\"none\" x=\"{left + (plotW / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">{SvgChart.E(XLabel)}</text></g>");
        for (int s = 0; s < Paths.Count; s++)
        {
            ChartSeries path = Paths[s];
            string color = path.Color ?? SvgChart.Palette[s % SvgChart.Palette.Count];
            var pts = path.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y))
                .Select(p => (X: X(Math.Clamp(p.X, XRange.Min, XRange.Max)), Y: Y(Math.Clamp(p.Y, YRange.Min, YRange.Max)))).ToList();
            string d = string.Concat(pts.Select((p, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{p.X:F1},{p.Y:F1}")));
            svg.Append(CultureInfo.InvariantCulture, $"<path class=\"series\" data-name=\"{SvgChart.E(path.Name)}\" d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{(path.Dash is null ? string.Empty : $" stroke-dasharray=\"{path.Dash}\"")}><title>{SvgChart.E(path.Name)}</title></path>");
            foreach ((double px, double py) in pts)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{px:F1}\" cy=\"{py:F1}\" r=\"2.5\" fill=\"{color}\"/>");
            }

            double ly = top + 10 + (s * 34), lx = left + plotW + 84;
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"legend\" data-name=\"{SvgChart.E(path.Name)}\"><line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx + 20}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"3\"/><text x=\"{lx}\" y=\"{ly + 15}\" font-size=\"11\">{SvgChart.E(path.Name)}</text></g>");
        }

        ColorBar(svg, left + plotW + 14, top, plotH, lo, hi);
        svg.Append("</svg>");
        return svg.ToString();
    }

    private string CellRange(int column, int columns)
    {
        double width = (XRange.Max - XRange.Min) / columns;
        double from = XRange.Min + (column * width), to = from + width;
        return string.Create(CultureInfo.InvariantCulture, $"{XLabel} {Math.Ceiling(from)}–{Math.Floor(to)}");
    }

    /// <summary>The colour bar: the ramp from the smallest to the largest value, its powers of ten labelled.</summary>
    private void ColorBar(StringBuilder svg, double x, double top, double plotH, double lo, double hi)
    {
        const int Steps = 24;
        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"colorbar\" font-size=\"10\"><text transform=\"translate({x + 62} {top + (plotH / 2)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"11\">{SvgChart.E(ColorLabel)}</text>");
        for (int i = 0; i < Steps; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{top + (plotH * (Steps - 1 - i) / Steps):F1}\" width=\"12\" height=\"{(plotH / Steps) + 0.5:F1}\" fill=\"{Color((i + 0.5) / Steps)}\"/>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{top}\" width=\"12\" height=\"{plotH}\" fill=\"none\" stroke=\"#444\"/>");
        foreach (double tick in ChartScale.Ticks(Math.Pow(10, lo), Math.Pow(10, hi), log: true))
        {
            double py = top + plotH - ((Math.Log10(tick) - lo) / (hi - lo) * plotH);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x + 12}\" y1=\"{py:F1}\" x2=\"{x + 16}\" y2=\"{py:F1}\" stroke=\"#444\"/><text x=\"{x + 19}\" y=\"{py + 3:F1}\">{ChartScale.Label(tick)}</text>");
        }

        svg.Append("</g>");
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
