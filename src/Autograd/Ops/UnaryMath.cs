using System.Numerics.Tensors;
using MiniNet.Kernels;

namespace MiniNet.Autograd;

// Elementwise functions of one tensor: out = f(x), ∂L/∂x = f'(x)·∂L/∂out.
public sealed partial class Tensor
{
    /// <summary>Elementwise negation.</summary>
    /// <remarks>out = −x; ∂out/∂x = −1.</remarks>
    /// <returns>−x.</returns>
    public Tensor Neg()
    {
        float[] data = StoragePool.Rent(Data.Length);
        TensorPrimitives.Negate(Data, data);
        return FromOp(data, _shape, nameof(Neg), [this], g =>
        {
            float[] gx = StoragePool.Rent(g.Length);
            TensorPrimitives.Negate(g, gx);
            AccumulateGrad(gx);
        });
    }

    /// <summary>Elementwise exponential.</summary>
    /// <remarks>out = eˣ; ∂out/∂x = eˣ = out.</remarks>
    /// <returns>eˣ.</returns>
    public Tensor Exp()
    {
        float[] data = StoragePool.Rent(Data.Length);
        TensorPrimitives.Exp(Data, data);
        return FromOp(data, _shape, nameof(Exp), [this], g => AccumulateGrad(Product(g, data)));
    }

    /// <summary>Elementwise natural logarithm (ln 0 = −∞ and ln of a negative number is NaN, as in PyTorch).</summary>
    /// <remarks>out = ln x; ∂out/∂x = 1/x.</remarks>
    /// <returns>ln x.</returns>
    public Tensor Log()
    {
        float[] data = StoragePool.Rent(Data.Length);
        TensorPrimitives.Log(Data, data);
        return FromOp(data, _shape, nameof(Log), [this], g =>
        {
            float[] gx = StoragePool.Rent(g.Length);
            TensorPrimitives.Divide(g, Data, gx);
            AccumulateGrad(gx);
        });
    }

    /// <summary>Elementwise power with a constant exponent.</summary>
    /// <remarks>out = xᵖ; ∂out/∂x = p·xᵖ⁻¹ (0 when p = 0, PyTorch's rule).</remarks>
    /// <param name="exponent">The constant exponent p.</param>
    /// <returns>xᵖ.</returns>
    public Tensor Pow(float exponent)
    {
        float[] data = StoragePool.Rent(Data.Length);
        TensorPrimitives.Pow(Data, exponent, data);
        return FromOp(data, _shape, nameof(Pow), [this], g =>
        {
            float[] gx = StoragePool.Rent(g.Length);
            if (exponent != 0f)
            {
                TensorPrimitives.Pow(Data, exponent - 1f, gx);
                TensorPrimitives.Multiply(gx, exponent, gx);
                TensorPrimitives.Multiply(gx, g, gx);
            }

            AccumulateGrad(gx);
        });
    }

    /// <summary>Elementwise square root.</summary>
    /// <remarks>out = √x; ∂out/∂x = 1/(2√x).</remarks>
    /// <returns>√x.</returns>
    public Tensor Sqrt()
    {
        float[] data = StoragePool.Rent(Data.Length);
        TensorPrimitives.Sqrt(Data, data);
        return FromOp(data, _shape, nameof(Sqrt), [this], g =>
        {
            float[] gx = StoragePool.Rent(g.Length);
            TensorPrimitives.Divide(g, data, gx);
            TensorPrimitives.Multiply(gx, 0.5f, gx);
            AccumulateGrad(gx);
        });
    }

    /// <summary>Elementwise absolute value.</summary>
    /// <remarks>out = |x|; ∂out/∂x = sign(x), 0 at x = 0 (PyTorch's rule).</remarks>
    /// <returns>|x|.</returns>
    public Tensor Abs()
    {
        float[] data = StoragePool.Rent(Data.Length);
        TensorPrimitives.Abs(Data, data);
        return FromOp(data, _shape, nameof(Abs), [this], g =>
        {
            float[] gx = StoragePool.Rent(g.Length);
            for (int i = 0; i < gx.Length; i++)
            {
                gx[i] = Data[i] > 0f ? g[i] : Data[i] < 0f ? -g[i] : 0f;
            }

            AccumulateGrad(gx);
        });
    }

    /// <summary>Limits every element to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <remarks>out = min(max(x, lo), hi); ∂out/∂x = 1 where lo ≤ x ≤ hi, else 0 (PyTorch's clamp_backward).</remarks>
    /// <param name="min">The lower bound (use <see cref="float.NegativeInfinity"/> for none).</param>
    /// <param name="max">The upper bound (use <see cref="float.PositiveInfinity"/> for none).</param>
    /// <returns>The clamped tensor.</returns>
    public Tensor Clamp(float min, float max)
    {
        if (float.IsNaN(min) || float.IsNaN(max) || min > max)
        {
            throw new ArgumentException($"Clamp needs min ≤ max and neither NaN; got min {min}, max {max}.", nameof(min));
        }

        float[] data = StoragePool.Rent(Data.Length);
        TensorPrimitives.Clamp(Data, min, max, data);
        return FromOp(data, _shape, nameof(Clamp), [this], g =>
        {
            float[] gx = StoragePool.Rent(g.Length);
            for (int i = 0; i < gx.Length; i++)
            {
                float x = Data[i];
                gx[i] = x >= min && x <= max ? g[i] : 0f;
            }

            AccumulateGrad(gx);
        });
    }

    private static float[] Product(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float[] result = StoragePool.Rent(x.Length);
        TensorPrimitives.Multiply(x, y, result);
        return result;
    }
}
