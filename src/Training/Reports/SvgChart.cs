using System.Globalization;
using System.Net;
using System.Text;

namespace MiniNet.Training;

/// <summary>One line of a chart: a named series of (x, y) points, optionally with event marks (clip events) and interval bars.</summary>
/// <param name="Name">The legend label.</param>
/// <param name="Points">The points; non-finite or (on a log axis) non-positive values break the line.</param>
/// <param name="Events">x positions to mark under the plot area (for example the steps that were clipped), or null.</param>
/// <param name="Intervals">Vertical interval bars (x, low, high), for example a success rate's 95 % interval, drawn with a marker at each point; or null.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, IReadOnlyList<double>? Events = null,
    IReadOnlyList<(double X, double Low, double High)>? Intervals = null);

/// <summary>
/// A small, self-contained SVG line chart: axes with ticks and labels, linear or log-10 y, one path per series,
/// event ticks, horizontal reference lines (the task's baseline) and a legend. No scripts, no external resources.
/// </summary>
/// <remarks>Element classes (<c>axis</c>, <c>series</c>, <c>baseline</c>, <c>events</c>, <c>legend</c>) let tests and styles find the parts.</remarks>
public sealed class SvgChart
{
    /// <summary>The colors series take in order (colorblind-safe, Okabe–Ito).</summary>
    public static readonly IReadOnlyList<string> Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

    private const double Left = 70, Right = 250, Top = 30, Bottom = 50;

    /// <summary>The chart's title.</summary>
    public required string Title { get; init; }

    /// <summary>The x axis label.</summary>
    public string XLabel { get; init; } = "step";

    /// <summary>The y axis label.</summary>
    public required string YLabel { get; init; }

    /// <summary>Whether the y axis is logarithmic (base 10).</summary>
    public bool LogY { get; init; }

    /// <summary>A fixed y range (for example 0 to 1 for a rate), or null to fit the data.</summary>
    public (double Min, double Max)? FixedY { get; init; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 900;

    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 360;

    /// <summary>The series, drawn in order.</summary>
    public IList<ChartSeries> Series { get; } = [];

    /// <summary>Horizontal reference lines with their labels (for example the baseline).</summary>
    public IList<(double Y, string Label)> ReferenceLines { get; } = [];

    /// <summary>Renders the chart.</summary>
    /// <returns>An <c>&lt;svg&gt;</c> element.</returns>
    public string Render()
    {
        var points = Series.SelectMany(s => s.Points).Where(p => Usable(p.Y) && double.IsFinite(p.X)).ToList();
        double xMin = points.Count > 0 ? points.Min(p => p.X) : 0, xMax = points.Count > 0 ? points.Max(p => p.X) : 1;
        var ys = points.Select(p => p.Y).Concat(ReferenceLines.Select(r => r.Y).Where(Usable))
            .Concat(Series.SelectMany(s => s.Intervals ?? []).SelectMany(i => new[] { i.Low, i.High }).Where(Usable)).ToList();
        double yMin = ys.Count > 0 ? ys.Min() : (LogY ? 0.1 : 0), yMax = ys.Count > 0 ? ys.Max() : 1;
        if (FixedY is (double fixedMin, double fixedMax))
        {
            (yMin, yMax) = (fixedMin, fixedMax);
        }
        if (LogY)
        {
            (yMin, yMax) = (Math.Pow(10, Math.Floor(Math.Log10(yMin))), Math.Pow(10, Math.Ceiling(Math.Log10(yMax))));
        }
        else
        {
            yMin = Math.Min(yMin, 0);
        }

        if (xMax <= xMin)
        {
            xMax = xMin + 1;
        }

        if (Series.Any(s => s.Intervals is { Count: > 0 }))
        {
            double pad = (xMax - xMin) * 0.05; // interval bars at the ends stay clear of the axis
            (xMin, xMax) = (xMin - pad, xMax + pad);
        }

        if (yMax <= yMin)
        {
            yMax = yMin + (LogY ? yMin * 9 : 1);
        }

        int eventRows = Series.Count(s => s.Events is { Count: > 0 });
        double bottom = Bottom + (eventRows > 0 ? 8 + (4 * Series.Count) : 0);
        double plotW = Width - Left - Right, plotH = Height - Top - bottom;
        double X(double x) => Left + ((x - xMin) / (xMax - xMin) * plotW);
        double Y(double y) => Top + plotH - ((LogY ? (Math.Log10(y) - Math.Log10(yMin)) / (Math.Log10(yMax) - Math.Log10(yMin)) : (y - yMin) / (yMax - yMin)) * plotH);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{E(Title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{E(Title)}</text>");
        svg.Append("<g class=\"axis\" stroke=\"#444\" font-size=\"11\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Left + plotW}\" y2=\"{Top + plotH}\"/><line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotH}\"/>");
        foreach (double tick in Ticks(xMin, xMax, log: false))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(tick):F1}\" y1=\"{Top + plotH}\" x2=\"{X(tick):F1}\" y2=\"{Top + plotH + 5}\"/><text stroke=\"none\" x=\"{X(tick):F1}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{Label(tick)}</text>");
        }

        foreach (double tick in Ticks(yMin, yMax, LogY))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left - 5}\" y1=\"{Y(tick):F1}\" x2=\"{Left}\" y2=\"{Y(tick):F1}\"/><line stroke=\"#ddd\" x1=\"{Left}\" y1=\"{Y(tick):F1}\" x2=\"{Left + plotW}\" y2=\"{Y(tick):F1}\"/><text stroke=\"none\" x=\"{Left - 8}\" y=\"{Y(tick) + 4:F1}\" text-anchor=\"end\">{Label(tick)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text stroke=\"none\" x=\"{Left + (plotW / 2)}\" y=\"{Height - 10}\" text-anchor=\"middle\">{E(XLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text stroke=\"none\" transform=\"translate(16 {Top + (plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">{E(YLabel)}{(LogY ? " (log scale)" : string.Empty)}</text>");
        svg.Append("</g>");

