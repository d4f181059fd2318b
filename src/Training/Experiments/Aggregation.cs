using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MiniNet.Training;

/// <summary>One cell's result: its settings and how it ended (a row of <c>results.csv</c>).</summary>
/// <param name="Id">The cell.</param>
/// <param name="Config">Its settings.</param>
/// <param name="Outcome">solved, diverged, not solved, anomaly or failed.</param>
/// <param name="StepsToSolve">The evaluation step at which it was first solved.</param>
/// <param name="FinalTestLoss">The held-out loss where it ended.</param>
/// <param name="FinalTestAccuracy">The held-out accuracy where it ended.</param>
/// <param name="MaxGradNorm">The largest pre-clip gradient norm.</param>
/// <param name="ClipFraction">The fraction of steps clipped.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Error">The failure's message (failed cells).</param>
public sealed record CellResult(string Id, TrainingConfig Config, string Outcome, int? StepsToSolve, double FinalTestLoss, double FinalTestAccuracy,
    double MaxGradNorm, double ClipFraction, double Seconds, string? Error);

/// <summary>The cells of one setting over its seeds (a row of <c>summary.csv</c>).</summary>
/// <param name="Settings">The setting (every varied option but the seed), as "key=value" pairs.</param>
/// <param name="Cells">Cells with a result.</param>
/// <param name="Solved">Cells solved.</param>
/// <param name="SuccessRate">Solved / cells.</param>
/// <param name="WilsonLow">Lower end of the 95 % Wilson interval of the success rate.</param>
/// <param name="WilsonHigh">Upper end.</param>
/// <param name="MedianStepsToSolve">Median steps to solve over the solved cells (null when none).</param>
/// <param name="StepsToSolveQ1">First quartile.</param>
/// <param name="StepsToSolveQ3">Third quartile.</param>
/// <param name="DivergenceRate">Diverged / cells.</param>
/// <param name="Failed">Cells that failed.</param>
public sealed record SettingSummary(IReadOnlyDictionary<string, string> Settings, int Cells, int Solved, double SuccessRate, double WilsonLow, double WilsonHigh,
    double? MedianStepsToSolve, double? StepsToSolveQ1, double? StepsToSolveQ3, double DivergenceRate, int Failed);

/// <summary>
/// Builds an experiment's results from whatever cells have ended, wherever they ran: <c>results.csv</c>/<c>results.json</c> (one row per
/// cell), <c>report.html</c> (see <see cref="ExperimentReport"/>) and <c>summary.csv</c> (one row per setting, over its seeds: success rate with a Wilson 95 % interval, median and IQR of the steps
/// to solve, divergence rate). Cells not yet run (or interrupted) are counted as pending and left out.
/// </summary>
public static class Aggregation
{
    /// <summary>The z of a two-sided 95 % interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>The Wilson score interval of <paramref name="successes"/> out of <paramref name="trials"/> (Wilson 1927).</summary>
    /// <remarks>
    /// With p̂ = k/n: centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z·√(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n). Unlike the normal
    /// approximation it stays inside [0, 1] and is not empty at p̂ = 0 or 1, which matters for the 0 % and 100 % success rates of the papers.
    /// </remarks>
    /// <returns>(low, high); (0, 1) for no trials.</returns>
    public static (double Low, double High) Wilson(int successes, int trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, successes);
        if (trials == 0)
        {
            return (0, 1);
        }

