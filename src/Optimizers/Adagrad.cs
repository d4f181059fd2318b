using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Optimizers;

/// <summary>Adagrad (Duchi et al. 2011), as PyTorch's <c>Adagrad</c>, with learning-rate decay and an initial accumulator.</summary>
/// <remarks>
/// g ← g + λ·p; η_t = η / (1 + (t − 1)·δ); S ← S + g²; p ← p − η_t · g / (√S + ε), with S starting at the
/// initial accumulator value.
/// </remarks>
public sealed class Adagrad : Optimizer<AdagradState>
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="learningRate">η ≥ 0.</param>
    /// <param name="learningRateDecay">δ ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0 (L2).</param>
    /// <param name="initialAccumulatorValue">S's starting value, ≥ 0.</param>
    /// <param name="eps">ε &gt; 0.</param>
    public Adagrad(IEnumerable<Tensor> parameters, float learningRate = 1e-2f, float learningRateDecay = 0f, float weightDecay = 0f, float initialAccumulatorValue = 0f, float eps = 1e-10f)
        : this([new ParameterGroup(parameters)], learningRate, learningRateDecay, weightDecay, initialAccumulatorValue, eps)
    {
    }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The groups; unset settings take the values below.</param>
    /// <param name="learningRate">η ≥ 0.</param>
    /// <param name="learningRateDecay">δ ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0.</param>
    /// <param name="initialAccumulatorValue">S's starting value, ≥ 0.</param>
    /// <param name="eps">ε &gt; 0.</param>
    public Adagrad(IEnumerable<ParameterGroup> groups, float learningRate = 1e-2f, float learningRateDecay = 0f, float weightDecay = 0f, float initialAccumulatorValue = 0f, float eps = 1e-10f)
        : base(groups, learningRate, weightDecay)
    {
        OptimizerOptions.NonNegative(nameof(Adagrad), "lr_decay", learningRateDecay);
        OptimizerOptions.NonNegative(nameof(Adagrad), "initial_accumulator_value", initialAccumulatorValue);
        OptimizerOptions.Positive(nameof(Adagrad), "eps", eps);
        (LearningRateDecay, InitialAccumulatorValue, Eps) = (learningRateDecay, initialAccumulatorValue, eps);
        foreach (ParameterGroup group in Groups)
        {
            OptimizerOptions.Positive(nameof(Adagrad), "eps", group.Eps ?? eps);
            OptimizerOptions.NonNegative(nameof(Adagrad), "lr_decay", group.LearningRateDecay ?? learningRateDecay);
        }
    }

    /// <summary>δ, the learning-rate decay: step t uses η/(1 + (t − 1)·δ).</summary>
    public float LearningRateDecay { get; }

    /// <summary>S's starting value.</summary>
    public float InitialAccumulatorValue { get; }

    /// <summary>ε, added to √S in the denominator.</summary>
    public float Eps { get; }

    /// <inheritdoc/>
    /// <remarks>The initial accumulator value is the optimizer's for every group: PyTorch accepts one per group but fills S
    /// from the constructor's alone, so MiniNet takes it only there.</remarks>
    protected override AdagradState CreateState(int length, ParameterGroup group) => new(length, InitialAccumulatorValue);

    /// <inheritdoc/>
    protected override void Update(Span<float> parameter, ReadOnlySpan<float> gradient, ParameterGroup group, AdagradState state)
    {
        float decay = group.WeightDecay;
        float clr = (float)(group.LearningRate / (1 + ((state.Step - 1) * (double)(group.LearningRateDecay ?? LearningRateDecay))));
        float eps = group.Eps ?? Eps;
        float[] sum = state.Sum;
        for (int i = 0; i < parameter.Length; i++)
        {
            float g = decay != 0f ? gradient[i] + (decay * parameter[i]) : gradient[i];
            sum[i] += g * g;
            parameter[i] += -clr * (g / (MathF.Sqrt(sum[i]) + eps));
        }
    }
}
