using System.Numerics.Tensors;

using MiniNet.Kernels;

namespace MiniNet.Autograd;

// Binary elementwise ops with NumPy/PyTorch broadcasting. Backward of each: the local derivative times
// ∂L/∂out, summed over the broadcast dimensions back to the input's shape (Broadcasting.SumTo).
public sealed partial class Tensor
{
    /// <summary>Elementwise sum with broadcasting.</summary>
    /// <remarks>out = a + b; ∂out/∂a = 1, ∂out/∂b = 1.</remarks>
    /// <param name="other">The right operand; its shape must broadcast with this one's.</param>
    /// <returns>The sum, of the broadcast shape.</returns>
    public Tensor Add(Tensor other)
    {
        (Tensor a, Tensor b, int[] shape) = Operands(this, other, nameof(Add));
        float[] data = Broadcasting.Apply(BinaryFunction.Add, a.Data, a._shape, b.Data, b._shape, shape);
        return FromOp(data, shape, nameof(Add), [a, b], g =>
        {
            a.AccumulateReduced(g, shape);
            b.AccumulateReduced(g, shape);
        });
    }

    /// <summary>Elementwise difference with broadcasting.</summary>
    /// <remarks>out = a − b; ∂out/∂a = 1, ∂out/∂b = −1.</remarks>
    /// <param name="other">The right operand; its shape must broadcast with this one's.</param>
    /// <returns>The difference, of the broadcast shape.</returns>
    public Tensor Subtract(Tensor other)
    {
        (Tensor a, Tensor b, int[] shape) = Operands(this, other, nameof(Subtract));
        float[] data = Broadcasting.Apply(BinaryFunction.Subtract, a.Data, a._shape, b.Data, b._shape, shape);
        return FromOp(data, shape, nameof(Subtract), [a, b], g =>
        {
            a.AccumulateReduced(g, shape);
            if (b.RequiresGrad)
            {
                float[] negated = StoragePool.Rent(g.Length);
                TensorPrimitives.Negate(g, negated);
                b.AccumulateReduced(negated, shape);
            }
        });
    }

    /// <summary>Elementwise product with broadcasting.</summary>
    /// <remarks>out = a·b; ∂out/∂a = b, ∂out/∂b = a.</remarks>
    /// <param name="other">The right operand; its shape must broadcast with this one's.</param>
    /// <returns>The product, of the broadcast shape.</returns>
    public Tensor Multiply(Tensor other)
    {
        (Tensor a, Tensor b, int[] shape) = Operands(this, other, nameof(Multiply));
        float[] data = Broadcasting.Apply(BinaryFunction.Multiply, a.Data, a._shape, b.Data, b._shape, shape);
        return FromOp(data, shape, nameof(Multiply), [a, b], g =>
        {
            if (a.RequiresGrad)
            {
                a.AccumulateReduced(Broadcasting.Apply(BinaryFunction.Multiply, g, shape, b.Data, b._shape, shape), shape);
            }

            if (b.RequiresGrad)
            {
                b.AccumulateReduced(Broadcasting.Apply(BinaryFunction.Multiply, g, shape, a.Data, a._shape, shape), shape);
            }
        });
    }

    /// <summary>Elementwise quotient with broadcasting (division by zero gives ±∞ or NaN, as in IEEE 754 and PyTorch).</summary>
    /// <remarks>out = a / b; ∂out/∂a = 1/b, ∂out/∂b = −a/b² = −out/b.</remarks>
    /// <param name="other">The divisor; its shape must broadcast with this one's.</param>
    /// <returns>The quotient, of the broadcast shape.</returns>
    public Tensor Divide(Tensor other)
    {
        (Tensor a, Tensor b, int[] shape) = Operands(this, other, nameof(Divide));
        float[] data = Broadcasting.Apply(BinaryFunction.Divide, a.Data, a._shape, b.Data, b._shape, shape);
        return FromOp(data, shape, nameof(Divide), [a, b], g =>
        {
            if (a.RequiresGrad)
            {
                a.AccumulateReduced(Broadcasting.Apply(BinaryFunction.Divide, g, shape, b.Data, b._shape, shape), shape);
            }

            if (b.RequiresGrad)
            {
                float[] gOut = StoragePool.Rent(g.Length);
                TensorPrimitives.Multiply(g, data, gOut);
                float[] gb = Broadcasting.Apply(BinaryFunction.Divide, gOut, shape, b.Data, b._shape, shape);
                TensorPrimitives.Negate(gb, gb);
                b.AccumulateReduced(gb, shape);
            }
        });
    }

