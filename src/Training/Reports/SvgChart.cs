using System.Globalization;
using System.Net;
using System.Text;

namespace MiniNet.Training;

/// <summary>
/// A small, self-contained SVG line chart: axes with labelled ticks (linear or log-10 on either axis), one line per series
/// (downsampled per pixel column with a min/max envelope when a series has more points than the plot has columns), dots,
/// labelled stop markers, event ticks, horizontal reference lines and a legend below the plot that wraps instead of being
/// cut off. Values show on hover through SVG <c>&lt;title&gt;</c> elements. No scripts, no external resources.
/// </summary>
/// <remarks>
/// Element classes (<c>axis</c>, <c>series</c>, <c>envelope</c>, <c>dots</c>, <c>marker</c>, <c>end</c>, <c>hover</c>,
/// <c>reference</c>, <c>events</c>, <c>legend</c>) let tests and styles find the parts; each series' parts carry its
/// <c>data-name</c>. Lines are drawn widest first, so a later series that lies exactly on an earlier one leaves the earlier
/// one visible as its border; such an identical pair is also named in the legend ("same line as …").
/// </remarks>
public sealed class SvgChart
{
    /// <summary>The colours series take in order when they name none (colour-blind safe, Okabe–Ito, without the vermillion kept for unclipped runs).</summary>
    public static readonly IReadOnlyList<string> Palette = ["#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#D55E00"];

    private const double Left = 70, Right = 130, Top = 30, AxisBelow = 45, LegendRow = 18, HoverPoints = 80;

    /// <summary>The chart's title.</summary>
    public required string Title { get; init; }

    /// <summary>The x axis label.</summary>
    public string XLabel { get; init; } = "step";

    /// <summary>The y axis label.</summary>
    public required string YLabel { get; init; }

    /// <summary>Whether the y axis is logarithmic (base 10).</summary>
    public bool LogY { get; init; }

    /// <summary>Whether the x axis is logarithmic (base 10): the first steps get as much room as the last decade, so early events show.</summary>
    public bool LogX { get; init; }

    /// <summary>A fixed y range (for example 0 to 1 for a rate), or null to fit the data.</summary>
    public (double Min, double Max)? FixedY { get; init; }

