using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>How a loss combines its per-element values.</summary>
public enum Reduction
{
    /// <summary>The mean over elements (for cross-entropy with ignore-index: over the targets not ignored).</summary>
    Mean,

    /// <summary>The sum over elements.</summary>
    Sum,

    /// <summary>No reduction: one value per element (per sample for cross-entropy).</summary>
    None,
}

/// <summary>Loss functions with PyTorch's semantics, built from autograd primitives (their gradients come for free).</summary>
public static class Losses
{
    /// <summary>The default ignore index of <see cref="CrossEntropy"/>, as in PyTorch.</summary>
    public const int DefaultIgnoreIndex = -100;

    /// <summary>Mean squared error.</summary>
    /// <remarks>ℓᵢ = (predictionᵢ − targetᵢ)²; ∂ℓᵢ/∂predictionᵢ = 2(predictionᵢ − targetᵢ).</remarks>
    /// <param name="prediction">The model's output.</param>
    /// <param name="target">The target, of the same shape.</param>
    /// <param name="reduction">Mean (default), sum or none.</param>
    /// <returns>The loss.</returns>
    public static Tensor Mse(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape(prediction, target, nameof(Mse));
        return Reduce((prediction - target).Pow(2f), reduction);
    }

    /// <summary>Mean absolute error (L1).</summary>
    /// <remarks>ℓᵢ = |predictionᵢ − targetᵢ|; ∂ℓᵢ/∂predictionᵢ = sign(predictionᵢ − targetᵢ) (0 at 0).</remarks>
    /// <param name="prediction">The model's output.</param>
    /// <param name="target">The target, of the same shape.</param>
    /// <param name="reduction">Mean (default), sum or none.</param>
    /// <returns>The loss.</returns>
    public static Tensor L1(Tensor prediction, Tensor target, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape(prediction, target, nameof(L1));
        return Reduce((prediction - target).Abs(), reduction);
    }

