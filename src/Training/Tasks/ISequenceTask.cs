using MiniNet.Autograd;

namespace MiniNet.Training;

/// <summary>Where a task reads the model's answer.</summary>
public enum TaskReadout
{
    /// <summary>One answer after the last step (adding, multiplication, temporal order).</summary>
    LastStep,

    /// <summary>An answer at every step (copy memory).</summary>
    EveryStep,
}

/// <summary>One batch of a task: inputs [B, T, features] and either regression targets or class labels.</summary>
/// <param name="Inputs">[batch, steps, input size].</param>
/// <param name="Targets">Regression targets [batch, outputs], or null for a classification task.</param>
/// <param name="Labels">Class labels (one per sample, or one per sample and step, row-major), or null for regression.</param>
public sealed record TaskBatch(Tensor Inputs, Tensor? Targets, int[]? Labels)
{
    /// <summary>The number of sequences, B.</summary>
    public int Count => Inputs.Shape[0];

    /// <summary>Sequences [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as a batch of their own (copies).</summary>
    /// <param name="start">The first sequence.</param>
    /// <param name="count">How many.</param>
    /// <returns>The smaller batch.</returns>
    public TaskBatch Slice(int start, int count)
    {
        if (start < 0 || count < 1 || start + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Sequences [{start}, {start + count}) are not within the batch of {Count}.");
        }

        return new TaskBatch(Rows(Inputs, start, count), Targets is null ? null : Rows(Targets, start, count),
            Labels is null ? null : Labels.AsSpan(start * (Labels.Length / Count), count * (Labels.Length / Count)).ToArray());
    }

    private static Tensor Rows(Tensor tensor, int start, int count)
    {
        int row = tensor.Length / tensor.Shape[0];
        int[] shape = [.. tensor.Shape];
        shape[0] = count;
        return Tensor.FromArray(tensor.Data.AsSpan(start * row, count * row).ToArray(), shape);
    }
}

/// <summary>A toy sequence task: a seeded generator, its loss, a chance baseline and a success criterion.</summary>
public interface ISequenceTask
{
    /// <summary>The task's name on the command line (for example <c>adding</c>).</summary>
    string Name { get; }

    /// <summary>Steps per sequence.</summary>
    int SequenceLength { get; }

    /// <summary>Features per input step.</summary>
    int InputSize { get; }

    /// <summary>Outputs of the model's head: 1 for regression, the class count for classification.</summary>
    int OutputSize { get; }

    /// <summary>Where the answer is read.</summary>
    TaskReadout Readout { get; }

    /// <summary>The loss of the best constant guess: what a model that learned nothing scores.</summary>
    double Baseline { get; }

    /// <summary>How the baseline is reached, in words (for reports).</summary>
    string BaselineDescription { get; }

    /// <summary>What counts as solved, in words (for reports).</summary>
    string SuccessDescription { get; }

    /// <summary>The held-out loss under which the task counts as solved, or null when success is judged by accuracy.</summary>
    double? SolvedLossBelow { get; }

    /// <summary>The held-out accuracy from which the task counts as solved, or null when success is judged by the loss.</summary>
    double? SolvedAccuracyAtLeast { get; }

    /// <summary>What the task's accuracy counts, in words (for example "answers within ±0.04 of the target"), for reports and tables.</summary>
    string AccuracyDescription { get; }

    /// <summary>Draws a batch.</summary>
    /// <param name="batchSize">Sequences in the batch.</param>
    /// <param name="random">The generator (seeded by the caller).</param>
    /// <returns>The batch.</returns>
    TaskBatch Sample(int batchSize, Random random);

    /// <summary>The task's loss of a prediction (the model's head output).</summary>
    /// <param name="prediction">[batch, outputs] (last step) or [batch, steps, outputs] (every step).</param>
    /// <param name="batch">The batch it answers.</param>
    /// <returns>A scalar loss.</returns>
    Tensor Loss(Tensor prediction, TaskBatch batch);

    /// <summary>The fraction of answers counted correct (task-specific tolerance or argmax).</summary>
    /// <param name="prediction">The head output.</param>
    /// <param name="batch">The batch it answers.</param>
    /// <returns>A value in [0, 1].</returns>
    double Accuracy(Tensor prediction, TaskBatch batch);

    /// <summary>Whether a held-out loss and accuracy meet the task's success criterion.</summary>
    /// <param name="loss">The test loss.</param>
    /// <param name="accuracy">The test accuracy.</param>
    /// <returns>True when solved.</returns>
    bool IsSolved(double loss, double accuracy);
}
