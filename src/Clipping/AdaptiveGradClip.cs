using System.Globalization;
using MiniNet.Autograd;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MiniNet.Clipping;

/// <summary>Adaptive gradient clipping, unit-wise (Brock, De, Smith &amp; Simonyan 2021, "NFNets", arXiv 2102.06171).</summary>
/// <remarks>
/// For each unit i — a row along dimension 0 of a weight (one output unit: a row of a Linear weight [out, in],
/// one gate row of an LSTM weight), or the whole tensor for a bias or scalar — with W_i its parameter values
/// and G_i its gradient: if ‖G_i‖ / max(‖W_i‖, ε) &gt; λ then G_i ← λ·max(‖W_i‖, ε) / max(‖G_i‖, 1e-6) · G_i.
/// The allowed gradient scales with the weight it updates, so λ is a bound on the relative update size.
/// </remarks>
public sealed class AdaptiveGradClip : IGradientClipper
{
    private const float GradientFloor = 1e-6f;

    /// <summary>Creates the stage.</summary>
    /// <param name="clipping">λ &gt; 0, the largest allowed ratio ‖G_i‖ / ‖W_i‖ (the paper uses 0.01 to 0.16).</param>
    /// <param name="eps">ε &gt; 0, the floor on ‖W_i‖ so that zero-initialized units can still move.</param>
    public AdaptiveGradClip(float clipping, float eps = 1e-3f)
    {
        ClipThreshold.RequirePositive(clipping, nameof(clipping), nameof(AdaptiveGradClip));
        ClipThreshold.RequirePositive(eps, nameof(eps), nameof(AdaptiveGradClip));
        (Clipping, Eps) = (clipping, eps);
    }

    /// <summary>λ, the largest ratio ‖G_i‖/‖W_i‖ a unit keeps.</summary>
    public float Clipping { get; }

    /// <summary>ε, the floor on ‖W_i‖ (1e-3 by default), so a zero-initialized unit can still move.</summary>
    public float Eps { get; }

    /// <inheritdoc/>
    public ClipReport Clip(IReadOnlyList<Tensor> parameters)
    {
        int[] indices = ClipInputs.WithGradients(parameters, nameof(AdaptiveGradClip));
        (float[] before, float totalBefore) = ClipInputs.L2Norms(parameters, indices);
        var entries = new ParameterNorm[indices.Length];
        var after = new float[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            Tensor p = parameters[indices[k]];
            after[k] = ClipUnits(p.Data, p.Grad!.Data, p.Rank <= 1 ? 1 : p.Shape[0]);
            entries[k] = new ParameterNorm(ClipInputs.NameOf(parameters, indices[k]), before[k], after[k]);
        }

        float totalAfter = GradientNorms.Of(after);   // the L2 norm of the per-parameter norms, as GradientNorms.OfEach totals them
        return new ClipReport(totalBefore, totalAfter, ClipInputs.Ratio(totalAfter, totalBefore), false, entries);
    }

    /// <summary>Clips each of <paramref name="units"/> equal row blocks; returns the gradient's L2 norm afterwards.</summary>
    private float ClipUnits(float[] weight, float[] gradient, int units)
    {
        int size = weight.Length / units;
        var unitNorms = new float[units];
        for (int u = 0; u < units; u++)
        {
            Span<float> g = gradient.AsSpan(u * size, size);
            float weightNorm = MathF.Max(GradientNorms.Of(weight.AsSpan(u * size, size)), Eps);
            float gradientNorm = GradientNorms.Of(g);
            float maxNorm = Clipping * weightNorm;
            if (gradientNorm > maxNorm)
            {
                float scale = maxNorm / MathF.Max(gradientNorm, GradientFloor);
                ClipInputs.ScaleInPlace(g, scale);
                gradientNorm *= scale;
            }

            unitNorms[u] = gradientNorm;
        }

        return GradientNorms.Of(unitNorms);
    }

    /// <inheritdoc/>
    public override string ToString() => "agc:" + Clipping.ToString(CultureInfo.InvariantCulture);
}
