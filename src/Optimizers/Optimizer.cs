using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Optimizers;

/// <summary>
/// The base of every optimizer: parameter groups, <see cref="Step"/> over the parameters that have a gradient,
/// <see cref="ZeroGrad"/>, and per-parameter state that can be saved and restored by parameter name.
/// </summary>
/// <remarks>
/// An optimizer knows nothing of clipping: the training step calls Backward, then the clipper, then
/// <see cref="Step"/>. Gradients accumulate in <see cref="Tensor.Grad"/>, so call <see cref="ZeroGrad"/>
/// once per step. Parameters whose gradient is null are skipped, and their state is not advanced.
/// </remarks>
public abstract partial class Optimizer
{
    private readonly ParameterGroup[] _groups;
    private readonly Dictionary<Tensor, ParameterState> _state = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the optimizer over groups, filling unset group settings with the defaults.</summary>
    /// <param name="groups">The parameter groups; every parameter must appear once.</param>
    /// <param name="learningRate">The default learning rate.</param>
    /// <param name="weightDecay">The default weight decay.</param>
    private protected Optimizer(IEnumerable<ParameterGroup> groups, float learningRate, float weightDecay)
    {
        ArgumentNullException.ThrowIfNull(groups);
        _groups = groups.ToArray();
        if (_groups.Length == 0 || _groups.All(g => g.Parameters.Count == 0))
        {
            throw new ArgumentException($"{Name} got an empty parameter list; pass the model's Parameters().", nameof(groups));
        }

        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (ParameterGroup group in _groups)
        {
            foreach (Tensor p in group.Parameters)
            {
                if (p is null || !p.RequiresGrad)
                {
                    throw new ArgumentException(
                        $"{Name} can only optimize tensors that require a gradient; {(p is null ? "a null parameter" : $"'{p.Name ?? "unnamed"}'")} was given.", nameof(groups));
                }

                if (!seen.Add(p))
                {
                    throw new ArgumentException($"{Name}: parameter '{p.Name ?? "unnamed"}' appears more than once; give each parameter to one group only.", nameof(groups));
                }
            }

            group.LearningRate = group.RequestedLearningRate ?? learningRate;
            group.InitialLearningRate = group.LearningRate;
            group.WeightDecay = group.RequestedWeightDecay ?? weightDecay;
            OptimizerOptions.NonNegative(Name, "lr", group.LearningRate);
            OptimizerOptions.NonNegative(Name, "weight_decay", group.WeightDecay);
        }
    }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParameterGroup> Groups => _groups;

    /// <summary>The first group's learning rate; setting it sets every group's.</summary>
    public float LearningRate
    {
        get => _groups[0].LearningRate;
        set
        {
            OptimizerOptions.NonNegative(Name, "lr", value);
            foreach (ParameterGroup group in _groups)
            {
                group.LearningRate = value;
            }
        }
    }

    /// <summary>
    /// Whether to maximize the objective instead of minimizing it (PyTorch's <c>maximize</c>): every rule then starts from
    /// −g, before weight decay, as PyTorch's do. Set it when creating the optimizer: <c>new Adam(ps) { Maximize = true }</c>.
    /// </summary>
    public bool Maximize { get; init; }

    /// <summary>The optimizer's name in messages.</summary>
    protected string Name => GetType().Name;

    /// <summary>Updates every parameter that has a gradient, by the optimizer's rule.</summary>
    public void Step()
    {
        foreach (ParameterGroup group in _groups)
        {
            foreach (Tensor p in group.Parameters)
            {
                if (p.Grad is null)
                {
                    continue;
                }

                if (!_state.TryGetValue(p, out ParameterState? state))
                {
                    state = NewState(p.Length, group);
                    _state[p] = state;
                }

                state.Step++;
                if (group.Maximize ?? Maximize)
                {
                    float[] ascent = System.Buffers.ArrayPool<float>.Shared.Rent(p.Length);
                    System.Numerics.Tensors.TensorPrimitives.Negate(p.Grad.Data, ascent.AsSpan(0, p.Length));
                    Apply(p.Data, ascent.AsSpan(0, p.Length), group, state);
                    System.Buffers.ArrayPool<float>.Shared.Return(ascent);
                }
                else
                {
                    Apply(p.Data, p.Grad.Data, group, state);
                }
            }
        }
    }

    /// <summary>Clears every parameter's gradient; gradients accumulate across Backward calls, so each step starts with this.</summary>
    /// <param name="setToNone">True (PyTorch's default) sets <see cref="Tensor.Grad"/> to null; false fills it with zeros.</param>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (ParameterGroup group in _groups)
        {
            foreach (Tensor p in group.Parameters)
            {
                p.ZeroGrad(setToNone);
            }
        }
    }

    /// <summary>The state kept for <paramref name="parameter"/>, or null before its first update.</summary>
    /// <param name="parameter">A parameter of this optimizer.</param>
    /// <returns>The state.</returns>
    public ParameterState? StateOf(Tensor parameter) => _state.GetValueOrDefault(parameter);

    /// <summary>A fresh state for a parameter of <paramref name="length"/> elements in <paramref name="group"/>.</summary>
    private protected abstract ParameterState NewState(int length, ParameterGroup group);

    /// <summary>Applies the update rule to one parameter (see <see cref="Optimizer{TState}"/>).</summary>
    private protected abstract void Apply(Span<float> parameter, ReadOnlySpan<float> gradient, ParameterGroup group, ParameterState state);
}

/// <summary>An optimizer whose per-parameter state is <typeparamref name="TState"/>: the update rule reads and writes it as typed properties.</summary>
/// <typeparam name="TState">The state record, such as <see cref="AdamState"/>.</typeparam>
public abstract class Optimizer<TState> : Optimizer
    where TState : ParameterState
{
    /// <summary>Creates the optimizer over groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The default learning rate.</param>
    /// <param name="weightDecay">The default weight decay.</param>
    private protected Optimizer(IEnumerable<ParameterGroup> groups, float learningRate, float weightDecay)
        : base(groups, learningRate, weightDecay)
    {
    }

    /// <summary>The state kept for <paramref name="parameter"/>, or null before its first update.</summary>
    /// <param name="parameter">A parameter of this optimizer.</param>
    /// <returns>The state.</returns>
    public new TState? StateOf(Tensor parameter) => (TState?)base.StateOf(parameter);

    /// <summary>A fresh state for a parameter of <paramref name="length"/> elements.</summary>
    /// <param name="length">The parameter's element count.</param>
    /// <param name="group">The parameter's group (its settings decide which buffers there are).</param>
    /// <returns>The state, its buffers allocated as the settings need.</returns>
    protected abstract TState CreateState(int length, ParameterGroup group);

    /// <summary>Applies the update rule to one parameter.</summary>
    /// <param name="parameter">The parameter's data, updated in place.</param>
    /// <param name="gradient">Its gradient.</param>
    /// <param name="group">Its group (learning rate, weight decay).</param>
    /// <param name="state">Its state; <see cref="ParameterState.Step"/> already counts this update.</param>
    protected abstract void Update(Span<float> parameter, ReadOnlySpan<float> gradient, ParameterGroup group, TState state);

    private protected sealed override ParameterState NewState(int length, ParameterGroup group) => CreateState(length, group);

    private protected sealed override void Apply(Span<float> parameter, ReadOnlySpan<float> gradient, ParameterGroup group, ParameterState state) =>
        Update(parameter, gradient, group, (TState)state);
}
