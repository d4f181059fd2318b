using MiniNet.Autograd;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MiniNet.Clipping;

/// <summary>Gradient norms without clipping: per tensor, and over all tensors (PyTorch's total norm).</summary>
/// <remarks>
/// The total p-norm is the p-norm of the per-tensor p-norms, ‖(‖g₁‖ₚ, …, ‖g_K‖ₚ)‖ₚ, which equals the p-norm of
/// all elements together: (Σ |gᵢ|ᵖ)^(1/p) for p &gt; 0, and maxᵢ |gᵢ| for p = ∞ (<see cref="float.PositiveInfinity"/>).
/// A NaN anywhere gives NaN; an infinity gives ∞. For orders other than 1, 2 and ∞ the sum is scaled by the largest
/// magnitude m, ‖x‖ₚ = m · (Σ (|xᵢ|/m)ᵖ)^(1/p), in double precision, so that a large p (1000) or large values never
/// overflow to ∞ nor underflow to 0; the 1- and 2-norms fall back to the same scaling when their fast float sum overflows.
/// </remarks>
public static class GradientNorms
{
    /// <summary>The total p-norm of the gradients of <paramref name="parameters"/> (parameters without a gradient are ignored).</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="p">The norm's order: any p &gt; 0, or <see cref="float.PositiveInfinity"/>.</param>
    /// <returns>The norm; 0 when no parameter has a gradient.</returns>
    public static float Total(IReadOnlyList<Tensor> parameters, float p = 2f)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        CheckOrder(p);
        var norms = new float[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            Tensor? grad = parameters[i].Grad;
            norms[i] = grad is null ? 0f : Of(grad.Data, p);
        }

        return Of(norms, p);
    }

    /// <summary>The p-norm of each listed parameter's gradient and their total, the one computation every clipping stage uses.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="indices">Which of them (each must have a gradient).</param>
    /// <param name="p">The norm's order.</param>
    /// <returns>The per-parameter norms, in the order of <paramref name="indices"/>, and the total.</returns>
    internal static (float[] PerParameter, float Total) OfEach(IReadOnlyList<Tensor> parameters, int[] indices, float p = 2f)
    {
        var norms = new float[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            norms[k] = Of(parameters[indices[k]].Grad!.Data, p);
        }

        return (norms, Of(norms, p));
    }

    /// <summary>The p-norm of one span of values.</summary>
    /// <param name="values">The values.</param>
    /// <param name="p">The norm's order: any p &gt; 0, or <see cref="float.PositiveInfinity"/>.</param>
    /// <returns>The norm.</returns>
    public static float Of(ReadOnlySpan<float> values, float p = 2f)
    {
        if (values.IsEmpty)
        {
            return 0f;
        }

        if (p == 2f || p == 1f)
        {
            float fast = p == 2f ? TensorPrimitives.Norm(values) : TensorPrimitives.SumOfMagnitudes(values);
            if (!float.IsPositiveInfinity(fast) || !TensorPrimitives.IsFiniteAll(values))
            {
                return fast;
            }
        }

        if (TensorPrimitives.IsNaNAny(values))
        {
            return float.NaN;
        }

        float largest = MathF.Abs(TensorPrimitives.MaxMagnitude(values));
        if (float.IsPositiveInfinity(p) || largest == 0f || float.IsPositiveInfinity(largest))
        {
            return largest;
        }

        double sum = 0;
        foreach (float v in values)
        {
            sum += Math.Pow(Math.Abs(v) / (double)largest, p);
        }

        double norm = largest * Math.Pow(sum, 1.0 / p);
        return norm > float.MaxValue ? float.PositiveInfinity : (float)norm;
    }

    internal static void CheckOrder(float p)
    {
        if (!(p > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "A norm's order p must be > 0 (use float.PositiveInfinity for the max norm).");
        }
    }
}