        foreach ((double y, string label) in ReferenceLines.Where(r => Usable(r.Y)))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"baseline\"><line x1=\"{Left}\" y1=\"{Y(y):F1}\" x2=\"{Left + plotW}\" y2=\"{Y(y):F1}\" stroke=\"#888\" stroke-dasharray=\"6 4\"/><text x=\"{Left + plotW + 4}\" y=\"{Y(y) + 4:F1}\" font-size=\"11\" fill=\"#555\">{E(label)}</text></g>");
        }

        for (int s = 0; s < Series.Count; s++)
        {
            ChartSeries series = Series[s];
            string color = Palette[s % Palette.Count];
            svg.Append(CultureInfo.InvariantCulture, $"<path class=\"series\" data-name=\"{E(series.Name)}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" d=\"{PathData(series, X, Y)}\"/>");
            if (series.Points.LastOrDefault(p => Usable(p.Y) && double.IsFinite(p.X)) is var (lastX, lastY) && series.Points.Any(p => Usable(p.Y)))
            {
                // where the series ends (a run stopped early, or one of a single step, still shows), with its value on hover
                svg.Append(CultureInfo.InvariantCulture,
                    $"<circle class=\"end\" data-name=\"{E(series.Name)}\" cx=\"{X(lastX):F1}\" cy=\"{Y(lastY):F1}\" r=\"3\" fill=\"{color}\"><title>{E(series.Name)}: {lastY.ToString("G4", CultureInfo.InvariantCulture)} at step {lastX.ToString(CultureInfo.InvariantCulture)}</title></circle>");
            }

            if (series.Intervals is { Count: > 0 } intervals)
            {
                double nudge = (s - ((Series.Count - 1) / 2.0)) * 4; // side by side, so overlapping bars of several series stay visible
                svg.Append(CultureInfo.InvariantCulture, $"<g class=\"intervals\" data-name=\"{E(series.Name)}\" stroke=\"{color}\" stroke-width=\"1.5\">");
                foreach ((double x, double low, double high) in intervals.Where(i => double.IsFinite(i.X) && Usable(i.Low) && Usable(i.High)))
                {
                    double px = X(x) + nudge;
                    svg.Append(CultureInfo.InvariantCulture,
                        $"<line x1=\"{px:F1}\" y1=\"{Y(low):F1}\" x2=\"{px:F1}\" y2=\"{Y(high):F1}\"/><line x1=\"{px - 3:F1}\" y1=\"{Y(low):F1}\" x2=\"{px + 3:F1}\" y2=\"{Y(low):F1}\"/><line x1=\"{px - 3:F1}\" y1=\"{Y(high):F1}\" x2=\"{px + 3:F1}\" y2=\"{Y(high):F1}\"/>");
                }

                foreach ((double x, double y) in series.Points.Where(p => double.IsFinite(p.X) && Usable(p.Y)))
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(x) + nudge:F1}\" cy=\"{Y(y):F1}\" r=\"3\" fill=\"{color}\"><title>{E(series.Name)}: {y.ToString("G3", CultureInfo.InvariantCulture)} at {x.ToString(CultureInfo.InvariantCulture)}</title></circle>");
                }

                svg.Append("</g>");
            }

            if (series.Events is { Count: > 0 } events)
            {
                double row = Top + plotH + 26 + (s * 4);
                svg.Append(CultureInfo.InvariantCulture, $"<g class=\"events\" data-name=\"{E(series.Name)}\" stroke=\"{color}\" stroke-width=\"1\">");
                foreach (double x in Thin(events, plotW))
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(x):F1}\" y1=\"{row - 3:F1}\" x2=\"{X(x):F1}\" y2=\"{row + 1:F1}\"/>");
                }

                svg.Append("</g>");
            }
        }

        svg.Append("<g class=\"legend\" font-size=\"12\">");
        for (int s = 0; s < Series.Count; s++)
        {
            double y = Top + 10 + (s * 18);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left + plotW + 10}\" y1=\"{y}\" x2=\"{Left + plotW + 30}\" y2=\"{y}\" stroke=\"{Palette[s % Palette.Count]}\" stroke-width=\"3\"/><text x=\"{Left + plotW + 35}\" y=\"{y + 4}\">{E(Series[s].Name)}</text>");
        }

        svg.Append("</g></svg>");
        return svg.ToString();
    }

    private bool Usable(double y) => double.IsFinite(y) && (!LogY || y > 0);

    /// <summary>The path's d attribute; an unusable point (NaN, ∞, ≤ 0 on a log axis) starts a new segment.</summary>
    private string PathData(ChartSeries series, Func<double, double> x, Func<double, double> y)
    {
        var d = new StringBuilder();
        bool pen = false;
        foreach ((double px, double py) in series.Points)
        {
            if (!Usable(py) || !double.IsFinite(px))
            {
                pen = false;
                continue;
            }

            d.Append(CultureInfo.InvariantCulture, $"{(pen ? 'L' : 'M')}{x(px):F1},{y(py):F1}");
            pen = true;
        }

        return d.ToString();
    }

    /// <summary>At most one event mark per pixel column.</summary>
    private static IEnumerable<double> Thin(IReadOnlyList<double> events, double pixels)
    {
        if (events.Count <= pixels)
        {
            return events;
        }

        double min = events.Min(), max = events.Max();
        return events.GroupBy(e => (int)((e - min) / Math.Max(max - min, 1e-9) * pixels)).Select(g => g.First());
    }

    /// <summary>About five round ticks on a linear axis; the powers of ten on a log axis.</summary>
    internal static IEnumerable<double> Ticks(double min, double max, bool log)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || max <= min || (log && min <= 0))
        {
            yield break; // no sensible ticks (for example a chart without data): draw none rather than loop forever
        }

        if (log)
        {
            for (double p = Math.Log10(min); p <= Math.Log10(max) + 1e-9; p++)
            {
                yield return Math.Pow(10, Math.Round(p));
            }

            yield break;
        }

        double raw = (max - min) / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 5, 10 }.Select(f => f * magnitude).First(s => s >= raw);
        for (double t = Math.Ceiling(min / step) * step; t <= max + (step * 1e-9); t += step)
        {
            yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
        }
    }

    private static string Label(double v) => Math.Abs(v) >= 1e4 || (Math.Abs(v) < 1e-2 && v != 0)
        ? v.ToString("0.#e+0", CultureInfo.InvariantCulture)
        : v.ToString("0.###", CultureInfo.InvariantCulture);

    internal static string E(string text) => WebUtility.HtmlEncode(text);
}
