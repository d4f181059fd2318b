using System.Diagnostics;
using MathNet.Numerics.Random;
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Optimizers;

namespace MiniNet.Training;

/// <summary>
/// The state of one run while <see cref="Trainer"/> drives it: the model, optimizer, schedule and clipper built from the
/// settings (or restored from a checkpoint), the held-out batch, and what the run has seen so far.
/// </summary>
internal sealed class TrainingRun
{
    private readonly TrainingOptions _options;
    private readonly ISequenceModel _model;
    private readonly IReadOnlyList<Tensor> _parameters;
    private readonly Optimizer _optimizer;
    private readonly LrSchedule? _schedule;
    private readonly IGradientClipper _clipper;
    private readonly TaskBatch _test;
    private readonly MetricsHistory _history;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _stepsRun, _clippedSteps, _checkpointedAt;
    private double _maxGradNorm;
    private float _firstLoss = float.NaN, _lastLoss = float.NaN;
    private int? _divergedAt, _solvedAt;
    private string? _divergenceReason;
    private bool _stoppedByDivergence, _evaluatedLast;
    private (double Loss, double Accuracy) _testMetrics = (double.NaN, double.NaN);
    private AnomalyException? _anomaly;

    private TrainingRun(TrainingConfig config, TrainingOptions options, string name, CheckpointState? resume)
    {
        (Config, _options, Name) = (config, options, name);
        TrainingParts? parts = options.Parts;
        Task = parts?.Task ?? TaskCatalog.Create(config.Task, config.SequenceLength);
        _model = parts?.Model?.Invoke(Task, new MersenneTwister(config.Seed))
            ?? new SequenceModel(config.Model, Task.InputSize, config.Hidden, config.Layers, Task.OutputSize, Task.Readout, new MersenneTwister(config.Seed));
        _parameters = [.. _model.NamedParameters().Select(p => p.Parameter)];
        _optimizer = parts?.Optimizer?.Invoke(_parameters, config.LearningRate) ?? OptimizerSpec.Create(config.Optimizer, _parameters, config.LearningRate);
        _schedule = OptimizerSpec.CreateSchedule(config.Schedule, _optimizer, config.Steps);
        _clipper = parts?.Clipper ?? ClipperSpec.Parse(config.Clip);
        _test = Task.Sample(config.EvalBatch, new MersenneTwister(config.Seed + 2000));
        _history = new MetricsHistory(options.HistoryCapacity ?? int.MaxValue, options.KeepParameterNorms);
        FirstStep = 1;
        if (resume is not null)
        {
            Checkpoint.Restore(options.ResumeFrom!, resume, _model, _optimizer, _schedule, _clipper);
            (_firstLoss, _solvedAt, FirstStep, LastStep, _checkpointedAt) = (resume.FirstLoss, resume.SolvedAtStep, resume.Step + 1, resume.Step, resume.Step);
        }
    }

    /// <summary>The settings (a resumed run's come from its checkpoint).</summary>
    public TrainingConfig Config { get; }

    /// <summary>The task.</summary>
    public ISequenceTask Task { get; }

    /// <summary>The run's label.</summary>
    public string Name { get; }

    /// <summary>The first step to train (1, or the checkpoint's step + 1).</summary>
    public int FirstStep { get; }

    /// <summary>The last step completed.</summary>
    public int LastStep { get; private set; }

    /// <summary>Validates the settings (and, when resuming, the checkpoint), checks that the run fits in memory, then builds it.</summary>
    public static TrainingRun Start(TrainingConfig config, TrainingOptions options, string? name)
    {
        CheckpointState? resume = options.ResumeFrom is null ? null : options.ResumeState ?? Checkpoint.Load(options.ResumeFrom);
        config = resume is null ? config : resume.Config with { Steps = options.ResumeSteps ?? resume.Config.Steps };
        TrainingParts? parts = options.Parts;
        // a part given as an object stands for its name: the name is not checked, and reports show the object's
        config = parts?.ClipLabel is string clip ? config with { Clip = clip } : config;
        config.Validate(parts);
        if (parts is null or { Task: null, Model: null })
        {
            MemoryEstimate.For(config).ThrowIfTooLarge(); // the estimate knows MiniNet's own models and tasks only
        }

        if (resume is not null && config.Steps < resume.Step)
        {
            throw new ArgumentException($"--steps {config.Steps} is below the checkpoint's step {resume.Step}; give a total of at least {resume.Step} steps.");
        }

        return new TrainingRun(config, options, name ?? config.Clip, resume);
    }

    /// <summary>
    /// One optimizer step: for each micro-batch, forward → loss → Backward (gradients add up); then the clipper, once;
    /// then the optimizer (unless the clipper says skip), ZeroGrad and the schedule. Null when anomaly mode stopped it.
    /// </summary>
    /// <returns>The step's loss and clip report, or null.</returns>
    public (float Loss, float LearningRate, ClipReport Report)? TrainStep(int step)
    {
        float lr = _optimizer.LearningRate;
        float loss = 0f;
        ClipReport report;
        using TensorScope scope = TensorScope.Open();   // the step's intermediate tensors serve the next step
        try
        {
            for (int micro = 0; micro < Config.AccumulationSteps; micro++)
            {
                TaskBatch batch = Task.Sample(Config.Batch, BatchStream.For(Config.Seed, step, micro));
                Tensor microLoss = Task.Loss(_model.Forward(batch.Inputs), batch);
                loss += microLoss.Item() / Config.AccumulationSteps;
                (Config.AccumulationSteps == 1 ? microLoss : microLoss * (1f / Config.AccumulationSteps)).Backward();
            }

            report = _clipper.Clip(_parameters);
        }
        catch (AnomalyException e)
        {
            _anomaly = e;
            return null;
        }

        if (!report.SkipStep)
        {
            _optimizer.Step();
        }

        _optimizer.ZeroGrad();
        _schedule?.Step();
        return (loss, lr, report);
    }

