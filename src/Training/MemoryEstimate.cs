using System.Globalization;
using System.Numerics;

namespace MiniNet.Training;

/// <summary>
/// What a run will hold in memory at its peak, worked out from its settings before anything is allocated, and the check
/// that it fits in the memory this process may use.
/// </summary>
/// <remarks>
/// Counted, in float32 values (4 bytes each):
/// <list type="bullet">
/// <item>the model: parameters P, their gradients and the backward's weight-gradient temporaries (2P), the packed recurrent
/// weights (≤ P), the optimizer's state (Adam/AdamW 2P, RMSprop and Adagrad P, SGD 0) and the copies a checkpoint takes (P + state);</item>
/// <item>the training step: per recurrent layer, what the fused forward keeps for backward through time (LSTM: the gates
/// T·B·4H, the hidden and cell states 2·(T+1)·B·H, tanh(c) T·B·H, the output T·B·H and the input T·B·I; RNN: (T+1)·B·H, T·B·H and
/// T·B·I) plus what its backward adds (the gate gradients T·B·gates·H, the operand matrix T·B·(I+H+1) and the input gradient),
/// pooled buffers counted at their power-of-two size;</item>
/// <item>evaluation: the held-out batch's inputs for the whole run, and the forward pass of one chunk of it
/// (<see cref="Trainer.EvaluationChunkSteps"/> sequence-steps) under NoGrad, which keeps no step's gates;</item>
/// <item>64 MB for the runtime itself.</item>
/// </list>
/// The peak is the model plus the held-out inputs plus the larger of a training step, an evaluation and a second copy of
/// the held-out inputs (the task's sampler builds them in an array the tensor then copies). The check compares it
/// with <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/> (the machine's memory, or the container's or GC heap limit).
/// </remarks>
/// <param name="ModelBytes">Parameters, gradients, optimizer state, packed weights and checkpoint copies.</param>
/// <param name="TrainingStepBytes">A training step's activations and backward buffers.</param>
/// <param name="EvaluationBytes">An evaluation's forward buffers.</param>
/// <param name="HeldOutBytes">The held-out batch's inputs (kept the whole run).</param>
/// <param name="Config">The settings estimated.</param>
public sealed record MemoryEstimate(long ModelBytes, long TrainingStepBytes, long EvaluationBytes, long HeldOutBytes, TrainingConfig Config)
{
    private const long RuntimeBytes = 64L << 20;

    /// <summary>The estimated peak.</summary>
    public long PeakBytes => RuntimeBytes + ModelBytes + Math.Max(2 * HeldOutBytes, HeldOutBytes + Math.Max(TrainingStepBytes, EvaluationBytes));

    /// <summary>The memory this process may use (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>).</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Estimates a configuration (which should be valid: see <see cref="TrainingConfig.Validate()"/>).</summary>
    /// <param name="config">The settings.</param>
    /// <returns>The estimate.</returns>
    public static MemoryEstimate For(TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ISequenceTask task = TaskCatalog.Create(config.Task, config.SequenceLength);
        long gates = ModelCatalog.Gates(config.Model);
        long h = config.Hidden, layers = config.Layers, t = task.SequenceLength, input = task.InputSize, output = task.OutputSize;
        long parameters = ParameterCount(config);
        long state = config.Optimizer switch { "adam" or "adamw" => 2, "rmsprop" or "adagrad" => 1, _ => 0 } * parameters;
        long model = (2 * parameters) + parameters + (parameters + state) + state;
        long training = Step(config.Batch, backward: true);
        long evaluation = Evaluation(Math.Min(config.EvalBatch, Math.Max(1, Trainer.EvaluationChunkSteps / t)));
        return new MemoryEstimate(4 * model, 4 * training, 4 * evaluation, 4 * config.EvalBatch * t * input, config);

        long Step(long batch, bool backward)
        {
            long total = batch * t * input; // the batch's inputs
            for (long layer = 0; layer < layers; layer++)
            {
                long features = layer == 0 ? input : h;
                long rows = t * batch;
                long kept = Pow2(rows * features) + (rows * h) + Pow2((t + 1) * batch * h)
                    + (gates == 4 ? Pow2(rows * 4 * h) + Pow2((t + 1) * batch * h) + Pow2(rows * h) : 0)
                    + (gates == 3 ? Pow2(rows * 3 * h) + Pow2(rows * h) + Pow2(batch * 3 * h) : 0);   // GRU: gates, ĥ, one step's W_hh product
                long deltas = gates == 3 ? 2 : 1;                                                      // a GRU keeps δ_ih and δ_hh
                long back = backward ? (deltas * Pow2(rows * gates * h)) + Pow2(rows * (features + h + 1)) + (2 * rows * features) + (2 * rows * h) : 0;
                total += kept + back;
            }

            long heads = task.Readout == TaskReadout.EveryStep ? t * batch * output * 4 : batch * output * 4;
            return total + (backward ? 2 * heads : heads);
        }

        // One chunk of the held-out batch under NoGrad: the fused LSTM and GRU keep the running state, a chunk of
        // gates (about 2¹⁸ floats) and their output; the RNN its state history (T+1)·B·H and its output.
        long Evaluation(long batch)
        {
            long total = batch * t * input;
            for (long layer = 0; layer < layers; layer++)
            {
                long features = layer == 0 ? input : h;
                long rows = t * batch;
                long chunk = Pow2(Math.Min(rows, Math.Max(batch, (1L << 18) / Math.Max(1, gates * h) * batch)) * gates * h);
                total += Pow2(rows * features) + (rows * h)
                    + (gates == 1 ? Pow2((t + 1) * batch * h) : chunk + (4 * Pow2(2 * batch * h)));
            }

            long heads = task.Readout == TaskReadout.EveryStep ? t * batch * output * 4 : batch * output * 4;
            return total + heads;
        }
    }

