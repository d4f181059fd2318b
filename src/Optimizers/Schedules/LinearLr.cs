namespace MiniNet.Optimizers;

/// <summary>
/// Scales the learning rate linearly from <c>startFactor</c>·lr₀ to <c>endFactor</c>·lr₀ over <c>totalIters</c> steps, then
/// keeps it (PyTorch's <c>LinearLR</c>): a warmup with the defaults' end factor 1, or a linear decay with an end factor &lt; 1.
/// </summary>
/// <remarks>
/// Alone: lr_t = lr₀·(s + (e − s)·min(t, N)/N). Chained: lr ← lr·s at step 0; for 0 &lt; t ≤ N,
/// lr ← lr·(1 + (e − s)/(N·s + (t − 1)(e − s))), the ratio of consecutive closed-form factors.
/// </remarks>
public sealed class LinearLr : ChainableLrSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="startFactor">s, the factor at step 0, in (0, 1].</param>
    /// <param name="endFactor">e, the factor from step N on, in [0, 1].</param>
    /// <param name="totalIters">N, the steps of the ramp, &gt; 0.</param>
    public LinearLr(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5)
        : base(optimizer)
    {
        Require(startFactor > 0 && startFactor <= 1, nameof(startFactor), startFactor, "in (0, 1]");
        Require(endFactor >= 0 && endFactor <= 1, nameof(endFactor), endFactor, "in [0, 1]");
        Require(totalIters > 0, nameof(totalIters), totalIters, "> 0");
        (StartFactor, EndFactor, TotalIters) = (startFactor, endFactor, totalIters);
        Start();
    }

    /// <summary>s, the factor at step 0.</summary>
    public double StartFactor { get; }

    /// <summary>e, the factor from step N on.</summary>
    public double EndFactor { get; }

    /// <summary>N, the steps of the ramp.</summary>
    public int TotalIters { get; }

    /// <inheritdoc/>
    protected override double ChainedRate(double current, double initial)
    {
        if (StepCount == 0)
        {
            return current * StartFactor;
        }

        if (StepCount > TotalIters)
        {
            return current;
        }

        double slope = EndFactor - StartFactor;
        return current * (1 + (slope / ((TotalIters * StartFactor) + ((StepCount - 1) * slope))));
    }

    /// <inheritdoc/>
    protected override double ClosedFormRate(double initial) =>
        initial * (StartFactor + ((EndFactor - StartFactor) * Math.Min(TotalIters, StepCount) / TotalIters));
}
