using System.Diagnostics;
using MathNet.Numerics.Random;
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Optimizers;

namespace MiniNet.Training;

/// <summary>How a run saves and resumes, and whether it watches for NaN and ∞.</summary>
/// <param name="CheckpointPath">Where checkpoints go (overwritten atomically each time), or null for none.</param>
/// <param name="CheckpointEvery">Steps between checkpoints (and always after the last step).</param>
/// <param name="ResumeFrom">A checkpoint to continue from, or null.</param>
/// <param name="DetectAnomaly">Anomaly mode: the first op producing NaN or ∞ throws an <see cref="AnomalyException"/> naming it.</param>
/// <param name="HistoryCapacity">Rows kept in memory for the report (decimated past this; the streamed metrics files have every step).</param>
public sealed record TrainingOptions(string? CheckpointPath = null, int CheckpointEvery = 0, string? ResumeFrom = null, bool DetectAnomaly = false,
    int HistoryCapacity = 20_000);

/// <summary>Progress of a run, reported after every step.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="Steps">Steps planned.</param>
/// <param name="Row">The step's metrics.</param>
public sealed record TrainingProgress(int Step, int Steps, MetricsRow Row);

/// <summary>
/// Trains a <see cref="SequenceModel"/> on a toy task: forward → loss → Backward → clipper → optimizer Step → ZeroGrad,
/// logging every step, evaluating on a held-out batch, and stopping a run that diverges.
/// </summary>
/// <remarks>
/// Everything is seeded from <see cref="TrainingConfig.Seed"/>: the initialization, the stream of training batches and
/// the held-out test batch, so the same settings give the same metrics. With gradient accumulation the k micro-batch
/// losses are each scaled by 1/k, their gradients add up in <c>.Grad</c>, and the clipper runs once on the sum.
/// A run diverges when its loss is non-finite or exceeds <see cref="TrainingConfig.DivergenceFactor"/> × its first loss.
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

    /// <summary>Runs one configuration with checkpoints, a resume point or anomaly detection.</summary>
    /// <param name="config">The settings (ignored when resuming: the checkpoint's are used).</param>
    /// <param name="options">Checkpointing, resuming and anomaly mode.</param>
    /// <param name="name">The run's label, for reports.</param>
    /// <param name="progress">Receives every step's metrics, or null.</param>
    /// <param name="cancellation">Stops the run between steps.</param>
    /// <returns>The run's metrics (from the resume point on, when resuming) and verdict.</returns>
    public static RunResult Run(TrainingConfig config, TrainingOptions options, string? name = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        CheckpointState? resume = options.ResumeFrom is null ? null : Checkpoint.Load(options.ResumeFrom);
        config = resume?.Config ?? config;
        config.Validate();
        ISequenceTask task = TaskCatalog.Create(config.Task, config.SequenceLength);
        var model = new SequenceModel(config.Model, task.InputSize, config.Hidden, config.Layers, task.OutputSize, task.Readout, new MersenneTwister(config.Seed));
        IReadOnlyList<Tensor> parameters = model.Parameters();
        Optimizer optimizer = OptimizerSpec.Create(config.Optimizer, parameters, config.LearningRate);
        LrSchedule? schedule = OptimizerSpec.CreateSchedule(config.Schedule, optimizer, config.Steps);
        IGradientClipper clipper = ClipperSpec.Parse(config.Clip);
        var batches = new MersenneTwister(config.Seed + 1000);
        TaskBatch test = task.Sample(config.EvalBatch, new MersenneTwister(config.Seed + 2000));

        var history = new MetricsHistory(options.HistoryCapacity);
        int stepsRun = 0, clippedSteps = 0;
        double maxGradNorm = 0;
        var clock = Stopwatch.StartNew();
        float firstLoss = float.NaN;
        int? divergedAt = null;
        int? solvedAt = null;
        int firstStep = 1;
        if (resume is not null)
        {
            Checkpoint.Restore(options.ResumeFrom!, resume, model, optimizer, schedule, clipper);
            (firstLoss, solvedAt, firstStep) = (resume.FirstLoss, resume.SolvedAtStep, resume.Step + 1);
            for (int drawn = 0; drawn < resume.Step * config.AccumulationSteps; drawn++)
            {
                task.Sample(config.Batch, batches); // replay the batch stream up to where it stopped
            }
        }

        using IDisposable? anomaly = options.DetectAnomaly ? Anomaly.Scope() : null;
        (double testLoss, double testAccuracy) = (double.NaN, double.NaN);
        for (int step = firstStep; step <= config.Steps && !cancellation.IsCancellationRequested; step++)
        {
            Anomaly.Step = options.DetectAnomaly ? step : null;
            float lr = optimizer.LearningRate;
            float loss = 0f;
            for (int micro = 0; micro < config.AccumulationSteps; micro++)
            {
                TaskBatch batch = task.Sample(config.Batch, batches);
                Tensor microLoss = task.Loss(model.Forward(batch.Inputs), batch);
                loss += microLoss.Item() / config.AccumulationSteps;
                (config.AccumulationSteps == 1 ? microLoss : microLoss * (1f / config.AccumulationSteps)).Backward();
            }

            ClipReport report = clipper.Clip(parameters);
            if (!report.SkipStep)
            {
                optimizer.Step();
            }

            optimizer.ZeroGrad();
            schedule?.Step();
            if (step == 1)
            {
                firstLoss = loss;
            }

            bool diverged = !float.IsFinite(loss) || (float.IsFinite(firstLoss) && loss > config.DivergenceFactor * Math.Max(firstLoss, 1e-3f));
            double? evalLoss = null;
            double? evalAccuracy = null;
            if (!diverged && (step % config.EvalEvery == 0 || step == config.Steps))
            {
                (testLoss, testAccuracy) = Evaluate(model, task, test);
                (evalLoss, evalAccuracy) = (testLoss, testAccuracy);
                if (solvedAt is null && task.IsSolved(testLoss, testAccuracy))
                {
                    solvedAt = step;
                }
            }

            var row = new MetricsRow(step, loss, report.TotalNormBefore, report.TotalNormAfter, lr, report.Clipped, report.SkipStep,
                report.PerParameter, evalLoss, evalAccuracy);
            history.Add(row, last: diverged || step == config.Steps);
            stepsRun++;
            clippedSteps += row.Clipped ? 1 : 0;
            maxGradNorm = Math.Max(maxGradNorm, float.IsFinite(row.GradNormBefore) ? row.GradNormBefore : double.PositiveInfinity);
            if (options.CheckpointPath is not null && options.CheckpointEvery > 0 && !diverged && (step % options.CheckpointEvery == 0 || step == config.Steps))
            {
                Checkpoint.Save(options.CheckpointPath, Checkpoint.Capture(config, step, firstLoss, solvedAt, model, optimizer, schedule, clipper));
            }

            progress?.Report(new TrainingProgress(step, config.Steps, row));
            if (diverged)
            {
                divergedAt = step;
                (testLoss, testAccuracy) = (double.NaN, double.NaN);
                break;
            }
        }

        return new RunResult(name ?? config.Clip, config, task, history.Rows, divergedAt is null ? RunStatus.Finished : RunStatus.Diverged,
            divergedAt, solvedAt, testLoss, testAccuracy, clock.Elapsed.TotalSeconds)
        {
            StepsRun = stepsRun,
            ClippedSteps = clippedSteps,
            MaxGradNorm = maxGradNorm,
        };
    }

    /// <summary>The held-out loss and accuracy, without recording a graph.</summary>
    public static (double Loss, double Accuracy) Evaluate(SequenceModel model, ISequenceTask task, TaskBatch test)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(test);
        using (NoGrad.Scope())
        {
            Tensor prediction = model.Forward(test.Inputs);
            return (task.Loss(prediction, test).Item(), task.Accuracy(prediction, test));
        }
    }
}
