namespace MiniNet.Optimizers;

/// <summary>The shape of <see cref="CyclicLr"/>'s cycles.</summary>
public enum CyclicMode
{
    /// <summary>Every cycle the same height.</summary>
    Triangular,

    /// <summary>Each cycle half as high as the one before: scale 1/2^(cycle − 1).</summary>
    Triangular2,

    /// <summary>The height shrinks by γ every step: scale γ^t.</summary>
    ExpRange,
}

/// <summary>
/// Cyclical learning rates (Smith 2017; PyTorch's <c>CyclicLR</c>): the rate climbs linearly from baseLr to maxLr over
/// stepSizeUp steps and back over stepSizeDown, cycle after cycle, while the momentum moves the opposite way.
/// </summary>
/// <remarks>
/// With cycle = ⌊1 + t/S⌋ (S = up + down), x = 1 + t/S − cycle and ρ = up/S: f = x/ρ while x ≤ ρ, else (x − 1)/(ρ − 1);
/// lr_t = base + (max − base)·f·scale, momentum_t = maxMomentum − (maxMomentum − baseMomentum)·f·scale, where scale is 1
/// (triangular), 1/2^(cycle−1) (triangular2) or γ^t (exp_range). Building it sets each group's rate to baseLr and its
/// momentum to baseMomentum, as PyTorch's does. A function of the step alone, it does not chain with other schedules.
/// </remarks>
public sealed class CyclicLr : LrSchedule
{
    private readonly Func<double, double> _scale;
    private readonly bool _scaleByCycle;

    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="baseLr">The lowest rate, &gt; 0.</param>
    /// <param name="maxLr">The highest rate (before scaling), ≥ baseLr.</param>
    /// <param name="stepSizeUp">Steps from baseLr to maxLr, &gt; 0.</param>
    /// <param name="stepSizeDown">Steps back down, &gt; 0; null: as many as up.</param>
    /// <param name="mode">How the cycles' height changes.</param>
    /// <param name="gamma">γ of <see cref="CyclicMode.ExpRange"/>, &gt; 0.</param>
    /// <param name="scaleFn">A custom scale (replacing <paramref name="mode"/>'s), of the cycle or of the step.</param>
    /// <param name="scaleByCycle">Whether <paramref name="scaleFn"/> takes the cycle number (true) or the step.</param>
    /// <param name="cycleMomentum">Whether to cycle the momentum the other way (needs SGD or RMSprop, as in PyTorch 1.13).</param>
    /// <param name="baseMomentum">The momentum at the highest rate.</param>
    /// <param name="maxMomentum">The momentum at the lowest rate.</param>
    public CyclicLr(Optimizer optimizer, double baseLr, double maxLr, int stepSizeUp = 2000, int? stepSizeDown = null, CyclicMode mode = CyclicMode.Triangular,
        double gamma = 1.0, Func<double, double>? scaleFn = null, bool scaleByCycle = true, bool cycleMomentum = true, double baseMomentum = 0.8, double maxMomentum = 0.9)
        : base(optimizer)
    {
        Require(baseLr > 0 && double.IsFinite(baseLr), nameof(baseLr), baseLr, "> 0");
        Require(maxLr >= baseLr && double.IsFinite(maxLr), nameof(maxLr), maxLr, $"≥ baseLr ({baseLr})");
        Require(stepSizeUp > 0, nameof(stepSizeUp), stepSizeUp, "> 0");
        Require((stepSizeDown ?? 1) > 0, nameof(stepSizeDown), stepSizeDown ?? 0, "> 0");
        Require(gamma > 0, nameof(gamma), gamma, "> 0");
        if (cycleMomentum && optimizer is not (Sgd or RmsProp))
        {
            throw new ArgumentException($"CyclicLr cycles the momentum, which {optimizer.GetType().Name} does not have; pass cycleMomentum: false.", nameof(cycleMomentum));
        }

        (BaseLr, MaxLr, CycleMomentum, BaseMomentum, MaxMomentum) = (baseLr, maxLr, cycleMomentum, baseMomentum, maxMomentum);
        TotalSize = stepSizeUp + (double)(stepSizeDown ?? stepSizeUp);
        StepRatio = stepSizeUp / TotalSize;
        (_scale, _scaleByCycle) = scaleFn is not null ? (scaleFn, scaleByCycle) : mode switch
        {
            CyclicMode.Triangular2 => (x => 1 / Math.Pow(2, x - 1), true),
            CyclicMode.ExpRange => (x => Math.Pow(gamma, x), false),
            _ => (static _ => 1.0, true),
        };
        foreach (ParameterGroup group in optimizer.Groups)
        {
            group.InitialLearningRate = (float)baseLr;
            group.ExactLearningRate = baseLr;
            if (cycleMomentum)
            {
                group.Momentum = (float)baseMomentum;
            }
        }

        Apply();
    }

    /// <summary>The lowest rate.</summary>
    public double BaseLr { get; }

    /// <summary>The highest rate before scaling.</summary>
    public double MaxLr { get; }

    /// <summary>Steps per cycle, up and down.</summary>
    public double TotalSize { get; }

    /// <summary>The share of a cycle spent climbing.</summary>
    public double StepRatio { get; }

    /// <summary>Whether the momentum is cycled.</summary>
    public bool CycleMomentum { get; }

    /// <summary>The momentum at the highest rate.</summary>
    public double BaseMomentum { get; }

    /// <summary>The momentum at the lowest rate.</summary>
    public double MaxMomentum { get; }

    /// <inheritdoc/>
    public override void Step(float? metric = null)
    {
        StepCount++;
        Apply();
    }

    /// <inheritdoc/>
    public override void LoadState(IReadOnlyDictionary<string, string> state)
    {
        base.LoadState(state);
        Apply();
    }

    private void Apply()
    {
        double cycle = Math.Floor(1 + (StepCount / TotalSize));
        double x = 1.0 + (StepCount / TotalSize) - cycle;
        double factor = x <= StepRatio ? x / StepRatio : (x - 1) / (StepRatio - 1);
        double scale = _scale(_scaleByCycle ? cycle : StepCount);
        foreach (ParameterGroup group in Optimizer.Groups)
        {
            group.ExactLearningRate = BaseLr + ((MaxLr - BaseLr) * factor * scale);
            if (CycleMomentum)
            {
                group.Momentum = (float)(MaxMomentum - ((MaxMomentum - BaseMomentum) * factor * scale));
            }
        }
    }
}
