using MiniNet.Kernels;

namespace MiniNet.Autograd;

// Ops that pick elements by position. Backward scatters ∂L/∂out back to the picked positions and
// adds where a position was picked more than once (an embedding row used twice gets both gradients).
public sealed partial class Tensor
{
    /// <summary>The elements with index in [<paramref name="start"/>, <paramref name="end"/>) along <paramref name="axis"/>.</summary>
    /// <remarks>Like Python's <c>x[..., start:end, ...]</c>; ∂L/∂x is ∂L/∂out placed back in the range, zero elsewhere.</remarks>
    /// <param name="axis">The axis to slice.</param>
    /// <param name="start">The first index kept (negative counts from the end).</param>
    /// <param name="end">One past the last index kept (negative counts from the end).</param>
    /// <returns>The slice, with the axis shortened to end − start.</returns>
    public Tensor Slice(int axis, int start, int end)
    {
        int ax = ShapeText.NormalizeAxis(axis, Rank, nameof(Slice), _shape);
        int size = _shape[ax];
        int s = start < 0 ? start + size : start;
        int e = end < 0 ? end + size : end;
        if (s < 0 || e > size || s >= e)
        {
            throw new ArgumentOutOfRangeException(
                nameof(start),
                $"Slice [{start}, {end}) along axis {axis} of a tensor of shape {ShapeText.Format(_shape)} is empty or out of range; " +
                $"need 0 ≤ start < end ≤ {size} (negative values count from the end).");
        }

        (int outer, _, int inner) = ShapeText.Split(_shape, ax);
        int[] shape = (int[])_shape.Clone();
        shape[ax] = e - s;
        float[] data = StoragePool.Rent(outer * (e - s) * inner);
        Strided.CopyBlock(Data, s, size, data, 0, e - s, outer, inner, e - s);
        return FromOp(data, shape, nameof(Slice), [this], g =>
        {
            float[] gx = StoragePool.Rent(Data.Length);
            Strided.CopyBlock(g, 0, e - s, gx, s, size, outer, inner, e - s);
            AccumulateGrad(gx);
        });
    }

    /// <summary>The sub-tensor at <paramref name="index"/> along <paramref name="axis"/>, with that axis removed (like <c>x[:, -1]</c>).</summary>
    /// <param name="axis">The axis to index.</param>
    /// <param name="index">The position (negative counts from the end).</param>
    /// <returns>The selected tensor, of rank one less.</returns>
    public Tensor Select(int axis, int index)
    {
        int ax = ShapeText.NormalizeAxis(axis, Rank, nameof(Select), _shape);
        int i = index < 0 ? index + _shape[ax] : index;
        if (i < 0 || i >= _shape[ax])
        {
            throw new ArgumentOutOfRangeException(
                nameof(index),
                $"Select index {index} is out of range for axis {axis} of size {_shape[ax]} (shape {ShapeText.Format(_shape)}).");
        }

        var shape = new List<int>(_shape);
        shape.RemoveAt(ax);
        return Slice(ax, i, i + 1).Reshape([.. shape]);
    }

