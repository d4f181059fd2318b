using MiniNet.Autograd;

namespace MiniNet.Training;

/// <summary>Argmax accuracy over rows of logits.</summary>
internal static class Classification
{
    /// <summary>The fraction of rows [first, first + count) of <paramref name="logits"/> (viewed as [rows, classes]) whose argmax is the label.</summary>
    public static double Accuracy(Tensor logits, int[] labels, int first, int count)
    {
        int classes = logits.Shape[^1];
        int correct = 0;
        for (int row = first; row < first + count; row++)
        {
            int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits.Data.AsSpan(row * classes, classes));
            correct += best == labels[row] ? 1 : 0;
        }

        return (double)correct / count;
    }
}
