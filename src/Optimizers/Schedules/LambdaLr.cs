namespace MiniNet.Optimizers;

/// <summary>The learning rate as the initial rate times a function of the step (PyTorch's <c>LambdaLR</c>).</summary>
/// <remarks>lr_t = lr₀·λ(t), whatever other schedules did: like PyTorch's, it does not chain.</remarks>
public sealed class LambdaLr : ChainableLrSchedule
{
    private readonly Func<int, double> _lambda;

    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="lambda">λ(t), the factor at step t (from 0); it must return a finite value ≥ 0.</param>
    public LambdaLr(Optimizer optimizer, Func<int, double> lambda)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(lambda);
        _lambda = lambda;
        Start();
    }

    /// <inheritdoc/>
    protected override double ChainedRate(double current, double initial) => ClosedFormRate(initial);

    /// <inheritdoc/>
    protected override double ClosedFormRate(double initial)
    {
        double factor = _lambda(StepCount);
        Require(double.IsFinite(factor) && factor >= 0, "lambda", factor, $"finite and ≥ 0 (it returned this at step {StepCount})");
        return initial * factor;
    }
}
