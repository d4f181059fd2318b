namespace MiniNet.Optimizers;

/// <summary>Multiplies the learning rate by γ every <c>stepSize</c> steps (PyTorch's <c>StepLR</c>).</summary>
/// <remarks>lr_t = lr₀·γ^⌊t / stepSize⌋.</remarks>
public sealed class StepLr : ClosedFormLrSchedule
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
        Apply();
    }

    /// <summary>Steps between decays.</summary>
    public int StepSize { get; }

    /// <summary>The decay factor γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected internal override double RateAt(double initialRate, int step) => initialRate * Math.Pow(Gamma, step / StepSize);
}
