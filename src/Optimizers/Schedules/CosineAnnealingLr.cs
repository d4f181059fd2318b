namespace MiniNet.Optimizers;

/// <summary>Cosine annealing from the initial rate down to η_min over T_max steps (Loshchilov &amp; Hutter 2017; PyTorch's <c>CosineAnnealingLR</c>).</summary>
/// <remarks>lr_t = η_min + (lr₀ − η_min)·(1 + cos(π·t / T_max)) / 2; past T_max the cosine continues, rising again, as in PyTorch.</remarks>
public sealed class CosineAnnealingLr : ClosedFormLrSchedule
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
        Apply();
    }

    /// <summary>T_max, the number of steps of one half cosine from the initial rate to η_min.</summary>
    public int TMax { get; }

    /// <summary>η_min.</summary>
    public double EtaMin { get; }

    /// <inheritdoc/>
    protected internal override double RateAt(double initialRate, int step) =>
        EtaMin + ((initialRate - EtaMin) * (1 + Math.Cos(Math.PI * step / TMax)) / 2);
}
