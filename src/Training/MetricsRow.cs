using MiniNet.Clipping;

namespace MiniNet.Training;

/// <summary>What one training step did: the row of <c>metrics.csv</c> and one line of <c>metrics.jsonl</c>.</summary>
/// <param name="Step">The step, from 1.</param>
/// <param name="Loss">The training loss of the step's batch (before the update).</param>
/// <param name="GradNormBefore">The global L2 gradient norm before clipping.</param>
/// <param name="GradNormAfter">The global L2 gradient norm after clipping.</param>
/// <param name="LearningRate">The learning rate used.</param>
/// <param name="Clipped">Whether the clipper changed the gradients.</param>
/// <param name="Skipped">Whether the optimizer step was skipped (a non-finite gradient under skip-nonfinite).</param>
/// <param name="PerParameter">Each parameter's gradient norm before and after clipping.</param>
/// <param name="TestLoss">The held-out loss, on evaluation steps.</param>
/// <param name="TestAccuracy">The held-out accuracy, on evaluation steps.</param>
public sealed record MetricsRow(int Step, float Loss, float GradNormBefore, float GradNormAfter, float LearningRate, bool Clipped, bool Skipped,
    IReadOnlyList<ParameterNorm> PerParameter, double? TestLoss, double? TestAccuracy);
