using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Optimizers;

/// <summary>Adam (Kingma &amp; Ba 2015) with PyTorch's L2 weight decay and the AMSGrad option (Reddi et al. 2018).</summary>
/// <remarks>
/// g ← g + λ·p; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; with AMSGrad v̂ ← max(v̂, v) is used for v;
/// p ← p − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε). Weight decay here is the L2 penalty added to the gradient,
/// which Adam's scaling weakens for large gradients; <see cref="AdamW"/> decouples it.
/// </remarks>
public sealed class Adam : AdamOptimizer
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">η ≥ 0.</param>
    /// <param name="beta1">β₁ in [0, 1): decay of the first-moment average.</param>
    /// <param name="beta2">β₂ in [0, 1): decay of the second-moment average.</param>
    /// <param name="eps">ε &gt; 0, added to the denominator.</param>
    /// <param name="weightDecay">λ ≥ 0 (L2, added to the gradient).</param>
    /// <param name="amsgrad">Use the running maximum of v (AMSGrad).</param>
    public Adam(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f, bool amsgrad = false)
        : this([new ParameterGroup(parameters)], learningRate, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The groups; unset settings take the values below.</param>
    /// <param name="learningRate">η ≥ 0.</param>
    /// <param name="beta1">β₁ in [0, 1).</param>
    /// <param name="beta2">β₂ in [0, 1).</param>
    /// <param name="eps">ε &gt; 0.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="amsgrad">Use AMSGrad.</param>
    public Adam(IEnumerable<ParameterGroup> groups, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f, bool amsgrad = false)
        : base(groups, learningRate, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameter, ReadOnlySpan<float> gradient, ParameterGroup group, AdamState state)
    {
        ArgumentNullException.ThrowIfNull(group);
        AdamStep(parameter, gradient, group, state, l2: group.WeightDecay);
    }
}