    /// <summary>A format for y tick labels and hover values (for example <c>P0</c> for a rate), or null for plain numbers.</summary>
    public string? YFormat { get; init; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 900;

    /// <summary>Height in pixels of the plot with its axes; the legend adds its rows below.</summary>
    public int Height { get; init; } = 360;

    /// <summary>The series, drawn in order.</summary>
    public IList<ChartSeries> Series { get; } = [];

    /// <summary>Horizontal reference lines (the task's baseline, the solved line, a clipping threshold).</summary>
    public IList<ReferenceLine> ReferenceLines { get; } = [];

    /// <summary>Extra legend entries that explain line styles (for example "dashed: after clipping"): label and dash pattern.</summary>
    public IList<(string Label, string? Dash)> StyleKeys { get; } = [];

    /// <summary>The number of plot columns (pixels) a series is downsampled to when it has more points.</summary>
    public int PlotColumns => (int)(Width - Left - Right);

    /// <summary>Renders the chart.</summary>
    /// <returns>An <c>&lt;svg&gt;</c> element.</returns>
    public string Render()
    {
        // the step axis runs from the first to the last point (no rounding out), positive points only on a log axis
        var xs = Series.SelectMany(s => s.Points.Concat(s.Dots ?? []).Select(p => p.X).Concat(s.Marker is { } m ? [m.X] : Array.Empty<double>()))
            .Where(v => double.IsFinite(v) && (!LogX || v > 0)).ToList();
        double xMin = xs.Count > 0 ? xs.Min() : 1, xMax = xs.Count > 0 ? xs.Max() : 2;
        if (xMax <= xMin)
        {
            xMax = LogX ? xMin * 10 : xMin + 1;
        }

        if (Series.Any(s => s.Intervals is { Count: > 0 }) && !LogX)
        {
            double pad = (xMax - xMin) * 0.05; // interval bars at the ends stay clear of the axis
            (xMin, xMax) = (xMin - pad, xMax + pad);
        }

        var ys = Series.SelectMany(s => s.Points.Concat(s.Dots ?? []).Select(p => p.Y)
                .Concat((s.Intervals ?? []).SelectMany(i => new[] { i.Low, i.High }))
                .Concat(s.Marker is { } m ? [m.Y] : Array.Empty<double>()))
            .Concat(ReferenceLines.Select(r => r.Y));
        (double yMin, double yMax) = FixedY ?? ChartScale.Fit(ys, LogY, fromZero: true);

        int eventRows = Series.Count(s => s.Events is { Count: > 0 });
        double below = AxisBelow + (eventRows > 0 ? 8 + (4 * Series.Count) : 0);
        double plotW = Width - Left - Right, plotH = Height - Top - below;
        var x = new ChartScale(xMin, xMax, LogX, Left, Left + plotW);
        var y = new ChartScale(yMin, yMax, LogY, Top + plotH, Top);
        List<LegendEntry> legend = Legend(plotW);
        double legendTop = Height + 4, totalHeight = legendTop + (legend.Count == 0 ? 0 : ((legend.Max(e => e.Row) + 1) * LegendRow) + 4);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{Width}\" height=\"{totalHeight}\" viewBox=\"0 0 {Width} {totalHeight}\" role=\"img\" aria-label=\"{E(Title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{E(Title)}</text>");
        Axes(svg, x, y, plotW, plotH);
        References(svg, y, plotW);

        int lines = Series.Count(s => s.Points.Count > 1);
        for (int s = 0, drawn = 0; s < Series.Count; s++)
        {
            ChartSeries series = Series[s];
            string color = ColorOf(s);
            double width = series.StrokeWidth ?? (lines <= 1 ? 1.5 : 2.4 - (1.0 * Math.Min(drawn, lines - 1) / (lines - 1)));
            drawn += series.Points.Count > 1 ? 1 : 0;
            Line(svg, series, color, width, x, y, plotW);
            Intervals(svg, series, s, color, x, y);
            Dots(svg, series, color, x, y);
            Events(svg, series, s, color, x, Top + plotH + 26 + (s * 4), plotW);
        }

        Markers(svg, x, y, plotW);
        LegendSvg(svg, legend, legendTop);
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>The x axis' name for hover texts: its label without the parenthesis ("step", not "step (log axis …)").</summary>
    private string XName => XLabel.Split(" (")[0];

    private string ColorOf(int s) => Series[s].Color ?? Palette[s % Palette.Count];

    private string Format(double v) => YFormat is null ? v.ToString("G4", CultureInfo.InvariantCulture) : v.ToString(YFormat, CultureInfo.InvariantCulture);

    private void Axes(StringBuilder svg, ChartScale x, ChartScale y, double plotW, double plotH)
    {
        svg.Append("<g class=\"axis\" stroke=\"#444\" font-size=\"11\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Left + plotW}\" y2=\"{Top + plotH}\"/><line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotH}\"/>");
        foreach (double tick in x.Ticks())
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x[tick]:F1}\" y1=\"{Top + plotH}\" x2=\"{x[tick]:F1}\" y2=\"{Top + plotH + 5}\"/><text stroke=\"none\" x=\"{x[tick]:F1}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{ChartScale.Label(tick)}</text>");
        }

        foreach (double tick in y.Ticks())
        {
            string label = YFormat is null ? ChartScale.Label(tick) : tick.ToString(YFormat, CultureInfo.InvariantCulture);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left - 5}\" y1=\"{y[tick]:F1}\" x2=\"{Left}\" y2=\"{y[tick]:F1}\"/><line stroke=\"#ddd\" x1=\"{Left}\" y1=\"{y[tick]:F1}\" x2=\"{Left + plotW}\" y2=\"{y[tick]:F1}\"/><text stroke=\"none\" x=\"{Left - 8}\" y=\"{y[tick] + 4:F1}\" text-anchor=\"end\">{label}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text stroke=\"none\" x=\"{Left + (plotW / 2)}\" y=\"{Height - 10}\" text-anchor=\"middle\">{E(XLabel)}{(LogX ? " (log scale)" : string.Empty)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text stroke=\"none\" transform=\"translate(16 {Top + (plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">{E(YLabel)}{(LogY ? " (log scale)" : string.Empty)}</text>");
        svg.Append("</g>");
    }

    /// <summary>Reference lines with their labels in the right margin, pushed apart so that no two overlap.</summary>
    private void References(StringBuilder svg, ChartScale y, double plotW)
    {
        var shown = ReferenceLines.Where(r => y.Usable(r.Y) && y.Contains(r.Y)).OrderBy(r => y[r.Y]).ToList();
        double previous = double.NegativeInfinity;
        foreach (ReferenceLine line in shown)
        {
            double py = y[line.Y], labelY = Math.Max(py + 4, previous + 13);
            previous = labelY;
            string color = line.Color ?? "#888";
            svg.Append(CultureInfo.InvariantCulture,
                $"<g class=\"reference\" data-value=\"{line.Y.ToString("R", CultureInfo.InvariantCulture)}\"><line x1=\"{Left}\" y1=\"{py:F1}\" x2=\"{Left + plotW}\" y2=\"{py:F1}\" stroke=\"{color}\" stroke-dasharray=\"6 4\"><title>{E(line.Label)}</title></line>" +
                $"<text x=\"{Left + plotW + 4}\" y=\"{labelY:F1}\" font-size=\"10\" fill=\"{(line.Color is null ? "#555" : color)}\">{E(line.Label)}</text></g>");
        }
    }

    private void Line(StringBuilder svg, ChartSeries series, string color, double width, ChartScale x, ChartScale y, double plotW)
    {
        string dash = series.Dash is null ? string.Empty : $" stroke-dasharray=\"{series.Dash}\"";
        int usable = series.Points.Count(p => double.IsFinite(p.X) && y.Usable(p.Y) && x.Usable(p.X));
        var d = new StringBuilder();
        List<(double X, double Y)> hover;
        if (usable > plotW)
        {
            List<List<Downsample.Column>> runs = Downsample.Columns(series.Points, px => (int)Math.Floor(x[px]), p => x.Usable(p.X) && y.Usable(p.Y), LogY);
            var envelope = new StringBuilder();
            foreach (List<Downsample.Column> run in runs.Where(r => r.Count > 0))
            {
                envelope.Append(string.Concat(run.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{x[c.X]:F1},{y[c.Max]:F1}"))));
                envelope.Append(string.Concat(Enumerable.Reverse(run).Select(c => string.Create(CultureInfo.InvariantCulture, $"L{x[c.X]:F1},{y[c.Min]:F1}")))).Append('Z');
                d.Append(string.Concat(run.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{x[c.X]:F1},{y[c.Mean]:F1}"))));
            }

            svg.Append(CultureInfo.InvariantCulture, $"<path class=\"envelope\" data-name=\"{E(series.Name)}\" fill=\"{color}\" fill-opacity=\"0.22\" stroke=\"{color}\" stroke-opacity=\"0.6\" stroke-width=\"0.6\" d=\"{envelope}\"><title>{E(series.Name)}: range of values per pixel column</title></path>");
            hover = [.. runs.SelectMany(r => r).Select(c => (c.X, c.Mean))];
        }
        else
        {
            bool pen = false;
            foreach ((double px, double py) in series.Points)
            {
                if (!x.Usable(px) || !y.Usable(py))
                {
                    pen = false;
                    continue;
                }

                d.Append(CultureInfo.InvariantCulture, $"{(pen ? 'L' : 'M')}{x[px]:F1},{y[py]:F1}");
                pen = true;
            }

            hover = [.. series.Points.Where(p => x.Usable(p.X) && y.Usable(p.Y))];
        }

        svg.Append(CultureInfo.InvariantCulture, $"<path class=\"series\" data-name=\"{E(series.Name)}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width:0.##}\"{dash} stroke-linejoin=\"round\" d=\"{d}\"><title>{E(series.Name)}</title></path>");
        if (hover.Count == 0 || series.Intervals is { Count: > 0 })
        {
            return;
        }

        // where the series ends (a run stopped early, or one of a single step, still shows), with its value on hover
        (double lastX, double lastY) = series.Points.Last(p => x.Usable(p.X) && y.Usable(p.Y));
        svg.Append(CultureInfo.InvariantCulture,
            $"<circle class=\"end\" data-name=\"{E(series.Name)}\" cx=\"{x[lastX]:F1}\" cy=\"{y[lastY]:F1}\" r=\"3\" fill=\"{color}\"><title>{E(series.Name)}: {Format(lastY)} at {E(XName)} {lastX.ToString(CultureInfo.InvariantCulture)}</title></circle>");
        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"hover\" data-name=\"{E(series.Name)}\" fill=\"{color}\" fill-opacity=\"0\">");
        int every = (int)Math.Ceiling(hover.Count / HoverPoints);
        for (int i = 0; i < hover.Count; i += every)
        {
            (double hx, double hy) = hover[i];
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x[hx]:F1}\" cy=\"{y[hy]:F1}\" r=\"5\"><title>{E(series.Name)}: {Format(hy)} at {E(XName)} {Math.Round(hx).ToString(CultureInfo.InvariantCulture)}</title></circle>");
        }

        svg.Append("</g>");
    }

    private void Intervals(StringBuilder svg, ChartSeries series, int s, string color, ChartScale x, ChartScale y)
    {
        if (series.Intervals is not { Count: > 0 } intervals)
        {
            return;
        }

        double nudge = (s - ((Series.Count - 1) / 2.0)) * 4; // side by side, so overlapping bars of several series stay visible
        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"intervals\" data-name=\"{E(series.Name)}\" stroke=\"{color}\" stroke-width=\"1.5\">");
        foreach ((double ix, double low, double high) in intervals.Where(i => x.Usable(i.X) && y.Usable(i.Low) && y.Usable(i.High)))
        {
            double px = x[ix] + nudge;
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{px:F1}\" y1=\"{y[low]:F1}\" x2=\"{px:F1}\" y2=\"{y[high]:F1}\"/><line x1=\"{px - 3:F1}\" y1=\"{y[low]:F1}\" x2=\"{px + 3:F1}\" y2=\"{y[low]:F1}\"/><line x1=\"{px - 3:F1}\" y1=\"{y[high]:F1}\" x2=\"{px + 3:F1}\" y2=\"{y[high]:F1}\"/>");
        }

        foreach ((double px, double py) in series.Points.Where(p => x.Usable(p.X) && y.Usable(p.Y)))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x[px] + nudge:F1}\" cy=\"{y[py]:F1}\" r=\"3\" fill=\"{color}\"><title>{E(series.Name)}: {Format(py)} at {px.ToString(CultureInfo.InvariantCulture)}</title></circle>");
        }

        svg.Append("</g>");
    }

    private void Dots(StringBuilder svg, ChartSeries series, string color, ChartScale x, ChartScale y)
    {
        if (series.Dots is not { Count: > 0 } dots)
        {
            return;
        }

        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"dots\" data-name=\"{E(series.Name)}\" fill=\"#fff\" stroke=\"{color}\" stroke-width=\"1.5\">");
        foreach ((double px, double py) in dots.Where(p => x.Usable(p.X) && y.Usable(p.Y)))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{x[px]:F1}\" cy=\"{y[py]:F1}\" r=\"3.5\"><title>{E(series.Name)}: {Format(py)} at {E(XName)} {px.ToString(CultureInfo.InvariantCulture)}</title></circle>");
        }

        svg.Append("</g>");
    }

    private void Events(StringBuilder svg, ChartSeries series, int s, string color, ChartScale x, double row, double plotW)
    {
        if (series.Events is not { Count: > 0 } events)
        {
            return;
        }

        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"events\" data-name=\"{E(series.Name)}\" stroke=\"{color}\" stroke-width=\"1\">");
        foreach (double e in events.Where(x.Usable).DistinctBy(e => (int)x[e]).Take((int)plotW))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x[e]:F1}\" y1=\"{row - 3:F1}\" x2=\"{x[e]:F1}\" y2=\"{row + 1:F1}\"/>");
        }

        svg.Append("</g>");
    }

    /// <summary>Stop markers: a cross where the series stopped, its label beside it; labels that would overlap move down.</summary>
    private void Markers(StringBuilder svg, ChartScale x, ChartScale y, double plotW)
    {
        var taken = new List<(double X1, double X2, double Y)>();
        for (int s = 0; s < Series.Count; s++)
        {
            if (Series[s].Marker is not { } marker || !x.Usable(marker.X))
            {
                continue;
            }

            string color = ColorOf(s);
            bool off = !y.Usable(marker.Y) || !y.Contains(marker.Y);
            double px = Math.Clamp(x[marker.X], Left, Left + plotW);
            double py = off ? (double.IsNaN(marker.Y) || marker.Y > y.Max || !y.Usable(marker.Y) ? Top + 6 : y.From - 6) : y[marker.Y];
            double textWidth = (marker.Label.Length * 6.2) + 10;
            bool leftward = px + textWidth > Left + plotW;
            double x1 = leftward ? px - textWidth : px + 8, x2 = leftward ? px - 8 : px + textWidth;
            double ly = py + 4;
            while (taken.Any(t => t.X1 < x2 && x1 < t.X2 && Math.Abs(t.Y - ly) < 13))
            {
                ly += 13;
            }

            taken.Add((x1, x2, ly));
            string arrow = off ? (py < Top + 10 ? "↑ " : "↓ ") : string.Empty;
            svg.Append(CultureInfo.InvariantCulture,
                $"<g class=\"marker\" data-name=\"{E(Series[s].Name)}\" data-value=\"{marker.Y.ToString("R", CultureInfo.InvariantCulture)}\" stroke=\"{color}\" stroke-width=\"2.5\"><title>{E(Series[s].Name)}: {E(marker.Label)}</title>" +
                $"<line x1=\"{px - 5:F1}\" y1=\"{py - 5:F1}\" x2=\"{px + 5:F1}\" y2=\"{py + 5:F1}\"/><line x1=\"{px - 5:F1}\" y1=\"{py + 5:F1}\" x2=\"{px + 5:F1}\" y2=\"{py - 5:F1}\"/>" +
                $"<text stroke=\"none\" fill=\"{color}\" font-size=\"11\" font-weight=\"bold\" x=\"{(leftward ? x2 : x1):F1}\" y=\"{ly:F1}\" text-anchor=\"{(leftward ? "end" : "start")}\">{arrow}{E(marker.Label)}</text></g>");
        }
    }

    private sealed record LegendEntry(string Label, string Color, string? Dash, string? Name, double X, int Row);

    /// <summary>Legend entries laid out in rows that fit the chart's width; a series identical to an earlier one says so.</summary>
    private List<LegendEntry> Legend(double plotW)
    {
        var items = new List<(string Label, string Color, string? Dash, string? Name)>();
        for (int s = 0; s < Series.Count; s++)
        {
            if (!Series[s].InLegend)
            {
                continue;
            }

            int twin = Enumerable.Range(0, s).FirstOrDefault(o => Series[o].InLegend && Series[o].Points.Count > 1 && Series[o].Points.SequenceEqual(Series[s].Points), -1);
            items.Add((Series[s].Name + (twin >= 0 ? $" (same line as {Series[twin].Name})" : string.Empty), ColorOf(s), Series[s].Dash, Series[s].Name));
        }

        items.AddRange(StyleKeys.Select(k => (k.Label, "#555", k.Dash, (string?)null)));
        var entries = new List<LegendEntry>();
        double cursor = Left, limit = Left + plotW + Right - 10;
        int row = 0;
        foreach ((string label, string color, string? dash, string? name) in items)
        {
            double width = 34 + (label.Length * 6.6) + 16;
            if (cursor > Left && cursor + width > limit)
            {
                (cursor, row) = (Left, row + 1);
            }

            entries.Add(new LegendEntry(label, color, dash, name, cursor, row));
            cursor += width;
        }

        return entries;
    }

    private static void LegendSvg(StringBuilder svg, List<LegendEntry> entries, double top)
    {
        svg.Append("<g class=\"legend\" font-size=\"12\">");
        foreach (LegendEntry e in entries)
        {
            double y = top + (e.Row * LegendRow) + 10;
            string dash = e.Dash is null ? string.Empty : $" stroke-dasharray=\"{e.Dash}\"";
            string name = e.Name is null ? string.Empty : $" data-name=\"{E(e.Name)}\"";
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"entry\"{name}><line x1=\"{e.X}\" y1=\"{y}\" x2=\"{e.X + 26}\" y2=\"{y}\" stroke=\"{e.Color}\" stroke-width=\"3\"{dash}/><text x=\"{e.X + 31}\" y=\"{y + 4}\">{E(e.Label)}</text></g>");
        }

        svg.Append("</g>");
    }

    /// <summary>The legend's entries with their boxes (x from, x to, row), for tests that check nothing leaves the view box.</summary>
    internal IEnumerable<(string Label, double X1, double X2)> LegendBoxes() =>
        Legend(Width - Left - Right).Select(e => (e.Label, e.X, e.X + 31 + (e.Label.Length * 6.6)));

    internal static string E(string text) => WebUtility.HtmlEncode(text);
}
