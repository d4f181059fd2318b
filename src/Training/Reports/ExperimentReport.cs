using System.Globalization;
using System.Text;

namespace MiniNet.Training;

/// <summary>
/// An experiment's <c>report.html</c>: the success rate against the sequence length, one line per setting, with 95 % Wilson
/// intervals (the view of Pascanu et al. 2013, Fig. 7); a clipping threshold × learning rate table of success; the distribution
/// of pre-clip gradient norms per setting; the summary table. Self-contained, offline.
/// </summary>
public static class ExperimentReport
{
    /// <summary>Renders the report of an aggregated experiment folder.</summary>
    /// <param name="folder">The experiment folder (the cells' metrics are read for the norm distributions).</param>
    /// <param name="results">The cells' results.</param>
    /// <param name="summary">The settings' summaries.</param>
    /// <param name="pending">Cells without a result yet.</param>
    /// <returns>The HTML document.</returns>
    public static string Render(string folder, IReadOnlyList<CellResult> results, IReadOnlyList<SettingSummary> summary, int pending) =>
        HtmlReport.Page("MiniNet experiment", Body(folder, results, summary, pending),
            "Per cell: results.csv and results.json; per setting: summary.csv; each cell's run folder (metrics, report) under cells/; the grid: experiment.json.");

    /// <summary>The report's content without the page around it: what <see cref="Render"/> puts in the page's body, and what a notebook shows.</summary>
    /// <param name="folder">The experiment folder.</param>
    /// <param name="results">The cells' results.</param>
    /// <param name="summary">The settings' summaries.</param>
    /// <param name="pending">Cells without a result yet.</param>
    /// <returns>An HTML fragment.</returns>
    public static string Body(string folder, IReadOnlyList<CellResult> results, IReadOnlyList<SettingSummary> summary, int pending)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(summary);
        ExperimentFile experiment = Experiment.Read(folder);
        string[] varied = [.. experiment.Varied.Where(k => k != "seeds")];
        var body = new StringBuilder();
        var colors = new SeriesColors(); // one colour per clipper on every chart of the report
        int seeds = experiment.Cells.Select(c => c.Config.Seed).Distinct().Count();
        body.Append(CultureInfo.InvariantCulture, $"<p class=\"setting\">{experiment.Cells.Count} cells ({results.Count} with results, {pending} pending), {seeds} seed{(seeds == 1 ? string.Empty : "s")} per setting. ")
            .Append(HtmlReport.E(Constants(experiment, varied))).Append("</p>");
        if (results.Count > 0)
        {
            ISequenceTask task = TaskCatalog.Create(results[0].Config.Task, results[0].Config.SequenceLength);
            body.Append("<p class=\"note\">Solved means ").Append(HtmlReport.E(task.SuccessDescription)).Append(" on the held-out batch; success rates come with 95 % Wilson intervals over the seeds.</p>");
        }

        if (varied.Contains("seq-len"))
        {
            body.Append("<figure>").Append(SuccessByLength(summary, varied, colors).Render()).Append("</figure>");
        }

        if (varied.Contains("clip") && varied.Contains("lr"))
        {
            body.Append(ThresholdByRate(results));
        }

