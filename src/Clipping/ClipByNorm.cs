using System.Globalization;
using MiniNet.Autograd;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MiniNet.Clipping;

/// <summary>Per-tensor ("local") norm clipping: each gradient tensor is rescaled on its own.</summary>
/// <remarks>
/// g_k ← g_k · min(1, c / (‖g_k‖₂ + 1e-6)) for each parameter k. Each tensor keeps its direction, but the
/// relative sizes of the tensors change, so the update as a whole does not point along the gradient
/// (compare <see cref="ClipByGlobalNorm"/>, which keeps it).
/// </remarks>
public sealed class ClipByNorm : IGradientClipper
{
    /// <summary>Creates the stage.</summary>
    /// <param name="maxNorm">c &gt; 0, the largest L2 norm a tensor's gradient may keep.</param>
    public ClipByNorm(float maxNorm)
    {
        ClipThreshold.RequirePositive(maxNorm, nameof(maxNorm), nameof(ClipByNorm));
        MaxNorm = maxNorm;
    }

    /// <summary>c, the largest norm each parameter's gradient keeps.</summary>
    public float MaxNorm { get; }

    /// <inheritdoc/>
    public ClipReport Clip(IReadOnlyList<Tensor> parameters)
    {
        int[] indices = ClipInputs.WithGradients(parameters, nameof(ClipByNorm));
        (float[] before, float totalBefore) = ClipInputs.L2Norms(parameters, indices);
        var scales = new float[indices.Length];
        var after = new float[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            scales[k] = ClipThreshold.Coefficient(MaxNorm, before[k]);
            if (scales[k] != 1f)
            {
                float[] g = parameters[indices[k]].Grad!.Data;
                ClipInputs.ScaleInPlace(g, scales[k]);
            }

            after[k] = before[k] * scales[k];
        }

        float totalAfter = GradientNorms.Of(after);   // the L2 norm of the per-parameter norms, as GradientNorms.OfEach totals them
        return new ClipReport(totalBefore, totalAfter, ClipInputs.Ratio(totalAfter, totalBefore), false,
            ClipInputs.Scaled(parameters, indices, before, k => scales[k]));
    }

    /// <inheritdoc/>
    public override string ToString() => "norm:" + MaxNorm.ToString(CultureInfo.InvariantCulture);
}
