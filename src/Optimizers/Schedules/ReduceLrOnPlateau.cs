using System.Globalization;

namespace MiniNet.Optimizers;

/// <summary>Whether <see cref="ReduceLrOnPlateau"/> waits for the metric to fall (a loss) or to rise (an accuracy).</summary>
public enum PlateauMode
{
    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>Cuts the learning rate by a factor when a watched metric stops improving (PyTorch's <c>ReduceLROnPlateau</c>).</summary>
/// <remarks>
/// A value improves on the best so far when (Min, relative) v &lt; best·(1 − threshold), (Min, absolute) v &lt; best − threshold,
/// and symmetrically for Max. After more than <c>patience</c> steps without improvement, every group's rate becomes
/// max(lr·factor, minLr) (when that changes it by more than eps) and <c>cooldown</c> steps follow in which bad steps are not counted.
/// </remarks>
public sealed class ReduceLrOnPlateau : LrSchedule
{
    private double _best;
    private int _badSteps;
    private int _cooldownCounter;

    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="mode">Min for a loss, Max for an accuracy.</param>
    /// <param name="factor">The cut, in (0, 1).</param>
    /// <param name="patience">Steps without improvement tolerated, ≥ 0.</param>
    /// <param name="threshold">The smallest change that counts as improvement, ≥ 0.</param>
    /// <param name="relativeThreshold">Whether <paramref name="threshold"/> is relative (PyTorch's 'rel', default) or absolute.</param>
    /// <param name="cooldown">Steps after a cut before bad steps count again, ≥ 0.</param>
    /// <param name="minLr">The floor, ≥ 0.</param>
    /// <param name="eps">Cuts smaller than this are skipped.</param>
    public ReduceLrOnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10, double threshold = 1e-4,
        bool relativeThreshold = true, int cooldown = 0, double minLr = 0, double eps = 1e-8)
        : base(optimizer)
    {
        Require(factor > 0 && factor < 1, nameof(factor), factor, "in (0, 1)");
        Require(patience >= 0, nameof(patience), patience, "≥ 0");
        Require(threshold >= 0, nameof(threshold), threshold, "≥ 0");
        Require(cooldown >= 0, nameof(cooldown), cooldown, "≥ 0");
        Require(minLr >= 0, nameof(minLr), minLr, "≥ 0");
        (Mode, Factor, Patience, Threshold, RelativeThreshold, Cooldown, MinLr, Eps) = (mode, factor, patience, threshold, relativeThreshold, cooldown, minLr, eps);
        _best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>Min or Max.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The cut factor.</summary>
    public double Factor { get; }

    /// <summary>Steps without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>The improvement threshold.</summary>
    public double Threshold { get; }

    /// <summary>Whether the threshold is relative.</summary>
    public bool RelativeThreshold { get; }

    /// <summary>Steps of cooldown after a cut.</summary>
    public int Cooldown { get; }

    /// <summary>The floor.</summary>
    public double MinLr { get; }

    /// <summary>The smallest cut applied.</summary>
    public double Eps { get; }

    /// <summary>Records the metric and cuts the rate when it has stopped improving.</summary>
    /// <param name="metric">The watched metric (for example the validation loss); required.</param>
    public override void Step(float? metric = null)
    {
        if (metric is not float value || float.IsNaN(value))
        {
            throw new ArgumentException("ReduceLrOnPlateau.Step needs the metric it watches (for example the validation loss), and not NaN.", nameof(metric));
        }

        StepCount++;
        if (IsBetter(value))
        {
            _best = value;
            _badSteps = 0;
        }
        else
        {
            _badSteps++;
        }

        if (_cooldownCounter > 0)
        {
            _cooldownCounter--;
            _badSteps = 0;
        }

        if (_badSteps > Patience)
        {
            foreach (ParameterGroup group in Optimizer.Groups)
            {
                double old = group.ExactLearningRate;
                double cut = Math.Max(old * Factor, MinLr);
                if (old - cut > Eps)
                {
                    group.ExactLearningRate = cut;
                }
            }

            _cooldownCounter = Cooldown;
            _badSteps = 0;
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> GetState() => new Dictionary<string, string>
    {
        ["step"] = StepCount.ToString(CultureInfo.InvariantCulture),
        ["best"] = _best.ToString("R", CultureInfo.InvariantCulture),
        ["bad_steps"] = _badSteps.ToString(CultureInfo.InvariantCulture),
        ["cooldown_counter"] = _cooldownCounter.ToString(CultureInfo.InvariantCulture),
    };

    /// <inheritdoc/>
    public override void LoadState(IReadOnlyDictionary<string, string> state)
    {
        base.LoadState(state);
        _best = double.Parse(Required(state, "best"), NumberStyles.Float, CultureInfo.InvariantCulture);
        _badSteps = int.Parse(Required(state, "bad_steps"), NumberStyles.None, CultureInfo.InvariantCulture);
        _cooldownCounter = int.Parse(Required(state, "cooldown_counter"), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private bool IsBetter(double value) => (Mode, RelativeThreshold) switch
    {
        (PlateauMode.Min, true) => value < _best * (1 - Threshold),
        (PlateauMode.Min, false) => value < _best - Threshold,
        (PlateauMode.Max, true) => value > _best * (Threshold + 1),
        _ => value > _best + Threshold,
    };
}
