using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Optimizers;

/// <summary>AdamW: Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019), as PyTorch's <c>AdamW</c>.</summary>
/// <remarks>
/// p ← p·(1 − η·λ) first, then the Adam update without any L2 term:
/// m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; p ← p − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
/// </remarks>
public sealed class AdamW : AdamOptimizer
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">η ≥ 0.</param>
    /// <param name="beta1">β₁ in [0, 1).</param>
    /// <param name="beta2">β₂ in [0, 1).</param>
    /// <param name="eps">ε &gt; 0.</param>
    /// <param name="weightDecay">λ ≥ 0, decoupled (PyTorch's default 0.01).</param>
    /// <param name="amsgrad">Use AMSGrad.</param>
    public AdamW(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 1e-2f, bool amsgrad = false)
        : this([new ParameterGroup(parameters)], learningRate, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The groups; unset settings take the values below.</param>
    /// <param name="learningRate">η ≥ 0.</param>
    /// <param name="beta1">β₁ in [0, 1).</param>
    /// <param name="beta2">β₂ in [0, 1).</param>
    /// <param name="eps">ε &gt; 0.</param>
    /// <param name="weightDecay">λ ≥ 0, decoupled.</param>
    /// <param name="amsgrad">Use AMSGrad.</param>
    public AdamW(IEnumerable<ParameterGroup> groups, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 1e-2f, bool amsgrad = false)
        : base(groups, learningRate, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameter, ReadOnlySpan<float> gradient, ParameterGroup group, AdamState state)
    {
        float shrink = 1f - (group.LearningRate * group.WeightDecay);
        if (shrink != 1f)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(parameter, shrink, parameter);
        }

        AdamStep(parameter, gradient, group, state, l2: 0f);
    }
}
