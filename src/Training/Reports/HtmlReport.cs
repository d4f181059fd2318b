using System.Globalization;
using System.Net;
using System.Text;

namespace MiniNet.Training;

/// <summary>Writes the self-contained <c>report.html</c>: inline CSS and SVG, no scripts, no network.</summary>
public static class HtmlReport
{
    /// <summary>The charts of a set of runs: see <see cref="RunCharts"/>.</summary>
    /// <param name="runs">The runs.</param>
    /// <returns>The charts, each run in its clipper's colour throughout.</returns>
    public static RunCharts Charts(IReadOnlyList<RunResult> runs) => RunCharts.For(runs);

    /// <summary>The report of a set of runs (train, compare, sweep).</summary>
    /// <param name="title">The page title.</param>
    /// <param name="runs">The runs.</param>
    /// <param name="notes">Extra paragraphs (for example the sweep's threshold advice), or null.</param>
    /// <returns>The HTML document.</returns>
    public static string ForRuns(string title, IReadOnlyList<RunResult> runs, IEnumerable<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        RunCharts charts = Charts(runs);
        var body = new StringBuilder();
        if (runs.Count > 0)
        {
            TrainingConfig c = runs[0].Config;
            body.Append(CultureInfo.InvariantCulture,
                $"<p class=\"setting\">Task <b>{E(c.Task)}</b> (T = {c.SequenceLength}; baseline: {E(runs[0].Task.BaselineDescription)}; solved: {E(runs[0].Task.SuccessDescription)}), " +
                $"model <b>{E(c.Model)}</b> (hidden {c.Hidden}, layers {c.Layers}), optimizer <b>{E(c.Optimizer)}</b> (lr {c.LearningRate.ToString(CultureInfo.InvariantCulture)}), " +
                $"batch {c.Batch}, {c.Steps} steps, seed {c.Seed}.</p>");
        }

        foreach (string note in notes ?? [])
        {
            body.Append("<p class=\"note\">").Append(E(note)).Append("</p>");
        }

        body.Append(SummaryTable(runs));
        if (runs.Count > 0)
        {
            body.Append("<p class=\"legend-note\">Test accuracy counts ").Append(E(runs[0].Task.AccuracyDescription)).Append("; solved means ")
                .Append(E(runs[0].Task.SuccessDescription)).Append(" on the held-out batch.")
                .Append(charts.Loss.LogX ? " The step axes are logarithmic because a run stopped early: its first steps get as much room as the last thousands." : string.Empty)
                .Append("</p>");
        }

        foreach (SvgChart chart in charts.Lines)
        {
            body.Append("<figure>").Append(chart.Render()).Append("</figure>");
        }

        if (charts.ParameterNorms.Count > 0)
        {
            body.Append("<h2>Where the gradient grows: each parameter's norm per step</h2><p class=\"legend-note\">One row per parameter; each column groups up to ")
                .Append(E(StepsPerColumn(runs))).Append(" and shows the largest pre-clip norm among them, on one log colour scale for all runs. Grey: no step recorded there.</p>");
            foreach (SvgHeatMap map in charts.ParameterNorms)
            {
                body.Append("<figure>").Append(map.Render()).Append("</figure>");
            }
        }

        return Page(title, body.ToString());
    }

