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
/// <param name="Rows">One row per step taken.</param>
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

    /// <summary>The largest pre-clip gradient norm seen.</summary>
    public double MaxGradNorm => Rows.Count == 0 ? 0 : Rows.Max(r => float.IsFinite(r.GradNormBefore) ? r.GradNormBefore : float.PositiveInfinity);

    /// <summary>The fraction of steps the clipper changed.</summary>
    public double ClipFraction => Rows.Count == 0 ? 0 : Rows.Count(r => r.Clipped) / (double)Rows.Count;
}
