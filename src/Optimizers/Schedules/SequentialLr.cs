using System.Globalization;

namespace MiniNet.Optimizers;

/// <summary>
/// Runs schedules one after another, switching at milestone steps (PyTorch's <c>SequentialLR</c>): for example a linear
/// warmup for 10 steps, then cosine annealing.
/// </summary>
/// <remarks>
/// As in PyTorch: building it puts the rates back to their initial values and rewinds every schedule by the step its own
/// constructor took, then takes the first schedule's step 0. Each step advances the schedule whose interval holds the
/// step; at a milestone the next schedule starts at its step 0, in closed form from the initial rate.
/// </remarks>
public sealed class SequentialLr : LrSchedule
{
    private readonly ChainableLrSchedule[] _schedules;
    private readonly int[] _milestones;

    /// <summary>Creates the sequence.</summary>
    /// <param name="optimizer">The optimizer every schedule was built on.</param>
    /// <param name="schedules">The schedules in order; at least one.</param>
    /// <param name="milestones">The steps at which each next schedule takes over: one fewer than the schedules, increasing.</param>
    public SequentialLr(Optimizer optimizer, IReadOnlyList<ChainableLrSchedule> schedules, IReadOnlyList<int> milestones)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedules.Count == 0 || schedules.Any(s => s is null || !ReferenceEquals(s.Optimizer, optimizer)))
        {
            throw new ArgumentException("SequentialLr needs at least one schedule, each built on the same optimizer.", nameof(schedules));
        }

        if (milestones.Count != schedules.Count - 1 || milestones.Zip(milestones.Skip(1)).Any(p => p.First >= p.Second) || milestones.Any(m => m <= 0))
        {
            throw new ArgumentException(
                $"SequentialLr needs {schedules.Count - 1} increasing positive milestones for {schedules.Count} schedules, but got [{string.Join(", ", milestones)}].",
                nameof(milestones));
        }

        (_schedules, _milestones) = ([.. schedules], [.. milestones]);
        foreach (ParameterGroup group in optimizer.Groups)
        {
            group.ExactLearningRate = group.InitialLearningRate;
        }

        foreach (ChainableLrSchedule schedule in _schedules)
        {
            schedule.Rewind();
        }

        _schedules[0].JumpTo(0);
    }

    /// <summary>The schedules in order.</summary>
    public IReadOnlyList<LrSchedule> Schedules => _schedules;

    /// <inheritdoc/>
    public override void Step(float? metric = null)
    {
        StepCount++;
        int index = _milestones.Count(m => m <= StepCount);
        if (index > 0 && _milestones[index - 1] == StepCount)
        {
            _schedules[index].JumpTo(0);
        }
        else
        {
            _schedules[index].Step(metric);
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> GetState() => ChainedScheduler.Combined(StepCount, _schedules);

    /// <inheritdoc/>
    public override void LoadState(IReadOnlyDictionary<string, string> state)
    {
        base.LoadState(state);
        ChainedScheduler.LoadEach(state, _schedules);
    }
}

/// <summary>Steps several schedules on one optimizer together, each scaling the rate the previous left (PyTorch's <c>ChainedScheduler</c>).</summary>
/// <remarks>Stepping two chainable schedules by hand does the same; this keeps them one object, with one state.</remarks>
public sealed class ChainedScheduler : LrSchedule
{
    private readonly LrSchedule[] _schedules;

    /// <summary>Creates the chain.</summary>
    /// <param name="schedules">The schedules, stepped in order; at least one, all on the same optimizer.</param>
    public ChainedScheduler(params LrSchedule[] schedules)
        : base(First(schedules))
    {
        _schedules = [.. schedules];
    }

    /// <summary>The schedules in order.</summary>
    public IReadOnlyList<LrSchedule> Schedules => _schedules;

    /// <inheritdoc/>
    public override void Step(float? metric = null)
    {
        StepCount++;
        foreach (LrSchedule schedule in _schedules)
        {
            schedule.Step(metric);
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> GetState() => Combined(StepCount, _schedules);

    /// <inheritdoc/>
    public override void LoadState(IReadOnlyDictionary<string, string> state)
    {
        base.LoadState(state);
        LoadEach(state, _schedules);
    }

    /// <summary>The state of a composite schedule: its own step, and each part's state under <c>{index}/</c>.</summary>
    internal static Dictionary<string, string> Combined(int step, IReadOnlyList<LrSchedule> schedules)
    {
        var state = new Dictionary<string, string>(StringComparer.Ordinal) { ["step"] = step.ToString(CultureInfo.InvariantCulture) };
        for (int i = 0; i < schedules.Count; i++)
        {
            foreach ((string key, string value) in schedules[i].GetState())
            {
                state[$"{i.ToString(CultureInfo.InvariantCulture)}/{key}"] = value;
            }
        }

        return state;
    }

    /// <summary>Restores each part from <see cref="Combined"/>'s state.</summary>
    internal static void LoadEach(IReadOnlyDictionary<string, string> state, IReadOnlyList<LrSchedule> schedules)
    {
        for (int i = 0; i < schedules.Count; i++)
        {
            string prefix = $"{i.ToString(CultureInfo.InvariantCulture)}/";
            schedules[i].LoadState(state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal));
        }
    }

    private static Optimizer First(LrSchedule[] schedules)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        if (schedules.Length == 0 || schedules.Any(s => s is null || !ReferenceEquals(s.Optimizer, schedules[0].Optimizer)))
        {
            throw new ArgumentException("ChainedScheduler needs at least one schedule, all built on the same optimizer.", nameof(schedules));
        }

        return schedules[0].Optimizer;
    }
}
