using System.Globalization;
using MiniNet.Autograd;

namespace MiniNet.Clipping;

/// <summary>
/// Global norm clipping (Pascanu, Mikolov &amp; Bengio 2013), with PyTorch's <c>clip_grad_norm_</c> semantics:
/// one norm over all gradients, and one factor for all.
/// </summary>
/// <remarks>
/// ‖g‖ = ‖(‖g₁‖ₚ, …, ‖g_K‖ₚ)‖ₚ (p = 2 by default, any p &gt; 0, or ∞); every gradient is multiplied by
/// s = min(1, c / (‖g‖ + 1e-6)). The update keeps its direction and only its length is capped — the remedy
/// Pascanu et al. proposed for exploding gradients in RNNs. As in PyTorch, a non-finite norm makes s NaN (or 0
/// for ∞), unless <see cref="ErrorIfNonfinite"/> asks for an error instead.
/// </remarks>
public sealed class ClipByGlobalNorm : IGradientClipper
{
    /// <summary>Creates the stage.</summary>
    /// <param name="maxNorm">c &gt; 0.</param>
    /// <param name="normType">p &gt; 0, or <see cref="float.PositiveInfinity"/>.</param>
    /// <param name="errorIfNonfinite">Throw, naming the first non-finite parameter, when the norm is NaN or ∞.</param>
    public ClipByGlobalNorm(float maxNorm, float normType = 2f, bool errorIfNonfinite = false)
    {
        ClipThreshold.RequirePositive(maxNorm, nameof(maxNorm), nameof(ClipByGlobalNorm));
        GradientNorms.CheckOrder(normType);
        (MaxNorm, NormType, ErrorIfNonfinite) = (maxNorm, normType, errorIfNonfinite);
    }

    /// <summary>c, the largest total norm left unscaled.</summary>
    public float MaxNorm { get; }

    /// <summary>p, the order of the total norm (2, any p &gt; 0, or ∞); the report's <see cref="ClipReport.NormOrder"/>.</summary>
    public float NormType { get; }

    /// <summary>Whether a non-finite norm throws.</summary>
    public bool ErrorIfNonfinite { get; }

    /// <inheritdoc/>
    public ClipReport Clip(IReadOnlyList<Tensor> parameters)
    {
        int[] indices = ClipInputs.WithGradients(parameters, nameof(ClipByGlobalNorm));
        (float[] norms, float total) = GradientNorms.OfEach(parameters, indices, NormType);
        if (ErrorIfNonfinite && !float.IsFinite(total))
        {
            int first = Array.FindIndex(norms, n => !float.IsFinite(n));
            int largest = Array.IndexOf(norms, norms.Max());
            string culprit = first >= 0
                ? $"the first parameter with a non-finite gradient is '{ClipInputs.NameOf(parameters, indices[first])}'"
                : $"every parameter's gradient norm is finite, but their total exceeds float32's range (the largest is '{ClipInputs.NameOf(parameters, indices[largest])}', {norms[largest].ToString("G4", CultureInfo.InvariantCulture)})";
            throw new InvalidOperationException(
                $"The total norm of order {NormType.ToString(CultureInfo.InvariantCulture)} of the gradients is non-finite ({total}), so it cannot be clipped; {culprit}. " +
                "To scale by the non-finite norm anyway, create ClipByGlobalNorm with errorIfNonfinite: false (or add SkipNonFinite before it to skip such steps).");
        }

        // The report lists L2 norms; for p ≠ 2 they are one more pass, taken before scaling.
        float[] l2 = NormType == 2f ? norms : indices.Select(i => GradientNorms.Of(parameters[i].Grad!.Data)).ToArray();
        float scale = ClipThreshold.Coefficient(MaxNorm, total);
        ClipInputs.Scale(parameters, indices, scale);

        return new ClipReport(total, total * scale, scale, false, ClipInputs.Scaled(parameters, indices, l2, _ => scale)) { NormOrder = NormType };
    }

    /// <inheritdoc/>
    public override string ToString() =>
        "global-norm:" + MaxNorm.ToString(CultureInfo.InvariantCulture) + (NormType == 2f ? string.Empty : ":" + (float.IsPositiveInfinity(NormType) ? "inf" : NormType.ToString(CultureInfo.InvariantCulture)));
}
