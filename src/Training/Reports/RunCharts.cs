using System.Globalization;
using MiniNet.Clipping;

namespace MiniNet.Training;

/// <summary>
/// The charts of a set of runs (train, compare, sweep, an experiment cell), each run in its clipper's colour on every chart:
/// the training loss with the held-out losses, the baseline, the solved line and a cross where a run diverged or was
/// stopped (with its real last loss); the gradient norm before (solid) and after (dashed) clipping with each clipper's
/// threshold; the share of clipped steps over a rolling window; the held-out accuracy when success is judged by it; and a
/// per-parameter gradient-norm heat map for each run, on one colour scale, so a reader sees which weight blows up first.
/// </summary>
/// <param name="Loss">Training loss per step.</param>
/// <param name="GradNorm">Gradient norm before and after clipping per step.</param>
/// <param name="ClippedShare">Rolling share of clipped steps, or null when no run clips.</param>
/// <param name="Accuracy">Held-out accuracy per evaluation, or null when the task is judged by its loss.</param>
/// <param name="ParameterNorms">One heat map per run that recorded per-parameter norms.</param>
public sealed record RunCharts(SvgChart Loss, SvgChart GradNorm, SvgChart? ClippedShare, SvgChart? Accuracy, IReadOnlyList<SvgHeatMap> ParameterNorms)
{
    /// <summary>The line charts in reading order (loss, accuracy, norms, clipped share), those that exist.</summary>
    public IEnumerable<SvgChart> Lines => new[] { Loss, Accuracy, GradNorm, ClippedShare }.OfType<SvgChart>();

    /// <summary>A step axis turns logarithmic when a run stopped within this fraction of the longest run, so its steps are not a hairline at x ≈ 0.</summary>
    public const double EarlyStop = 0.05;

    /// <summary>The columns of a per-parameter heat map (steps are grouped into this many bins; each cell shows its bin's largest norm).</summary>
    public const int HeatMapColumns = 120;

    /// <summary>Builds the charts.</summary>
    /// <param name="runs">The runs.</param>
    /// <param name="colors">The colours of the report's clippers (shared with its other charts), or null for a fresh assignment.</param>
    /// <returns>The charts.</returns>
    public static RunCharts For(IReadOnlyList<RunResult> runs, SeriesColors? colors = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        colors ??= new SeriesColors();
        int longest = runs.Count == 0 ? 1 : Math.Max(1, runs.Max(r => Math.Max(r.Config.Steps, r.Rows.Count == 0 ? 0 : r.Rows[^1].Step)));
        bool logSteps = runs.Any(r => r.Status != RunStatus.Finished && r.LastStep < EarlyStop * longest);
        const string xLabel = "step";
        ISequenceTask? task = runs.Count > 0 ? runs[0].Task : null;

        var loss = new SvgChart { Title = "Training loss per step (dots: held-out loss)", XLabel = xLabel, YLabel = "loss", LogY = true, LogX = logSteps };
        var norm = new SvgChart { Title = "Gradient norm per step, before (solid) and after (dashed) clipping", XLabel = xLabel, YLabel = "‖g‖₂", LogY = true, LogX = logSteps };
        var accuracy = new SvgChart { Title = $"Held-out accuracy ({task?.AccuracyDescription})", XLabel = xLabel, YLabel = "accuracy", FixedY = (0, 1), YFormat = "P0", LogX = logSteps };
        foreach (RunResult run in runs)
        {
            string key = run.Config.Clip, color = colors[key];
            string? dash = colors.Dash(key);
            string label = $"{run.Name} ({run.ShortVerdict})";
            ChartMarker? stop = Stop(run);
            loss.Series.Add(new ChartSeries(label, Points(run, r => r.Loss)) { Color = color, Dash = dash, Marker = stop, Dots = [.. run.Rows.Where(r => r.TestLoss is not null).Select(r => ((double)r.Step, r.TestLoss!.Value))] });
            norm.Series.Add(new ChartSeries(label, Points(run, r => r.GradNormBefore)) { Color = color, Dash = dash, Marker = stop is null ? null : stop with { Y = LastNorm(run) } });
            if (run.ClippedSteps > 0)
            {
                norm.Series.Add(new ChartSeries($"{label}, after clipping", Points(run, r => r.GradNormAfter)) { Color = color, Dash = "5 3", StrokeWidth = 1.2, InLegend = false });
            }

            if (Threshold(key) is double threshold)
            {
                norm.ReferenceLines.Add(new ReferenceLine(threshold, $"clip at {threshold.ToString("G3", CultureInfo.InvariantCulture)}", color));
            }

            List<(double, double)> evaluations = [.. run.Rows.Where(r => r.TestAccuracy is not null).Select(r => ((double)r.Step, r.TestAccuracy!.Value))];
            accuracy.Series.Add(new ChartSeries(label, evaluations) { Color = color, Dash = dash, Dots = evaluations });
        }

        if (task is not null)
        {
            loss.ReferenceLines.Add(new ReferenceLine(task.Baseline, "baseline"));
            if (task.SolvedLossBelow is double solvedLoss)
            {
                loss.ReferenceLines.Add(new ReferenceLine(solvedLoss, $"solved: < {solvedLoss.ToString(CultureInfo.InvariantCulture)}", "#2a7f2a"));
            }

            if (task.SolvedAccuracyAtLeast is double solvedAccuracy)
            {
                accuracy.ReferenceLines.Add(new ReferenceLine(solvedAccuracy, $"solved: ≥ {solvedAccuracy:P0}", "#2a7f2a"));
            }
        }

        norm.StyleKeys.Add(("after clipping", "5 3"));
        var share = new SvgChart { Title = "Share of steps clipped (rolling window: 2 % of each run's recorded steps)", XLabel = xLabel, YLabel = "steps clipped", FixedY = (0, 1), YFormat = "P0", LogX = logSteps, Height = 240 };
        foreach (RunResult run in runs.Where(r => r.ClippedSteps > 0))
        {
            share.Series.Add(new ChartSeries($"{run.Name} ({run.ShortVerdict})", Rolling(run)) { Color = colors[run.Config.Clip], Dash = colors.Dash(run.Config.Clip) });
        }

        return new RunCharts(loss, norm, share.Series.Count > 0 ? share : null, task?.SolvedAccuracyAtLeast is null ? null : accuracy, ParameterHeatMaps(runs));
    }

