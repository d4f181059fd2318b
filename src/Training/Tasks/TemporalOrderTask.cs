using MiniNet.Autograd;
using MiniNet.Layers;

namespace MiniNet.Training;

/// <summary>
/// The temporal order problem (Hochreiter &amp; Schmidhuber 1997, with Pascanu et al. 2013's generator): a sequence
/// of random distractors a, b, c, d in which two (or three) relevant symbols, X or Y, appear at random positions in
/// fixed windows; the class is their order — XX, XY, YX, YY (or the 8 orders of three).
/// </summary>
/// <remarks>
/// Symbols are one-hot over [a, b, c, d, X, Y]. Relevant positions: [T/10, 2T/10) and [5T/10, 6T/10) for two;
/// [T/10, 2T/10), [3T/10, 4T/10) and [6T/10, 7T/10) for three. Chance cross-entropy is ln 4 (ln 8); solved at 99 %
/// test accuracy.
/// </remarks>
public sealed class TemporalOrderTask : ISequenceTask
{
    private const int Symbols = 6;
    private const int X = 4;

    /// <summary>Creates the task.</summary>
    /// <param name="sequenceLength">T ≥ 10.</param>
    /// <param name="relevantSymbols">2 (4 classes) or 3 (8 classes).</param>
    public TemporalOrderTask(int sequenceLength, int relevantSymbols = 2)
    {
        if (sequenceLength < 10)
        {
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "The temporal order task needs a sequence length of at least 10.");
        }

        if (relevantSymbols is not (2 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(relevantSymbols), relevantSymbols, "The temporal order task has 2 or 3 relevant symbols.");
        }

        SequenceLength = sequenceLength;
        RelevantSymbols = relevantSymbols;
    }

    /// <summary>2 or 3.</summary>
    public int RelevantSymbols { get; }

    /// <inheritdoc/>
    public string Name => RelevantSymbols == 2 ? "temporal-order" : "temporal-order-3bit";

    /// <inheritdoc/>
    public int SequenceLength { get; }

    /// <inheritdoc/>
    public int InputSize => Symbols;

    /// <inheritdoc/>
    public int OutputSize => 1 << RelevantSymbols;

    /// <inheritdoc/>
    public TaskReadout Readout => TaskReadout.LastStep;

    /// <inheritdoc/>
    public double Baseline => Math.Log(OutputSize);

    /// <inheritdoc/>
    public string BaselineDescription => $"cross-entropy ln {OutputSize} ≈ {Baseline:F3} by guessing uniformly";

    /// <inheritdoc/>
    public string SuccessDescription => "test accuracy ≥ 99 %";

    /// <inheritdoc/>
    public TaskBatch Sample(int batchSize, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int steps = SequenceLength;
        int tenth = steps / 10;
        int[] windows = RelevantSymbols == 2 ? [1, 5] : [1, 3, 6];
        var inputs = new float[batchSize * steps * Symbols];
        var labels = new int[batchSize];
        for (int b = 0; b < batchSize; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                inputs[(((b * steps) + t) * Symbols) + random.Next(4)] = 1f;
            }

            int label = 0;
            foreach (int window in windows)
            {
                int position = (window * tenth) + random.Next(Math.Max(tenth, 1));
                int symbol = random.Next(2); // 0 = X, 1 = Y
                Span<float> row = inputs.AsSpan(((b * steps) + position) * Symbols, Symbols);
                row.Clear();
                row[X + symbol] = 1f;
                label = (label << 1) | symbol;
            }

            labels[b] = label;
        }

        return new TaskBatch(Tensor.FromArray(inputs, [batchSize, steps, Symbols]), null, labels);
    }

    /// <inheritdoc/>
    public Tensor Loss(Tensor prediction, TaskBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Losses.CrossEntropy(prediction, batch.Labels!);
    }

    /// <inheritdoc/>
    public double Accuracy(Tensor prediction, TaskBatch batch) => Classification.Accuracy(prediction, batch.Labels!, 0, batch.Labels!.Length);

    /// <inheritdoc/>
    public bool IsSolved(double loss, double accuracy) => accuracy >= 0.99;

    /// <inheritdoc/>
    public double? SolvedLossBelow => null;

    /// <inheritdoc/>
    public double? SolvedAccuracyAtLeast => 0.99;

    /// <inheritdoc/>
    public string AccuracyDescription => "sequences whose class is right";
}
