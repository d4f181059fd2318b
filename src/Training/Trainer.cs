using System.Diagnostics;
using MathNet.Numerics.Random;
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Optimizers;

namespace MiniNet.Training;

/// <summary>How a run saves and resumes, logs, and reacts to divergence and NaN.</summary>
/// <param name="CheckpointPath">Where checkpoints go (overwritten atomically each time), or null for none. With a path, a checkpoint is
/// also written after the last step and when the run is interrupted.</param>
/// <param name="CheckpointEvery">Steps between checkpoints (0: only at the end and on interruption).</param>
/// <param name="ResumeFrom">A checkpoint to continue from, or null.</param>
/// <param name="DetectAnomaly">Anomaly mode: the first op producing NaN or ∞ stops the run with status <see cref="RunStatus.Anomaly"/>, naming the op and the parameters.</param>
/// <param name="HistoryCapacity">Rows kept in memory for the report (thinned past this, and <see cref="RunResult.RowsThinned"/> says so; the streamed metrics files have every step).</param>
/// <param name="Metrics">Where every step's row is streamed, or null; it is flushed before each checkpoint, so metrics on disk are never behind one.</param>
/// <param name="ResumeSteps">When resuming: the run's new total of steps (null keeps the checkpoint's).</param>
/// <param name="StopOnDivergence">Stop the run when the divergence rule fires (true), or let it run on to watch the loss reach ∞ and NaN (false).</param>
public sealed record TrainingOptions(string? CheckpointPath = null, int CheckpointEvery = 0, string? ResumeFrom = null, bool DetectAnomaly = false,
    int HistoryCapacity = 20_000, MetricsWriter? Metrics = null, int? ResumeSteps = null, bool StopOnDivergence = true);

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

    /// <summary>Runs one configuration with checkpoints, a resume point or anomaly detection.</summary>
    /// <param name="config">The settings (ignored when resuming: the checkpoint's are used, with <see cref="TrainingOptions.ResumeSteps"/>).</param>
    /// <param name="options">Checkpointing, resuming, logging, divergence and anomaly mode.</param>
    /// <param name="name">The run's label, for reports.</param>
    /// <param name="progress">Receives every step's metrics, or null.</param>
    /// <param name="cancellation">Stops the run between steps.</param>
    /// <returns>The run's metrics (from the resume point on, when resuming) and verdict.</returns>
    /// <exception cref="ArgumentException">A setting is invalid, or the run would not fit in memory.</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is not valid; the message names the file and the field.</exception>
    public static RunResult Run(TrainingConfig config, TrainingOptions options, string? name = null, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        CheckpointState? resume = options.ResumeFrom is null ? null : Checkpoint.Load(options.ResumeFrom);
        config = resume is null ? config : resume.Config with { Steps = options.ResumeSteps ?? resume.Config.Steps };
        config.Validate();
        MemoryEstimate.For(config).ThrowIfTooLarge();
        if (resume is not null && config.Steps < resume.Step)
        {
            throw new ArgumentException($"--steps {config.Steps} is below the checkpoint's step {resume.Step}; give a total of at least {resume.Step} steps.");
        }

        string runName = name ?? config.Clip;
        ISequenceTask task = TaskCatalog.Create(config.Task, config.SequenceLength);
        var model = new SequenceModel(config.Model, task.InputSize, config.Hidden, config.Layers, task.OutputSize, task.Readout, new MersenneTwister(config.Seed));
        IReadOnlyList<Tensor> parameters = model.Parameters();
        Optimizer optimizer = OptimizerSpec.Create(config.Optimizer, parameters, config.LearningRate);
        LrSchedule? schedule = OptimizerSpec.CreateSchedule(config.Schedule, optimizer, config.Steps);
        IGradientClipper clipper = ClipperSpec.Parse(config.Clip);
        TaskBatch test = task.Sample(config.EvalBatch, new MersenneTwister(config.Seed + 2000));

        var history = new MetricsHistory(options.HistoryCapacity);
        int stepsRun = 0, clippedSteps = 0;
        double maxGradNorm = 0;
        var clock = Stopwatch.StartNew();
        float firstLoss = float.NaN, lastLoss = float.NaN;
        int? divergedAt = null, solvedAt = null;
        string? divergenceReason = null;
        AnomalyException? anomaly = null;
        int firstStep = 1, lastStep = 0, checkpointedAt = 0;
        if (resume is not null)
        {
            Checkpoint.Restore(options.ResumeFrom!, resume, model, optimizer, schedule, clipper);
            (firstLoss, solvedAt, firstStep, lastStep) = (resume.FirstLoss, resume.SolvedAtStep, resume.Step + 1, resume.Step);
        }

        void SaveCheckpoint(int step)
        {
            options.Metrics?.Flush(); // the metrics on disk are never behind a checkpoint
            Checkpoint.Save(options.CheckpointPath!, Checkpoint.Capture(config, step, firstLoss, solvedAt, model, optimizer, schedule, clipper, options.CheckpointEvery));
            checkpointedAt = step;
        }

        (double testLoss, double testAccuracy) = (double.NaN, double.NaN);
        bool evaluatedLast = false;
        using (options.DetectAnomaly ? Anomaly.Scope() : null)
        {
            for (int step = firstStep; step <= config.Steps && !cancellation.IsCancellationRequested; step++)
            {
                Anomaly.Step = options.DetectAnomaly ? step : null;
                float lr = optimizer.LearningRate;
                float loss = 0f;
                ClipReport report;
                try
                {
                    for (int micro = 0; micro < config.AccumulationSteps; micro++)
                    {
                        TaskBatch batch = task.Sample(config.Batch, BatchStream.For(config.Seed, step, micro));
                        Tensor microLoss = task.Loss(model.Forward(batch.Inputs), batch);
                        loss += microLoss.Item() / config.AccumulationSteps;
                        (config.AccumulationSteps == 1 ? microLoss : microLoss * (1f / config.AccumulationSteps)).Backward();
                    }

                    report = clipper.Clip(parameters);
                }
                catch (AnomalyException e)
                {
                    anomaly = e;
                    break;
                }

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

                lastLoss = loss;
                lastStep = step;
                bool divergesNow = divergedAt is null && Diverges(loss, firstLoss, config.DivergenceFactor, out divergenceReason);
                divergedAt = divergesNow ? step : divergedAt;
                bool stop = divergesNow && options.StopOnDivergence;
                double? evalLoss = null, evalAccuracy = null;
                evaluatedLast = false;
                if (!stop && (step % config.EvalEvery == 0 || step == config.Steps))
                {
                    (testLoss, testAccuracy) = Evaluate(model, task, test);
                    (evalLoss, evalAccuracy, evaluatedLast) = (testLoss, testAccuracy, true);
                    if (solvedAt is null && task.IsSolved(testLoss, testAccuracy))
                    {
                        solvedAt = step;
                    }
                }

                var row = new MetricsRow(step, loss, report.TotalNormBefore, report.TotalNormAfter, lr, report.Clipped, report.SkipStep,
                    report.PerParameter, evalLoss, evalAccuracy);
                history.Add(row, last: stop || step == config.Steps);
                options.Metrics?.Append(runName, row);
                stepsRun++;
                clippedSteps += row.Clipped ? 1 : 0;
                maxGradNorm = Math.Max(maxGradNorm, float.IsFinite(row.GradNormBefore) ? row.GradNormBefore : double.PositiveInfinity);
                bool checkpointNow = options.CheckpointPath is not null && !divergesNow
                    && ((options.CheckpointEvery > 0 && step % options.CheckpointEvery == 0) || step == config.Steps || cancellation.IsCancellationRequested);
                if (checkpointNow)
                {
                    SaveCheckpoint(step);
                }

                progress?.Report(new TrainingProgress(step, config.Steps, row));
                if (stop)
                {
                    break;
                }
            }
        }

        Anomaly.Step = null;
        options.Metrics?.Flush();
        bool interrupted = anomaly is null && lastStep < config.Steps && divergedAt is null && cancellation.IsCancellationRequested;
        if (interrupted && options.CheckpointPath is not null && lastStep >= firstStep && checkpointedAt != lastStep)
        {
            SaveCheckpoint(lastStep); // a cancellation that came after the step's own checkpoint test
        }

        if (!evaluatedLast && lastStep > 0)
        {
            (testLoss, testAccuracy) = Evaluate(model, task, test); // the real loss where the run stopped, never a made-up NaN
        }

        RunStatus status = anomaly is not null ? RunStatus.Anomaly : divergedAt is not null ? RunStatus.Diverged : interrupted ? RunStatus.Interrupted : RunStatus.Finished;
        return new RunResult(runName, config, task, history.Rows, status, divergedAt, solvedAt, testLoss, testAccuracy, clock.Elapsed.TotalSeconds)
        {
            StepsRun = stepsRun,
            ClippedSteps = clippedSteps,
            MaxGradNorm = maxGradNorm,
            RowsThinned = history.Thinned,
            LastLoss = lastLoss,
            LastStep = lastStep,
            DivergenceReason = divergenceReason,
            StoppedOnDivergence = options.StopOnDivergence,
            AnomalyOp = anomaly?.Op,
            AnomalyParameters = anomaly is null ? [] : NonFiniteFirst(anomaly, model),
            AnomalyMessage = anomaly?.Message,
        };
    }

    /// <summary>The held-out loss and accuracy, without recording a graph.</summary>
    /// <param name="model">The model.</param>
    /// <param name="task">The task.</param>
    /// <param name="test">The held-out batch.</param>
    /// <returns>The loss and the accuracy.</returns>
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

    /// <summary>The divergence rule: a non-finite loss, or one above <paramref name="factor"/> × the first loss.</summary>
    private static bool Diverges(float loss, float firstLoss, float factor, out string? reason)
    {
        float reference = Math.Max(firstLoss, 1e-3f);
        reason = !float.IsFinite(loss) ? $"the loss became {RunResult.Number(loss)}"
            : float.IsFinite(firstLoss) && loss > factor * reference
                ? $"loss {RunResult.Number(loss)} is over {RunResult.Number(factor)} × the first loss {RunResult.Number(firstLoss)}"
                : null;
        return reason is not null;
    }

    /// <summary>The parameters an anomaly points at: those whose value or gradient is already non-finite, else the op's upstream parameters.</summary>
    private static List<string> NonFiniteFirst(AnomalyException anomaly, SequenceModel model)
    {
        var values = new List<string>();
        var gradients = new List<string>();
        foreach ((string name, Tensor p) in model.NamedParameters())
        {
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(p.Data))
            {
                values.Add($"value of {name}");
            }
            else if (p.Grad is Tensor g && !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(g.Data))
            {
                gradients.Add($"gradient of {name}");
            }
        }

        List<string> found = [.. values, .. gradients];
        model.ZeroGrad();
        return found.Count > 0 ? found : [.. anomaly.Parameters];
    }
}
