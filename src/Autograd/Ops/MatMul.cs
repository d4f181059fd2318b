namespace MiniNet.Autograd;

// Matrix products, all through Kernels.Gemm. Backward: ∂L/∂A = ∂L/∂C·Bᵀ and ∂L/∂B = Aᵀ·∂L/∂C, with the
// transposes expressed as Gemm flags rather than copies.
public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product: [m, k]·[k, n] → [m, n]; batched [b, m, k]·[b, k, n] → [b, m, n]; and
    /// [b, m, k]·[k, n] → [b, m, n] (one matrix applied to every batch item, as a Linear layer on a sequence).
    /// </summary>
    /// <remarks>C = A·B, Cᵢⱼ = Σₚ Aᵢₚ Bₚⱼ; ∂L/∂A = ∂L/∂C·Bᵀ, ∂L/∂B = Aᵀ·∂L/∂C (summed over the batch when B is shared).</remarks>
    /// <param name="other">The right matrix (or batch of matrices).</param>
    /// <returns>The product.</returns>
    /// <exception cref="ArgumentException">The ranks are not supported or the inner dimensions differ.</exception>
    public Tensor MatMul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Tensor a = this;
        Tensor b = other;
        if (a.Rank == 2 && b.Rank == 2)
        {
            CheckInner(a, b, a._shape[1], b._shape[0]);
            return MatMulFlat(a, b, a._shape[0], a._shape[1], b._shape[1], [a._shape[0], b._shape[1]]);
        }

        if (a.Rank == 3 && b.Rank == 2)
        {
            CheckInner(a, b, a._shape[2], b._shape[0]);
            return MatMulFlat(a, b, a._shape[0] * a._shape[1], a._shape[2], b._shape[1], [a._shape[0], a._shape[1], b._shape[1]]);
        }

        if (a.Rank == 3 && b.Rank == 3)
        {
            CheckInner(a, b, a._shape[2], b._shape[1]);
            if (a._shape[0] != b._shape[0])
            {
                throw new ArgumentException(
                    $"MatMul batch sizes must agree: left is {ShapeText.Format(a._shape)}, right is {ShapeText.Format(b._shape)}; " +
                    "both must have the same first dimension.", nameof(other));
            }

            return MatMulBatched(a, b);
        }

        throw new ArgumentException(
            $"MatMul supports [m, k]·[k, n], [b, m, k]·[b, k, n] and [b, m, k]·[k, n]; got left {ShapeText.Format(a._shape)}, " +
            $"right {ShapeText.Format(b._shape)}. Reshape a vector to [1, k] or [k, 1] first.", nameof(other));
    }

    private static void CheckInner(Tensor a, Tensor b, int left, int right)
    {
        if (left != right)
        {
            throw new ArgumentException(
                $"MatMul shapes must agree: left is {ShapeText.Format(a._shape)}, right is {ShapeText.Format(b._shape)}; " +
                "the left's last dimension must equal the right's " + (b.Rank == 3 ? "second" : "first") + " dimension.");
        }
    }

    /// <summary>[m, k]·[k, n] on flat storage (a 3-D left operand is folded into m rows).</summary>
    private static Tensor MatMulFlat(Tensor a, Tensor b, int m, int k, int n, int[] shape)
    {
        var data = new float[m * n];
        Kernels.Gemm(false, false, m, n, k, a.Data, b.Data, data);
        return FromOp(data, shape, nameof(MatMul), [a, b], g =>
        {
            if (a.RequiresGrad)
            {
                var ga = new float[m * k];
                Kernels.Gemm(false, true, m, k, n, g, b.Data, ga);
                a.AccumulateGrad(ga, owned: true);
            }

            if (b.RequiresGrad)
            {
                var gb = new float[k * n];
                Kernels.Gemm(true, false, k, n, m, a.Data, g, gb);
                b.AccumulateGrad(gb, owned: true);
            }
        });
    }

    private static Tensor MatMulBatched(Tensor a, Tensor b)
    {
        int batch = a._shape[0];
        int m = a._shape[1];
        int k = a._shape[2];
        int n = b._shape[2];
        var data = new float[batch * m * n];
        for (int i = 0; i < batch; i++)
        {
            Kernels.Gemm(false, false, m, n, k, a.Data.AsSpan(i * m * k, m * k), b.Data.AsSpan(i * k * n, k * n), data.AsSpan(i * m * n, m * n));
        }

        return FromOp(data, [batch, m, n], nameof(MatMul), [a, b], g =>
        {
            if (a.RequiresGrad)
            {
                var ga = new float[batch * m * k];
                for (int i = 0; i < batch; i++)
                {
                    Kernels.Gemm(false, true, m, k, n, g.AsSpan(i * m * n, m * n), b.Data.AsSpan(i * k * n, k * n), ga.AsSpan(i * m * k, m * k));
                }

                a.AccumulateGrad(ga, owned: true);
            }

            if (b.RequiresGrad)
            {
                var gb = new float[batch * k * n];
                for (int i = 0; i < batch; i++)
                {
                    Kernels.Gemm(true, false, k, n, m, a.Data.AsSpan(i * m * k, m * k), g.AsSpan(i * m * n, m * n), gb.AsSpan(i * k * n, k * n));
                }

                b.AccumulateGrad(gb, owned: true);
            }
        });
    }
}
