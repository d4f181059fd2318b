using MiniNet.Kernels;

namespace MiniNet.Autograd;

// Ops that rearrange elements without changing them. Each backward moves ∂L/∂out back to where its
// element came from: Reshape keeps the order, Permute applies the inverse permutation, Concat slices.
public sealed partial class Tensor
{
    /// <summary>The same elements in row-major order under a new shape; one dimension may be −1 (inferred).</summary>
    /// <remarks>out = x read with another shape; ∂L/∂x = ∂L/∂out read with x's shape.</remarks>
    /// <param name="shape">The new shape; its product must equal <see cref="Length"/>.</param>
    /// <returns>The reshaped copy.</returns>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int[] target = (int[])shape.Clone();
        int inferred = Array.IndexOf(target, -1);
        if (inferred >= 0 && Array.IndexOf(target, -1, inferred + 1) >= 0)
        {
            throw new ArgumentException($"Reshape to {ShapeText.Format(shape)}: only one dimension can be -1.", nameof(shape));
        }

        if (inferred >= 0)
        {
            long known = 1;
            foreach (int d in target)
            {
                known *= d == -1 ? 1 : Math.Max(d, 1);
            }

            target[inferred] = Data.Length % known == 0 ? (int)(Data.Length / known) : 0;
        }

        if (target.Any(d => d <= 0) || ShapeText.Size(target) != Data.Length)
        {
            throw new ArgumentException(
                $"Cannot reshape a tensor of shape {ShapeText.Format(_shape)} ({Data.Length} elements) to {ShapeText.Format(shape)}; " +
                "the new shape must hold the same number of elements (use -1 for one dimension to infer it).", nameof(shape));
        }

        Tensor result = null!;
        result = FromOp(StoragePool.Copy(Data), target, nameof(Reshape), [this], g =>
            AccumulateGrad(result.LendGrad() ? g : (float[])g.Clone()));   // g, the result's own gradient, is handed on when the engine owns it
        return result;
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="axis"/>.</summary>
    /// <param name="axis">Where the new dimension goes, in [−(rank+1), rank].</param>
    /// <returns>The reshaped copy.</returns>
    public Tensor Unsqueeze(int axis)
    {
        int ax = ShapeText.NormalizeAxis(axis, Rank + 1, nameof(Unsqueeze), _shape);
        var shape = new List<int>(_shape);
        shape.Insert(ax, 1);
        return Reshape([.. shape]);
    }

    /// <summary>Swaps two dimensions.</summary>
    /// <param name="axis0">The first axis.</param>
    /// <param name="axis1">The second axis.</param>
    /// <returns>The transposed copy.</returns>
    public Tensor Transpose(int axis0, int axis1)
    {
        int a0 = ShapeText.NormalizeAxis(axis0, Rank, nameof(Transpose), _shape);
        int a1 = ShapeText.NormalizeAxis(axis1, Rank, nameof(Transpose), _shape);
        int[] order = Enumerable.Range(0, Rank).ToArray();
        (order[a0], order[a1]) = (order[a1], order[a0]);
        return Permute(order);
    }