    /// <summary>Rows (or slabs) picked by index along <paramref name="axis"/>, repeats allowed: an embedding lookup is <c>weight.IndexSelect(0, tokens)</c>.</summary>
    /// <remarks>out[o, j, i] = x[o, indices[j], i]; ∂L/∂x[o, indices[j], i] += ∂L/∂out[o, j, i].</remarks>
    /// <param name="axis">The axis the indices refer to.</param>
    /// <param name="indices">Positions along the axis, each in [0, size).</param>
    /// <returns>The picked slabs; the axis has length indices.Length.</returns>
    public Tensor IndexSelect(int axis, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int ax = ShapeText.NormalizeAxis(axis, Rank, nameof(IndexSelect), _shape);
        int size = _shape[ax];
        int[] picks = indices.ToArray();
        if (picks.Length == 0)
        {
            throw new ArgumentException("IndexSelect needs at least one index.", nameof(indices));
        }

        for (int j = 0; j < picks.Length; j++)
        {
            if ((uint)picks[j] >= (uint)size)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(indices),
                    $"IndexSelect index {picks[j]} (position {j}) is out of range for axis {axis} of size {size} " +
                    $"(shape {ShapeText.Format(_shape)}); every index must be in [0, {size - 1}].");
            }
        }

        (int outer, _, int inner) = ShapeText.Split(_shape, ax);
        int[] shape = (int[])_shape.Clone();
        shape[ax] = picks.Length;
        float[] data = StoragePool.Rent(outer * picks.Length * inner);
        for (int o = 0; o < outer; o++)
        {
            for (int j = 0; j < picks.Length; j++)
            {
                Data.AsSpan(((o * size) + picks[j]) * inner, inner).CopyTo(data.AsSpan(((o * picks.Length) + j) * inner, inner));
            }
        }

        return FromOp(data, shape, nameof(IndexSelect), [this], g =>
        {
            float[] gx = StoragePool.Rent(Data.Length);
            for (int o = 0; o < outer; o++)
            {
                for (int j = 0; j < picks.Length; j++)
                {
                    Span<float> target = gx.AsSpan(((o * size) + picks[j]) * inner, inner);
                    System.Numerics.Tensors.TensorPrimitives.Add(target, g.AsSpan(((o * picks.Length) + j) * inner, inner), target);
                }
            }

            AccumulateGrad(gx);
        });
    }

    /// <summary>
    /// PyTorch's <c>gather</c>: along <paramref name="axis"/>, each output element takes the input element at
    /// the index given at the same position in <paramref name="index"/>. Picking the target class's logit
    /// is <c>logits.Gather(1, targets, [batch, 1])</c>.
    /// </summary>
    /// <remarks>
    /// For axis 1 of a matrix: out[i, j] = x[i, index[i, j]]. The index has the input's shape except along
    /// the axis; ∂L/∂x[i, index[i, j]] += ∂L/∂out[i, j].
    /// </remarks>
    /// <param name="axis">The axis the indices refer to.</param>
    /// <param name="index">The indices, row-major, each in [0, size of axis).</param>
    /// <param name="indexShape">The shape of <paramref name="index"/> (and of the result).</param>
    /// <returns>The gathered tensor, of shape <paramref name="indexShape"/>.</returns>
    public Tensor Gather(int axis, IReadOnlyList<int> index, IReadOnlyList<int> indexShape)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(indexShape);
        int ax = ShapeText.NormalizeAxis(axis, Rank, nameof(Gather), _shape);
        int[] shape = indexShape.ToArray();
        bool agrees = shape.Length == Rank;
        for (int d = 0; agrees && d < Rank; d++)
        {
            agrees = d == ax || shape[d] == _shape[d];
        }

        if (!agrees || ShapeText.Size(shape, nameof(indexShape)) != index.Count)
        {
            throw new ArgumentException(
                $"Gather along axis {axis}: the index shape {ShapeText.Format(shape)} (with {index.Count} indices) must have the input's " +
                $"shape {ShapeText.Format(_shape)} in every dimension except the gathered one, and as many indices as it holds.",
                nameof(indexShape));
        }

        int size = _shape[ax];
        (int outer, int picks, int inner) = ShapeText.Split(shape, ax);
        var sources = new int[index.Count];
        for (int o = 0, n = 0; o < outer; o++)
        {
            for (int j = 0; j < picks; j++)
            {
                for (int i = 0; i < inner; i++, n++)
                {
                    int k = index[n];
                    if ((uint)k >= (uint)size)
                    {
                        throw new ArgumentOutOfRangeException(
                            nameof(index),
                            $"Gather index {k} (position {n}) is out of range for axis {axis} of size {size} (shape {ShapeText.Format(_shape)}).");
                    }

                    sources[n] = (((o * size) + k) * inner) + i;
                }
            }
        }

        float[] data = StoragePool.Rent(sources.Length);
        for (int n = 0; n < sources.Length; n++)
        {
            data[n] = Data[sources[n]];
        }

        return FromOp(data, shape, nameof(Gather), [this], g =>
        {
            float[] gx = StoragePool.Rent(Data.Length);
            for (int n = 0; n < sources.Length; n++)
            {
                gx[sources[n]] += g[n];
            }

            AccumulateGrad(gx);
        });
    }
}
