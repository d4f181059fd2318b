using System.Numerics.Tensors;
using MiniNet.Kernels;

namespace MiniNet.Autograd;

// Nonlinearities. Tanh, Sigmoid and Relu have hand-written derivatives in terms of their output;
// Softmax and LogSoftmax are compositions of primitives (tinygrad's way) and need none.
public sealed partial class Tensor
{
    /// <summary>Elementwise hyperbolic tangent.</summary>
    /// <remarks>out = tanh x; ∂out/∂x = 1 − out².</remarks>
    /// <returns>tanh x.</returns>
    public Tensor Tanh()
    {
        float[] data = StoragePool.Rent(Data.Length);
        TensorPrimitives.Tanh(Data, data);
        return FromOp(data, _shape, nameof(Tanh), [this], g =>
        {
            float[] gx = StoragePool.Rent(g.Length);
            for (int i = 0; i < gx.Length; i++)
            {
                gx[i] = g[i] * (1f - (data[i] * data[i]));
            }

            AccumulateGrad(gx);
        });
    }

    /// <summary>Elementwise logistic sigmoid.</summary>
    /// <remarks>out = σ(x) = 1/(1 + e⁻ˣ); ∂out/∂x = out·(1 − out).</remarks>
    /// <returns>σ(x).</returns>
    public Tensor Sigmoid()
    {
        float[] data = StoragePool.Rent(Data.Length);
        TensorPrimitives.Sigmoid(Data, data);
        return FromOp(data, _shape, nameof(Sigmoid), [this], g =>
        {
            float[] gx = StoragePool.Rent(g.Length);
            for (int i = 0; i < gx.Length; i++)
            {
                gx[i] = g[i] * data[i] * (1f - data[i]);
            }

            AccumulateGrad(gx);
        });
    }

    /// <summary>Elementwise rectified linear unit.</summary>
    /// <remarks>out = max(x, 0); ∂out/∂x = 1 where x &gt; 0, else 0 (0 at x = 0, as in PyTorch).</remarks>
    /// <returns>max(x, 0).</returns>
    public Tensor Relu()
    {
        float[] data = StoragePool.Rent(Data.Length);
        TensorPrimitives.Max(Data, 0f, data);
        return FromOp(data, _shape, nameof(Relu), [this], g =>
        {
            float[] gx = StoragePool.Rent(g.Length);
            for (int i = 0; i < gx.Length; i++)
            {
                gx[i] = Data[i] > 0f ? g[i] : 0f;
            }

            AccumulateGrad(gx);
        });
    }

    /// <summary>Elementwise softplus, ln(1 + eˣ), computed without overflow.</summary>
    /// <remarks>
    /// out = max(x, 0) + ln(1 + e^(−|x|)) (equal to ln(1 + eˣ), finite for any finite x);
    /// ∂out/∂x = σ(x). Binary cross-entropy from logits is built on it.
    /// </remarks>
    /// <returns>softplus(x).</returns>
    public Tensor Softplus()
    {
        float[] data = StoragePool.Rent(Data.Length);
        for (int i = 0; i < data.Length; i++)
        {
            float x = Data[i];
            data[i] = MathF.Max(x, 0f) + float.LogP1(MathF.Exp(-MathF.Abs(x)));
        }

        return FromOp(data, _shape, nameof(Softplus), [this], g =>
        {
            float[] gx = StoragePool.Rent(g.Length);
            TensorPrimitives.Sigmoid(Data, gx);
            TensorPrimitives.Multiply(gx, g, gx);
            AccumulateGrad(gx);
        });
    }

    /// <summary>Softmax along <paramref name="axis"/>: non-negative values summing to 1 along it.</summary>
    /// <remarks>
    /// softmax(x)ᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m) with m = maxⱼ xⱼ (detached: subtracting any constant leaves
    /// the result unchanged, and m keeps every exponent ≤ 0, so large logits do not overflow).
    /// Built from Max, Subtract, Exp, Sum and Divide; its gradient comes from theirs.
    /// </remarks>
    /// <param name="axis">The axis to normalize over (negative counts from the end).</param>
    /// <returns>The probabilities, of this tensor's shape.</returns>
    public Tensor Softmax(int axis)
    {
        Tensor exp = (this - Max(axis, keepDim: true).Detach()).Exp();
        return exp / exp.Sum(axis, keepDim: true);
    }

    /// <summary>Log-softmax along <paramref name="axis"/>, computed stably (log-sum-exp).</summary>
    /// <remarks>
    /// log softmax(x)ᵢ = (xᵢ − m) − ln Σⱼ e^(xⱼ − m) with m = maxⱼ xⱼ detached; never ln 0 for finite x.
    /// A composition of primitives; its gradient comes from theirs.
    /// </remarks>
    /// <param name="axis">The axis to normalize over (negative counts from the end).</param>
    /// <returns>The log-probabilities, of this tensor's shape.</returns>
    public Tensor LogSoftmax(int axis)
    {
        Tensor shifted = this - Max(axis, keepDim: true).Detach();
        return shifted - shifted.Exp().Sum(axis, keepDim: true).Log();
    }
}
