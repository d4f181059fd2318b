namespace MiniNet.Clipping;

/// <summary>One parameter's gradient norm before and after a clipping stage.</summary>
/// <param name="Name">The parameter's name (its <c>Tensor.Name</c>, or <c>param{i}</c>).</param>
/// <param name="NormBefore">‖g‖₂ before the stage.</param>
/// <param name="NormAfter">‖g‖₂ after the stage.</param>
public sealed record ParameterNorm(string Name, float NormBefore, float NormAfter);

/// <summary>What a clipping stage saw and did in one step.</summary>
/// <param name="TotalNormBefore">The global gradient norm before clipping (in the stage's norm; L2 unless it says otherwise): what the plots show.</param>
/// <param name="TotalNormAfter">The global gradient norm after clipping, in the same norm.</param>
/// <param name="Scale">The factor the gradients were multiplied by (1 when unchanged); for stages that do not scale uniformly, after / before.</param>
/// <param name="SkipStep">True when the optimizer's Step must be skipped (for example a non-finite gradient).</param>
/// <param name="PerParameter">Each parameter's L2 norm before and after, in parameter order.</param>
public sealed record ClipReport(float TotalNormBefore, float TotalNormAfter, float Scale, bool SkipStep, IReadOnlyList<ParameterNorm> PerParameter)
{
    /// <summary>Whether the stage changed the gradients.</summary>
    public bool Clipped => Scale != 1f || SkipStep;
}
