using System.Globalization;

namespace MiniNet.Training;

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    /// <summary>It ran every step without diverging.</summary>
    Finished,

    /// <summary>Its loss became non-finite or rose above the divergence factor × its first loss (and it was stopped, unless told not to).</summary>
    Diverged,

    /// <summary>It was stopped between steps by a cancellation (Ctrl-C, SIGTERM); a checkpoint lets it continue.</summary>
    Interrupted,

    /// <summary>Anomaly mode found the first op whose value or gradient became NaN or ∞, and the run stopped there.</summary>
    Anomaly,
}

/// <summary>A run's settings, every step's metrics and the verdict.</summary>
/// <param name="Name">A label for tables and plots (the clipper spec in a comparison).</param>
/// <param name="Config">The settings.</param>
/// <param name="Task">The task.</param>
/// <param name="Rows">The steps kept for plots: every step up to the history capacity, then evenly thinned (metrics.csv has every step); per-parameter norms are in metrics.jsonl only.</param>
/// <param name="Status">How it ended.</param>
/// <param name="DivergedAtStep">The step the divergence rule fired at, if it did.</param>
/// <param name="SolvedAtStep">The first evaluation step at which the task's success criterion held, if any.</param>
/// <param name="FinalTestLoss">The held-out loss at the end (evaluated where the run stopped, whatever the reason; NaN only if the model's output was NaN).</param>
/// <param name="FinalTestAccuracy">The held-out accuracy at the end.</param>
/// <param name="Seconds">Wall-clock time.</param>
public sealed record RunResult(string Name, TrainingConfig Config, ISequenceTask Task, IReadOnlyList<MetricsRow> Rows, RunStatus Status,
    int? DivergedAtStep, int? SolvedAtStep, double FinalTestLoss, double FinalTestAccuracy, double Seconds)
{
    /// <summary>What happened, with the real numbers: "solved at step N", "finished, not solved",
    /// "stopped at step 5: loss 2480 is over 100 × the first loss 0.18", "interrupted at step N of M", or the anomaly.</summary>
    public string Verdict => Status switch
    {
        RunStatus.Diverged when StoppedOnDivergence => $"stopped at step {DivergedAtStep}: {DivergenceReason}",
        RunStatus.Diverged => $"diverged at step {DivergedAtStep} ({DivergenceReason}); ran on to step {LastStep}, last loss {Number(LastLoss)}",
        RunStatus.Interrupted => $"interrupted at step {LastStep} of {Config.Steps}",
        RunStatus.Anomaly => $"anomaly at step {LastStep + 1}: {AnomalyOp ?? "an op"} produced a non-finite value" +
            (AnomalyParameters.Count == 0 ? string.Empty
                : AnomalyParameters[0].StartsWith("value of ", StringComparison.Ordinal) || AnomalyParameters[0].StartsWith("gradient of ", StringComparison.Ordinal)
                    ? $" (non-finite: {string.Join(", ", AnomalyParameters)})"
                    : $" (from the parameters {string.Join(", ", AnomalyParameters)})"),
        _ => SolvedAtStep is int solved ? $"solved at step {solved}" : "finished, not solved",
    };

    /// <summary>The verdict in a few characters, for legends and table columns: "diverged @5", "solved @2700", "not solved", "interrupted @N", "anomaly @N".</summary>
    public string ShortVerdict => Status switch
    {
        RunStatus.Diverged => $"diverged @{DivergedAtStep}",
        RunStatus.Interrupted => $"interrupted @{LastStep}",
        RunStatus.Anomaly => $"anomaly @{LastStep + 1}",
        _ => SolvedAtStep is int s ? $"solved @{s}" : "not solved",
    };

    /// <summary>Why the divergence rule fired, with the numbers ("loss 2480 is over 100 × the first loss 0.18", "the loss became NaN"), or null.</summary>
    public string? DivergenceReason { get; init; }

    /// <summary>Whether the run was stopped when the divergence rule fired (false with <see cref="TrainingOptions.StopOnDivergence"/> off).</summary>
    public bool StoppedOnDivergence { get; init; } = true;

    /// <summary>The last training loss seen (of the last step run), NaN before the first step.</summary>
    public float LastLoss { get; init; } = float.NaN;

    /// <summary>The trained model, as it was after the last step (null for a result read back from a run folder).</summary>
    public ISequenceModel? Model { get; init; }

    /// <summary>The last step completed (the checkpoint of an interrupted run is at this step).</summary>
    public int LastStep { get; init; }

    /// <summary>Under anomaly mode: the op that produced the first non-finite value, or null.</summary>
    public string? AnomalyOp { get; init; }

    /// <summary>Under anomaly mode: the parameter(s) whose value or gradient first became non-finite, or that the op depends on.</summary>
    public IReadOnlyList<string> AnomalyParameters { get; init; } = [];

    /// <summary>Under anomaly mode: the full report of the anomaly, or null.</summary>
    public string? AnomalyMessage { get; init; }

    /// <summary>Steps taken (all of them, not only the rows kept; with a resumed run, the whole run's).</summary>
    public int StepsRun { get; init; }

    /// <summary>Steps the clipper changed.</summary>
    public int ClippedSteps { get; init; }

    /// <summary>The largest pre-clip gradient norm seen (∞ if one was not finite).</summary>
    public double MaxGradNorm { get; init; }

    /// <summary>Whether <see cref="Rows"/> was thinned (every step is in metrics.csv); see <see cref="TrainingOptions.HistoryCapacity"/>.</summary>
    public bool RowsThinned { get; init; }

    /// <summary>The fraction of steps the clipper changed.</summary>
    public double ClipFraction => StepsRun == 0 ? 0 : ClippedSteps / (double)StepsRun;

    /// <summary>The same result with the history of the whole run (read back from metrics.csv after a resume) in place of this session's rows.</summary>
    /// <param name="everyStep">Every step of the run, in order (see <see cref="MetricsFile.ReadCsv"/>).</param>
    /// <param name="capacity">The rows to keep (thinned past this), or null for all.</param>
    /// <returns>The result, its counts recomputed from <paramref name="everyStep"/>.</returns>
    public RunResult WithHistory(IReadOnlyList<MetricsRow> everyStep, int? capacity)
    {
        ArgumentNullException.ThrowIfNull(everyStep);
        double max = 0;
        int clipped = 0;
        var history = new MetricsHistory(capacity ?? int.MaxValue);
        for (int i = 0; i < everyStep.Count; i++)
        {
            MetricsRow row = everyStep[i];
            max = Math.Max(max, float.IsFinite(row.GradNormBefore) ? row.GradNormBefore : double.PositiveInfinity);
            clipped += row.Clipped ? 1 : 0;
            history.Add(row, last: i == everyStep.Count - 1);
        }

        return this with { Rows = history.Rows, RowsThinned = history.Thinned, StepsRun = everyStep.Count, ClippedSteps = clipped, MaxGradNorm = max };
    }

    internal static string Number(double value) => double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "∞" : double.IsNegativeInfinity(value) ? "-∞"
        : value.ToString("G4", CultureInfo.InvariantCulture);
}
