namespace MiniNet.Optimizers;

/// <summary>Multiplies the learning rate by γ every step (PyTorch's <c>ExponentialLR</c>).</summary>
/// <remarks>lr_t = lr₀·γᵗ.</remarks>
public sealed class ExponentialLr : ClosedFormLrSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="gamma">The per-step factor, &gt; 0.</param>
    public ExponentialLr(Optimizer optimizer, double gamma)
        : base(optimizer)
    {
        Require(gamma > 0, nameof(gamma), gamma, "> 0");
        Gamma = gamma;
        Apply();
    }

    /// <summary>The per-step factor γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected internal override double RateAt(double initialRate, int step) => initialRate * Math.Pow(Gamma, step);
}
