namespace MiniNet.Optimizers;

/// <summary>Cosine annealing from the initial rate down to η_min over T_max steps (Loshchilov &amp; Hutter 2017; PyTorch's <c>CosineAnnealingLR</c>).</summary>
/// <remarks>lr_t = η_min + (lr₀ − η_min)·(1 + cos(π·t / T_max)) / 2; past T_max the cosine continues, rising again, as in PyTorch.</remarks>
public sealed class CosineAnnealingLr : ChainableLrSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="tMax">Steps from the initial rate to η_min, &gt; 0.</param>
    /// <param name="etaMin">The lowest rate, ≥ 0.</param>
    public CosineAnnealingLr(Optimizer optimizer, int tMax, double etaMin = 0)
        : base(optimizer)
    {
        Require(tMax > 0, nameof(tMax), tMax, "> 0");
        Require(etaMin >= 0, nameof(etaMin), etaMin, "≥ 0");
        (TMax, EtaMin) = (tMax, etaMin);
        Start();
    }

    /// <summary>T_max, the number of steps of one half cosine from the initial rate to η_min.</summary>
    public int TMax { get; }

    /// <summary>η_min, the rate at the bottom of the cosine.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// PyTorch's recursive form: lr ← η_min + (lr − η_min)·(1 + cos(πt/T))/(1 + cos(π(t−1)/T)), and at the bottom of each
    /// period, where that ratio is 0/0, lr ← lr + (lr₀ − η_min)(1 − cos(π/T))/2 (the cosine continues up past T).
    /// </remarks>
    protected override double ChainedRate(double current, double initial)
    {
        int t = StepCount;
        if (t == 0)
        {
            return current;
        }

        if ((t - 1 - TMax) % (2 * TMax) == 0)
        {
            return current + ((initial - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2);
        }

        return ((1 + Math.Cos(Math.PI * t / TMax)) / (1 + Math.Cos(Math.PI * (t - 1) / TMax)) * (current - EtaMin)) + EtaMin;
    }

    /// <inheritdoc/>
    protected override double ClosedFormRate(double initial) => EtaMin + ((initial - EtaMin) * (1 + Math.Cos(Math.PI * StepCount / TMax)) / 2);
}
