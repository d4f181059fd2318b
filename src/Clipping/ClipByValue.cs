using System.Globalization;
using MiniNet.Autograd;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MiniNet.Clipping;

/// <summary>Clamps every gradient element to [−c, c] (Mikolov 2012; PyTorch's <c>clip_grad_value_</c>).</summary>
/// <remarks>
/// gᵢ ← min(max(gᵢ, −c), c). Unlike norm clipping it changes the gradient's direction: large components are cut
/// while small ones stay, so the update no longer points along the gradient. NaN elements stay NaN.
/// </remarks>
public sealed class ClipByValue : IGradientClipper
{
    /// <summary>Creates the stage.</summary>
    /// <param name="clipValue">c &gt; 0.</param>
    public ClipByValue(float clipValue)
    {
        ClipThreshold.RequirePositive(clipValue, nameof(clipValue), nameof(ClipByValue));
        ClipValue = clipValue;
    }

    /// <summary>c, the largest magnitude a gradient element keeps.</summary>
    public float ClipValue { get; }

    /// <inheritdoc/>
    public ClipReport Clip(IReadOnlyList<Tensor> parameters)
    {
        int[] indices = ClipInputs.WithGradients(parameters, nameof(ClipByValue));
        (float[] before, float totalBefore) = ClipInputs.L2Norms(parameters, indices);
        foreach (int i in indices)
        {
            float[] g = parameters[i].Grad!.Data;
            TensorPrimitives.Clamp(g, -ClipValue, ClipValue, g);
        }

        (float[] after, float totalAfter) = ClipInputs.L2Norms(parameters, indices);
        var entries = new ParameterNorm[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            entries[k] = new ParameterNorm(ClipInputs.NameOf(parameters, indices[k]), before[k], after[k]);
        }

        return new ClipReport(totalBefore, totalAfter, ClipInputs.Ratio(totalAfter, totalBefore), false, entries);
    }

    /// <inheritdoc/>
    public override string ToString() => "value:" + ClipValue.ToString(CultureInfo.InvariantCulture);
}
