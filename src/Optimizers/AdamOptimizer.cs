using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Optimizers;

/// <summary>What <see cref="Adam"/> and <see cref="AdamW"/> share: β₁, β₂, ε, AMSGrad, their checks and the fused update.</summary>
public abstract class AdamOptimizer : Optimizer<AdamState>
{
    /// <summary>Checks and stores the shared settings.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">η ≥ 0.</param>
    /// <param name="beta1">β₁ in [0, 1).</param>
    /// <param name="beta2">β₂ in [0, 1).</param>
    /// <param name="eps">ε &gt; 0.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="amsgrad">Use the running maximum of v (AMSGrad).</param>
    private protected AdamOptimizer(IEnumerable<ParameterGroup> groups, float learningRate, float beta1, float beta2, float eps, float weightDecay, bool amsgrad)
        : base(groups, learningRate, weightDecay)
    {
        OptimizerOptions.Beta(Name, "betas[0]", beta1);
        OptimizerOptions.Beta(Name, "betas[1]", beta2);
        OptimizerOptions.Positive(Name, "eps", eps);
        (Beta1, Beta2, Eps, Amsgrad) = (beta1, beta2, eps, amsgrad);
        foreach (ParameterGroup group in Groups)
        {
            OptimizerOptions.Beta(Name, "betas[0]", group.Beta1 ?? beta1);
            OptimizerOptions.Beta(Name, "betas[1]", group.Beta2 ?? beta2);
            OptimizerOptions.Positive(Name, "eps", group.Eps ?? eps);
        }
    }

    /// <summary>β₁, the decay of the first moment m.</summary>
    public float Beta1 { get; }

    /// <summary>β₂, the decay of the second moment v.</summary>
    public float Beta2 { get; }

    /// <summary>ε, added to √v̂ in the denominator.</summary>
    public float Eps { get; }

    /// <summary>Whether AMSGrad is on.</summary>
    public bool Amsgrad { get; }

    /// <inheritdoc/>
    protected override AdamState CreateState(int length, ParameterGroup group) => new(length, group?.Amsgrad ?? Amsgrad);

    /// <summary>The Adam moment update and step for one parameter, with <paramref name="l2"/> added to the gradient as λ·p.</summary>
    /// <param name="parameter">The parameter's data, updated in place.</param>
    /// <param name="gradient">Its gradient.</param>
    /// <param name="group">Its group (η, and any per-group β₁, β₂, ε).</param>
    /// <param name="state">Its state (moments, step).</param>
    /// <param name="l2">λ for L2 weight decay through the gradient (0 for none).</param>
    private protected void AdamStep(Span<float> parameter, ReadOnlySpan<float> gradient, ParameterGroup group, AdamState state, float l2)
    {
        AdamKernel.Coefficients c = AdamKernel.For(state.Step, group.LearningRate, group.Beta1 ?? Beta1, group.Beta2 ?? Beta2, group.Eps ?? Eps, l2);
        AdamKernel.Update(parameter, gradient, state.ExpAvg, state.ExpAvgSq, state.MaxExpAvgSq ?? Span<float>.Empty, c);   // AMSGrad when the state keeps v̂_max
    }
}
