using MiniNet.Autograd;
using MiniNet.Layers;

namespace MiniNet.Training;

/// <summary>
/// The shared form of the adding and multiplication problems (Hochreiter &amp; Schmidhuber 1997; the variant of
/// Le, Jaitly &amp; Hinton 2015 and Pascanu et al. 2013): two input channels, random values in [0, 1) and a marker
/// channel with exactly two 1s, one in each half of the sequence; the target combines the two marked values.
/// </summary>
public abstract class TwoMarkerTask : ISequenceTask
{
    /// <summary>Creates the task.</summary>
    /// <param name="sequenceLength">T ≥ 2.</param>
    protected TwoMarkerTask(int sequenceLength)
    {
        if (sequenceLength < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "A two-marker task needs a sequence length of at least 2.");
        }

        SequenceLength = sequenceLength;
    }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public int SequenceLength { get; }

    /// <inheritdoc/>
    public int InputSize => 2;

    /// <inheritdoc/>
    public int OutputSize => 1;

    /// <inheritdoc/>
    public TaskReadout Readout => TaskReadout.LastStep;

    /// <inheritdoc/>
    public abstract double Baseline { get; }

    /// <inheritdoc/>
    public abstract string BaselineDescription { get; }

    /// <summary>The test MSE below which the task counts as solved.</summary>
    public abstract double SolvedBelow { get; }

    /// <inheritdoc/>
    public string SuccessDescription => $"test MSE < {SolvedBelow}";

    /// <summary>An answer within this distance of the target counts as correct (Hochreiter &amp; Schmidhuber: 0.04).</summary>
    public double Tolerance => 0.04;

    /// <inheritdoc/>
    public double? SolvedLossBelow => SolvedBelow;

    /// <inheritdoc/>
    public double? SolvedAccuracyAtLeast => null;

    /// <inheritdoc/>
    public string AccuracyDescription => $"answers within ±{Tolerance} of the target";

    /// <inheritdoc/>
    public TaskBatch Sample(int batchSize, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int steps = SequenceLength;
        var inputs = new float[batchSize * steps * 2];
        var targets = new float[batchSize];
        for (int b = 0; b < batchSize; b++)
        {
            int first = random.Next(steps / 2);
            int second = (steps / 2) + random.Next(steps - (steps / 2));
            for (int t = 0; t < steps; t++)
            {
                inputs[(((b * steps) + t) * 2) + 0] = (float)random.NextDouble();
            }

            inputs[(((b * steps) + first) * 2) + 1] = 1f;
            inputs[(((b * steps) + second) * 2) + 1] = 1f;
            targets[b] = Combine(inputs[(((b * steps) + first) * 2) + 0], inputs[(((b * steps) + second) * 2) + 0]);
        }

        return new TaskBatch(Tensor.FromArray(inputs, [batchSize, steps, 2]), Tensor.FromArray(targets, [batchSize, 1]), null);
    }

    /// <inheritdoc/>
    public Tensor Loss(Tensor prediction, TaskBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Losses.Mse(prediction, batch.Targets!);
    }

    /// <inheritdoc/>
    public double Accuracy(Tensor prediction, TaskBatch batch)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(batch);
        int correct = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            correct += Math.Abs(prediction.Data[i] - batch.Targets!.Data[i]) < Tolerance ? 1 : 0;
        }

        return (double)correct / prediction.Length;
    }

    /// <inheritdoc/>
    public bool IsSolved(double loss, double accuracy) => loss < SolvedBelow;

    /// <summary>The target from the two marked values.</summary>
    /// <param name="first">The first marked value.</param>
    /// <param name="second">The second marked value.</param>
    /// <returns>The target.</returns>
    protected abstract float Combine(float first, float second);
}

/// <summary>The adding problem: the target is the sum of the two marked values.</summary>
/// <remarks>Guessing the mean, 1, scores MSE = Var(X₁ + X₂) = 2/12 ≈ 0.167 — the baseline; solved at test MSE &lt; 0.01.</remarks>
public sealed class AddingTask(int sequenceLength) : TwoMarkerTask(sequenceLength)
{
    /// <inheritdoc/>
    public override string Name => "adding";

    /// <inheritdoc/>
    public override double Baseline => 1.0 / 6;

    /// <inheritdoc/>
    public override string BaselineDescription => "MSE 0.167 by always answering 1 (the mean of the sum)";

    /// <inheritdoc/>
    public override double SolvedBelow => 0.01;

    /// <inheritdoc/>
    protected override float Combine(float first, float second) => first + second;
}

/// <summary>The multiplication problem: the target is the product of the two marked values.</summary>
/// <remarks>Guessing the mean, 1/4, scores MSE = Var(X₁X₂) = 1/9 − 1/16 ≈ 0.0486 — the baseline; solved below 0.005.</remarks>
public sealed class MultiplicationTask(int sequenceLength) : TwoMarkerTask(sequenceLength)
{
    /// <inheritdoc/>
    public override string Name => "multiplication";

    /// <inheritdoc/>
    public override double Baseline => (1.0 / 9) - (1.0 / 16);

    /// <inheritdoc/>
    public override string BaselineDescription => "MSE 0.0486 by always answering 0.25 (the mean of the product)";

    /// <inheritdoc/>
    public override double SolvedBelow => 0.005;

    /// <inheritdoc/>
    protected override float Combine(float first, float second) => first * second;
}
