using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MiniNet.Autograd;

/// <summary>
/// One step of the fused Elman RNN after its GEMMs, forward and backward: h_t = φ(z + b) and δ = ∂L/∂h_t ⊙ φ'.
/// </summary>
/// <remarks>
/// φ is tanh (φ' = 1 − h²) or relu (φ' = [h &gt; 0]), both written in terms of the output h, which is all the
/// backward pass keeps. The tanh forward uses <see cref="FastActivations"/> where <see cref="FastActivations.Enabled"/>
/// holds, else TensorPrimitives.
/// </remarks>
internal static class RnnCellKernel
{
    /// <summary>h ← φ(z + b) for every row of <paramref name="state"/> ([rows, H], z on entry).</summary>
    /// <param name="state">z on entry, h_t on return, [rows, H].</param>
    /// <param name="bias">b_ih + b_hh, [H].</param>
    /// <param name="relu">relu instead of tanh.</param>
    public static void Forward(Span<float> state, ReadOnlySpan<float> bias, bool relu)
    {
        int hidden = bias.Length;
        for (int start = 0; start + hidden <= state.Length; start += hidden)
        {
            Span<float> row = state.Slice(start, hidden);
            TensorPrimitives.Add(row, bias, row);
        }

        if (relu)
        {
            TensorPrimitives.Max(state, 0f, state);
        }
        else if (FastActivations.Enabled)
        {
            TanhWide(state);
        }
        else
        {
            TensorPrimitives.Tanh(state, state);
        }
    }

    /// <summary>δ = dh ⊙ φ'(h), from the step's output h.</summary>
    /// <param name="h">h_t, the step's output.</param>
    /// <param name="dh">∂L/∂h_t.</param>
    /// <param name="delta">δ_t (written).</param>
    /// <param name="relu">relu instead of tanh.</param>
    public static void Backward(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> delta, bool relu)
    {
        if (relu)
        {
            for (int e = 0; e < h.Length; e++)
            {
                delta[e] = h[e] > 0f ? dh[e] : 0f;
            }

            return;
        }

        TensorPrimitives.Multiply(h, h, delta);                  // h²
        TensorPrimitives.Subtract(1f, delta, delta);             // 1 − h²
        TensorPrimitives.Multiply(delta, dh, delta);
    }

    private static void TanhWide(Span<float> values)
    {
        ref float v = ref MemoryMarshal.GetReference(values);
        int e = 0;
        for (; e + 16 <= values.Length; e += 16)
        {
            FastActivations.Tanh(Vector512.LoadUnsafe(ref v, (nuint)e)).StoreUnsafe(ref v, (nuint)e);
        }

        for (; e < values.Length; e++)
        {
            values[e] = FastActivations.Tanh(values[e]);
        }
    }
}
