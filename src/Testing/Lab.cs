using MiniNet.Training;

namespace MiniNet.Testing;

/// <summary>
/// A few lines of setup for a hypothesis test: <c>Lab.RunSteps(300, clip: "global-norm:1")</c> trains the command line's
/// default setting (an LSTM on the adding problem) for that many steps and returns the run with every step recorded.
/// </summary>
public static class Lab
{
    /// <summary>Trains for <paramref name="steps"/> steps and returns the run (every step's row kept, per-parameter norms included).</summary>
    /// <param name="steps">Steps to train.</param>
    /// <param name="clip">The clipper spec (see <c>ClipperSpec</c>).</param>
    /// <param name="task">The task.</param>
    /// <param name="model">The model kind.</param>
    /// <param name="hidden">Hidden units.</param>
    /// <param name="seqLen">Sequence length.</param>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="seed">Seed of the initial weights and the batches.</param>
    /// <param name="evalEvery">Steps between held-out evaluations.</param>
    /// <param name="stopOnDivergence">Whether to stop when the divergence rule fires (false: watch the loss reach ∞ and NaN).</param>
    /// <returns>The run.</returns>
    public static RunResult RunSteps(int steps, string clip = "none", string task = "adding", string model = "lstm", int hidden = 32, int seqLen = 20,
        string optimizer = "sgd", float lr = 1f, int batch = 32, int seed = 1, int evalEvery = 50, bool stopOnDivergence = true)
    {
        var config = new TrainingConfig(Task: task, Model: model, Hidden: hidden, SequenceLength: seqLen, Batch: batch, Optimizer: optimizer,
            LearningRate: lr, Steps: steps, Seed: seed, Clip: clip, EvalEvery: Math.Min(evalEvery, steps));
        config.Validate();
        return Trainer.Run(config, new TrainingOptions(HistoryCapacity: steps + 1, StopOnDivergence: stopOnDivergence, KeepParameterNorms: true), clip);
    }
}