    /// <summary>The report of the wall: the surface as a heat map with both descent paths, and their losses.</summary>
    /// <param name="map">The heat map with the paths.</param>
    /// <param name="losses">The loss-per-step chart of both paths.</param>
    /// <param name="summary">Sentences describing the result.</param>
    /// <returns>The HTML document.</returns>
    public static string ForWall(SvgHeatMap map, SvgChart losses, IEnumerable<string> summary)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(summary);
        string body = string.Concat(summary.Select(s => $"<p>{E(s)}</p>")) + "<figure>" + map.Render() + "</figure><figure>" + losses.Render() + "</figure>";
        return Page("Pascanu's wall: x_t = w·σ(x_(t−1)) + b, E = (σ(x_50) − 0.7)²", body,
            "Every step of both paths: metrics.csv in this folder; settings and results: summary.json.",
            "Pascanu's wall: <i>x</i><sub><i>t</i></sub> = <i>w</i>·σ(<i>x</i><sub><i>t</i>−1</sub>) + <i>b</i>, &#160;<i>E</i> = (σ(<i>x</i><sub>50</sub>) − 0.7)²");
    }

    /// <summary>The summary table: one row per run.</summary>
    /// <param name="runs">The runs.</param>
    /// <returns>An HTML table.</returns>
    public static string SummaryTable(IReadOnlyList<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var table = new StringBuilder("<table class=\"summary\"><thead><tr><th>clipper</th><th>outcome</th><th>final test loss</th><th>test accuracy</th><th>max grad norm</th><th>steps clipped</th><th>time</th></tr></thead><tbody>");
        foreach (RunResult run in runs)
        {
            table.Append(CultureInfo.InvariantCulture,
                $"<tr class=\"{(run.Status is RunStatus.Diverged or RunStatus.Anomaly ? "diverged" : run.Status == RunStatus.Interrupted || run.SolvedAtStep is null ? "unsolved" : "solved")}\"><td>{E(run.Name)}</td><td class=\"wrap\">{E(run.Verdict)}</td>" +
                $"<td>{Number(run.FinalTestLoss)}</td><td>{(double.IsNaN(run.FinalTestAccuracy) ? "—" : run.FinalTestAccuracy.ToString("P1", CultureInfo.InvariantCulture))}</td>" +
                $"<td>{Number(run.MaxGradNorm)}</td><td>{run.ClipFraction.ToString("P0", CultureInfo.InvariantCulture)}</td><td>{run.Seconds:F1} s</td></tr>");
        }

        return table.Append("</tbody></table>").ToString();
    }

    private static string StepsPerColumn(IReadOnlyList<RunResult> runs)
    {
        int steps = runs.Max(r => r.Config.Steps);
        int per = (int)Math.Ceiling(steps / (double)Math.Min(RunCharts.HeatMapColumns, steps));
        return per == 1 ? "step" : $"{per} steps";
    }

    private static string Number(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? "∞" : v.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>The footer of a run folder's report: where its data is.</summary>
    internal const string RunFiles = "Metrics: metrics.csv and metrics.jsonl in this folder; settings and results: summary.json.";

    /// <summary>A report page: inline CSS, no scripts.</summary>
    /// <param name="title">The title (plain text).</param>
    /// <param name="body">The body (HTML).</param>
    /// <param name="files">The footer's sentence on where the data is.</param>
    /// <param name="heading">The heading as HTML (for example with subscripts), or null for the title.</param>
    internal static string Page(string title, string body, string files = RunFiles, string? heading = null) =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + E(title) + "</title><style>" +
        "body{font-family:system-ui,sans-serif;max-width:920px;margin:2em auto;color:#222}h1{font-size:1.4em}" +
        "table.summary{border-collapse:collapse;margin:1em 0;width:100%}table.summary td{white-space:nowrap}table.summary td.wrap{white-space:normal}table.summary td,table.summary th{border:1px solid #ccc;padding:4px 8px;text-align:right}" +
        "table.summary td:first-child,table.summary td:nth-child(2){text-align:left}tr.diverged td{background:#fde8e4}tr.solved td{background:#e6f4ea}" +
        "figure{margin:1.5em 0}p.note{background:#f4f4f4;padding:.5em}p.legend-note{color:#555;font-size:.9em}h2{font-size:1.1em;margin-top:1.5em}svg{max-width:100%;height:auto}" +
        "table.heatmap{border-collapse:collapse;margin:1em 0}table.heatmap td,table.heatmap th{border:1px solid #ccc;padding:6px 12px;text-align:center}</style></head><body><h1>" + (heading ?? E(title)) + "</h1>" + body +
        "<p style=\"color:#777;font-size:.85em\">Generated by MiniNet. " + E(files) + " Hover over a line, dot or cell for its value.</p></body></html>";

    internal static string E(string text) => WebUtility.HtmlEncode(text);
}