    /// <summary>The number of values in the parameters of the model a configuration builds (computed, nothing allocated).</summary>
    /// <param name="config">The settings (valid).</param>
    /// <returns>The parameter count.</returns>
    public static long ParameterCount(TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ISequenceTask task = TaskCatalog.Create(config.Task, config.SequenceLength);
        long gates = ModelCatalog.Gates(config.Model);
        long h = config.Hidden, input = task.InputSize, output = task.OutputSize;
        return (gates * h * (input + h + 2)) + ((config.Layers - 1) * gates * h * (h + h + 2)) + (h * output) + output;
    }

    /// <summary>Throws when the estimate exceeds <paramref name="available"/> bytes (default: <see cref="AvailableBytes"/>), naming the option that dominates and a value that fits.</summary>
    /// <param name="available">The bytes allowed, or null for the process's available memory.</param>
    /// <exception cref="ArgumentException">The run would not fit.</exception>
    public void ThrowIfTooLarge(long? available = null)
    {
        long limit = available ?? AvailableBytes;
        if (PeakBytes <= limit)
        {
            return;
        }

        TrainingConfig c = Config;
        long evalShare = HeldOutBytes + Math.Max(HeldOutBytes, EvaluationBytes);
        var candidates = new (long Share, string What, string Option, int Current, Func<int, TrainingConfig> With)[]
        {
            (ModelBytes, $"the model and its optimizer state (--hidden {c.Hidden}, --layers {c.Layers})", "--hidden", c.Hidden, v => c with { Hidden = v }),
            (TrainingStepBytes, $"the training step's activations (--batch {c.Batch} × --seq-len {c.SequenceLength})", "--batch", c.Batch, v => c with { Batch = v }),
            (evalShare, $"the held-out batch (--eval-batch {c.EvalBatch} × --seq-len {c.SequenceLength})", "--eval-batch", c.EvalBatch, v => c with { EvalBatch = v }),
        };
        Array.Sort(candidates, (x, y) => y.Share.CompareTo(x.Share));
        string what = candidates[0].What;
        string advice = "no single option makes it fit; make --hidden and --seq-len smaller";
        foreach ((long _, string _, string option, int current, Func<int, TrainingConfig> with) in candidates)
        {
            int fits = LargestThatFits(with, current, limit);
            if (fits > 0)
            {
                advice = option == candidates[0].Option ? $"{option} {fits} would fit" : $"{option} {fits} would fit (with the others unchanged)";
                break;
            }
        }

        throw new ArgumentException(
            $"This run needs about {Gb(PeakBytes)} of memory (model and optimizer {Gb(ModelBytes)}, training step {Gb(TrainingStepBytes)}, " +
            $"held-out evaluation {Gb(evalShare)}) but {Gb(limit)} is available; {what} dominates: {advice}.");
    }

    private static int LargestThatFits(Func<int, TrainingConfig> with, int current, long limit)
    {
        int low = 0, high = current; // the largest value in [1, current) whose estimate fits, or 0
        while (high - low > 1)
        {
            int middle = low + ((high - low) / 2);
            if (For(with(middle)).PeakBytes <= limit)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private static long Pow2(long values) => values <= 16 ? values : (long)BitOperations.RoundUpToPowerOf2((ulong)values);

    private static string Gb(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GB"
        : (bytes / (double)(1L << 20)).ToString("0", CultureInfo.InvariantCulture) + " MB";
}
