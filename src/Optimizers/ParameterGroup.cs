using MiniNet.Autograd;

namespace MiniNet.Optimizers;

/// <summary>
/// Parameters that share a learning rate and weight decay, as one entry of PyTorch's <c>param_groups</c>
/// (for example: no weight decay on biases, or a smaller learning rate for an embedding).
/// </summary>
public sealed class ParameterGroup
{
    /// <summary>Creates a group; null settings take the optimizer's defaults.</summary>
    /// <param name="parameters">The tensors, each requiring a gradient.</param>
    /// <param name="learningRate">This group's learning rate, or null for the optimizer's.</param>
    /// <param name="weightDecay">This group's weight decay, or null for the optimizer's.</param>
    public ParameterGroup(IEnumerable<Tensor> parameters, float? learningRate = null, float? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        RequestedLearningRate = learningRate;
        RequestedWeightDecay = weightDecay;
    }

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
