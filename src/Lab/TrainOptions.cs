using System.CommandLine;
using System.Globalization;
using MiniNet.Training;

namespace MiniNet.Lab;

/// <summary>The options every training command shares, with per-command defaults.</summary>
internal sealed class TrainOptions
{
    public TrainOptions(TrainingConfig defaults)
    {
        Task = Text("--task", defaults.Task, $"the toy task: {string.Join(", ", TaskCatalog.Names)}");
        Model = Text("--model", defaults.Model, $"the recurrent model: {ModelCatalog.Valid}");
        Hidden = Number("--hidden", defaults.Hidden, "hidden size");
        Layers = Number("--layers", defaults.Layers, "stacked recurrent layers");
        SequenceLength = Number("--seq-len", defaults.SequenceLength, "sequence length T (for copy: the delay)");
        Batch = Number("--batch", defaults.Batch, "sequences per step");
        Optimizer = Text("--optimizer", defaults.Optimizer, string.Join(", ", OptimizerSpec.Names));
        LearningRate = new Option<string>("--lr") { Description = "learning rate", DefaultValueFactory = _ => defaults.LearningRate.ToString(CultureInfo.InvariantCulture) };
        Steps = Number("--steps", defaults.Steps, "optimizer steps");
        Seed = Number("--seed", defaults.Seed, "random seed (initialization, batches, test set)");
        Schedule = Text("--schedule", defaults.Schedule, OptimizerSpec.ScheduleForms);
        Accumulation = Number("--accumulation", defaults.AccumulationSteps, "micro-batches per step (clipped once, on their sum)");
        EvalEvery = Number("--eval-every", defaults.EvalEvery, "steps between held-out evaluations");
        EvalBatch = Number("--eval-batch", defaults.EvalBatch, "sequences in the held-out batch");
        DivergenceFactor = new Option<string>("--divergence-factor")
        {
            Description = "a loss above this multiple of the first loss (or non-finite) means diverged",
            DefaultValueFactory = _ => defaults.DivergenceFactor.ToString(CultureInfo.InvariantCulture),
        };
        NoStopOnDivergence = new Option<bool>("--no-stop-on-divergence") { Description = "keep training after divergence (watch the loss reach ∞ and NaN)" };
        Anomaly = new Option<bool>("--anomaly") { Description = "anomaly mode: stop at the first op whose value or gradient becomes NaN or ∞, naming it and the parameters (exit code 3); the divergence rule does not stop the run first" };
        CheckpointEvery = Number("--checkpoint-every", 0, "write a checkpoint every N steps (atomically); 0: only at the end and when interrupted");
        Out = new Option<string?>("--out") { Description = "output folder (default: runs/<command>-<time>); never overwritten" };
    }

    public Option<int> EvalBatch { get; }

    public Option<string> DivergenceFactor { get; }

    public Option<bool> NoStopOnDivergence { get; }

    public Option<bool> Anomaly { get; }

    public Option<int> CheckpointEvery { get; }

    /// <summary>Every option of this set.</summary>
    public IEnumerable<Option> All => [Task, Model, Hidden, Layers, SequenceLength, Batch, Optimizer, LearningRate, Steps, Seed, Schedule, Accumulation, EvalEvery, EvalBatch,
        DivergenceFactor, NoStopOnDivergence, Anomaly, CheckpointEvery, Out];

    /// <summary>The options that define a run's settings (a resumed run keeps its checkpoint's; giving one with --resume is an error).</summary>
    public IEnumerable<Option> RunDefining => [Task, Model, Hidden, Layers, SequenceLength, Batch, Optimizer, LearningRate, Seed, Schedule, Accumulation, EvalEvery, EvalBatch, DivergenceFactor];

    public Option<string> Task { get; }

    public Option<string> Model { get; }

    public Option<int> Hidden { get; }

    public Option<int> Layers { get; }

    public Option<int> SequenceLength { get; }

    public Option<int> Batch { get; }

    public Option<string> Optimizer { get; }

    public Option<string> LearningRate { get; }

    public Option<int> Steps { get; }

    public Option<int> Seed { get; }

    public Option<string> Schedule { get; }

    public Option<int> Accumulation { get; }

    public Option<int> EvalEvery { get; }

    public Option<string?> Out { get; }

    public void AddTo(Command command)
    {
        foreach (Option option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The configuration the parsed options describe, validated (throws <see cref="ArgumentException"/> naming the bad option).</summary>
    public TrainingConfig Read(ParseResult parse, string clip)
    {
        string lr = parse.GetValue(LearningRate)!;
        if (!float.TryParse(lr, NumberStyles.Float, CultureInfo.InvariantCulture, out float learningRate))
        {
            throw new ArgumentException($"--lr '{lr}' is not a number; give a positive learning rate such as 1e-3.");
        }

        string factorText = parse.GetValue(DivergenceFactor)!;
        if (!float.TryParse(factorText, NumberStyles.Float, CultureInfo.InvariantCulture, out float factor))
        {
            throw new ArgumentException($"--divergence-factor '{factorText}' is not a number; give a factor greater than 1 such as 100.");
        }

        var config = new TrainingConfig(
            Task: parse.GetValue(Task)!, Model: parse.GetValue(Model)!, Hidden: parse.GetValue(Hidden), Layers: parse.GetValue(Layers),
            SequenceLength: parse.GetValue(SequenceLength), Batch: parse.GetValue(Batch), Optimizer: parse.GetValue(Optimizer)!,
            LearningRate: learningRate, Steps: parse.GetValue(Steps), Seed: parse.GetValue(Seed), Clip: clip, Schedule: parse.GetValue(Schedule)!,
            AccumulationSteps: parse.GetValue(Accumulation), EvalEvery: parse.GetValue(EvalEvery), EvalBatch: parse.GetValue(EvalBatch), DivergenceFactor: factor);
        config.Validate();
        MemoryEstimate.For(config).ThrowIfTooLarge();
        return config;
    }

    /// <summary>Checkpointing, anomaly mode and divergence handling as the options give them (the checkpoint path is set by the command).</summary>
    public TrainingOptions Training(ParseResult parse)
    {
        int every = parse.GetValue(CheckpointEvery);
        if (every < 0)
        {
            throw new ArgumentException($"--checkpoint-every {every} is invalid; it must be 0 (only at the end and when interrupted) or a positive number of steps.");
        }

        // Anomaly mode looks for the first NaN or ∞, which the divergence rule (a loss 100 × the first) would otherwise stop short of.
        bool anomaly = parse.GetValue(Anomaly);
        return new TrainingOptions(CheckpointEvery: every, DetectAnomaly: anomaly, HistoryCapacity: RunFolder.ReportRows, StopOnDivergence: !anomaly && !parse.GetValue(NoStopOnDivergence), KeepParameterNorms: true);
    }

    /// <summary>Whether the user typed <paramref name="option"/> (rather than leaving its default).</summary>
    public static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    private static Option<string> Text(string name, string value, string description) =>
        new(name) { Description = description, DefaultValueFactory = _ => value };

    private static Option<int> Number(string name, int value, string description) =>
        new(name) { Description = description, DefaultValueFactory = _ => value };
}