    /// <summary>Reorders the dimensions: result dimension i is this tensor's dimension <c>axes[i]</c>.</summary>
    /// <remarks>out[i₀…] = x[i_{p⁻¹(0)}…]; ∂L/∂x = Permute(∂L/∂out, p⁻¹).</remarks>
    /// <param name="axes">A permutation of 0 … rank−1.</param>
    /// <returns>The permuted copy.</returns>
    public Tensor Permute(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        int[] order = CheckPermutation(axes);
        var shape = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            shape[i] = _shape[order[i]];
        }

        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            inverse[order[i]] = i;
        }

        float[] data = Strided.Permute(Data, _shape, order);
        return FromOp(data, shape, nameof(Permute), [this], g => AccumulateGrad(Strided.Permute(g, shape, inverse)));
    }

    private int[] CheckPermutation(int[] axes)
    {
        var order = new int[axes.Length];
        var seen = new bool[Rank];
        bool valid = axes.Length == Rank;
        for (int i = 0; valid && i < axes.Length; i++)
        {
            int ax = axes[i] < 0 ? axes[i] + Rank : axes[i];
            valid = ax >= 0 && ax < Rank && !seen[ax];
            if (valid)
            {
                seen[ax] = true;
                order[i] = ax;
            }
        }

        if (!valid)
        {
            throw new ArgumentException(
                $"Permute needs each axis of a rank-{Rank} tensor (shape {ShapeText.Format(_shape)}) exactly once; got {ShapeText.Format(axes)}.",
                nameof(axes));
        }

        return order;
    }

    /// <summary>Joins tensors along an existing axis; all other dimensions must agree.</summary>
    /// <remarks>∂L/∂xₜ is the slice of ∂L/∂out that xₜ filled.</remarks>
    /// <param name="tensors">The tensors, in order.</param>
    /// <param name="axis">The axis to join along.</param>
    /// <returns>The joined tensor.</returns>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Concat needs at least one tensor.", nameof(tensors));
        }

        Tensor first = tensors[0];
        int ax = ShapeText.NormalizeAxis(axis, first.Rank, nameof(Concat), first._shape);
        int total = 0;
        for (int t = 0; t < tensors.Count; t++)
        {
            Tensor x = tensors[t] ?? throw new ArgumentNullException(nameof(tensors), $"Concat: tensor {t} is null.");
            bool agrees = x.Rank == first.Rank;
            for (int d = 0; agrees && d < x.Rank; d++)
            {
                agrees = d == ax || x._shape[d] == first._shape[d];
            }

            if (!agrees)
            {
                throw new ArgumentException(
                    $"Concat along axis {axis}: tensor {t} has shape {ShapeText.Format(x._shape)} but tensor 0 has {ShapeText.Format(first._shape)}; " +
                    "all dimensions except the joined one must be equal.", nameof(tensors));
            }

            total += x._shape[ax];
        }

        int[] shape = (int[])first._shape.Clone();
        shape[ax] = total;
        (int outer, _, int inner) = ShapeText.Split(shape, ax);
        float[] data = StoragePool.Rent(ShapeText.Size(shape));
        var inputs = tensors.ToArray();
        int start = 0;
        foreach (Tensor x in inputs)
        {
            Strided.CopyBlock(x.Data, 0, x._shape[ax], data, start, total, outer, inner, x._shape[ax]);
            start += x._shape[ax];
        }

        return FromOp(data, shape, nameof(Concat), inputs, g =>
        {
            int begin = 0;
            foreach (Tensor x in inputs)
            {
                int along = x._shape[ax];
                if (x.RequiresGrad)
                {
                    float[] gx = StoragePool.Rent(x.Data.Length);
                    Strided.CopyBlock(g, begin, total, gx, 0, along, outer, inner, along);
                    x.AccumulateGrad(gx);
                }

                begin += along;
            }
        });
    }

    /// <summary>Joins equally shaped tensors along a new axis (built from Unsqueeze and Concat).</summary>
    /// <param name="tensors">The tensors, all of one shape.</param>
    /// <param name="axis">Where the new axis goes in the result.</param>
    /// <returns>The stacked tensor.</returns>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Stack needs at least one tensor.", nameof(tensors));
        }

        for (int t = 1; t < tensors.Count; t++)
        {
            if (tensors[t] is null || !tensors[t].ShapeEquals(tensors[0]._shape))
            {
                throw new ArgumentException(
                    $"Stack needs tensors of one shape: tensor 0 is {ShapeText.Format(tensors[0]._shape)}, tensor {t} is " +
                    $"{(tensors[t] is null ? "null" : ShapeText.Format(tensors[t]._shape))}.", nameof(tensors));
            }
        }

        var expanded = new Tensor[tensors.Count];
        for (int t = 0; t < expanded.Length; t++)
        {
            expanded[t] = tensors[t].Unsqueeze(axis);
        }

        return Concat(expanded, axis);
    }
}
