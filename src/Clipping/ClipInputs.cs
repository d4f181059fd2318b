using System.Globalization;
using MiniNet.Autograd;

namespace MiniNet.Clipping;

/// <summary>What every stage does first: find the gradients, refuse a call with none, and name parameters for reports.</summary>
internal static class ClipInputs
{
    /// <summary>The indices of parameters that have a gradient; throws when there are none (clipping is misplaced).</summary>
    public static int[] WithGradients(IReadOnlyList<Tensor> parameters, string stage)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var indices = new List<int>(parameters.Count);
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i]?.Grad is not null)
            {
                indices.Add(i);
            }
        }

        if (indices.Count == 0)
        {
            throw new InvalidOperationException(
                $"{stage}: no parameter has a gradient. Clipping runs after loss.Backward() and before optimizer.Step() " +
                "(and before ZeroGrad clears the gradients); check the order of the training step.");
        }

        return [.. indices];
    }

    public static string NameOf(IReadOnlyList<Tensor> parameters, int index) =>
        parameters[index].Name ?? "param" + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>L2 norm of every listed parameter's gradient, and the total L2 norm (<see cref="GradientNorms.OfEach"/>).</summary>
    public static (float[] Norms, float Total) L2Norms(IReadOnlyList<Tensor> parameters, int[] indices) => GradientNorms.OfEach(parameters, indices);

    /// <summary>Per-parameter entries when every gradient was multiplied by its own factor.</summary>
    public static ParameterNorm[] Scaled(IReadOnlyList<Tensor> parameters, int[] indices, float[] before, Func<int, float> scaleOf)
    {
        var entries = new ParameterNorm[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            entries[k] = new ParameterNorm(NameOf(parameters, indices[k]), before[k], before[k] * scaleOf(k));
        }

        return entries;
    }

    public static float Ratio(float after, float before) => before == 0f ? 1f : after / before;

    /// <summary>Multiplies every listed parameter's gradient by <paramref name="scale"/> (nothing to do for 1).</summary>
    public static void Scale(IReadOnlyList<Tensor> parameters, int[] indices, float scale)
    {
        if (scale == 1f)
        {
            return;
        }

        foreach (int i in indices)
        {
            float[] g = parameters[i].Grad!.Data;
            System.Numerics.Tensors.TensorPrimitives.Multiply(g, scale, g);
        }
    }
}
