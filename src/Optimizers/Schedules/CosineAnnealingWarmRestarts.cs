namespace MiniNet.Optimizers;

/// <summary>
/// Cosine annealing with warm restarts (SGDR, Loshchilov &amp; Hutter 2017; PyTorch's <c>CosineAnnealingWarmRestarts</c>):
/// the rate falls along a half cosine from lr₀ to η_min over T_i steps, then jumps back to lr₀; each period is T_mult
/// times the one before.
/// </summary>
/// <remarks>
/// lr_t = η_min + (lr₀ − η_min)·(1 + cos(π·T_cur/T_i))/2, where T_cur counts the steps since the last restart and T_i is
/// the current period (T_0, T_0·T_mult, T_0·T_mult², …). It is a function of the step alone, so like PyTorch's it does
/// not chain with another schedule.
/// </remarks>
public sealed class CosineAnnealingWarmRestarts : ChainableLrSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="t0">T_0, the first period in steps, &gt; 0.</param>
    /// <param name="tMult">T_mult, the factor by which each period grows, a whole number ≥ 1.</param>
    /// <param name="etaMin">η_min, the lowest rate, ≥ 0.</param>
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult = 1, double etaMin = 0)
        : base(optimizer)
    {
        Require(t0 > 0, nameof(t0), t0, "> 0");
        Require(tMult >= 1, nameof(tMult), tMult, "≥ 1");
        Require(etaMin >= 0, nameof(etaMin), etaMin, "≥ 0");
        (T0, TMult, EtaMin) = (t0, tMult, etaMin);
        Start();
    }

    /// <summary>T_0, the first period.</summary>
    public int T0 { get; }

    /// <summary>T_mult, the growth of each period.</summary>
    public int TMult { get; }

    /// <summary>η_min, the rate at the bottom of each period.</summary>
    public double EtaMin { get; }

    /// <summary>(T_cur, T_i) at the current step: the steps since the last restart and the current period.</summary>
    public (int Current, int Period) Position
    {
        get
        {
            (long current, long period) = (Math.Max(StepCount, 0), T0);
            while (current >= period)
            {
                current -= period;
                period *= TMult;
            }

            return ((int)current, (int)period);
        }
    }

    /// <inheritdoc/>
    protected override double ChainedRate(double current, double initial) => ClosedFormRate(initial);

    /// <inheritdoc/>
    protected override double ClosedFormRate(double initial)
    {
        (int tCur, int tI) = Position;
        return EtaMin + ((initial - EtaMin) * (1 + Math.Cos(Math.PI * tCur / tI)) / 2);
    }
}
