namespace MiniNet.Optimizers;

/// <summary>A constant learning rate, optionally scaled by a factor for the first steps (PyTorch's <c>ConstantLR</c>).</summary>
/// <remarks>Chained: lr ← lr·factor at step 0 and lr ← lr/factor at step totalIters. Alone: lr_t = lr₀·factor for t &lt; totalIters,
/// lr₀ afterwards; the defaults keep lr₀ throughout.</remarks>
public sealed class ConstantLr : ChainableLrSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="factor">The scale for the first <paramref name="totalIters"/> steps, in (0, 1].</param>
    /// <param name="totalIters">How many steps the factor applies (0: never).</param>
    public ConstantLr(Optimizer optimizer, double factor = 1.0, int totalIters = 0)
        : base(optimizer)
    {
        Require(factor > 0 && factor <= 1, nameof(factor), factor, "in (0, 1]");
        Require(totalIters >= 0, nameof(totalIters), totalIters, "≥ 0");
        (Factor, TotalIters) = (factor, totalIters);
        Start();
    }

    /// <summary>The early-steps factor.</summary>
    public double Factor { get; }

    /// <summary>The steps it applies to.</summary>
    public int TotalIters { get; }

    /// <inheritdoc/>
    protected override double ChainedRate(double current, double initial) =>
        StepCount == 0 ? current * Factor : StepCount == TotalIters ? current * (1.0 / Factor) : current;

    /// <inheritdoc/>
    protected override double ClosedFormRate(double initial) => initial * (StepCount >= TotalIters ? 1.0 : Factor);
}
