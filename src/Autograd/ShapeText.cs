namespace MiniNet.Autograd;

/// <summary>Shape arithmetic and formatting shared by the ops (sizes, axes, broadcasting).</summary>
internal static class ShapeText
{
    /// <summary>Formats a shape the way error messages show it: <c>[3, 4]</c>.</summary>
    public static string Format(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>The number of elements of a shape, with a clear error for a non-positive size or an overflow.</summary>
    public static int Size(IReadOnlyList<int> shape, string paramName = "shape")
    {
        long size = 1;
        for (int i = 0; i < shape.Count; i++)
        {
            if (shape[i] <= 0)
            {
                throw new ArgumentException(
                    $"Tensor dimensions must be positive, but dimension {i} of shape {Format(shape)} is {shape[i]}.", paramName);
            }

            size *= shape[i];
            if (size > Array.MaxLength)
            {
                throw new ArgumentException($"Shape {Format(shape)} has more elements than an array can hold.", paramName);
            }
        }

        return (int)size;
    }

    /// <summary>Turns a possibly negative axis into its index, or throws naming the op, the axis and the valid range.</summary>
    public static int NormalizeAxis(int axis, int rank, string op, IReadOnlyList<int> shape)
    {
        int normalized = axis < 0 ? axis + rank : axis;
        if (normalized < 0 || normalized >= rank)
        {
            string range = rank == 0 ? "none (it is a scalar)" : $"[{-rank}, {rank - 1}]";
            throw new ArgumentOutOfRangeException(
                nameof(axis),
                $"{op} axis {axis} is out of range for a tensor of shape {Format(shape)} (rank {rank}); valid axes are {range}.");
        }

        return normalized;
    }

    /// <summary>Splits a shape around an axis into (outer, size along the axis, inner) for row-major loops.</summary>
    public static (int Outer, int Along, int Inner) Split(int[] shape, int axis)
    {
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < axis; d++)
        {
            outer *= shape[d];
        }

        for (int d = axis + 1; d < shape.Length; d++)
        {
            inner *= shape[d];
        }

        return (outer, shape[axis], inner);
    }

    /// <summary>The NumPy/PyTorch broadcast of two shapes, or an error naming both shapes and the rule.</summary>
    public static int[] Broadcast(int[] left, int[] right, string op)
    {
        int rank = Math.Max(left.Length, right.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int l = i < rank - left.Length ? 1 : left[i - (rank - left.Length)];
            int r = i < rank - right.Length ? 1 : right[i - (rank - right.Length)];
            if (l != r && l != 1 && r != 1)
            {
                throw new ArgumentException(
                    $"{op} shapes cannot be broadcast together: left is {Format(left)}, right is {Format(right)}; " +
                    "counted from the last dimension, each pair of sizes must be equal or one of them 1.");
            }

            result[i] = Math.Max(l, r);
        }

        return result;
    }
}
