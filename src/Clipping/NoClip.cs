using MiniNet.Autograd;

namespace MiniNet.Clipping;

/// <summary>Leaves the gradients as they are and reports their norms: the baseline every clipper is compared with.</summary>
public sealed class NoClip : IGradientClipper
{
    /// <inheritdoc/>
    public ClipReport Clip(IReadOnlyList<Tensor> parameters)
    {
        int[] indices = ClipInputs.WithGradients(parameters, nameof(NoClip));
        (float[] norms, float total) = ClipInputs.L2Norms(parameters, indices);
        return new ClipReport(total, total, 1f, false, ClipInputs.Scaled(parameters, indices, norms, _ => 1f));
    }

    /// <inheritdoc/>
    public override string ToString() => "none";
}
