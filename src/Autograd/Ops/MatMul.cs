using MiniNet.Kernels;

namespace MiniNet.Autograd;

// Matrix products, all through Kernels.Gemm. Backward: ∂L/∂A = ∂L/∂C·Bᵀ and ∂L/∂B = Aᵀ·∂L/∂C, with the
// transposes expressed as Gemm flags rather than copies. Every array a GEMM fills with β = 0 is allocated
// uninitialized: the GEMM writes each element and ignores what was there, so zeroing it first was wasted work.
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

    /// <summary>
    /// The affine map of a Linear layer, y = x·Wᵀ + b (PyTorch's <c>F.linear</c>), as one op: W is stored
    /// [out, in] and never transposed in memory.
    /// </summary>
    /// <remarks>
    /// For x of shape [..., in] (all leading dimensions folded into N rows): y[n, o] = Σᵢ x[n, i]·W[o, i] + b[o].
    /// ∂L/∂x = ∂L/∂y·W, ∂L/∂W = (∂L/∂y)ᵀ·x, ∂L/∂b = Σₙ ∂L/∂y[n, :].
    /// </remarks>
    /// <param name="input">x, of shape [..., in].</param>
    /// <param name="weight">W, of shape [out, in].</param>
    /// <param name="bias">b, of shape [out], or null.</param>
    /// <returns>y, of shape [..., out].</returns>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2 || input.Rank == 0 || input._shape[^1] != weight._shape[1])
        {
            throw new ArgumentException(
                $"Linear shapes must agree: input is {ShapeText.Format(input._shape)}, weight is {ShapeText.Format(weight._shape)}; " +
                "the weight must be [out, in] and the input's last dimension must equal in.", nameof(input));
        }

        int outFeatures = weight._shape[0];
        if (bias is not null && (bias.Rank != 1 || bias._shape[0] != outFeatures))
        {
            throw new ArgumentException(
                $"Linear bias must be [{outFeatures}] to match weight {ShapeText.Format(weight._shape)}, but it is {ShapeText.Format(bias._shape)}.",
                nameof(bias));
        }

        int inFeatures = weight._shape[1];
        int rows = input.Data.Length / inFeatures;
        int[] shape = (int[])input._shape.Clone();
        shape[^1] = outFeatures;
        float[] data = StoragePool.RentUninitialized(rows * outFeatures);
        Gemm.Multiply(false, true, rows, outFeatures, inFeatures, input.Data, weight.Data, data);
        if (bias is not null)
        {
            for (int n = 0; n < rows; n++)
            {
                Span<float> row = data.AsSpan(n * outFeatures, outFeatures);
                System.Numerics.Tensors.TensorPrimitives.Add(row, bias.Data, row);
            }
        }

        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return FromOp(data, shape, nameof(Linear), inputs, g =>
        {
            if (input.RequiresGrad)
            {
                float[] gx = StoragePool.RentUninitialized(rows * inFeatures);
                Gemm.Multiply(false, false, rows, inFeatures, outFeatures, g, weight.Data, gx);
                input.AccumulateGrad(gx);
            }

            if (weight.RequiresGrad)
            {
                float[] gw = StoragePool.RentUninitialized(outFeatures * inFeatures);
                Gemm.Multiply(true, false, outFeatures, inFeatures, rows, g, input.Data, gw);
                weight.AccumulateGrad(gw);
            }

            if (bias is not null && bias.RequiresGrad)
            {
                float[] gb = StoragePool.Rent(outFeatures);
                for (int n = 0; n < rows; n++)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(gb, g.AsSpan(n * outFeatures, outFeatures), gb);
                }

                bias.AccumulateGrad(gb);
            }
        });
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
        float[] data = StoragePool.RentUninitialized(m * n);
        Gemm.Multiply(false, false, m, n, k, a.Data, b.Data, data);
        return FromOp(data, shape, nameof(MatMul), [a, b], g =>
        {
            if (a.RequiresGrad)
            {
                float[] ga = StoragePool.RentUninitialized(m * k);
                Gemm.Multiply(false, true, m, k, n, g, b.Data, ga);
                a.AccumulateGrad(ga);
            }

            if (b.RequiresGrad)
            {
                float[] gb = StoragePool.RentUninitialized(k * n);
                Gemm.Multiply(true, false, k, n, m, a.Data, g, gb);
                b.AccumulateGrad(gb);
            }
        });
    }

    private static Tensor MatMulBatched(Tensor a, Tensor b)
    {
        int batch = a._shape[0];
        int m = a._shape[1];
        int k = a._shape[2];
        int n = b._shape[2];
        float[] data = StoragePool.RentUninitialized(batch * m * n);
        for (int i = 0; i < batch; i++)
        {
            Gemm.Multiply(false, false, m, n, k, a.Data.AsSpan(i * m * k, m * k), b.Data.AsSpan(i * k * n, k * n), data.AsSpan(i * m * n, m * n));
        }

        return FromOp(data, [batch, m, n], nameof(MatMul), [a, b], g =>
        {
            if (a.RequiresGrad)
            {
                float[] ga = StoragePool.RentUninitialized(batch * m * k);
                for (int i = 0; i < batch; i++)
                {
                    Gemm.Multiply(false, true, m, k, n, g.AsSpan(i * m * n, m * n), b.Data.AsSpan(i * k * n, k * n), ga.AsSpan(i * m * k, m * k));
                }

                a.AccumulateGrad(ga);
            }

            if (b.RequiresGrad)
            {
                float[] gb = StoragePool.RentUninitialized(batch * k * n);
                for (int i = 0; i < batch; i++)
                {
                    Gemm.Multiply(true, false, k, n, m, a.Data.AsSpan(i * m * k, m * k), g.AsSpan(i * m * n, m * n), gb.AsSpan(i * k * n, k * n));
                }

                b.AccumulateGrad(gb);
            }
        });
    }
}
