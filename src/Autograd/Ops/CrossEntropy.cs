using System.Numerics.Tensors;
using MiniNet.Kernels;

namespace MiniNet.Autograd;

// Fused softmax cross-entropy: the loss every classifier ends in, as one op with a one-pass backward.
// MiniNet.Layers' Losses.CrossEntropy reduces its per-sample values; the same loss composed from
// LogSoftmax and Gather stays in the tests as the reference this op is held equal to.
public sealed partial class Tensor
{
    /// <summary>Per-sample cross-entropy of logits [N, C] against class indices, as one fused op.</summary>
    /// <remarks>
    /// ℓₙ = w[tₙ]·(logsumexp(xₙ) − xₙ[tₙ]), with logsumexp(x) = m + ln Σⱼ e^(xⱼ − m), m = maxⱼ xⱼ (no overflow for any finite
    /// x) and w the class weights (all 1 without); ℓₙ = 0 where tₙ = <paramref name="ignoreIndex"/>. Backward in one pass:
    /// ∂L/∂xₙ = (∂L/∂ℓₙ)·w[tₙ]·(softmax(xₙ) − onehot(tₙ)), zero for ignored rows.
    /// </remarks>
    /// <param name="logits">[N, C].</param>
    /// <param name="targets">N class indices in [0, C), or <paramref name="ignoreIndex"/>.</param>
    /// <param name="ignoreIndex">The target value that marks a row to skip.</param>
    /// <param name="weight">A weight per class (C values), or null for 1.</param>
    /// <returns>The per-sample losses, [N].</returns>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, IReadOnlyList<int> targets, int ignoreIndex, IReadOnlyList<float>? weight = null)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.Rank != 2 || targets.Count != logits._shape[0])
        {
            throw new ArgumentException(
                $"SoftmaxCrossEntropy needs logits [N, C] and N targets, but got logits {ShapeText.Format(logits._shape)} and {targets.Count} targets.", nameof(targets));
        }

        int rows = logits._shape[0];
        int classes = logits._shape[1];
        if (weight is not null && weight.Count != classes)
        {
            throw new ArgumentException($"SoftmaxCrossEntropy got {weight.Count} class weights for {classes} classes; give one weight per class.", nameof(weight));
        }

        var picks = new int[rows];
        for (int n = 0; n < rows; n++)
        {
            int t = targets[n];
            if (t != ignoreIndex && (uint)t >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(targets), $"SoftmaxCrossEntropy target {t} at position {n} is not a class index in [0, {classes - 1}] (nor the ignore index {ignoreIndex}).");
            }

            picks[n] = t == ignoreIndex ? -1 : t;
        }

        float[] probabilities = StoragePool.RentUninitialized(rows * classes);   // softmax(xₙ), kept for the backward pass
        var losses = new float[rows];
        for (int n = 0; n < rows; n++)
        {
            ReadOnlySpan<float> x = logits.Data.AsSpan(n * classes, classes);
            Span<float> p = probabilities.AsSpan(n * classes, classes);
            float max = TensorPrimitives.Max(x);
            TensorPrimitives.Subtract(x, max, p);
            TensorPrimitives.Exp(p, p);
            float sum = TensorPrimitives.Sum(p);
            TensorPrimitives.Divide(p, sum, p);
            losses[n] = picks[n] < 0 ? 0f : (weight?[picks[n]] ?? 1f) * (max + MathF.Log(sum) - x[picks[n]]);
        }

        return FromOp(losses, [rows], nameof(SoftmaxCrossEntropy), [logits], g =>
        {
            float[] dx = probabilities;   // backward runs once: the softmax becomes the gradient in place
            for (int n = 0; n < rows; n++)
            {
                Span<float> row = dx.AsSpan(n * classes, classes);
                if (picks[n] < 0)
                {
                    row.Clear();
                    continue;
                }

                float scale = g[n] * (weight?[picks[n]] ?? 1f);
                TensorPrimitives.Multiply(row, scale, row);
                row[picks[n]] -= scale;
            }

            logits.AccumulateGrad(dx);
        });
    }
}
