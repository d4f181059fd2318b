using System.Numerics.Tensors;
using MiniNet.Kernels;

namespace MiniNet.Autograd;

// Reductions over every element or along one axis. A tensor is viewed as [outer, along, inner] around
// the axis; backward spreads ∂L/∂out back over the reduced axis.
public sealed partial class Tensor
{
    /// <summary>The sum of every element, as a scalar (shape []).</summary>
    /// <remarks>out = Σᵢ xᵢ; ∂out/∂xᵢ = 1.</remarks>
    /// <returns>The sum.</returns>
    public Tensor Sum()
    {
        float total = TensorPrimitives.Sum(Data);
        return FromOp([total], [], nameof(Sum), [this], g =>
        {
            float[] gx = StoragePool.Rent(Data.Length);
            Array.Fill(gx, g[0]);
            AccumulateGrad(gx);
        });
    }

    /// <summary>The sum along one axis.</summary>
    /// <remarks>out[o, i] = Σₐ x[o, a, i]; ∂out/∂x[o, a, i] = 1.</remarks>
    /// <param name="axis">The axis to sum over (negative counts from the end).</param>
    /// <param name="keepDim">Keep the summed axis with size 1 (so the result broadcasts against the input).</param>
    /// <returns>The sums.</returns>
    public Tensor Sum(int axis, bool keepDim = false)
    {
        int ax = ShapeText.NormalizeAxis(axis, Rank, nameof(Sum), _shape);
        (int outer, int along, int inner) = ShapeText.Split(_shape, ax);
        float[] data = StoragePool.Rent(outer * inner);
        for (int o = 0; o < outer; o++)
        {
            Span<float> target = data.AsSpan(o * inner, inner);
            for (int a = 0; a < along; a++)
            {
                TensorPrimitives.Add(target, Data.AsSpan(((o * along) + a) * inner, inner), target);
            }
        }

        return FromOp(data, ReducedShape(ax, keepDim), nameof(Sum), [this], g =>
            AccumulateGrad(SpreadAlong(g, outer, along, inner, 1f)));
    }

    /// <summary>The mean of every element, as a scalar (shape []).</summary>
    /// <remarks>out = (1/n)·Σᵢ xᵢ; ∂out/∂xᵢ = 1/n.</remarks>
    /// <returns>The mean.</returns>
    public Tensor Mean() => Sum() * (1f / Data.Length);

    /// <summary>The mean along one axis.</summary>
    /// <remarks>out[o, i] = (1/A)·Σₐ x[o, a, i]; ∂out/∂x[o, a, i] = 1/A.</remarks>
    /// <param name="axis">The axis to average over (negative counts from the end).</param>
    /// <param name="keepDim">Keep the averaged axis with size 1.</param>
    /// <returns>The means.</returns>
    public Tensor Mean(int axis, bool keepDim = false)
    {
        int ax = ShapeText.NormalizeAxis(axis, Rank, nameof(Mean), _shape);
        return Sum(ax, keepDim) * (1f / _shape[ax]);
    }

    /// <summary>The largest element, as a scalar (shape []); NaN if any element is NaN.</summary>
    /// <remarks>out = maxᵢ xᵢ; the gradient goes to the first position holding the maximum.</remarks>
    /// <returns>The maximum.</returns>
    public Tensor Max()
    {
        int index = TensorPrimitives.IndexOfMax(Data);
        return FromOp([Data[index]], [], nameof(Max), [this], g =>
        {
            float[] gx = StoragePool.Rent(Data.Length);
            gx[index] = g[0];
            AccumulateGrad(gx);
        });
    }

    /// <summary>The largest element along one axis.</summary>
    /// <remarks>out[o, i] = maxₐ x[o, a, i]; the gradient goes to the first position of each maximum (PyTorch's max(dim)).</remarks>
    /// <param name="axis">The axis to reduce (negative counts from the end).</param>
    /// <param name="keepDim">Keep the reduced axis with size 1.</param>
    /// <returns>The maxima.</returns>
    public Tensor Max(int axis, bool keepDim = false)
    {
        int ax = ShapeText.NormalizeAxis(axis, Rank, nameof(Max), _shape);
        (int outer, int along, int inner) = ShapeText.Split(_shape, ax);
        float[] data = StoragePool.Rent(outer * inner);
        var argMax = new int[outer * inner];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                float bestValue = Data[(o * along * inner) + i];
                for (int a = 1; a < along && !float.IsNaN(bestValue); a++)
                {
                    float v = Data[(((o * along) + a) * inner) + i];
                    if (v > bestValue || float.IsNaN(v))
                    {
                        best = a;
                        bestValue = v;
                    }
                }

                data[(o * inner) + i] = bestValue;
                argMax[(o * inner) + i] = best;
            }
        }

        return FromOp(data, ReducedShape(ax, keepDim), nameof(Max), [this], g =>
        {
            float[] gx = StoragePool.Rent(Data.Length);
            for (int o = 0; o < outer; o++)
            {
                for (int i = 0; i < inner; i++)
                {
                    gx[(((o * along) + argMax[(o * inner) + i]) * inner) + i] = g[(o * inner) + i];
                }
            }

            AccumulateGrad(gx);
        });
    }

    private int[] ReducedShape(int axis, bool keepDim)
    {
        var shape = new List<int>(_shape);
        if (keepDim)
        {
            shape[axis] = 1;
        }
        else
        {
            shape.RemoveAt(axis);
        }

        return [.. shape];
    }

    /// <summary>Copies g[o, i]·scale to every x[o, a, i]: the adjoint of summing along the middle axis.</summary>
    private static float[] SpreadAlong(float[] g, int outer, int along, int inner, float scale)
    {
        float[] gx = StoragePool.Rent(outer * along * inner);
        for (int o = 0; o < outer; o++)
        {
            ReadOnlySpan<float> source = g.AsSpan(o * inner, inner);
            for (int a = 0; a < along; a++)
            {
                Span<float> target = gx.AsSpan(((o * along) + a) * inner, inner);
                if (scale == 1f)
                {
                    source.CopyTo(target);
                }
                else
                {
                    TensorPrimitives.Multiply(source, scale, target);
                }
            }
        }

        return gx;
    }
}
