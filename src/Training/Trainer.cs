using MiniNet.Autograd;
using MiniNet.Clipping;

namespace MiniNet.Training;

/// <summary>How a run saves and resumes, logs, and reacts to divergence and NaN.</summary>
/// <param name="CheckpointPath">Where checkpoints go (overwritten atomically each time), or null for none. With a path, a checkpoint is
/// also written after the last step and when the run is interrupted.</param>
/// <param name="CheckpointEvery">Steps between checkpoints (0: only at the end and on interruption).</param>
/// <param name="ResumeFrom">A checkpoint to continue from, or null.</param>
/// <param name="DetectAnomaly">Anomaly mode: the first op producing NaN or ∞ stops the run with status <see cref="RunStatus.Anomaly"/>, naming the op and the parameters.</param>
/// <param name="HistoryCapacity">Rows kept in memory, or null (the default) for every step. With a capacity, rows past it are thinned (every 2nd, 4th, … step kept)
/// and <see cref="RunResult.RowsThinned"/> says so; the streamed metrics files always have every step. The command line keeps 20,000.</param>
/// <param name="Metrics">Where every step's row is streamed, or null; it is flushed before each checkpoint, so metrics on disk are never behind one.</param>
/// <param name="ResumeSteps">When resuming: the run's new total of steps (null keeps the checkpoint's).</param>
/// <param name="StopOnDivergence">Stop the run when the divergence rule fires (true), or let it run on to watch the loss reach ∞ and NaN (false).</param>
/// <param name="KeepParameterNorms">Whether <see cref="RunResult.Rows"/> keep each parameter's norms (for the report's heat map; a few floats a row), or only the
/// global ones. The streamed metrics.jsonl always has them; the command line keeps them.</param>
public sealed record TrainingOptions(string? CheckpointPath = null, int CheckpointEvery = 0, string? ResumeFrom = null, bool DetectAnomaly = false,
    int? HistoryCapacity = null, MetricsWriter? Metrics = null, int? ResumeSteps = null, bool StopOnDivergence = true, bool KeepParameterNorms = false)
{
    /// <summary>Your own task, model, optimizer or clipper in place of the configuration's names, or null.</summary>
    public TrainingParts? Parts { get; init; }

    /// <summary>The checkpoint at <see cref="ResumeFrom"/>, when the caller has already loaded it (so it is not read twice), or null.</summary>
    public CheckpointState? ResumeState { get; init; }
}

/// <summary>Progress of a run, reported after every step.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="Steps">Steps planned.</param>
/// <param name="Row">The step's metrics.</param>
public sealed record TrainingProgress(int Step, int Steps, MetricsRow Row);

/// <summary>
/// Trains a model (<see cref="SequenceModel"/>, or any <see cref="ISequenceModel"/> given in <see cref="TrainingParts"/>) on a sequence task: forward → loss → Backward → clipper → optimizer Step → ZeroGrad,
/// logging every step, evaluating on a held-out batch, and stopping a run that diverges.
/// </summary>
/// <remarks>
/// Everything is seeded from <see cref="TrainingConfig.Seed"/>: the initialization, the stream of training batches
/// (<see cref="BatchStream"/>, counter-based, so a resume draws no batch twice) and the held-out test batch, so the same
/// settings give the same metrics. With gradient accumulation the k micro-batch losses are each scaled by 1/k, their
/// gradients add up in <c>.Grad</c>, and the clipper runs once on the sum. A run diverges when its loss is non-finite or
/// exceeds <see cref="TrainingConfig.DivergenceFactor"/> × its first loss. A cancellation stops the run after the current
/// step (status <see cref="RunStatus.Interrupted"/>), with a checkpoint when checkpointing.
/// </remarks>
public static class Trainer
{
    /// <summary>Runs one configuration.</summary>
    /// <param name="config">The settings (validated first).</param>
    /// <param name="name">The run's label, for reports.</param>
    /// <param name="progress">Receives every step's metrics, or null.</param>
    /// <param name="cancellation">Stops the run between steps.</param>
    /// <returns>The run's metrics and verdict.</returns>
    public static RunResult Run(TrainingConfig config, string? name = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default) =>
        Run(config, new TrainingOptions(), name, progress, cancellation);