    /// <summary>Records a trained step: the divergence rule, the held-out evaluation when due, the metrics row (kept, streamed).</summary>
    /// <returns>The row, and whether the run must stop (it diverged and <see cref="TrainingOptions.StopOnDivergence"/> is on).</returns>
    public (MetricsRow Row, bool Stop) Record(int step, float loss, float lr, ClipReport report)
    {
        _firstLoss = step == 1 ? loss : _firstLoss;
        (_lastLoss, LastStep) = (loss, step);
        bool divergesNow = _divergedAt is null && Diverges(loss, _firstLoss, Config.DivergenceFactor, out _divergenceReason);
        _divergedAt = divergesNow ? step : _divergedAt;
        _stoppedByDivergence = divergesNow && _options.StopOnDivergence;
        double? evalLoss = null, evalAccuracy = null;
        _evaluatedLast = !_stoppedByDivergence && (step % Config.EvalEvery == 0 || step == Config.Steps);
        if (_evaluatedLast)
        {
            _testMetrics = Trainer.Evaluate(_model, Task, _test);
            (evalLoss, evalAccuracy) = _testMetrics;
            _solvedAt ??= Task.IsSolved(_testMetrics.Loss, _testMetrics.Accuracy) ? step : null;
        }

        var row = new MetricsRow(step, loss, report.TotalNormBefore, report.TotalNormAfter, lr, report.Clipped, report.SkipStep, report.PerParameter, evalLoss, evalAccuracy);
        _history.Add(row, last: _stoppedByDivergence || step == Config.Steps);
        _options.Metrics?.Append(Name, row);
        _stepsRun++;
        _clippedSteps += row.Clipped ? 1 : 0;
        _maxGradNorm = Math.Max(_maxGradNorm, float.IsFinite(row.GradNormBefore) ? row.GradNormBefore : double.PositiveInfinity);
        return (row, _stoppedByDivergence);
    }

    /// <summary>Whether a checkpoint is due after <paramref name="step"/>: every <see cref="TrainingOptions.CheckpointEvery"/> steps, after the last step,
    /// and when a stop was asked for; never on the step that diverged.</summary>
    public bool CheckpointDue(int step, bool stopRequested) =>
        _options.CheckpointPath is not null && _divergedAt != step
        && ((_options.CheckpointEvery > 0 && step % _options.CheckpointEvery == 0) || step == Config.Steps || stopRequested);

    /// <summary>Flushes the metrics (so they are never behind the checkpoint), then writes the checkpoint atomically.</summary>
    public void SaveCheckpoint(int step)
    {
        _options.Metrics?.Flush();
        Checkpoint.Save(_options.CheckpointPath!, Checkpoint.Capture(Config, step, _firstLoss, _solvedAt, _model, _optimizer, _schedule, _clipper, _options.CheckpointEvery));
        _checkpointedAt = step;
    }

    /// <summary>Ends the run: flushes the metrics, checkpoints an interrupted run, evaluates where it stopped, and gives the verdict.</summary>
    /// <param name="stopRequested">Whether a cancellation came.</param>
    /// <returns>The result.</returns>
    public RunResult Finish(bool stopRequested)
    {
        _options.Metrics?.Flush();
        bool interrupted = _anomaly is null && !_stoppedByDivergence && LastStep < Config.Steps && stopRequested;
        if (interrupted && _options.CheckpointPath is not null && _checkpointedAt != LastStep)
        {
            SaveCheckpoint(LastStep); // a cancellation that came after the step's own checkpoint test
        }

        if (!_evaluatedLast && LastStep > 0)
        {
            _testMetrics = Trainer.Evaluate(_model, Task, _test); // the real loss where the run stopped, never a made-up NaN
        }

        RunStatus status = _anomaly is not null ? RunStatus.Anomaly : interrupted ? RunStatus.Interrupted : _divergedAt is not null ? RunStatus.Diverged : RunStatus.Finished;
        return new RunResult(Name, Config, Task, _history.Rows, status, _divergedAt, _solvedAt, _testMetrics.Loss, _testMetrics.Accuracy, _clock.Elapsed.TotalSeconds)
        {
            StepsRun = _stepsRun,
            ClippedSteps = _clippedSteps,
            MaxGradNorm = _maxGradNorm,
            RowsThinned = _history.Thinned,
            LastLoss = _lastLoss,
            LastStep = LastStep,
            DivergenceReason = _divergenceReason,
            StoppedOnDivergence = _options.StopOnDivergence,
            AnomalyOp = _anomaly?.Op,
            AnomalyParameters = _anomaly is null ? [] : NonFiniteFirst(_anomaly),
            AnomalyMessage = _anomaly?.Message,
            Model = _model,
        };
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
    private List<string> NonFiniteFirst(AnomalyException anomaly)
    {
        var values = new List<string>();
        var gradients = new List<string>();
        foreach ((string name, Tensor p) in _model.NamedParameters())
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
        foreach (Tensor parameter in _parameters)
        {
            parameter.ZeroGrad(); // the step stopped half-way: its partial gradients go
        }

        return found.Count > 0 ? found : [.. anomaly.Parameters];
    }
}
