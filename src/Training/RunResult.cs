namespace MiniNet.Training;

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    /// <summary>It ran every step without diverging.</summary>
    Finished,

    /// <summary>Its loss became non-finite or far above its start, and it was stopped.</summary>
    Diverged,
}

/// <summary>A finished run: its settings, every step's metrics and the verdict.</summary>
/// <param name="Name">A label for tables and plots (the clipper spec in a comparison).</param>
/// <param name="Config">The settings.</param>
/// <param name="Task">The task.</param>
/// <param name="Rows">The steps kept for plots: every step up to 20,000, then evenly thinned (metrics.csv has every step); per-parameter norms are in metrics.jsonl only.</param>
/// <param name="Status">Finished or diverged.</param>
/// <param name="DivergedAtStep">The step it diverged at, if it did.</param>
/// <param name="SolvedAtStep">The first evaluation step at which the task's success criterion held, if any.</param>
/// <param name="FinalTestLoss">The held-out loss at the end (NaN if it diverged).</param>
/// <param name="FinalTestAccuracy">The held-out accuracy at the end.</param>
/// <param name="Seconds">Wall-clock time.</param>
public sealed record RunResult(string Name, TrainingConfig Config, ISequenceTask Task, IReadOnlyList<MetricsRow> Rows, RunStatus Status,
    int? DivergedAtStep, int? SolvedAtStep, double FinalTestLoss, double FinalTestAccuracy, double Seconds)
{
    /// <summary>"diverged at step N", "solved at step N" or "finished, not solved".</summary>
    public string Verdict => Status == RunStatus.Diverged ? $"diverged at step {DivergedAtStep}"
        : SolvedAtStep is int solved ? $"solved at step {solved}"
        : "finished, not solved";

    /// <summary>Steps taken (all of them, not only the rows kept).</summary>
    public int StepsRun { get; init; }

    /// <summary>Steps the clipper changed.</summary>
    public int ClippedSteps { get; init; }

    /// <summary>The largest pre-clip gradient norm seen (∞ if one was not finite).</summary>
    public double MaxGradNorm { get; init; }

    /// <summary>The fraction of steps the clipper changed.</summary>
    public double ClipFraction => StepsRun == 0 ? 0 : ClippedSteps / (double)StepsRun;
}
