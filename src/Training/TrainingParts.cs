using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Optimizers;

namespace MiniNet.Training;

/// <summary>
/// Objects that take the place of <see cref="TrainingConfig"/>'s names: your own task, model, optimizer or clipper (a custom
/// <see cref="IGradientClipper"/> included). Each part left null is built from the configuration as usual, so
/// <c>new TrainingParts(Clipper: new MyClipper())</c> changes only the clipping stage.
/// </summary>
/// <param name="Task">The task, or null for <see cref="TrainingConfig.Task"/>.</param>
/// <param name="Model">Builds the model for the task from a seeded generator (call it for fresh weights each run), or null for <see cref="TrainingConfig.Model"/>.</param>
/// <param name="Optimizer">Builds the optimizer over the model's parameters (at the configuration's learning rate, or your own), or null for <see cref="TrainingConfig.Optimizer"/>.</param>
/// <param name="Clipper">The clipping stage, or null for <see cref="TrainingConfig.Clip"/>.</param>
/// <param name="ClipperName">How reports name a custom clipper (default: its <c>ToString()</c>, which for the built-in stages is their spec).</param>
/// <remarks>
/// The configuration still sets everything else (steps, batch, seed, evaluation, divergence factor, schedule). A stateful
/// custom clipper keeps its state across runs if you pass the same instance twice; pass a new one per run. Resuming from a
/// checkpoint needs the same parts again.
/// </remarks>
public sealed record TrainingParts(ISequenceTask? Task = null, Func<ISequenceTask, Random, ISequenceModel>? Model = null,
    Func<IReadOnlyList<Tensor>, float, Optimizer>? Optimizer = null, IGradientClipper? Clipper = null, string? ClipperName = null)
{
    /// <summary>The label a custom clipper has in reports and in <see cref="RunResult.Config"/>'s <c>Clip</c>.</summary>
    public string? ClipLabel => Clipper is null ? null : ClipperName ?? Clipper.ToString() ?? Clipper.GetType().Name;
}
