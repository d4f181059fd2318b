using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MiniNet.Autograd;

/// <summary>
/// One batch row of the fused LSTM's step, forward and backward: the gate nonlinearities, the cell update and
/// their derivatives, after the GEMMs of <see cref="Tensor.LstmSequence"/> have produced the pre-activations.
/// </summary>
/// <remarks>
/// Forward, with z = [z_i z_f z_g z_o] the pre-activations and b the summed bias:
/// i, f, o = σ(z + b), g = tanh(z_g + b_g), c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh c_t.
/// Backward, with dh = ∂L/∂h_t and dc = ∂L/∂c_t on entry: dc += dh⊙o⊙(1 − tanh² c_t);
/// δ = [dc⊙g⊙i(1−i), dc⊙c_{t−1}⊙f(1−f), dc⊙i⊙(1−g²), dh⊙tanh c_t⊙o(1−o)]; dc ← dc⊙f (= ∂L/∂c_{t−1}).
/// Where the CPU has 512-bit vectors both run 16 lanes at a time with the rational σ and tanh of
/// <see cref="FastActivations"/>; elsewhere (or with <see cref="FastActivations.Enabled"/> off, as tests do) the forward is a sequence
/// of TensorPrimitives calls and the backward a Vector&lt;float&gt; loop.
/// </remarks>
internal static class LstmCellKernel
{
    /// <summary>
    /// Activates one row of gates in place (from z to [i f g o]) and writes c_t, tanh c_t and h_t.
    /// </summary>
    /// <param name="gates">z, [4H]; overwritten with the activated gates, which the backward pass reads.</param>
    /// <param name="bias">b_ih + b_hh, [4H] (zeros for a layer without biases).</param>
    /// <param name="cPrevious">c_{t−1}, [H].</param>
    /// <param name="c">c_t, [H] (written).</param>
    /// <param name="tanhC">tanh c_t, [H] (written).</param>
    /// <param name="h">h_t, [H] (written).</param>
    public static void Forward(Span<float> gates, ReadOnlySpan<float> bias, ReadOnlySpan<float> cPrevious, Span<float> c, Span<float> tanhC, Span<float> h)
    {
        int hidden = h.Length;
        CheckLengths(hidden, gates.Length, bias.Length, cPrevious.Length, c.Length, tanhC.Length);
        if (FastActivations.Enabled)
        {
            for (int j = ForwardWide(gates, bias, cPrevious, c, tanhC, h); j < hidden; j++)
            {
                float i = FastActivations.Sigmoid(gates[j] + bias[j]), f = FastActivations.Sigmoid(gates[hidden + j] + bias[hidden + j]);
                float g = FastActivations.Tanh(gates[(2 * hidden) + j] + bias[(2 * hidden) + j]);
                float o = FastActivations.Sigmoid(gates[(3 * hidden) + j] + bias[(3 * hidden) + j]);
                (gates[j], gates[hidden + j], gates[(2 * hidden) + j], gates[(3 * hidden) + j]) = (i, f, g, o);
                c[j] = (f * cPrevious[j]) + (i * g);
                tanhC[j] = FastActivations.Tanh(c[j]);
                h[j] = o * tanhC[j];
            }

            return;
        }

        TensorPrimitives.Add(gates, bias, gates);
        Span<float> iGate = gates[..hidden], fGate = gates.Slice(hidden, hidden), gGate = gates.Slice(2 * hidden, hidden), oGate = gates[(3 * hidden)..];
        TensorPrimitives.Sigmoid(gates[..(2 * hidden)], gates[..(2 * hidden)]);   // i, f
        TensorPrimitives.Tanh(gGate, gGate);
        TensorPrimitives.Sigmoid(oGate, oGate);
        TensorPrimitives.Multiply(fGate, cPrevious, c);                           // f⊙c_{t−1}
        TensorPrimitives.MultiplyAdd(iGate, gGate, c, c);                         // + i⊙g
        TensorPrimitives.Tanh(c, tanhC);
        TensorPrimitives.Multiply(oGate, tanhC, h);                               // h = o⊙tanh c
    }

