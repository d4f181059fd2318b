using MiniNet.Autograd;

namespace MiniNet.Clipping;

/// <summary>
/// One stage of the clipping step: it reads (and may rescale, clamp or zero) the parameters' gradients in
/// place and reports what it saw and did. The training step calls it after Backward and before the optimizer's Step.
/// </summary>
/// <remarks>
/// Stages compose with <see cref="ClipChain"/>, like optax's <c>chain</c>; "no clipping" is <see cref="NoClip"/>,
/// never null. A stage that keeps state (a history, running averages) keeps it inside itself. Parameters whose
/// gradient is null are ignored; if none has a gradient, clipping was called in the wrong place and it throws.
/// </remarks>
public interface IGradientClipper
{
    /// <summary>Clips the gradients of <paramref name="parameters"/> in place.</summary>
    /// <param name="parameters">The model's parameters; their <see cref="Tensor.Grad"/> is read and changed.</param>
    /// <returns>What the stage saw (the pre-clip norm) and did.</returns>
    ClipReport Clip(IReadOnlyList<Tensor> parameters);
}
