namespace MiniNet.Optimizers;

/// <summary>How <see cref="OneCycleLr"/> moves between two values.</summary>
public enum AnnealStrategy
{
    /// <summary>Half a cosine: end + (start − end)·(1 + cos(π·pct))/2.</summary>
    Cos,

    /// <summary>A straight line: start + (end − start)·pct.</summary>
    Linear,
}

/// <summary>
/// The 1cycle policy (Smith &amp; Topin 2018; PyTorch's <c>OneCycleLR</c>): the learning rate climbs from max_lr/divFactor to
/// max_lr, then anneals to a very small rate, while the momentum (SGD and RMSprop's μ, Adam's β₁) moves the opposite way
/// between maxMomentum and baseMomentum.
/// </summary>
/// <remarks>
/// Phases (two, or three with <c>threePhase</c>), in steps from 0 to totalSteps − 1: up from initial = max_lr/divFactor to
/// max_lr over the first pctStart of the steps (momentum from max to base); then down to min = initial/finalDivFactor
/// (momentum back to max). With three phases, the second returns to initial in as many steps as the first took and the
/// third anneals to min. Within a phase, value = anneal(start, end, (t − phase start)/(phase end − phase start)).
/// Building it sets each group's initial rate to max_lr/divFactor, as PyTorch's does. A function of the step alone, it does
/// not chain with other schedules.
/// </remarks>
public sealed class OneCycleLr : LrSchedule
{
    private readonly (double End, double StartLr, double EndLr, double StartMomentum, double EndMomentum)[] _phases;
    private readonly bool _useBeta1;

    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="maxLr">The peak learning rate, &gt; 0.</param>
    /// <param name="totalSteps">The number of steps of the cycle, &gt; 0; stepping past it is an error.</param>
    /// <param name="pctStart">The share of the steps spent climbing, in (0, 1).</param>
    /// <param name="annealStrategy">Cosine (default) or linear.</param>
    /// <param name="cycleMomentum">Whether to cycle the momentum the other way (needs SGD, RMSprop, Adam or AdamW).</param>
    /// <param name="baseMomentum">The momentum at the peak rate.</param>
    /// <param name="maxMomentum">The momentum at the lowest rates.</param>
    /// <param name="divFactor">initial = maxLr / divFactor, &gt; 0.</param>
    /// <param name="finalDivFactor">min = initial / finalDivFactor, &gt; 0.</param>
    /// <param name="threePhase">Use PyTorch's three-phase variant (up, down to initial, then to min).</param>
    public OneCycleLr(Optimizer optimizer, double maxLr, int totalSteps, double pctStart = 0.3, AnnealStrategy annealStrategy = AnnealStrategy.Cos,
        bool cycleMomentum = true, double baseMomentum = 0.85, double maxMomentum = 0.95, double divFactor = 25, double finalDivFactor = 1e4, bool threePhase = false)
        : base(optimizer)
    {
        Require(maxLr > 0 && double.IsFinite(maxLr), nameof(maxLr), maxLr, "> 0");
        Require(totalSteps > 0, nameof(totalSteps), totalSteps, "> 0");
        Require(pctStart > 0 && pctStart < 1, nameof(pctStart), pctStart, "in (0, 1)");
        Require(divFactor > 0, nameof(divFactor), divFactor, "> 0");
        Require(finalDivFactor > 0, nameof(finalDivFactor), finalDivFactor, "> 0");
        (TotalSteps, Strategy, CycleMomentum, BaseMomentum, MaxMomentum) = (totalSteps, annealStrategy, cycleMomentum, baseMomentum, maxMomentum);
        if (cycleMomentum && optimizer is not (Sgd or RmsProp or AdamOptimizer))
        {
            throw new ArgumentException($"OneCycleLr cycles the momentum, which {optimizer.GetType().Name} does not have; pass cycleMomentum: false.", nameof(cycleMomentum));
        }

        _useBeta1 = optimizer is AdamOptimizer;
        double initial = maxLr / divFactor, min = initial / finalDivFactor;
        foreach (ParameterGroup group in optimizer.Groups)
        {
            group.InitialLearningRate = (float)initial;
        }

        double up = (pctStart * totalSteps) - 1;
        _phases = threePhase
            ?
            [
                (up, initial, maxLr, maxMomentum, baseMomentum),
                ((2 * pctStart * totalSteps) - 2, maxLr, initial, baseMomentum, maxMomentum),
                (totalSteps - 1, initial, min, maxMomentum, maxMomentum),
            ]
            :
            [
                (up, initial, maxLr, maxMomentum, baseMomentum),
                (totalSteps - 1, maxLr, min, baseMomentum, maxMomentum),
            ];
        Apply();
    }

    /// <summary>The number of steps of the cycle.</summary>
    public int TotalSteps { get; }

    /// <summary>Cosine or linear annealing.</summary>
    public AnnealStrategy Strategy { get; }

    /// <summary>Whether the momentum is cycled.</summary>
    public bool CycleMomentum { get; }

    /// <summary>The momentum at the peak rate.</summary>
    public double BaseMomentum { get; }

    /// <summary>The momentum at the lowest rates.</summary>
    public double MaxMomentum { get; }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The cycle's <see cref="TotalSteps"/> are used up.</exception>
    public override void Step(float? metric = null)
    {
        if (StepCount + 1 > TotalSteps)
        {
            throw new InvalidOperationException(
                $"OneCycleLr was stepped {StepCount + 1} times, but its cycle has {TotalSteps} steps; build it with totalSteps equal to the training steps.");
        }

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
        // The phase holding this step (the last one past its end), and how far into it the step is.
        double start = 0;
        int phase = 0;
        while (phase < _phases.Length - 1 && StepCount > _phases[phase].End)
        {
            start = _phases[phase++].End;
        }

        (double end, double startLr, double endLr, double startMomentum, double endMomentum) = _phases[phase];
        double pct = (StepCount - start) / (end - start);
        float momentum = (float)Anneal(startMomentum, endMomentum, pct);
        foreach (ParameterGroup group in Optimizer.Groups)
        {
            group.ExactLearningRate = Anneal(startLr, endLr, pct);
            if (CycleMomentum && _useBeta1)
            {
                group.Beta1 = momentum;
            }
            else if (CycleMomentum)
            {
                group.Momentum = momentum;
            }
        }
    }

    private double Anneal(double start, double end, double pct) => Strategy == AnnealStrategy.Cos
        ? end + ((start - end) / 2 * (Math.Cos(Math.PI * pct) + 1))
        : ((end - start) * pct) + start;
}
