using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Clipping;

/// <summary>
/// Guards the optimizer against NaN and ∞: when any gradient element is not finite, every gradient is zeroed and
/// the report asks to skip the step (as mixed-precision loss scalers do); the skips are counted.
/// </summary>
/// <remarks>
/// Put it first in a <see cref="ClipChain"/>: a non-finite gradient would otherwise turn a norm clipper's scale
/// into NaN and poison every parameter. With <c>throwOnNonFinite</c> it stops training instead, naming the parameter.
/// </remarks>
public sealed class SkipNonFinite : IGradientClipper, IStatefulClipper
{
    /// <summary>Creates the stage.</summary>
    /// <param name="throwOnNonFinite">Throw an exception naming the first parameter with a non-finite gradient instead of skipping.</param>
    public SkipNonFinite(bool throwOnNonFinite = false) => ThrowOnNonFinite = throwOnNonFinite;

    /// <summary>Whether a non-finite gradient throws rather than skips.</summary>
    public bool ThrowOnNonFinite { get; }

    /// <summary>How many steps were skipped.</summary>
    public int SkippedSteps { get; private set; }

    /// <inheritdoc/>
    public ClipReport Clip(IReadOnlyList<Tensor> parameters)
    {
        int[] indices = ClipInputs.WithGradients(parameters, nameof(SkipNonFinite));
        (float[] norms, float total) = ClipInputs.L2Norms(parameters, indices);
        int bad = Array.FindIndex(indices, i => !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(parameters[i].Grad!.Data));
        if (bad < 0)
        {
            return new ClipReport(total, total, 1f, false, ClipInputs.Scaled(parameters, indices, norms, _ => 1f));
        }

        if (ThrowOnNonFinite)
        {
            throw new InvalidOperationException(
                $"The gradient of '{ClipInputs.NameOf(parameters, indices[bad])}' contains NaN or infinity (its norm is {norms[bad]}). " +
                "Lower the learning rate or add clipping; to skip such steps instead of stopping, create SkipNonFinite with throwOnNonFinite: false.");
        }

        SkippedSteps++;
        foreach (int i in indices)
        {
            Array.Clear(parameters[i].Grad!.Data);
        }

        return new ClipReport(total, 0f, 0f, true, ClipInputs.Scaled(parameters, indices, norms, _ => 0f));
    }

    /// <summary>Restores the skip count (for resuming a run).</summary>
    /// <param name="skippedSteps">The count.</param>
    public void LoadState(int skippedSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skippedSteps);
        SkippedSteps = skippedSteps;
    }

    /// <inheritdoc/>
    public ClipperState SaveState() => new SkipNonFiniteState(SkippedSteps);

    /// <inheritdoc/>
    public void LoadState(ClipperState state) => LoadState(StateOf.Expect<SkipNonFiniteState>(state, this).SkippedSteps);

    /// <inheritdoc/>
    public ClipperState ParseState(IReadOnlyDictionary<string, string> text) => SkipNonFiniteState.Parse(text);

    /// <inheritdoc/>
    public override string ToString() => "skip-nonfinite";
}
