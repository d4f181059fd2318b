namespace MiniNet.Training;

/// <summary>One training run's settings; the names match the <c>mininet train</c> options.</summary>
/// <param name="Task">adding, multiplication, temporal-order, temporal-order-3bit or copy.</param>
/// <param name="Model">rnn (tanh), rnn-relu, gru or lstm (<see cref="ModelCatalog"/>).</param>
/// <param name="Hidden">Hidden size.</param>
/// <param name="Layers">Stacked recurrent layers.</param>
/// <param name="SequenceLength">T (for copy, the delay).</param>
/// <param name="Batch">Sequences per step.</param>
/// <param name="Optimizer">sgd, adam, adamw, rmsprop or adagrad.</param>
/// <param name="LearningRate">The learning rate.</param>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="Seed">Seeds the model's initialization, the training batches and the held-out test batch.</param>
/// <param name="Clip">A clipper spec (see <see cref="ClipperSpec"/>).</param>
/// <param name="Schedule">A schedule spec (see <see cref="OptimizerSpec.ScheduleForms"/>).</param>
/// <param name="AccumulationSteps">Micro-batches per step; gradients are summed and clipped once.</param>
/// <param name="EvalEvery">Steps between evaluations on the held-out batch.</param>
/// <param name="EvalBatch">Sequences in the held-out batch.</param>
/// <param name="DivergenceFactor">A loss above this multiple of the first loss (or non-finite) stops the run as diverged.</param>
public sealed record TrainingConfig(
    string Task = "adding",
    string Model = "lstm",
    int Hidden = 64,
    int Layers = 1,
    int SequenceLength = 100,
    int Batch = 64,
    string Optimizer = "adam",
    float LearningRate = 0.01f,
    int Steps = 2000,
    int Seed = 1,
    string Clip = "global-norm:1",
    string Schedule = "none",
    int AccumulationSteps = 1,
    int EvalEvery = 100,
    int EvalBatch = 500,
    float DivergenceFactor = 100f)
{
    /// <summary>Checks every setting and throws naming the first bad one, its value and the valid range.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate() => Validate(null);

    /// <summary>Checks every setting except those that <paramref name="parts"/> replaces with objects (their names are only labels then).</summary>
    /// <param name="parts">Your own task, model, optimizer or clipper, or null.</param>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate(TrainingParts? parts)
    {
        if (parts?.Task is null)
        {
            TaskCatalog.Create(Task, SequenceLength);
        }

        if (parts?.Model is null && !ModelCatalog.IsKnown(Model))
        {
            throw new ArgumentException($"Unknown model '{Model}'; valid models are {ModelCatalog.Valid}.");
        }

        Positive(Hidden, "hidden", 8192);
        Positive(Layers, "layers", 64);
        Positive(Batch, "batch", 1 << 20);
        Positive(Steps, "steps", 1_000_000_000);
        Positive(AccumulationSteps, "accumulation", 1 << 16);
        Positive(EvalEvery, "eval-every", int.MaxValue);
        Positive(EvalBatch, "eval-batch", 1 << 20);
        if (SequenceLength > 1_000_000)
        {
            throw new ArgumentException($"--seq-len {SequenceLength} is invalid; it must be at most 1000000.");
        }

        // Whether the run fits in memory is MemoryEstimate's question (it depends on the machine); these are the limits of the settings.
        if (parts?.Optimizer is null && !OptimizerSpec.Names.Contains(Optimizer))
        {
            throw new ArgumentException($"Unknown optimizer '{Optimizer}'; valid optimizers are {string.Join(", ", OptimizerSpec.Names)}.");
        }

        if (!(LearningRate > 0f) || !float.IsFinite(LearningRate))
        {
            throw new ArgumentException($"--lr {LearningRate} is invalid; the learning rate must be a positive, finite number (for example 1e-3).");
        }

        if (!(DivergenceFactor > 1f) || !float.IsFinite(DivergenceFactor))
        {
            throw new ArgumentException($"--divergence-factor {DivergenceFactor.ToString(System.Globalization.CultureInfo.InvariantCulture)} is invalid; it must be a finite number greater than 1 (to never stop, use --no-stop-on-divergence).");
        }

        if (parts?.Clipper is null)
        {
            ClipperSpec.Parse(Clip);
        }

        var probe = new MiniNet.Optimizers.Sgd([MiniNet.Autograd.Tensor.Zeros([1], requiresGrad: true)]);
        OptimizerSpec.CreateSchedule(Schedule, probe, Steps); // throws naming a malformed schedule
        OptimizerSpec.CheckScheduleRange(Schedule, LearningRate, Steps); // and one whose rate would leave the finite, positive floats
    }

    private static void Positive(int value, string option, int max)
    {
        if (value <= 0 || value > max)
        {
            throw new ArgumentException($"--{option} {value} is invalid; it must be a positive whole number{(max == int.MaxValue ? string.Empty : $" up to {max}")}.");
        }
    }
}
