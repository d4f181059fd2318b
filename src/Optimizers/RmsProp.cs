using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Optimizers;

/// <summary>RMSprop (Hinton's lecture 6e, 2012; centered variant of Graves 2013), as PyTorch's <c>RMSprop</c>.</summary>
/// <remarks>
/// g ← g + λ·p; s ← αs + (1 − α)g²; centered: a ← αa + (1 − α)g and d = √(s − a²) + ε, else d = √s + ε;
/// with momentum μ &gt; 0: b ← μb + g/d, p ← p − η·b; otherwise p ← p − η·g/d.
/// </remarks>
public sealed class RmsProp : Optimizer<RmsPropState>
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">η ≥ 0.</param>
    /// <param name="alpha">α ≥ 0, the smoothing constant of the squared-gradient average.</param>
    /// <param name="eps">ε &gt; 0.</param>
    /// <param name="weightDecay">λ ≥ 0 (L2).</param>
    /// <param name="momentum">μ ≥ 0.</param>
    /// <param name="centered">Normalize by the gradient's estimated variance instead of its second moment.</param>
    public RmsProp(IEnumerable<Tensor> parameters, float learningRate = 1e-2f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : this([new ParameterGroup(parameters)], learningRate, alpha, eps, weightDecay, momentum, centered)
    {
    }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The groups; unset settings take the values below.</param>
    /// <param name="learningRate">η ≥ 0.</param>
    /// <param name="alpha">α ≥ 0.</param>
    /// <param name="eps">ε &gt; 0.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="momentum">μ ≥ 0.</param>
    /// <param name="centered">Use the centered variant.</param>
    public RmsProp(IEnumerable<ParameterGroup> groups, float learningRate = 1e-2f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : base(groups, learningRate, weightDecay)
    {
        OptimizerOptions.NonNegative(nameof(RmsProp), "alpha", alpha);
        OptimizerOptions.Positive(nameof(RmsProp), "eps", eps);
        OptimizerOptions.NonNegative(nameof(RmsProp), "momentum", momentum);
        (Alpha, Eps, Momentum, Centered) = (alpha, eps, momentum, centered);
        foreach (ParameterGroup group in Groups)
        {
            OptimizerOptions.NonNegative(nameof(RmsProp), "alpha", group.Alpha ?? alpha);
            OptimizerOptions.Positive(nameof(RmsProp), "eps", group.Eps ?? eps);
            OptimizerOptions.NonNegative(nameof(RmsProp), "momentum", group.Momentum ?? momentum);
        }
    }

    /// <summary>α, the decay of the mean square v.</summary>
    public float Alpha { get; }

    /// <summary>ε, added to √v in the denominator.</summary>
    public float Eps { get; }

    /// <summary>μ, the momentum factor (0 for none).</summary>
    public float Momentum { get; }

    /// <summary>Whether the centered variant is used.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override RmsPropState CreateState(int length, ParameterGroup group) =>
        new(length, group?.Centered ?? Centered, momentum: (group?.Momentum ?? Momentum) > 0f);

    /// <inheritdoc/>
    protected override void Update(Span<float> parameter, ReadOnlySpan<float> gradient, ParameterGroup group, RmsPropState state)
    {
        float lr = group.LearningRate;
        float decay = group.WeightDecay;
        (float alpha, float eps, float momentum) = (group.Alpha ?? Alpha, group.Eps ?? Eps, group.Momentum ?? Momentum);
        float[] square = state.SquareAvg;
        float[]? mean = state.GradAvg;
        float[]? buffer = state.MomentumBuffer;
        for (int i = 0; i < parameter.Length; i++)
        {
            float g = decay != 0f ? gradient[i] + (decay * parameter[i]) : gradient[i];
            square[i] = (square[i] * alpha) + ((1f - alpha) * g * g);
            float avg;
            if (mean is not null)
            {
                mean[i] = (mean[i] * alpha) + ((1f - alpha) * g);
                avg = MathF.Sqrt(square[i] - (mean[i] * mean[i]));
            }
            else
            {
                avg = MathF.Sqrt(square[i]);
            }

            avg += eps;
            if (buffer is not null)
            {
                buffer[i] = (buffer[i] * momentum) + (g / avg);
                parameter[i] += -lr * buffer[i];
            }
            else
            {
                parameter[i] += -lr * (g / avg);
            }
        }
    }
}