        double n = trials, p = successes / n, z2 = z * z;
        double centre = (p + (z2 / (2 * n))) / (1 + (z2 / n));
        double half = z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n))) / (1 + (z2 / n));
        return (successes == 0 ? 0 : Math.Max(0, centre - half), successes == trials ? 1 : Math.Min(1, centre + half));
    }

    /// <summary>Reads every ended cell of the experiment in <paramref name="folder"/>.</summary>
    /// <returns>The results in grid order, and the number of cells still pending.</returns>
    public static (IReadOnlyList<CellResult> Results, int Pending) Collect(string folder)
    {
        ExperimentFile experiment = Experiment.Read(folder);
        var results = new List<CellResult>();
        int pending = 0;
        foreach (ExperimentCell cell in experiment.Cells)
        {
            string cellFolder = Experiment.CellFolder(folder, cell.Id);
            switch (Experiment.StateOf(folder, cell.Id))
            {
                case CellState.Done:
                    using (JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(cellFolder, "summary.json"))))
                    {
                        JsonElement run = summary.RootElement.GetProperty("runs")[0];
                        string status = run.GetProperty("status").GetString()!;
                        int? solved = run.GetProperty("solved_at_step").ValueKind == JsonValueKind.Number ? run.GetProperty("solved_at_step").GetInt32() : null;
                        string outcome = status switch { "diverged" => "diverged", "anomaly" => "anomaly", _ => solved is null ? "not solved" : "solved" };
                        results.Add(new CellResult(cell.Id, cell.Config, outcome, solved, MetricsWriter.ReadFinite(run.GetProperty("final_test_loss")), MetricsWriter.ReadFinite(run.GetProperty("final_test_accuracy")),
                            MetricsWriter.ReadFinite(run.GetProperty("max_grad_norm")), run.GetProperty("clip_fraction").GetDouble(), run.GetProperty("seconds").GetDouble(), null));
                    }

                    break;
                case CellState.Failed:
                    using (JsonDocument failure = JsonDocument.Parse(File.ReadAllText(Path.Combine(cellFolder, "failed.json"))))
                    {
                        results.Add(new CellResult(cell.Id, cell.Config, "failed", null, double.NaN, double.NaN, double.NaN, 0, 0,
                            failure.RootElement.GetProperty("message").GetString()));
                    }

                    break;
                default:
                    pending++;
                    break;
            }
        }

        return (results, pending);
    }

    /// <summary>Groups results over seeds: one summary per setting, in the order settings first appear.</summary>
    /// <param name="results">The cells' results.</param>
    /// <param name="varied">The settings the grid varies (the seed is left out of the grouping).</param>
    /// <returns>The summaries.</returns>
    public static IReadOnlyList<SettingSummary> Summarize(IReadOnlyList<CellResult> results, IReadOnlyList<string> varied)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(varied);
        string[] keys = [.. varied.Where(k => k != "seeds")];
        return [.. results.GroupBy(r => string.Join('\u0001', keys.Select(k => Setting(r.Config, k))), StringComparer.Ordinal).Select(group =>
        {
            CellResult[] cells = [.. group];
            int ran = cells.Count(c => c.Outcome != "failed"), solved = cells.Count(c => c.Outcome == "solved");
            (double low, double high) = Wilson(solved, ran);
            double[] steps = [.. cells.Where(c => c.StepsToSolve is not null).Select(c => (double)c.StepsToSolve!.Value).Order()];
            return new SettingSummary(keys.ToDictionary(k => k, k => Setting(cells[0].Config, k)), ran, solved, ran == 0 ? double.NaN : solved / (double)ran, low, high,
                Quantile(steps, 0.5), Quantile(steps, 0.25), Quantile(steps, 0.75),
                ran == 0 ? double.NaN : cells.Count(c => c.Outcome is "diverged" or "anomaly") / (double)ran, cells.Length - ran);
        })];
    }

    /// <summary>Writes <c>results.csv</c>, <c>results.json</c> and <c>summary.csv</c> into the experiment folder.</summary>
    /// <param name="folder">The experiment folder.</param>
    /// <returns>The results, the summaries and the pending count.</returns>
    public static (IReadOnlyList<CellResult> Results, IReadOnlyList<SettingSummary> Summary, int Pending) Write(string folder)
    {
        IReadOnlyList<string> varied = Experiment.Read(folder).Varied;
        (IReadOnlyList<CellResult> results, int pending) = Collect(folder);
        IReadOnlyList<SettingSummary> summary = Summarize(results, varied);
        var csv = new StringBuilder("cell,task,model,hidden,layers,seq_len,batch,optimizer,lr,schedule,clip,seed,steps,outcome,steps_to_solve,final_test_loss,final_test_accuracy,max_grad_norm,clip_fraction,seconds,error\n");
        foreach (CellResult r in results)
        {
            TrainingConfig c = r.Config;
            csv.Append(CultureInfo.InvariantCulture,
                $"{r.Id},{c.Task},{c.Model},{c.Hidden},{c.Layers},{c.SequenceLength},{c.Batch},{c.Optimizer},{c.LearningRate},{c.Schedule},{Quote(c.Clip)},{c.Seed},{c.Steps},{r.Outcome},{r.StepsToSolve}," +
                $"{F(r.FinalTestLoss)},{F(r.FinalTestAccuracy)},{F(r.MaxGradNorm)},{F(r.ClipFraction)},{F(r.Seconds)},{Quote(r.Error ?? string.Empty)}\n");
        }

        RunFolder.WriteText(Path.Combine(folder, "results.csv"), csv.ToString());
        RunFolder.WriteText(Path.Combine(folder, "results.json"), JsonSerializer.Serialize(new { pending, cells = results }, RunFolder.Json));
        var table = new StringBuilder(string.Join(',', summary.FirstOrDefault()?.Settings.Keys ?? varied.Where(k => k != "seeds")))
            .Append(",cells,solved,success_rate,wilson_low,wilson_high,median_steps_to_solve,steps_to_solve_q1,steps_to_solve_q3,divergence_rate,failed\n");
        foreach (SettingSummary s in summary)
        {
            table.Append(string.Join(',', s.Settings.Values.Select(Quote))).Append(CultureInfo.InvariantCulture,
                $",{s.Cells},{s.Solved},{F(s.SuccessRate)},{F(s.WilsonLow)},{F(s.WilsonHigh)},{F(s.MedianStepsToSolve)},{F(s.StepsToSolveQ1)},{F(s.StepsToSolveQ3)},{F(s.DivergenceRate)},{s.Failed}\n");
        }

        RunFolder.WriteText(Path.Combine(folder, "summary.csv"), table.ToString());
        RunFolder.WriteText(Path.Combine(folder, "report.html"), ExperimentReport.Render(folder, results, summary, pending));
        return (results, summary, pending);
    }

    /// <summary>A setting's value in a configuration, as the grid spells it.</summary>
    public static string Setting(TrainingConfig config, string key)
    {
        ArgumentNullException.ThrowIfNull(config);
        return key switch
        {
            "task" => config.Task,
            "model" => config.Model,
            "hidden" => config.Hidden.ToString(CultureInfo.InvariantCulture),
            "layers" => config.Layers.ToString(CultureInfo.InvariantCulture),
            "seq-len" => config.SequenceLength.ToString(CultureInfo.InvariantCulture),
            "batch" => config.Batch.ToString(CultureInfo.InvariantCulture),
            "optimizer" => config.Optimizer,
            "lr" => config.LearningRate.ToString(CultureInfo.InvariantCulture),
            "schedule" => config.Schedule,
            "clip" => config.Clip,
            "accumulation" => config.AccumulationSteps.ToString(CultureInfo.InvariantCulture),
            "steps" => config.Steps.ToString(CultureInfo.InvariantCulture),
            "eval-every" => config.EvalEvery.ToString(CultureInfo.InvariantCulture),
            "eval-batch" => config.EvalBatch.ToString(CultureInfo.InvariantCulture),
            "divergence-factor" => config.DivergenceFactor.ToString(CultureInfo.InvariantCulture),
            "seeds" => config.Seed.ToString(CultureInfo.InvariantCulture),
            _ => throw new ArgumentException($"Unknown setting '{key}'.", nameof(key)),
        };
    }

    private static double? Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return null;
        }

        double position = q * (sorted.Length - 1); // linear interpolation between order statistics (NumPy's default)
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    private static string F(double? value) => value is double v ? v.ToString("G6", CultureInfo.InvariantCulture) : string.Empty;

    private static string Quote(string value) => value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal)
        ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal).ReplaceLineEndings(" ") + "\""
        : value;
}
