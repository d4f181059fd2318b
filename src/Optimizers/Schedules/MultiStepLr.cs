namespace MiniNet.Optimizers;

/// <summary>Multiplies the learning rate by γ at each milestone step (PyTorch's <c>MultiStepLR</c>).</summary>
/// <remarks>Chained: lr ← lr·γ^k at a step listed k times. Alone: lr_t = lr₀·γ^(milestones ≤ t).</remarks>
public sealed class MultiStepLr : ChainableLrSchedule
{
    private readonly int[] _milestones;

    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="milestones">The steps at which to decay, each &gt; 0 (a step listed twice decays twice).</param>
    /// <param name="gamma">The decay factor, &gt; 0.</param>
    public MultiStepLr(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = [.. milestones.Order()];
        Require(_milestones.Length > 0, nameof(milestones), _milestones.Length, "at least one step");
        Require(_milestones[0] > 0, nameof(milestones), _milestones[0], "> 0 (steps count from 1)");
        Require(gamma > 0, nameof(gamma), gamma, "> 0");
        Gamma = gamma;
        Start();
    }

    /// <summary>The milestone steps, in order.</summary>
    public IReadOnlyList<int> Milestones => _milestones;

    /// <summary>The decay factor γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double ChainedRate(double current, double initial)
    {
        int hits = _milestones.Count(m => m == StepCount);
        return hits == 0 ? current : current * Math.Pow(Gamma, hits);
    }

    /// <inheritdoc/>
    protected override double ClosedFormRate(double initial) => initial * Math.Pow(Gamma, _milestones.Count(m => m <= StepCount));
}
