using System.Globalization;
using System.Net;
using System.Text;

namespace MiniNet.Training;

/// <summary>Writes the self-contained <c>report.html</c>: inline CSS and SVG, no scripts, no network.</summary>
public static class HtmlReport
{
    /// <summary>The charts of a set of runs: loss per step and pre-clip gradient norm per step (log scale), overlaid, with clip events and the baseline.</summary>
    /// <param name="runs">The runs.</param>
    /// <returns>The loss chart and the gradient-norm chart.</returns>
    public static (SvgChart Loss, SvgChart GradNorm) Charts(IReadOnlyList<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var loss = new SvgChart { Title = "Training loss per step", YLabel = "loss", LogY = true };
        var norm = new SvgChart { Title = "Gradient norm before clipping, per step (ticks below: clipped steps)", YLabel = "‖g‖₂", LogY = true };
        foreach (RunResult run in runs)
        {
            string label = $"{run.Name} ({Short(run)})";
            loss.Series.Add(new ChartSeries(label, run.Rows.Select(r => ((double)r.Step, (double)r.Loss)).ToList()));
            norm.Series.Add(new ChartSeries(label, run.Rows.Select(r => ((double)r.Step, (double)r.GradNormBefore)).ToList(),
                run.Rows.Where(r => r.Clipped).Select(r => (double)r.Step).ToList()));
        }

        if (runs.Count > 0)
        {
            loss.ReferenceLines.Add((runs[0].Task.Baseline, "baseline"));
        }

        return (loss, norm);
    }

    /// <summary>The report of a set of runs (train, compare, sweep).</summary>
    /// <param name="title">The page title.</param>
    /// <param name="runs">The runs.</param>
    /// <param name="notes">Extra paragraphs (for example the sweep's threshold advice), or null.</param>
    /// <returns>The HTML document.</returns>
    public static string ForRuns(string title, IReadOnlyList<RunResult> runs, IEnumerable<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        (SvgChart loss, SvgChart norm) = Charts(runs);
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
        body.Append("<figure>").Append(loss.Render()).Append("</figure><figure>").Append(norm.Render()).Append("</figure>");
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
        return Page("Pascanu's wall: x_t = w·σ(x_{t−1}) + b, E = (σ(x_50) − 0.7)²", body);
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
                $"<tr class=\"{(run.Status is RunStatus.Diverged or RunStatus.Anomaly ? "diverged" : run.Status == RunStatus.Interrupted || run.SolvedAtStep is null ? "unsolved" : "solved")}\"><td>{E(run.Name)}</td><td>{E(run.Verdict)}</td>" +
                $"<td>{Number(run.FinalTestLoss)}</td><td>{(double.IsNaN(run.FinalTestAccuracy) ? "—" : run.FinalTestAccuracy.ToString("P1", CultureInfo.InvariantCulture))}</td>" +
                $"<td>{Number(run.MaxGradNorm)}</td><td>{run.ClipFraction.ToString("P0", CultureInfo.InvariantCulture)}</td><td>{run.Seconds:F1} s</td></tr>");
        }

        return table.Append("</tbody></table>").ToString();
    }

    private static string Short(RunResult run) => run.Status switch
    {
        RunStatus.Diverged => $"diverged @{run.DivergedAtStep}",
        RunStatus.Interrupted => $"interrupted @{run.LastStep}",
        RunStatus.Anomaly => $"anomaly @{run.LastStep + 1}",
        _ => run.SolvedAtStep is int s ? $"solved @{s}" : "not solved",
    };

    private static string Number(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? "∞" : v.ToString("G4", CultureInfo.InvariantCulture);

    internal static string Page(string title, string body) =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + E(title) + "</title><style>" +
        "body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222}h1{font-size:1.4em}" +
        "table.summary{border-collapse:collapse;margin:1em 0}table.summary td,table.summary th{border:1px solid #ccc;padding:4px 8px;text-align:right}" +
        "table.summary td:first-child,table.summary td:nth-child(2){text-align:left}tr.diverged td{background:#fde8e4}tr.solved td{background:#e6f4ea}" +
        "figure{margin:1.5em 0}p.note{background:#f4f4f4;padding:.5em}h2{font-size:1.1em;margin-top:1.5em}" +
        "table.heatmap{border-collapse:collapse;margin:1em 0}table.heatmap td,table.heatmap th{border:1px solid #ccc;padding:6px 12px;text-align:center}</style></head><body><h1>" + E(title) + "</h1>" + body +
        "<p style=\"color:#777;font-size:.85em\">Generated by MiniNet. Metrics: metrics.csv and metrics.jsonl in this folder; settings and results: summary.json.</p></body></html>";

    internal static string E(string text) => WebUtility.HtmlEncode(text);
}
