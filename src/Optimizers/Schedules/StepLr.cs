namespace MiniNet.Optimizers;

/// <summary>Multiplies the learning rate by γ every <c>stepSize</c> steps (PyTorch's <c>StepLR</c>).</summary>
/// <remarks>Chained: lr ← lr·γ when t is a positive multiple of stepSize. Alone: lr_t = lr₀·γ^⌊t / stepSize⌋.</remarks>
public sealed class StepLr : ChainableLrSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="stepSize">Steps between decays, &gt; 0.</param>
    /// <param name="gamma">The decay factor, &gt; 0.</param>
    public StepLr(Optimizer optimizer, int stepSize, double gamma = 0.1)
        : base(optimizer)
    {
        Require(stepSize > 0, nameof(stepSize), stepSize, "> 0");
        Require(gamma > 0, nameof(gamma), gamma, "> 0");
        (StepSize, Gamma) = (stepSize, gamma);
        Start();
    }

    /// <summary>Steps between decays.</summary>
    public int StepSize { get; }

    /// <summary>The decay factor γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double ChainedRate(double current, double initial) =>
        StepCount == 0 || StepCount % StepSize != 0 ? current : current * Gamma;

    /// <inheritdoc/>
    protected override double ClosedFormRate(double initial) => initial * Math.Pow(Gamma, StepCount / StepSize);
}
