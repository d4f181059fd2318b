namespace MiniNet.Optimizers;

/// <summary>Multiplies the learning rate by γ every step (PyTorch's <c>ExponentialLR</c>).</summary>
/// <remarks>Chained: lr ← lr·γ for t &gt; 0. Alone: lr_t = lr₀·γ^t.</remarks>
public sealed class ExponentialLr : ChainableLrSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="gamma">The factor per step, &gt; 0.</param>
    public ExponentialLr(Optimizer optimizer, double gamma)
        : base(optimizer)
    {
        Require(gamma > 0, nameof(gamma), gamma, "> 0");
        Gamma = gamma;
        Start();
    }

    /// <summary>The factor per step γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double ChainedRate(double current, double initial) => StepCount == 0 ? current : current * Gamma;

    /// <inheritdoc/>
    protected override double ClosedFormRate(double initial) => initial * Math.Pow(Gamma, StepCount);
}