        body.Append("<figure>").Append(NormQuantiles(folder, results, varied, colors).Render()).Append("</figure>");
        body.Append(Table(summary));
        return body.ToString();
    }

    private static string Constants(ExperimentFile experiment, string[] varied)
    {
        TrainingConfig c = experiment.Cells[0].Config;
        var fixedSettings = ExperimentGrid.Keys.Where(k => k != "seeds" && !varied.Contains(k) && k is not ("eval-every" or "eval-batch" or "divergence-factor" or "accumulation"))
            .Select(k => $"{k} {Aggregation.Setting(c, k)}");
        return "Fixed: " + string.Join(", ", fixedSettings) + ".";
    }

    private static string Label(IReadOnlyDictionary<string, string> settings, IEnumerable<string> keys)
    {
        string[] parts = [.. keys.Select(k => keys.Count() == 1 ? settings[k] : $"{k} {settings[k]}")];
        return parts.Length == 0 ? "all" : string.Join(", ", parts);
    }

    /// <summary>A series' colour is its clipper's; lines that share a clipper (differing in another setting) differ by dash.</summary>
    private static ChartSeries Styled(ChartSeries series, string? clip, SeriesColors colors, Dictionary<string, int> perClip)
    {
        if (clip is null)
        {
            return series;
        }

        int n = perClip[clip] = perClip.GetValueOrDefault(clip) + 1;
        return series with { Color = colors[clip], Dash = colors.Dash(clip) ?? SeriesColors.Dashes[(n - 1) % SeriesColors.Dashes.Count] };
    }

    private static SvgChart SuccessByLength(IReadOnlyList<SettingSummary> summary, string[] varied, SeriesColors colors)
    {
        string[] others = [.. varied.Where(k => k != "seq-len")];
        var chart = new SvgChart { Title = "Rate of success against the sequence length (bars: 95 % Wilson intervals)", XLabel = "sequence length T", YLabel = "success rate", FixedY = (0, 1) };
        var perClip = new Dictionary<string, int>();
        foreach (IGrouping<string, SettingSummary> line in summary.GroupBy(s => Label(s.Settings, others)))
        {
            SettingSummary[] points = [.. line.OrderBy(s => int.Parse(s.Settings["seq-len"], CultureInfo.InvariantCulture))];
            chart.Series.Add(Styled(new ChartSeries(line.Key,
                [.. points.Select(s => (double.Parse(s.Settings["seq-len"], CultureInfo.InvariantCulture), s.SuccessRate))], null,
                [.. points.Select(s => (double.Parse(s.Settings["seq-len"], CultureInfo.InvariantCulture), s.WilsonLow, s.WilsonHigh))]),
                points[0].Settings.GetValueOrDefault("clip"), colors, perClip));
        }

        return chart;
    }

    /// <summary>Success rate per (clipper, learning rate), pooled over everything else: where clipping and the step size agree.</summary>
    private static string ThresholdByRate(IReadOnlyList<CellResult> results)
    {
        string[] clips = [.. results.Select(r => r.Config.Clip).Distinct()];
        float[] rates = [.. results.Select(r => r.Config.LearningRate).Distinct().Order()];
        var html = new StringBuilder("<h2>Clipping threshold × learning rate: rate of success</h2><table class=\"heatmap\"><thead><tr><th>clip \\ lr</th>");
        foreach (float rate in rates)
        {
            html.Append("<th>").Append(rate.ToString(CultureInfo.InvariantCulture)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (string clip in clips)
        {
            html.Append("<tr><th>").Append(HtmlReport.E(clip)).Append("</th>");
            foreach (float rate in rates)
            {
                CellResult[] cells = [.. results.Where(r => r.Config.Clip == clip && r.Config.LearningRate == rate && r.Outcome != "failed")];
                if (cells.Length == 0)
                {
                    html.Append("<td>—</td>");
                    continue;
                }

                double success = cells.Count(c => c.Outcome == "solved") / (double)cells.Length;
                double diverged = cells.Count(c => c.Outcome is "diverged" or "anomaly") / (double)cells.Length;
                // from a light red (0 %) to a light green (100 %)
                (int red, int green, int blue) = ((int)(248 - (65 * success)), (int)(208 + (17 * success)), (int)(200 - (7 * success)));
                html.Append(CultureInfo.InvariantCulture,
                    $"<td style=\"background:rgb({red},{green},{blue})\" title=\"{cells.Length} cells; diverged {diverged:P0}\">{success:P0}{(diverged > 0 ? $"<br><small>{diverged:P0} diverged</small>" : string.Empty)}</td>");
            }

            html.Append("</tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>The pre-clip global norm at each quantile of all steps of the cells of each setting: its distribution, on a log scale.</summary>
    private static SvgChart NormQuantiles(string folder, IReadOnlyList<CellResult> results, string[] varied, SeriesColors colors)
    {
        string[] keys = varied.Contains("clip") ? ["clip"] : varied;
        var chart = new SvgChart { Title = "Distribution of the pre-clip gradient norm over all steps (quantiles)", XLabel = "fraction of steps with a smaller norm", YLabel = "‖g‖₂ before clipping", LogY = true };
        var perClip = new Dictionary<string, int>();
        foreach (IGrouping<string, CellResult> group in results.Where(r => r.Outcome != "failed")
                     .GroupBy(r => Label(keys.ToDictionary(k => k, k => Aggregation.Setting(r.Config, k)), keys)))
        {
            double[] norms = [.. group.SelectMany(r => MetricsFile.ReadCsv(Path.Combine(Experiment.CellFolder(folder, r.Id), MetricsWriter.CsvName)))
                .Select(r => (double)r.Row.GradNormBefore).Where(n => double.IsFinite(n) && n > 0).Order()];
            if (norms.Length == 0)
            {
                continue;
            }

            chart.Series.Add(Styled(new ChartSeries(group.Key, [.. Enumerable.Range(0, 101).Select(i => (i / 100.0, norms[(int)Math.Round(i / 100.0 * (norms.Length - 1))]))]),
                group.First().Config.Clip, colors, perClip));
        }

        return chart;
    }

    private static string Table(IReadOnlyList<SettingSummary> summary)
    {
        string[] keys = [.. summary.FirstOrDefault()?.Settings.Keys ?? []];
        var html = new StringBuilder("<h2>Results over seeds</h2><table class=\"summary\"><thead><tr>");
        foreach (string key in keys)
        {
            html.Append("<th>").Append(HtmlReport.E(key)).Append("</th>");
        }

        html.Append("<th>cells</th><th>success (95 % interval)</th><th>median steps to solve (IQR)</th><th>diverged</th><th>failed</th></tr></thead><tbody>");
        foreach (SettingSummary s in summary)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{(s.SuccessRate >= 0.5 ? "solved" : s.DivergenceRate >= 0.5 ? "diverged" : "unsolved")}\">");
            foreach (string value in s.Settings.Values)
            {
                html.Append("<td>").Append(HtmlReport.E(value)).Append("</td>");
            }

            string steps = s.MedianStepsToSolve is double m ? string.Create(CultureInfo.InvariantCulture, $"{m:G4} ({s.StepsToSolveQ1:G4}–{s.StepsToSolveQ3:G4})") : "—";
            html.Append(CultureInfo.InvariantCulture,
                $"<td>{s.Cells}</td><td>{(double.IsNaN(s.SuccessRate) ? "—" : $"{s.SuccessRate:P0} ({s.WilsonLow:P0}–{s.WilsonHigh:P0})")}</td><td>{steps}</td><td>{(double.IsNaN(s.DivergenceRate) ? "—" : s.DivergenceRate.ToString("P0", CultureInfo.InvariantCulture))}</td><td>{s.Failed}</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }
}
