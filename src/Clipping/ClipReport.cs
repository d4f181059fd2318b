namespace MiniNet.Clipping;

/// <summary>One parameter's gradient norm before and after a clipping stage.</summary>
/// <param name="Name">The parameter's name (its <c>Tensor.Name</c>, or <c>param{i}</c>).</param>
/// <param name="NormBefore">‖g‖₂ before the stage.</param>
/// <param name="NormAfter">‖g‖₂ after the stage.</param>
public sealed record ParameterNorm(string Name, float NormBefore, float NormAfter);

/// <summary>What a clipping stage saw and did in one step.</summary>
/// <param name="TotalNormBefore">The global gradient norm before clipping, of order <see cref="NormOrder"/>: what the plots show.</param>
/// <param name="TotalNormAfter">The global gradient norm after clipping, of the same order.</param>
/// <param name="Scale">The factor the gradients were multiplied by (1 when unchanged); for stages that do not scale uniformly, after / before.</param>
/// <param name="SkipStep">True when the optimizer's Step must be skipped (for example a non-finite gradient).</param>
/// <param name="PerParameter">Each parameter's L2 norm before and after, in parameter order (always L2, whatever <see cref="NormOrder"/>).</param>
public sealed record ClipReport(float TotalNormBefore, float TotalNormAfter, float Scale, bool SkipStep, IReadOnlyList<ParameterNorm> PerParameter)
{
    /// <summary>
    /// The order p of <see cref="TotalNormBefore"/> and <see cref="TotalNormAfter"/>: 2 (the default) unless the stage
    /// measures another, as <see cref="ClipByGlobalNorm"/> with <c>normType</c> does (∞ for the max norm).
    /// </summary>
    public float NormOrder { get; init; } = 2f;

    /// <summary>Whether the stage changed the gradients.</summary>
    public bool Clipped => Scale != 1f || SkipStep;
}
