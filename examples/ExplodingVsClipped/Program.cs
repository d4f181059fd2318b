// Exploding versus clipped gradients on the adding problem, in one screen.
// Run: dotnet run --project examples/ExplodingVsClipped
using MiniNet.Training;

// Plain SGD with a high learning rate on an LSTM: the setting Pascanu et al. (2013) clipped to rescue.
var settings = new TrainingConfig(Task: "adding", Model: "lstm", Hidden: 64, SequenceLength: 20, Batch: 64,
    Optimizer: "sgd", LearningRate: 1.0f, Steps: 5000, Seed: 1, EvalEvery: 100);

foreach (string clip in new[] { "none", "global-norm:0.1" })
{
    // Same model, same seed, same batches: only the clipping stage differs.
    // Each run takes about 20 s: a line every 1000 steps shows it is moving.
    RunResult run = Trainer.Run(settings with { Clip = clip }, progress: new Every(1000, p =>
        Console.WriteLine($"  {clip}: step {p.Step} of {p.Steps}, loss {p.Row.Loss:G3}")));

    Console.WriteLine($"{clip,-16} largest gradient norm {run.MaxGradNorm,8:G3}   final test MSE {run.FinalTestLoss,9:G3}   {run.Verdict}");
    foreach (MetricsRow row in run.Rows.Take(6))
    {
        // The first steps tell the story: without clipping the gradient norm explodes and the loss follows it.
        Console.WriteLine($"    step {row.Step}: loss {row.Loss,10:G4}   gradient norm {row.GradNormBefore,10:G4} -> {row.GradNormAfter,10:G4}");
    }
}

Console.WriteLine($"Baseline (always answer 1): MSE {new AddingTask(20).Baseline:F3}. For plots, run: dotnet run --project src/Lab -- compare");

/// <summary>Reports every n-th step, on the training thread (so the lines come in order).</summary>
internal sealed class Every(int n, Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.Step % n == 0)
        {
            report(value);
        }
    }
}
