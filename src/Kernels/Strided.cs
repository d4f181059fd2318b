namespace MiniNet.Kernels;

/// <summary>Copies between row-major layouts: permutations and blocks along an axis.</summary>
internal static class Strided
{
    /// <summary>Returns x with its dimensions reordered so that result dimension i is x's dimension order[i].</summary>
    public static float[] Permute(float[] x, int[] shape, int[] order)
    {
        var result = new float[x.Length];
        Permute(x, shape, order, result);
        return result;
    }

    /// <summary>Writes x with its dimensions reordered (result dimension i is x's dimension order[i]) into <paramref name="result"/>.</summary>
    public static void Permute(ReadOnlySpan<float> x, int[] shape, int[] order, Span<float> result)
    {
        int rank = shape.Length;
        int length = 1;
        foreach (int d in shape)
        {
            length *= d;
        }

        if (rank <= 1)
        {
            x[..length].CopyTo(result);
            return;
        }

        var sourceStrides = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            sourceStrides[d] = stride;
            stride *= shape[d];
        }

        var outShape = new int[rank];
        var outStrides = new int[rank]; // stride in x of each result dimension
        for (int i = 0; i < rank; i++)
        {
            outShape[i] = shape[order[i]];
            outStrides[i] = sourceStrides[order[i]];
        }

        var index = new int[rank];
        int offset = 0;
        int innerSize = outShape[rank - 1];
        int innerStride = outStrides[rank - 1];
        for (int start = 0; start < length; start += innerSize)
        {
            if (innerStride == 1)
            {
                x.Slice(offset, innerSize).CopyTo(result.Slice(start, innerSize)); // the last dimension stays last: block copies
            }
            else
            {
                for (int j = 0, s = offset; j < innerSize; j++, s += innerStride)
                {
                    result[start + j] = x[s];
                }
            }

            for (int d = rank - 2; d >= 0; d--)
            {
                index[d]++;
                offset += outStrides[d];
                if (index[d] < outShape[d])
                {
                    break;
                }

                offset -= outStrides[d] * outShape[d];
                index[d] = 0;
            }
        }

    }

    /// <summary>
    /// Views source as [outer, sourceAlong, inner] and target as [outer, targetAlong, inner], and copies
    /// <paramref name="count"/> slabs from source position <paramref name="sourceStart"/> to target position
    /// <paramref name="targetStart"/> along the middle axis.
    /// </summary>
    public static void CopyBlock(ReadOnlySpan<float> source, int sourceStart, int sourceAlong,
        Span<float> target, int targetStart, int targetAlong, int outer, int inner, int count)
    {
        int length = count * inner;
        for (int o = 0; o < outer; o++)
        {
            source.Slice(((o * sourceAlong) + sourceStart) * inner, length)
                .CopyTo(target.Slice(((o * targetAlong) + targetStart) * inner, length));
        }
    }
}