    /// <summary>Cross-entropy from unnormalized logits and class indices (PyTorch's <c>F.cross_entropy</c>).</summary>
    /// <remarks>
    /// ℓₙ = −log softmax(logitsₙ)[targetₙ] = logsumexp(logitsₙ) − logitsₙ[targetₙ], computed with log-sum-exp so
    /// large logits give no NaN; ∂ℓₙ/∂logitsₙ = softmax(logitsₙ) − onehot(targetₙ). Samples whose target is
    /// <paramref name="ignoreIndex"/> contribute 0 and, with mean reduction, are not counted. The per-sample values
    /// come from the fused <see cref="Tensor.SoftmaxCrossEntropy"/>; composing LogSoftmax and Gather gives the same
    /// numbers (the tests hold them equal) at a dozen passes over the logits instead of two.
    /// </remarks>
    /// <param name="logits">[batch, classes].</param>
    /// <param name="targets">One class index per sample, in [0, classes), or <paramref name="ignoreIndex"/>.</param>
    /// <param name="ignoreIndex">A target value that marks a sample to skip (padding).</param>
    /// <param name="reduction">Mean over counted samples (default; weighted by their class weights when given), sum, or none ([batch]).</param>
    /// <param name="weight">A weight per class, or null (PyTorch's <c>weight</c>): a sample's loss is scaled by its class's weight.</param>
    /// <param name="labelSmoothing">ε in [0, 1] (PyTorch's <c>label_smoothing</c>): the target becomes (1 − ε)·onehot + ε/C.</param>
    /// <returns>The loss.</returns>
    public static Tensor CrossEntropy(Tensor logits, IReadOnlyList<int> targets, int ignoreIndex = DefaultIgnoreIndex, Reduction reduction = Reduction.Mean,
        IReadOnlyList<float>? weight = null, float labelSmoothing = 0f)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.Rank != 2)
        {
            throw new ArgumentException(
                $"CrossEntropy expects logits of shape [batch, classes], but got {LayerInput.Format(logits.Shape)}; " +
                "for sequences, reshape [batch, steps, classes] to [batch·steps, classes] (and the targets likewise).", nameof(logits));
        }

        int batch = logits.Shape[0];
        int classes = logits.Shape[1];
        if (targets.Count != batch)
        {
            throw new ArgumentException($"CrossEntropy got {targets.Count} targets for logits of shape {LayerInput.Format(logits.Shape)}; give one target per row.", nameof(targets));
        }

        if (weight is not null && weight.Count != classes)
        {
            throw new ArgumentException($"CrossEntropy got {weight.Count} class weights for {classes} classes; give one weight per class.", nameof(weight));
        }

        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "CrossEntropy labelSmoothing must be in [0, 1] (0: none).");
        }

        int counted = 0;
        double weightOfCounted = 0;
        for (int n = 0; n < batch; n++)
        {
            int t = targets[n];
            if (t == ignoreIndex)
            {
                continue;
            }

            if ((uint)t >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(targets), $"CrossEntropy target {t} at position {n} is not a class index in [0, {classes - 1}] (nor the ignore index {ignoreIndex}).");
            }

            counted++;
            weightOfCounted += weight?[t] ?? 1f;
        }

        if (counted == 0 && reduction == Reduction.Mean)
        {
            throw new ArgumentException(
                $"CrossEntropy: every target equals the ignore index {ignoreIndex}, so the mean is over no samples (PyTorch returns NaN); " +
                "use Reduction.Sum or include at least one real target.", nameof(targets));
        }

        if (reduction == Reduction.Mean && weightOfCounted == 0)
        {
            throw new ArgumentException("CrossEntropy: the counted samples' class weights sum to 0, so the weighted mean is undefined (PyTorch returns NaN); " +
                "use Reduction.Sum or give their classes a weight.", nameof(weight));
        }

        Tensor perSample = Tensor.SoftmaxCrossEntropy(logits, targets, ignoreIndex, weight);
        Tensor nll = reduction switch
        {
            Reduction.Mean => perSample.Sum() * (float)(1 / weightOfCounted),
            Reduction.Sum => perSample.Sum(),
            _ => perSample,
        };
        return labelSmoothing == 0f ? nll : (nll * (1f - labelSmoothing)) + (SmoothingTerm(logits, targets, ignoreIndex, reduction, weight, weightOfCounted) * (labelSmoothing / classes));
    }

    /// <summary>
    /// The label-smoothing term of the cross-entropy, composed from primitives: sₙ = −Σ_c w_c·log softmax(xₙ)_c (0 for an
    /// ignored sample), reduced as PyTorch does: the mean divides by the counted samples' total class weight (their number
    /// without class weights), the same denominator as the weighted negative log-likelihood.
    /// </summary>
    private static Tensor SmoothingTerm(Tensor logits, IReadOnlyList<int> targets, int ignoreIndex, Reduction reduction, IReadOnlyList<float>? weight, double weightOfCounted)
    {
        int batch = logits.Shape[0];
        int classes = logits.Shape[1];
        Tensor logProbabilities = logits.LogSoftmax(1);
        if (weight is not null)
        {
            logProbabilities = logProbabilities * Tensor.FromArray([.. weight], [1, classes]);
        }

        float[] counts = [.. targets.Select(t => t == ignoreIndex ? 0f : 1f)];
        Tensor smooth = -(logProbabilities.Sum(1) * Tensor.FromArray(counts, [batch]));
        return reduction switch
        {
            Reduction.Mean => smooth.Sum() * (float)(1 / (weight is null ? targets.Count(t => t != ignoreIndex) : weightOfCounted)),
            Reduction.Sum => smooth.Sum(),
            _ => smooth,
        };
    }

    /// <summary>Binary cross-entropy from logits (PyTorch's <c>F.binary_cross_entropy_with_logits</c>), stable for any logit.</summary>
    /// <remarks>
    /// ℓᵢ = −[yᵢ·log σ(xᵢ) + (1 − yᵢ)·log(1 − σ(xᵢ))] = softplus(xᵢ) − xᵢ·yᵢ, where softplus(x) = max(x, 0) + log(1 + e^(−|x|));
    /// ∂ℓᵢ/∂xᵢ = σ(xᵢ) − yᵢ.
    /// </remarks>
    /// <param name="logits">The model's outputs.</param>
    /// <param name="targets">Targets in [0, 1], of the same shape.</param>
    /// <param name="reduction">Mean (default), sum or none.</param>
    /// <returns>The loss.</returns>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Reduction reduction = Reduction.Mean)
    {
        CheckSameShape(logits, targets, nameof(BinaryCrossEntropyWithLogits));
        return Reduce(logits.Softplus() - (logits * targets), reduction);
    }

    private static Tensor Reduce(Tensor values, Reduction reduction) => reduction switch
    {
        Reduction.Mean => values.Mean(),
        Reduction.Sum => values.Sum(),
        Reduction.None => values,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Use Reduction.Mean, Sum or None."),
    };

    private static void CheckSameShape(Tensor prediction, Tensor target, string loss)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (!prediction.Shape.SequenceEqual(target.Shape))
        {
            throw new ArgumentException(
                $"{loss} needs the prediction and target in one shape, but the prediction is {LayerInput.Format(prediction.Shape)} " +
                $"and the target is {LayerInput.Format(target.Shape)}; reshape one of them (a silent broadcast would compute the wrong loss).",
                nameof(target));
        }
    }
}
