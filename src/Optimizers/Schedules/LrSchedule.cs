using System.Globalization;

namespace MiniNet.Optimizers;

/// <summary>
/// A learning-rate schedule the training loop calls once per step, after the optimizer's Step (PyTorch's order).
/// It sets every group's <see cref="ParameterGroup.LearningRate"/> from the group's initial rate.
/// </summary>
public abstract class LrSchedule
{
    /// <summary>Binds the schedule to an optimizer.</summary>
    /// <param name="optimizer">The optimizer whose learning rates it sets.</param>
    protected LrSchedule(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
    }

    /// <summary>The optimizer whose learning rates it sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>How many times <see cref="Step"/> has been called (PyTorch's <c>last_epoch</c>).</summary>
    public int StepCount { get; protected set; }

    /// <summary>Advances one step and sets the new learning rates.</summary>
    /// <param name="metric">The watched metric, for schedules that react to one (<see cref="ReduceLrOnPlateau"/>); ignored by the others.</param>
    public abstract void Step(float? metric = null);

    /// <summary>The schedule's state, for checkpoints: exact values by name.</summary>
    /// <returns>The state.</returns>
    public virtual IReadOnlyDictionary<string, string> GetState() =>
        new Dictionary<string, string> { ["step"] = StepCount.ToString(CultureInfo.InvariantCulture) };

    /// <summary>Restores state from <see cref="GetState"/>; the optimizer's learning rates come from its own state.</summary>
    /// <param name="state">The state.</param>
    public virtual void LoadState(IReadOnlyDictionary<string, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        StepCount = int.Parse(Required(state, "step"), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>Checks a setting and throws naming the schedule, the option, the value and the range.</summary>
    /// <param name="valid">Whether the value is valid.</param>
    /// <param name="option">The option's name.</param>
    /// <param name="value">The value.</param>
    /// <param name="range">The valid range, in words.</param>
    protected void Require(bool valid, string option, double value, string range)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(option, value, $"{GetType().Name} option '{option}' is {value.ToString(CultureInfo.InvariantCulture)}; it must be {range}.");
        }
    }

    /// <summary>A value of a state dictionary, or an error naming the missing key.</summary>
    /// <param name="state">The state.</param>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    protected string Required(IReadOnlyDictionary<string, string> state, string key) =>
        state.TryGetValue(key, out string? value) ? value : throw new InvalidDataException($"{GetType().Name} state lacks '{key}'.");
}

/// <summary>A schedule whose rate is a function of the step alone: lr_t = f(initial lr, t).</summary>
public abstract class ClosedFormLrSchedule : LrSchedule
{
    /// <summary>Binds the schedule and sets the step-0 rates, as PyTorch's constructors do.</summary>
    /// <param name="optimizer">The optimizer.</param>
    protected ClosedFormLrSchedule(Optimizer optimizer)
        : base(optimizer)
    {
    }

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

    /// <summary>The rate at <paramref name="step"/> for a group that started at <paramref name="initialRate"/>.</summary>
    /// <param name="initialRate">The group's initial learning rate.</param>
    /// <param name="step">The step, from 0.</param>
    /// <returns>The learning rate.</returns>
    protected internal abstract double RateAt(double initialRate, int step);

    /// <summary>Sets every group's rate for the current step; derived constructors call it once their settings are stored.</summary>
    protected void Apply()
    {
        foreach (ParameterGroup group in Optimizer.Groups)
        {
            group.LearningRate = (float)RateAt(group.InitialLearningRate, StepCount);
        }
    }
}
