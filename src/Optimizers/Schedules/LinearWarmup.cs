namespace MiniNet.Optimizers;

/// <summary>
/// Linear warmup from startFactor·lr₀ to lr₀ over the first steps, then another schedule started afresh
/// (PyTorch's <c>SequentialLR([LinearLR(start_factor, total_iters=w), then], milestones=[w])</c>).
/// </summary>
/// <remarks>lr_t = lr₀·(s + (1 − s)·t / w) for t &lt; w; then lr_t = then(lr₀, t − w), or lr₀ without a following schedule.</remarks>
public sealed class LinearWarmup : ClosedFormLrSchedule
{
    private readonly ClosedFormLrSchedule? _then;

    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="warmupSteps">Steps of warmup w, &gt; 0.</param>
    /// <param name="startFactor">s, the fraction of lr₀ at step 0, in (0, 1].</param>
    /// <param name="then">The schedule after warmup (built on the same optimizer; step this one, not it), or null to hold lr₀.</param>
    public LinearWarmup(Optimizer optimizer, int warmupSteps, double startFactor = 1.0 / 3, ClosedFormLrSchedule? then = null)
        : base(optimizer)
    {
        Require(warmupSteps > 0, nameof(warmupSteps), warmupSteps, "> 0");
        Require(startFactor > 0 && startFactor <= 1, nameof(startFactor), startFactor, "in (0, 1]");
        if (then is not null && !ReferenceEquals(then.Optimizer, optimizer))
        {
            throw new ArgumentException("LinearWarmup: the schedule after warmup must be built on the same optimizer.", nameof(then));
        }

        (WarmupSteps, StartFactor, _then) = (warmupSteps, startFactor, then);
        Apply();
    }

    /// <summary>Steps of warmup.</summary>
    public int WarmupSteps { get; }

    /// <summary>The fraction of lr₀ at step 0.</summary>
    public double StartFactor { get; }

    /// <inheritdoc/>
    protected internal override double RateAt(double initialRate, int step)
    {
        if (step < WarmupSteps)
        {
            return initialRate * (StartFactor + ((1 - StartFactor) * step / WarmupSteps));
        }

        return _then?.RateAt(initialRate, step - WarmupSteps) ?? initialRate;
    }
}