    /// <summary>Runs one configuration with your own parts (a custom clipper, model, task or optimizer) in place of its names.</summary>
    /// <param name="config">The other settings (steps, batch, seed, evaluation …).</param>
    /// <param name="parts">The objects to use.</param>
    /// <param name="name">The run's label, for reports (default: the clipper's).</param>
    /// <param name="progress">Receives every step's metrics, or null.</param>
    /// <param name="cancellation">Stops the run between steps.</param>
    /// <returns>The run, with the trained model in <see cref="RunResult.Model"/>.</returns>
    public static RunResult Run(TrainingConfig config, TrainingParts parts, string? name = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default) =>
        Run(config, new TrainingOptions { Parts = parts }, name, progress, cancellation);

    /// <summary>Runs one configuration with checkpoints, a resume point or anomaly detection.</summary>
    /// <param name="config">The settings (ignored when resuming: the checkpoint's are used, with <see cref="TrainingOptions.ResumeSteps"/>).</param>
    /// <param name="options">Checkpointing, resuming, logging, divergence and anomaly mode.</param>
    /// <param name="name">The run's label, for reports.</param>
    /// <param name="progress">Receives every step's metrics, or null.</param>
    /// <param name="cancellation">Stops the run between steps.</param>
    /// <returns>The run's metrics (from the resume point on, when resuming), verdict and trained model.</returns>
    /// <exception cref="ArgumentException">A setting is invalid, or the run would not fit in memory.</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is not valid; the message names the file and the field.</exception>
    public static RunResult Run(TrainingConfig config, TrainingOptions options, string? name = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        TrainingRun run = TrainingRun.Start(config, options, name); // validated, fits in memory, built (and restored when resuming)
        for (int step = run.FirstStep; step <= run.Config.Steps && !cancellation.IsCancellationRequested; step++)
        {
            (float Loss, float Lr, ClipReport Report)? trained;
            using (options.DetectAnomaly ? Anomaly.Scope(step) : null)
            {
                trained = run.TrainStep(step);
            }

            if (trained is not (float loss, float lr, ClipReport report))
            {
                break; // anomaly mode found a NaN or ∞
            }

            (MetricsRow row, bool stop) = run.Record(step, loss, lr, report);
            if (run.CheckpointDue(step, cancellation.IsCancellationRequested))
            {
                run.SaveCheckpoint(step);
            }

            progress?.Report(new TrainingProgress(step, run.Config.Steps, row));
            if (stop)
            {
                break; // diverged
            }
        }

        return run.Finish(cancellation.IsCancellationRequested);
    }

    /// <summary>
    /// Sequence-steps a held-out batch is evaluated in at a time (2¹⁶: 500 sequences up to 131 steps long in one pass,
    /// 65 sequences of 1,000 steps, one of 100,000), so evaluation's memory stays flat however large the batch.
    /// </summary>
    public const int EvaluationChunkSteps = 1 << 16;

    /// <summary>The held-out loss and accuracy, without recording a graph.</summary>
    /// <remarks>
    /// A batch longer than <see cref="EvaluationChunkSteps"/> sequence-steps is evaluated in chunks of sequences, and
    /// each chunk's loss and accuracy weighted by its share of the sequences — the task's mean over the whole batch,
    /// since every sequence of a task weighs alike (the same steps, the same number of answers).
    /// </remarks>
    /// <param name="model">The model.</param>
    /// <param name="task">The task.</param>
    /// <param name="test">The held-out batch.</param>
    /// <returns>The loss and the accuracy.</returns>
    public static (double Loss, double Accuracy) Evaluate(ISequenceModel model, ISequenceTask task, TaskBatch test)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(test);
        int perChunk = Math.Max(1, EvaluationChunkSteps / Math.Max(1, test.Inputs.Shape[1]));
        using (NoGrad.Scope())
        {
            if (perChunk >= test.Count)
            {
                using (TensorScope.Open())
                {
                    Tensor prediction = model.Forward(test.Inputs);
                    return (task.Loss(prediction, test).Item(), task.Accuracy(prediction, test));
                }
            }

            double loss = 0, accuracy = 0;
            for (int start = 0; start < test.Count; start += perChunk)
            {
                // A scope per chunk: one around them all held every chunk's outputs until the last (6 GB of them for
                // 500 sequences of 100,000 steps) instead of handing each chunk's arrays to the next.
                using (TensorScope.Open())
                {
                    TaskBatch chunk = test.Slice(start, Math.Min(perChunk, test.Count - start));
                    Tensor prediction = model.Forward(chunk.Inputs);
                    double share = (double)chunk.Count / test.Count;
                    loss += task.Loss(prediction, chunk).Item() * share;
                    accuracy += task.Accuracy(prediction, chunk) * share;
                }
            }

            return (loss, accuracy);
        }
    }
}
