namespace MiniNet.Optimizers;

/// <summary>A constant learning rate, optionally scaled by a factor for the first steps (PyTorch's <c>ConstantLR</c>).</summary>
/// <remarks>lr_t = lr₀·factor for t &lt; totalIters, lr₀ afterwards; the defaults keep lr₀ throughout.</remarks>
public sealed class ConstantLr : ClosedFormLrSchedule
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
        Apply();
    }

    /// <summary>The early-steps factor.</summary>
    public double Factor { get; }

    /// <summary>The steps it applies to.</summary>
    public int TotalIters { get; }

    /// <inheritdoc/>
    protected internal override double RateAt(double initialRate, int step) => step < TotalIters ? initialRate * Factor : initialRate;
}
