using System.Numerics.Tensors;

namespace MiniNet.Kernels;

/// <summary>The binary elementwise functions the broadcasting kernel applies.</summary>
internal enum BinaryFunction
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Pow,
}

/// <summary>
/// Elementwise binary work under NumPy/PyTorch broadcasting, and its adjoint: summing a gradient of the
/// broadcast shape back down to an input's shape.
/// </summary>
/// <remarks>
/// Shapes are right-aligned; a size-1 (or missing) dimension is repeated, which is a stride of 0.
/// The innermost dimension is one <see cref="TensorPrimitives"/> call per row (span ⊙ span, or
/// span ⊙ scalar when one side is repeated along it), so a bias [N] added to [B, N] is B SIMD calls.
/// </remarks>
internal static class Broadcasting
{
    public static float[] Apply(BinaryFunction function, float[] left, int[] leftShape, float[] right, int[] rightShape, int[] outShape)
    {
        var result = new float[Size(outShape)];
        if (left.Length == result.Length && right.Length == result.Length)
        {
            Row(function, left, right, result);
            return result;
        }

        if (right.Length == 1 && left.Length == result.Length)
        {
            RowScalarRight(function, left, right[0], result);
            return result;
        }

        if (left.Length == 1 && right.Length == result.Length)
        {
            RowScalarLeft(function, left[0], right, result);
            return result;
        }

        int rank = outShape.Length;
        int[] leftStrides = Strides(leftShape, outShape);
        int[] rightStrides = Strides(rightShape, outShape);
        int inner = outShape[rank - 1];
        int rows = result.Length / inner;
        var index = new int[rank];
        int leftOffset = 0;
        int rightOffset = 0;
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> l = left.AsSpan(leftOffset);
            ReadOnlySpan<float> r = right.AsSpan(rightOffset);
            Span<float> o = result.AsSpan(row * inner, inner);
            bool leftRepeats = leftStrides[rank - 1] == 0;
            bool rightRepeats = rightStrides[rank - 1] == 0;
            if (!leftRepeats && !rightRepeats)
            {
                Row(function, l[..inner], r[..inner], o);
            }
            else if (rightRepeats && !leftRepeats)
            {
                RowScalarRight(function, l[..inner], r[0], o);
            }
            else if (leftRepeats && !rightRepeats)
            {
                RowScalarLeft(function, l[0], r[..inner], o);
            }
            else
            {
                RowScalarRight(function, [l[0]], r[0], o[..1]);
                o.Fill(o[0]);
            }

            Advance(index, outShape, leftStrides, rightStrides, ref leftOffset, ref rightOffset);
        }

        return result;
    }

    /// <summary>Sums <paramref name="gradient"/> (of shape <paramref name="fromShape"/>) over the dimensions broadcast to reach it from <paramref name="toShape"/>.</summary>
    public static float[] SumTo(float[] gradient, int[] fromShape, int[] toShape)
    {
        int size = Size(toShape);
        if (size == gradient.Length)
        {
            return gradient; // nothing was broadcast: the shapes differ at most by leading 1s
        }

        var result = new float[size];
        if (size == 1)
        {
            result[0] = TensorPrimitives.Sum(gradient);
            return result;
        }

        int rank = fromShape.Length;
        int[] strides = Strides(toShape, fromShape);
        int[] unused = new int[rank];
        int inner = fromShape[rank - 1];
        int rows = gradient.Length / inner;
        var index = new int[rank];
        int offset = 0;
        int ignored = 0;
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> g = gradient.AsSpan(row * inner, inner);
            if (strides[rank - 1] == 0)
            {
                result[offset] += TensorPrimitives.Sum(g);
            }
            else
            {
                Span<float> target = result.AsSpan(offset, inner);
                TensorPrimitives.Add(target, g, target);
            }

            Advance(index, fromShape, strides, unused, ref offset, ref ignored);
        }

        return result;
    }

    /// <summary>Strides of <paramref name="shape"/> right-aligned to <paramref name="outShape"/>, 0 where it is broadcast.</summary>
    private static int[] Strides(int[] shape, int[] outShape)
    {
        int rank = outShape.Length;
        var strides = new int[rank];
        int stride = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            int d = i + (rank - shape.Length);
            strides[d] = shape[i] == 1 && outShape[d] != 1 ? 0 : stride;
            stride *= shape[i];
        }

        return strides;
    }

    /// <summary>Moves an odometer over every dimension but the last, updating both offsets.</summary>
    private static void Advance(int[] index, int[] shape, int[] stridesA, int[] stridesB, ref int offsetA, ref int offsetB)
    {
        for (int d = shape.Length - 2; d >= 0; d--)
        {
            index[d]++;
            offsetA += stridesA[d];
            offsetB += stridesB[d];
            if (index[d] < shape[d])
            {
                return;
            }

            offsetA -= stridesA[d] * shape[d];
            offsetB -= stridesB[d] * shape[d];
            index[d] = 0;
        }
    }

    private static void Row(BinaryFunction function, ReadOnlySpan<float> l, ReadOnlySpan<float> r, Span<float> o)
    {
        switch (function)
        {
            case BinaryFunction.Add: TensorPrimitives.Add(l, r, o); break;
            case BinaryFunction.Subtract: TensorPrimitives.Subtract(l, r, o); break;
            case BinaryFunction.Multiply: TensorPrimitives.Multiply(l, r, o); break;
            case BinaryFunction.Divide: TensorPrimitives.Divide(l, r, o); break;
            default: TensorPrimitives.Pow(l, r, o); break;
        }
    }

    private static void RowScalarRight(BinaryFunction function, ReadOnlySpan<float> l, float r, Span<float> o)
    {
        switch (function)
        {
            case BinaryFunction.Add: TensorPrimitives.Add(l, r, o); break;
            case BinaryFunction.Subtract: TensorPrimitives.Subtract(l, r, o); break;
            case BinaryFunction.Multiply: TensorPrimitives.Multiply(l, r, o); break;
            case BinaryFunction.Divide: TensorPrimitives.Divide(l, r, o); break;
            default: TensorPrimitives.Pow(l, r, o); break;
        }
    }

    private static void RowScalarLeft(BinaryFunction function, float l, ReadOnlySpan<float> r, Span<float> o)
    {
        switch (function)
        {
            case BinaryFunction.Add: TensorPrimitives.Add(r, l, o); break;
            case BinaryFunction.Subtract: TensorPrimitives.Subtract(l, r, o); break;
            case BinaryFunction.Multiply: TensorPrimitives.Multiply(r, l, o); break;
            case BinaryFunction.Divide: TensorPrimitives.Divide(l, r, o); break;
            default: TensorPrimitives.Pow(l, r, o); break;
        }
    }

    /// <summary>The element count of a shape the caller has already checked.</summary>
    private static int Size(int[] shape)
    {
        int size = 1;
        foreach (int dimension in shape)
        {
            size *= dimension;
        }

        return size;
    }
}
