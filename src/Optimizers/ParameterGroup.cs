using MiniNet.Autograd;

namespace MiniNet.Optimizers;

/// <summary>
/// Parameters that share a learning rate and weight decay, as one entry of PyTorch's <c>param_groups</c>
/// (for example: no weight decay on biases, or a smaller learning rate for an embedding).
/// </summary>
public sealed class ParameterGroup
{
    /// <summary>Creates a group; null settings take the optimizer's own (PyTorch's per-group options).</summary>
    /// <param name="parameters">The tensors, each requiring a gradient.</param>
    /// <param name="learningRate">This group's learning rate, or null for the optimizer's.</param>
    /// <param name="weightDecay">This group's weight decay, or null for the optimizer's.</param>
    /// <param name="momentum">This group's momentum μ (SGD, RMSprop), or null for the optimizer's.</param>
    /// <param name="dampening">This group's dampening τ (SGD), or null.</param>
    /// <param name="beta1">This group's β₁ (Adam, AdamW), or null.</param>
    /// <param name="beta2">This group's β₂ (Adam, AdamW), or null.</param>
    /// <param name="eps">This group's ε (Adam, AdamW, RMSprop, Adagrad), or null.</param>
    /// <param name="alpha">This group's α (RMSprop), or null.</param>
    /// <param name="nesterov">Whether this group uses Nesterov momentum (SGD), or null.</param>
    /// <param name="amsgrad">Whether this group uses AMSGrad (Adam, AdamW), or null.</param>
    /// <param name="centered">Whether this group's RMSprop is centered, or null.</param>
    /// <param name="learningRateDecay">This group's Adagrad lr_decay, or null.</param>
    /// <param name="maximize">Whether this group maximizes, or null for the optimizer's <see cref="Optimizer.Maximize"/>.</param>
    public ParameterGroup(IEnumerable<Tensor> parameters, float? learningRate = null, float? weightDecay = null, float? momentum = null,
        float? dampening = null, float? beta1 = null, float? beta2 = null, float? eps = null, float? alpha = null, bool? nesterov = null,
        bool? amsgrad = null, bool? centered = null, float? learningRateDecay = null, bool? maximize = null)
    {
        (Nesterov, Amsgrad, Centered, LearningRateDecay, Maximize) = (nesterov, amsgrad, centered, learningRateDecay, maximize);
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        RequestedLearningRate = learningRate;
        RequestedWeightDecay = weightDecay;
        (Momentum, Dampening, Beta1, Beta2, Eps, Alpha) = (momentum, dampening, beta1, beta2, eps, alpha);
    }

    /// <summary>This group's momentum μ, or null for the optimizer's (schedules that cycle momentum, such as <see cref="OneCycleLr"/>, set it).</summary>
    public float? Momentum { get; set; }

    /// <summary>This group's SGD dampening τ, or null for the optimizer's.</summary>
    public float? Dampening { get; set; }

    /// <summary>This group's β₁, or null for the optimizer's (cycled by <see cref="OneCycleLr"/> for Adam).</summary>
    public float? Beta1 { get; set; }

    /// <summary>This group's β₂, or null for the optimizer's.</summary>
    public float? Beta2 { get; set; }

    /// <summary>This group's ε, or null for the optimizer's.</summary>
    public float? Eps { get; set; }

    /// <summary>This group's RMSprop α, or null for the optimizer's.</summary>
    public float? Alpha { get; set; }

    /// <summary>Whether this group uses Nesterov momentum, or null for the optimizer's.</summary>
    public bool? Nesterov { get; }

    /// <summary>Whether this group uses AMSGrad, or null for the optimizer's.</summary>
    public bool? Amsgrad { get; }

    /// <summary>Whether this group's RMSprop is centered, or null for the optimizer's.</summary>
    public bool? Centered { get; }

    /// <summary>This group's Adagrad learning-rate decay, or null for the optimizer's.</summary>
    public float? LearningRateDecay { get; }

    /// <summary>Whether this group maximizes, or null for the optimizer's.</summary>
    public bool? Maximize { get; }

    /// <summary>The group's parameters.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The current learning rate (schedules change it).</summary>
    public float LearningRate
    {
        get => (float)ExactLearningRate;
        set => ExactLearningRate = value;
    }

    /// <summary>
    /// The learning rate in double precision, as schedules compute it (PyTorch keeps it as a Python float, so a chain of
    /// schedules multiplying it step after step does not drift); <see cref="LearningRate"/> is it rounded to float.
    /// </summary>
    public double ExactLearningRate { get; set; }

    /// <summary>The learning rate the group started with (PyTorch's <c>initial_lr</c>); schedules scale from it.</summary>
    public float InitialLearningRate { get; internal set; }

    /// <summary>The weight decay.</summary>
    public float WeightDecay { get; internal set; }

    internal float? RequestedLearningRate { get; }

    internal float? RequestedWeightDecay { get; }
}