    /// <summary>Elementwise power with a tensor exponent, with broadcasting.</summary>
    /// <remarks>
    /// out = aᵇ; ∂out/∂a = b·aᵇ⁻¹, ∂out/∂b = aᵇ·ln a, taken as 0 where a = 0 and b ≥ 0 (PyTorch's rule,
    /// so 0⁰ and 0² do not produce NaN gradients for the exponent).
    /// </remarks>
    /// <param name="exponent">The exponent; its shape must broadcast with this one's.</param>
    /// <returns>The power, of the broadcast shape.</returns>
    public Tensor Pow(Tensor exponent)
    {
        (Tensor a, Tensor b, int[] shape) = Operands(this, exponent, nameof(Pow));
        float[] data = Broadcasting.Apply(BinaryFunction.Pow, a.Data, a._shape, b.Data, b._shape, shape);
        return FromOp(data, shape, nameof(Pow), [a, b], g =>
        {
            float[] aFull = Broadcasting.Apply(BinaryFunction.Add, a.Data, a._shape, [0f], [], shape);
            float[] bFull = Broadcasting.Apply(BinaryFunction.Add, b.Data, b._shape, [0f], [], shape);
            if (a.RequiresGrad)
            {
                float[] ga = StoragePool.Rent(g.Length);
                for (int i = 0; i < ga.Length; i++)
                {
                    ga[i] = bFull[i] == 0f ? 0f : g[i] * bFull[i] * MathF.Pow(aFull[i], bFull[i] - 1f);
                }

                a.AccumulateReduced(ga, shape);
            }

            if (b.RequiresGrad)
            {
                float[] gb = StoragePool.Rent(g.Length);
                for (int i = 0; i < gb.Length; i++)
                {
                    gb[i] = aFull[i] == 0f && bFull[i] >= 0f ? 0f : g[i] * data[i] * MathF.Log(aFull[i]);
                }

                b.AccumulateReduced(gb, shape);
            }
        });
    }

    /// <summary>Elementwise sum with broadcasting; see <see cref="Add"/>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>The sum.</returns>
    public static Tensor operator +(Tensor left, Tensor right) => NotNull(left).Add(right);

    /// <summary>Adds a constant to every element.</summary>
    /// <param name="left">The tensor.</param>
    /// <param name="right">The constant.</param>
    /// <returns>The sum.</returns>
    public static Tensor operator +(Tensor left, float right) => NotNull(left).Add(Scalar(right));

    /// <summary>Adds a constant to every element.</summary>
    /// <param name="left">The constant.</param>
    /// <param name="right">The tensor.</param>
    /// <returns>The sum.</returns>
    public static Tensor operator +(float left, Tensor right) => Scalar(left).Add(right);

    /// <summary>Elementwise difference with broadcasting; see <see cref="Subtract"/>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>The difference.</returns>
    public static Tensor operator -(Tensor left, Tensor right) => NotNull(left).Subtract(right);

    /// <summary>Subtracts a constant from every element.</summary>
    /// <param name="left">The tensor.</param>
    /// <param name="right">The constant.</param>
    /// <returns>The difference.</returns>
    public static Tensor operator -(Tensor left, float right) => NotNull(left).Subtract(Scalar(right));

    /// <summary>Subtracts every element from a constant.</summary>
    /// <param name="left">The constant.</param>
    /// <param name="right">The tensor.</param>
    /// <returns>The difference.</returns>
    public static Tensor operator -(float left, Tensor right) => Scalar(left).Subtract(right);

    /// <summary>Negation; see <see cref="Neg"/>.</summary>
    /// <param name="value">The tensor.</param>
    /// <returns>−value.</returns>
    public static Tensor operator -(Tensor value) => NotNull(value).Neg();

    /// <summary>Elementwise product with broadcasting; see <see cref="Multiply"/>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>The product.</returns>
    public static Tensor operator *(Tensor left, Tensor right) => NotNull(left).Multiply(right);

    /// <summary>Multiplies every element by a constant.</summary>
    /// <param name="left">The tensor.</param>
    /// <param name="right">The constant.</param>
    /// <returns>The product.</returns>
    public static Tensor operator *(Tensor left, float right) => NotNull(left).Multiply(Scalar(right));

    /// <summary>Multiplies every element by a constant.</summary>
    /// <param name="left">The constant.</param>
    /// <param name="right">The tensor.</param>
    /// <returns>The product.</returns>
    public static Tensor operator *(float left, Tensor right) => Scalar(left).Multiply(right);

    /// <summary>Elementwise quotient with broadcasting; see <see cref="Divide"/>.</summary>
    /// <param name="left">The dividend.</param>
    /// <param name="right">The divisor.</param>
    /// <returns>The quotient.</returns>
    public static Tensor operator /(Tensor left, Tensor right) => NotNull(left).Divide(right);

    /// <summary>Divides every element by a constant.</summary>
    /// <param name="left">The tensor.</param>
    /// <param name="right">The constant.</param>
    /// <returns>The quotient.</returns>
    public static Tensor operator /(Tensor left, float right) => NotNull(left).Divide(Scalar(right));

    /// <summary>Divides a constant by every element.</summary>
    /// <param name="left">The constant.</param>
    /// <param name="right">The tensor.</param>
    /// <returns>The quotient.</returns>
    public static Tensor operator /(float left, Tensor right) => Scalar(left).Divide(right);

    private static Tensor NotNull(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value;
    }

    private static (Tensor A, Tensor B, int[] Shape) Operands(Tensor a, Tensor b, string op)
    {
        ArgumentNullException.ThrowIfNull(b);
        return (a, b, ShapeText.Broadcast(a._shape, b._shape, op));
    }

    /// <summary>Accumulates a gradient of the broadcast shape, summed down to this tensor's shape (the gradient may be shared: it is copied unless summing made a new array).</summary>
    private void AccumulateReduced(float[] gradient, int[] fromShape)
    {
        if (!RequiresGrad)
        {
            return;
        }

        float[] reduced = Broadcasting.SumTo(gradient, fromShape, _shape);
        AccumulateGrad(ReferenceEquals(reduced, gradient) ? StoragePool.Copy(gradient) : reduced);
    }
}