    /// <summary>
    /// One row of the backward step: from the activated gates, tanh c_t, c_{t−1}, dh = ∂L/∂h_t and dc = ∂L/∂c_t
    /// (replaced by ∂L/∂c_{t−1}), writes the pre-activation gradients δ [4H].
    /// </summary>
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> cPrevious,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> delta)
    {
        int hidden = dh.Length;
        CheckLengths(hidden, gates.Length, delta.Length, tanhC.Length, cPrevious.Length, dc.Length);
        int j = FastActivations.Enabled ? BackwardWide(gates, tanhC, cPrevious, dh, dc, delta) : BackwardVector(gates, tanhC, cPrevious, dh, dc, delta);
        for (; j < hidden; j++)
        {
            float i = gates[j], f = gates[hidden + j], g = gates[(2 * hidden) + j], o = gates[(3 * hidden) + j], tc = tanhC[j], h = dh[j];
            float cGrad = dc[j] + (h * o * (1f - (tc * tc)));
            delta[j] = cGrad * g * i * (1f - i);
            delta[hidden + j] = cGrad * cPrevious[j] * f * (1f - f);
            delta[(2 * hidden) + j] = cGrad * i * (1f - (g * g));
            delta[(3 * hidden) + j] = h * tc * o * (1f - o);
            dc[j] = cGrad * f;
        }
    }

    /// <summary>The vector loops read past no span: the gate-sized spans must hold 4H floats, the others H.</summary>
    private static void CheckLengths(int hidden, int gates, int gatesToo, int state, int stateToo, int stateThree)
    {
        if (gates < 4 * hidden || gatesToo < 4 * hidden || state < hidden || stateToo < hidden || stateThree < hidden)
        {
            throw new ArgumentException($"LstmCellKernel: a row needs gate spans of 4·{hidden} floats and state spans of {hidden}.");
        }
    }

    /// <summary>The forward row 16 lanes at a time; returns how many lanes it covered.</summary>
    private static int ForwardWide(Span<float> gates, ReadOnlySpan<float> bias, ReadOnlySpan<float> cPrevious, Span<float> c, Span<float> tanhC, Span<float> h)
    {
        int hidden = h.Length;
        ref float z = ref MemoryMarshal.GetReference(gates);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float cp = ref MemoryMarshal.GetReference(cPrevious);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        ref float tcRef = ref MemoryMarshal.GetReference(tanhC);
        ref float hRef = ref MemoryMarshal.GetReference(h);
        nuint gOffset = (nuint)(2 * hidden), fOffset = (nuint)hidden, oOffset = (nuint)(3 * hidden);
        int j = 0;
        for (; j + 16 <= hidden; j += 16)
        {
            nuint at = (nuint)j;
            Vector512<float> i = FastActivations.Sigmoid(Vector512.LoadUnsafe(ref z, at) + Vector512.LoadUnsafe(ref b, at));
            Vector512<float> f = FastActivations.Sigmoid(Vector512.LoadUnsafe(ref z, fOffset + at) + Vector512.LoadUnsafe(ref b, fOffset + at));
            Vector512<float> g = FastActivations.Tanh(Vector512.LoadUnsafe(ref z, gOffset + at) + Vector512.LoadUnsafe(ref b, gOffset + at));
            Vector512<float> o = FastActivations.Sigmoid(Vector512.LoadUnsafe(ref z, oOffset + at) + Vector512.LoadUnsafe(ref b, oOffset + at));
            i.StoreUnsafe(ref z, at);
            f.StoreUnsafe(ref z, fOffset + at);
            g.StoreUnsafe(ref z, gOffset + at);
            o.StoreUnsafe(ref z, oOffset + at);
            Vector512<float> cell = Vector512.FusedMultiplyAdd(f, Vector512.LoadUnsafe(ref cp, at), i * g);
            Vector512<float> tc = FastActivations.Tanh(cell);
            cell.StoreUnsafe(ref cRef, at);
            tc.StoreUnsafe(ref tcRef, at);
            (o * tc).StoreUnsafe(ref hRef, at);
        }

        return j;
    }

    /// <summary>The backward row 16 lanes at a time; returns how many lanes it covered.</summary>
    private static int BackwardWide(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> cPrevious,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> delta)
    {
        int hidden = dh.Length;
        ref float a = ref MemoryMarshal.GetReference(gates);
        ref float tcRef = ref MemoryMarshal.GetReference(tanhC);
        ref float cp = ref MemoryMarshal.GetReference(cPrevious);
        ref float dhRef = ref MemoryMarshal.GetReference(dh);
        ref float dcRef = ref MemoryMarshal.GetReference(dc);
        ref float d = ref MemoryMarshal.GetReference(delta);
        nuint fOffset = (nuint)hidden, gOffset = (nuint)(2 * hidden), oOffset = (nuint)(3 * hidden);
        Vector512<float> one = Vector512<float>.One;
        int j = 0;
        for (; j + 16 <= hidden; j += 16)
        {
            nuint at = (nuint)j;
            Vector512<float> i = Vector512.LoadUnsafe(ref a, at), f = Vector512.LoadUnsafe(ref a, fOffset + at);
            Vector512<float> g = Vector512.LoadUnsafe(ref a, gOffset + at), o = Vector512.LoadUnsafe(ref a, oOffset + at);
            Vector512<float> tc = Vector512.LoadUnsafe(ref tcRef, at), h = Vector512.LoadUnsafe(ref dhRef, at);
            Vector512<float> cGrad = Vector512.FusedMultiplyAdd(h * o, one - (tc * tc), Vector512.LoadUnsafe(ref dcRef, at));
            (cGrad * g * i * (one - i)).StoreUnsafe(ref d, at);
            (cGrad * Vector512.LoadUnsafe(ref cp, at) * f * (one - f)).StoreUnsafe(ref d, fOffset + at);
            (cGrad * i * (one - (g * g))).StoreUnsafe(ref d, gOffset + at);
            (h * tc * o * (one - o)).StoreUnsafe(ref d, oOffset + at);
            (cGrad * f).StoreUnsafe(ref dcRef, at);
        }

        return j;
    }

    /// <summary>The backward row with the portable Vector&lt;float&gt;; returns how many lanes it covered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BackwardVector(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> cPrevious,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> delta)
    {
        int hidden = dh.Length;
        int j = 0;
        if (!System.Numerics.Vector.IsHardwareAccelerated)
        {
            return j;
        }

        ReadOnlySpan<float> iGate = gates[..hidden], fGate = gates.Slice(hidden, hidden), gGate = gates.Slice(2 * hidden, hidden), oGate = gates[(3 * hidden)..];
        Span<float> di = delta[..hidden], df = delta.Slice(hidden, hidden), dg = delta.Slice(2 * hidden, hidden), dO = delta[(3 * hidden)..];
        var one = System.Numerics.Vector<float>.One;
        int width = System.Numerics.Vector<float>.Count;
        for (; j + width <= hidden; j += width)
        {
            var i = new System.Numerics.Vector<float>(iGate[j..]);
            var f = new System.Numerics.Vector<float>(fGate[j..]);
            var g = new System.Numerics.Vector<float>(gGate[j..]);
            var o = new System.Numerics.Vector<float>(oGate[j..]);
            var tc = new System.Numerics.Vector<float>(tanhC[j..]);
            var h = new System.Numerics.Vector<float>(dh[j..]);
            System.Numerics.Vector<float> c = new System.Numerics.Vector<float>(dc[j..]) + (h * o * (one - (tc * tc)));
            (c * g * i * (one - i)).CopyTo(di[j..]);
            (c * new System.Numerics.Vector<float>(cPrevious[j..]) * f * (one - f)).CopyTo(df[j..]);
            (c * i * (one - (g * g))).CopyTo(dg[j..]);
            (h * tc * o * (one - o)).CopyTo(dO[j..]);
            (c * f).CopyTo(dc[j..]);
        }

        return j;
    }
}
