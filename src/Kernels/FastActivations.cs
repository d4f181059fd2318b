using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MiniNet.Kernels;

/// <summary>
/// tanh and the logistic sigmoid as one rational function, for the fused recurrent kernels' inner loops
/// (at every vector width, no exp, one division).
/// </summary>
/// <remarks>
/// <para>
/// tanh x ≈ x·p(x²)/q(x²) on x clamped to [−9, 9] (beyond which tanh is ±1 in single precision), with p of degree 6
/// and q of degree 3 in x²: the 13/6 rational interpolant Eigen uses for float tanh (<c>generic_fast_tanh_float</c>).
/// σ(x) = ½ + ½·tanh(x/2). Measured against double-precision references over x ∈ [−10, 10]: at most 3.2e−7 absolute
/// error for tanh and 1.5e−7 for σ (TensorPrimitives' σ: 0.9e−7), far inside the tolerance the fused layers are held
/// to against PyTorch.
/// </para>
/// <para>
/// Why not <c>TensorPrimitives.Sigmoid</c>/<c>Tanh</c>: they evaluate exp by widening to double, and called per row of
/// the gates they cost between two and three times as much as this rational function, in a loop that is a large share
/// of an LSTM step (bench/MiniNet.Bench measures it). The graph ops (Tensor.Tanh, Tensor.Sigmoid) keep using
/// TensorPrimitives and remain the reference the fused kernels are tested against.
/// </para>
/// </remarks>
internal static class FastActivations
{
    private const float Limit = 9f;
    private const float Alpha1 = 4.89352455891786e-03f, Alpha3 = 6.37261928875436e-04f, Alpha5 = 1.48572235717979e-05f,
        Alpha7 = 5.12229709037114e-08f, Alpha9 = -8.60467152213735e-11f, Alpha11 = 2.00018790482477e-13f,
        Alpha13 = -2.76076847742355e-16f;

    private const float Beta0 = 4.89352518554385e-03f, Beta2 = 2.26843463243900e-03f, Beta4 = 1.18534705686654e-04f,
        Beta6 = 1.19825839466702e-06f;

    /// <summary>tanh of every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes Tanh<TLanes>(TLanes x)
        where TLanes : struct, ILanes<TLanes>
    {
        x = TLanes.Min(TLanes.Create(Limit), TLanes.Max(TLanes.Create(-Limit), x));   // x on the right: NaN stays NaN
        TLanes x2 = x * x;
        TLanes p = TLanes.FusedMultiplyAdd(x2, TLanes.Create(Alpha13), TLanes.Create(Alpha11));
        p = TLanes.FusedMultiplyAdd(x2, p, TLanes.Create(Alpha9));
        p = TLanes.FusedMultiplyAdd(x2, p, TLanes.Create(Alpha7));
        p = TLanes.FusedMultiplyAdd(x2, p, TLanes.Create(Alpha5));
        p = TLanes.FusedMultiplyAdd(x2, p, TLanes.Create(Alpha3));
        p = TLanes.FusedMultiplyAdd(x2, p, TLanes.Create(Alpha1));
        TLanes q = TLanes.FusedMultiplyAdd(x2, TLanes.Create(Beta6), TLanes.Create(Beta4));
        q = TLanes.FusedMultiplyAdd(x2, q, TLanes.Create(Beta2));
        q = TLanes.FusedMultiplyAdd(x2, q, TLanes.Create(Beta0));
        return x * p / q;
    }

    /// <summary>σ of every lane, as ½ + ½·tanh(x/2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes Sigmoid<TLanes>(TLanes x)
        where TLanes : struct, ILanes<TLanes>
    {
        TLanes half = TLanes.Create(0.5f);
        return TLanes.FusedMultiplyAdd(Tanh(x * half), half, half);
    }

    /// <summary>tanh of one float: the lane function on one lane, so a tail lane gets exactly what a vector lane would.</summary>
    public static float Tanh(float x)
    {
        Span<float> value = [x];
        Tanh(Lane1.Load(value, 0)).Store(value, 0);
        return value[0];
    }

    /// <summary>σ of one float, the lane function on one lane.</summary>
    public static float Sigmoid(float x)
    {
        Span<float> value = [x];
        Sigmoid(Lane1.Load(value, 0)).Store(value, 0);
        return value[0];
    }
}
