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
        StepCount = int.Parse(Required(state, "step"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);   // −1: a SequentialLr part not yet started
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

/// <summary>
/// A schedule in PyTorch's chainable form: each step updates the rate each group has <em>now</em> (usually multiplying
/// it), so two schedules stepped on one optimizer compose, each scaling what the other left, as PyTorch's do.
/// </summary>
/// <remarks>
/// <see cref="ChainedRate"/> is PyTorch's <c>get_lr</c> and <see cref="ClosedFormRate"/> its <c>_get_closed_form_lr</c>,
/// the rate from the initial one alone, which <see cref="SequentialLr"/> uses when a schedule takes over at a
/// milestone. Rates are kept in double precision (<see cref="ParameterGroup.ExactLearningRate"/>), as PyTorch keeps
/// Python floats. A derived constructor calls <see cref="Start"/> once its settings are stored: PyTorch's initial step,
/// which applies the rate of step 0.
/// </remarks>
public abstract class ChainableLrSchedule : LrSchedule
{
    /// <summary>Binds the schedule to an optimizer.</summary>
    /// <param name="optimizer">The optimizer.</param>
    protected ChainableLrSchedule(Optimizer optimizer)
        : base(optimizer)
    {
    }

    /// <inheritdoc/>
    public override void Step(float? metric = null)
    {
        StepCount++;
        Set(chained: true);
    }

    /// <summary>The rate at <see cref="LrSchedule.StepCount"/> from the rate a group has now (PyTorch's <c>get_lr</c>).</summary>
    /// <param name="current">The group's rate now.</param>
    /// <param name="initial">The group's initial rate (PyTorch's <c>base_lr</c>).</param>
    /// <returns>The new rate.</returns>
    protected abstract double ChainedRate(double current, double initial);

    /// <summary>The rate at <see cref="LrSchedule.StepCount"/> from the initial rate alone (PyTorch's <c>_get_closed_form_lr</c>).</summary>
    /// <param name="initial">The group's initial rate.</param>
    /// <returns>The rate.</returns>
    protected abstract double ClosedFormRate(double initial);

    /// <summary>PyTorch's initial step: the rates of step 0, from the rates the groups have.</summary>
    protected void Start()
    {
        StepCount = 0;
        Set(chained: true);
    }

    /// <summary>Jumps to <paramref name="step"/> and sets the closed-form rates (PyTorch's <c>step(epoch)</c>).</summary>
    /// <param name="step">The step.</param>
    internal void JumpTo(int step)
    {
        StepCount = step;
        Set(chained: false);
    }

    /// <summary>Moves the step count back by one without touching the rates (what <see cref="SequentialLr"/> does to its schedules).</summary>
    internal void Rewind() => StepCount--;

    private void Set(bool chained)
    {
        foreach (ParameterGroup group in Optimizer.Groups)
        {
            double initial = group.InitialLearningRate;
            group.ExactLearningRate = chained ? ChainedRate(group.ExactLearningRate, initial) : ClosedFormRate(initial);
        }
    }
}
