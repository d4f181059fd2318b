namespace MiniNet.Optimizers;

/// <summary>Decays the learning rate as a polynomial of the remaining steps, to 0 at <c>totalIters</c> (PyTorch's <c>PolynomialLR</c>).</summary>
/// <remarks>
/// Alone: lr_t = lr₀·(1 − min(t, N)/N)^p. Chained: for 0 &lt; t ≤ N, lr ← lr·((1 − t/N)/(1 − (t − 1)/N))^p; unchanged after N.
/// </remarks>
public sealed class PolynomialLr : ChainableLrSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="totalIters">N, the steps to 0, &gt; 0.</param>
    /// <param name="power">p, the polynomial's power, &gt; 0 (1: linear).</param>
    public PolynomialLr(Optimizer optimizer, int totalIters = 5, double power = 1.0)
        : base(optimizer)
    {
        Require(totalIters > 0, nameof(totalIters), totalIters, "> 0");
        Require(power > 0, nameof(power), power, "> 0");
        (TotalIters, Power) = (totalIters, power);
        Start();
    }

    /// <summary>N, the steps to 0.</summary>
    public int TotalIters { get; }

    /// <summary>p, the polynomial's power.</summary>
    public double Power { get; }

    /// <inheritdoc/>
    protected override double ChainedRate(double current, double initial)
    {
        int t = StepCount;
        if (t == 0 || t > TotalIters)
        {
            return current;
        }

        return current * Math.Pow((1.0 - ((double)t / TotalIters)) / (1.0 - ((double)(t - 1) / TotalIters)), Power);
    }

    /// <inheritdoc/>
    protected override double ClosedFormRate(double initial) => initial * Math.Pow(1.0 - ((double)Math.Min(TotalIters, StepCount) / TotalIters), Power);
}