    /// <summary>The threshold on the global L2 norm a clipper spec sets (<c>global-norm:C</c>, alone or as a chain stage), or null.</summary>
    internal static double? Threshold(string spec)
    {
        foreach (string stage in spec.Split('+'))
        {
            string[] parts = stage.Split(':');
            if (parts[0] == "global-norm" && parts.Length >= 2 && (parts.Length == 2 || parts[2] == "2")
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double c))
            {
                return c;
            }
        }

        return null;
    }

    private static List<(double, double)> Points(RunResult run, Func<MetricsRow, float> value) => [.. run.Rows.Select(r => ((double)r.Step, (double)value(r)))];

    /// <summary>Where a run that did not finish stopped, with its real last loss (which may be ∞ or NaN).</summary>
    private static ChartMarker? Stop(RunResult run)
    {
        string loss = double.IsNaN(run.LastLoss) ? "NaN" : double.IsInfinity(run.LastLoss) ? "∞" : run.LastLoss.ToString("G4", CultureInfo.InvariantCulture);
        return run.Status switch
        {
            RunStatus.Diverged when run.StoppedOnDivergence => new ChartMarker(run.LastStep, run.LastLoss, $"stopped at step {run.LastStep}: loss {loss}"),
            RunStatus.Diverged => new ChartMarker(run.LastStep, run.LastLoss, $"diverged at {run.DivergedAtStep}; step {run.LastStep}: loss {loss}"),
            RunStatus.Anomaly => new ChartMarker(run.LastStep + 1, run.LastLoss, $"anomaly at step {run.LastStep + 1}"),
            RunStatus.Interrupted => new ChartMarker(run.LastStep, run.LastLoss, $"interrupted at step {run.LastStep}"),
            _ => null,
        };
    }

    private static double LastNorm(RunResult run) => run.Rows.Count == 0 ? double.NaN : run.Rows[^1].GradNormBefore;

    /// <summary>The share of clipped steps over the last 2 % of the run's recorded steps (at most 500), at each step.</summary>
    private static List<(double, double)> Rolling(RunResult run)
    {
        int window = Math.Clamp(run.Rows.Count / 50, 1, 500);
        var points = new List<(double, double)>(run.Rows.Count);
        int inWindow = 0;
        for (int i = 0; i < run.Rows.Count; i++)
        {
            inWindow += run.Rows[i].Clipped ? 1 : 0;
            if (i >= window)
            {
                inWindow -= run.Rows[i - window].Clipped ? 1 : 0;
            }

            points.Add((run.Rows[i].Step, inWindow / (double)Math.Min(i + 1, window)));
        }

        return points;
    }

    /// <summary>Per-parameter pre-clip norms, parameters × step bins (each cell the bin's largest norm), one shared colour scale.</summary>
    private static List<SvgHeatMap> ParameterHeatMaps(IReadOnlyList<RunResult> runs)
    {
        var withNorms = runs.Where(r => r.Rows.Count > 0 && r.Rows.Any(row => row.PerParameter.Count > 0)).ToList();
        if (withNorms.Count == 0)
        {
            return [];
        }

        // each run over its own steps (a run stopped at step 5 gets 5 columns, not a sliver), all on one colour scale
        var grids = withNorms.Select(r => Grid(r, r.Rows[0].Step, r.Rows[^1].Step)).ToList();
        var values = grids.SelectMany(g => g.Values.SelectMany(row => row)).Where(v => double.IsFinite(v) && v > 0).ToList();
        (double, double)? limits = values.Count == 0 ? null : (values.Min(), values.Max());
        return [.. withNorms.Zip(grids, (run, grid) => new SvgHeatMap
        {
            Title = $"{run.Name} ({run.ShortVerdict}): each parameter's gradient norm before clipping",
            Subtitle = FirstBlowUp(run),
            XLabel = "step",
            YLabel = "parameter",
            Values = grid.Values,
            RowLabels = grid.Names,
            XRange = (run.Rows[0].Step - 1, run.Rows[^1].Step),
            ColorLimits = limits,
            ColorLabel = "‖g‖₂ (log colour)",
            CellTitles = true,
            Height = 76 + Math.Max(100, grid.Names.Count * 20),
            Width = 900,
        })];
    }

    private static (double[][] Values, List<string> Names) Grid(RunResult run, int first, int last)
    {
        List<string> names = [.. run.Rows.First(r => r.PerParameter.Count > 0).PerParameter.Select(p => p.Name)];
        int columns = Math.Min(HeatMapColumns, last - first + 1);
        double[][] values = [.. names.Select(_ => Enumerable.Repeat(double.NaN, columns).ToArray())];
        foreach (MetricsRow row in run.Rows.Where(r => r.PerParameter.Count == names.Count))
        {
            int c = Math.Clamp((int)((row.Step - first) / (double)(last - first + 1) * columns), 0, columns - 1);
            for (int p = 0; p < names.Count; p++)
            {
                double v = row.PerParameter[p].NormBefore;
                double old = values[p][c];
                values[p][c] = double.IsNaN(old) ? (double.IsNaN(v) ? double.PositiveInfinity : v) : Math.Max(old, double.IsNaN(v) ? double.PositiveInfinity : v);
            }
        }

        return (values, names);
    }

    /// <summary>Names the parameter whose norm first rose above ten times its norm at the first recorded step, if one did.</summary>
    internal static string FirstBlowUp(RunResult run)
    {
        var rows = run.Rows.Where(r => r.PerParameter.Count > 0).ToList();
        IReadOnlyList<ParameterNorm> first = rows[0].PerParameter;
        foreach (MetricsRow row in rows.Skip(1).Where(r => r.PerParameter.Count == first.Count))
        {
            for (int p = 0; p < first.Count; p++)
            {
                float v = row.PerParameter[p].NormBefore;
                if (!float.IsFinite(v) || v > 10 * first[p].NormBefore)
                {
                    return $"First above 10× its step-{rows[0].Step} norm: {row.PerParameter[p].Name}, at step {row.Step}.";
                }
            }
        }

        return $"No parameter's norm rose above 10× its step-{rows[0].Step} norm.";
    }
}
