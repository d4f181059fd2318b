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
    public static LrSchedule? CreateSchedule(string spec, Optimizer optimizer, int steps)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string[] parts = spec.Split(':');
        int Int(int index) => index < parts.Length && int.TryParse(parts[index].Split('+')[0], NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v : throw new ArgumentException($"Schedule '{spec}' needs a positive whole number of steps; valid forms are {ScheduleForms}.", nameof(spec));
        return parts[0] switch
        {
            "none" when parts.Length == 1 => null,
            "cosine" when parts.Length == 1 => new CosineAnnealingLr(optimizer, Math.Max(steps, 1)),
            "step" when parts.Length == 3 && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double gamma) && gamma > 0 =>
                new StepLr(optimizer, Int(1), gamma),
            "warmup" when parts.Length == 2 => new LinearWarmup(optimizer, Int(1), 0.1,
                spec.EndsWith("+cosine", StringComparison.Ordinal) ? new CosineAnnealingLr(optimizer, Math.Max(steps - Int(1), 1)) : null),
            _ => throw new ArgumentException($"Unknown schedule '{spec}'; valid forms are {ScheduleForms}.", nameof(spec)),
        };
    }
}
