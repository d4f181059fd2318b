using MiniNet.Autograd;
using MiniNet.Layers;

namespace MiniNet.Training;

/// <summary>
/// The copy memory problem (Hochreiter &amp; Schmidhuber 1997; Arjovsky, Shah &amp; Bengio 2016): see 10 symbols, wait T
/// steps, then repeat the 10 symbols after a delimiter.
/// </summary>
/// <remarks>
/// Alphabet 0…9: 0 blank, 1–8 data, 9 delimiter, one-hot. Input: 10 data symbols, T − 1 blanks, the delimiter, 10
/// blanks (T + 20 steps). Target: blanks for T + 10 steps, then the 10 symbols. The loss is cross-entropy averaged over
/// every step; always answering blank and then guessing uniformly scores 10·ln 8 / (T + 20), the baseline. Accuracy is
/// over the 10 recalled symbols; solved at 99 %.
/// </remarks>
public sealed class CopyMemoryTask : ISequenceTask
{
    private const int Alphabet = 10;
    private const int Remember = 10;

    /// <summary>Creates the task.</summary>
    /// <param name="delay">T ≥ 1, the number of steps to wait.</param>
    public CopyMemoryTask(int delay)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(delay);
        Delay = delay;
    }

    /// <summary>T, the wait.</summary>
    public int Delay { get; }

    /// <inheritdoc/>
    public string Name => "copy";

    /// <inheritdoc/>
    public int SequenceLength => Delay + (2 * Remember);

    /// <inheritdoc/>
    public int InputSize => Alphabet;

    /// <inheritdoc/>
    public int OutputSize => Alphabet;

    /// <inheritdoc/>
    public TaskReadout Readout => TaskReadout.EveryStep;

    /// <inheritdoc/>
    public double Baseline => Remember * Math.Log(8) / SequenceLength;

    /// <inheritdoc/>
    public string BaselineDescription => $"cross-entropy 10·ln 8/(T+20) ≈ {Baseline:F4} by answering blank, then guessing";

    /// <inheritdoc/>
    public string SuccessDescription => "≥ 99 % of recalled symbols correct";

    /// <inheritdoc/>
    public TaskBatch Sample(int batchSize, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int steps = SequenceLength;
        var inputs = new float[batchSize * steps * Alphabet];
        var labels = new int[batchSize * steps];
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                int symbol = t < Remember ? 1 + random.Next(8) : t == Delay + Remember - 1 ? 9 : 0;
                inputs[(((b * steps) + t) * Alphabet) + symbol] = 1f;
                if (t < Remember)
                {
                    labels[(b * steps) + Delay + Remember + t] = symbol;
                }
            }
        }

        return new TaskBatch(Tensor.FromArray(inputs, [batchSize, steps, Alphabet]), null, labels);
    }

    /// <inheritdoc/>
    public Tensor Loss(Tensor prediction, TaskBatch batch)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(batch);
        return Losses.CrossEntropy(prediction.Reshape(-1, Alphabet), batch.Labels!);
    }

    /// <inheritdoc/>
    public double Accuracy(Tensor prediction, TaskBatch batch)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(batch);
        int batchSize = prediction.Shape[0];
        int steps = SequenceLength;
        double total = 0;
        for (int b = 0; b < batchSize; b++)
        {
            total += Classification.Accuracy(prediction, batch.Labels!, (b * steps) + Delay + Remember, Remember);
        }

        return total / batchSize;
    }

    /// <inheritdoc/>
    public bool IsSolved(double loss, double accuracy) => accuracy >= 0.99;

    /// <inheritdoc/>
    public double? SolvedLossBelow => null;

    /// <inheritdoc/>
    public double? SolvedAccuracyAtLeast => 0.99;

    /// <inheritdoc/>
    public string AccuracyDescription => "recalled symbols that are right";
}
