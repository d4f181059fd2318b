using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Optimizers;

/// <summary>Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay (PyTorch's rules).</summary>
/// <remarks>
/// d = g + λ·p (weight decay as L2); with momentum μ: b ← d on the first step, else b ← μ·b + (1 − τ)·d (τ = dampening);
/// d ← d + μ·b for Nesterov (Sutskever et al. 2013), else d ← b; finally p ← p − η·d.
/// </remarks>
public sealed class Sgd : Optimizer<SgdState>
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">η ≥ 0.</param>
    /// <param name="momentum">μ ≥ 0 (0 turns momentum off).</param>
    /// <param name="dampening">τ, the share of each new gradient held back from the momentum buffer.</param>
    /// <param name="weightDecay">λ ≥ 0, added to the gradient as λ·p.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs μ &gt; 0 and τ = 0).</param>
    public Sgd(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : this([new ParameterGroup(parameters)], learningRate, momentum, dampening, weightDecay, nesterov)
    {
    }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The groups; unset settings take the values below.</param>
    /// <param name="learningRate">η ≥ 0.</param>
    /// <param name="momentum">μ ≥ 0.</param>
    /// <param name="dampening">τ.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="nesterov">Use Nesterov momentum.</param>
    public Sgd(IEnumerable<ParameterGroup> groups, float learningRate = 1e-3f, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(groups, learningRate, weightDecay)
    {
        OptimizerOptions.NonNegative(nameof(Sgd), "momentum", momentum);
        if (float.IsNaN(dampening) || float.IsInfinity(dampening))
        {
            throw OptimizerOptions.Invalid(nameof(Sgd), "dampening", dampening, "a finite value");
        }

        if (nesterov && (momentum <= 0f || dampening != 0f))
        {
            throw new ArgumentException(
                $"Sgd option 'nesterov' needs momentum > 0 and dampening = 0, but momentum is {momentum} and dampening is {dampening}.", nameof(nesterov));
        }

        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
        foreach (ParameterGroup group in Groups)
        {
            (float groupMomentum, float groupDampening) = (group.Momentum ?? momentum, group.Dampening ?? dampening);
            OptimizerOptions.NonNegative(nameof(Sgd), "momentum", groupMomentum);
            if (!float.IsFinite(groupDampening))
            {
                throw OptimizerOptions.Invalid(nameof(Sgd), "dampening", groupDampening, "a finite value");
            }

            if ((group.Nesterov ?? nesterov) && (groupMomentum <= 0f || groupDampening != 0f))
            {
                throw new ArgumentException(
                    $"Sgd option 'nesterov' needs momentum > 0 and dampening = 0 in every group, but a group has momentum {groupMomentum} and dampening {groupDampening}.", nameof(groups));
            }
        }
    }

    /// <summary>μ, the momentum factor (0 for plain SGD).</summary>
    public float Momentum { get; }

    /// <inheritdoc/>
    protected override SgdState CreateState(int length, ParameterGroup group) => new(length, momentum: (group?.Momentum ?? Momentum) != 0f);

    /// <summary>τ, the dampening of the gradient added to the momentum buffer.</summary>
    public float Dampening { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameter, ReadOnlySpan<float> gradient, ParameterGroup group, SgdState state)
    {
        float lr = group.LearningRate;
        float decay = group.WeightDecay;
        (float momentum, float dampening, bool nesterov) = (group.Momentum ?? Momentum, group.Dampening ?? Dampening, group.Nesterov ?? Nesterov);
        bool first = state.Step == 1;   // PyTorch starts b at the first gradient rather than at zero
        float[]? buffer = state.MomentumBuffer;
        for (int i = 0; i < parameter.Length; i++)
        {
            float d = decay != 0f ? gradient[i] + (decay * parameter[i]) : gradient[i];
            if (buffer is not null)
            {
                buffer[i] = first ? d : (buffer[i] * momentum) + ((1f - dampening) * d);
                d = nesterov ? d + (momentum * buffer[i]) : buffer[i];
            }

            parameter[i] += -lr * d;
        }
    }
}
