using System.Globalization;
using MiniNet.Autograd;
using MiniNet.Optimizers;

namespace MiniNet.Training;

/// <summary>Optimizers and learning-rate schedules by their command-line names.</summary>
public static class OptimizerSpec
{
    /// <summary>The valid optimizer names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "adam", "adamw", "rmsprop", "adagrad"];

    /// <summary>The valid schedule forms.</summary>
    public const string ScheduleForms = "none, cosine, step:N:GAMMA, warmup:N (linear warmup over N steps, then constant), warmup:N+cosine";

    /// <summary>Creates an optimizer with PyTorch's defaults for everything but the learning rate.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">The learning rate.</param>
    /// <returns>The optimizer.</returns>
    public static Optimizer Create(string name, IEnumerable<Tensor> parameters, float learningRate) => name switch
    {
        "sgd" => new Sgd(parameters, learningRate),
        "adam" => new Adam(parameters, learningRate),
        "adamw" => new AdamW(parameters, learningRate),
        "rmsprop" => new RmsProp(parameters, learningRate),
        "adagrad" => new Adagrad(parameters, learningRate),
        _ => throw new ArgumentException($"Unknown optimizer '{name}'; valid optimizers are {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>Creates a schedule over <paramref name="steps"/> training steps, or null for a constant rate.</summary>
    /// <param name="spec">One of <see cref="ScheduleForms"/>.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="steps">The run's length (cosine anneals over it).</param>
    /// <returns>The schedule, or null for none.</returns>
    /// <exception cref="ArgumentException">The spec is not one of <see cref="ScheduleForms"/>; the message names it.</exception>
    public static LrSchedule? CreateSchedule(string spec, Optimizer optimizer, int steps)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string[] parts = spec.Split(':');
        ArgumentException Unknown() => new($"Unknown schedule '{spec}'; valid forms are {ScheduleForms}.", nameof(spec));
        int Int(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v : throw new ArgumentException($"Schedule '{spec}' needs a positive whole number of steps, not '{text}'; valid forms are {ScheduleForms}.", nameof(spec));
        switch (parts[0])
        {
            case "none" when parts.Length == 1:
                return null;
            case "cosine" when parts.Length == 1:
                return new CosineAnnealingLr(optimizer, Math.Max(steps, 1));
            case "step" when parts.Length == 3:
                if (!double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double gamma) || !(gamma > 0) || !double.IsFinite(gamma))
                {
                    throw new ArgumentException($"Schedule '{spec}': the factor '{parts[2]}' must be a positive, finite number such as 0.5.", nameof(spec));
                }

                return new StepLr(optimizer, Int(parts[1]), gamma);
            case "warmup" when parts.Length == 2:
                string[] warm = parts[1].Split('+');
                if (warm.Length > 2 || (warm.Length == 2 && warm[1] != "cosine"))
                {
                    throw Unknown();
                }

                int n = Int(warm[0]);
                var warmup = new LinearLr(optimizer, startFactor: 0.1, endFactor: 1.0, totalIters: n);
                return warm.Length == 1 ? warmup : new SequentialLr(optimizer, [warmup, new CosineAnnealingLr(optimizer, Math.Max(steps - n, 1))], [n]);
            default:
                throw Unknown();
        }
    }

    /// <summary>Refuses a schedule whose rate would overflow to ∞ or underflow to 0 within the run (a <c>step:N:GAMMA</c> compounding over many steps).</summary>
    /// <param name="spec">A valid schedule spec.</param>
    /// <param name="learningRate">The initial rate.</param>
    /// <param name="steps">The run's length.</param>
    /// <exception cref="ArgumentException">The rate leaves the positive, finite float range; the message says at which step.</exception>
    public static void CheckScheduleRange(string spec, float learningRate, int steps)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string[] parts = spec.Split(':');
        if (parts[0] != "step")
        {
            return; // the other schedules stay between 0.1 × and 1 × the initial rate (cosine reaches 0 only at its end, as in PyTorch)
        }

        int size = int.Parse(parts[1], CultureInfo.InvariantCulture);
        double gamma = double.Parse(parts[2], CultureInfo.InvariantCulture);
        long decays = (steps - 1L) / size;
        double log10 = Math.Log10(learningRate) + (decays * Math.Log10(gamma));
        if (log10 > Math.Log10(float.MaxValue) || log10 < Math.Log10(float.Epsilon))
        {
            throw new ArgumentException(
                $"Schedule '{spec}' would take the learning rate {learningRate.ToString(CultureInfo.InvariantCulture)} to about 1e{Math.Round(log10).ToString(CultureInfo.InvariantCulture)} " +
                $"by step {steps}, outside float32's finite, positive range; use a factor closer to 1, a longer step, or fewer --steps.", nameof(spec));
        }
    }
}
