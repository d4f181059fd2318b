using MiniNet.Kernels;

namespace MiniNet.Layers;

/// <summary>
/// One batch row of the fused GRU's step, after the GEMMs have produced the input projection p = x·W_ihᵀ and the hidden
/// projection q = h_{t−1}·W_hhᵀ (gate blocks r, z, n): the gates, the new state, and their derivatives. Each formula is
/// written once, over lanes, and evaluated at every vector width (<see cref="LaneLoop"/>).
/// </summary>
/// <remarks>
/// <para>
/// Forward: r = σ(p_r + b_ir + q_r + b_hr), z = σ(p_z + b_iz + q_z + b_hz), ĥ = q_n + b_hn, n = tanh(p_n + b_in + r⊙ĥ),
/// h_t = (1 − z)⊙n + z⊙h_{t−1}, computed as n + z⊙(h_{t−1} − n).
/// </para>
/// <para>
/// Backward, with dh = ∂L/∂h_t on entry: ∂L/∂n = dh⊙(1 − z), ∂L/∂z = dh⊙(h_{t−1} − n);
/// δ_n = ∂L/∂n⊙(1 − n²), δ_r = δ_n⊙ĥ⊙r(1−r), δ_z = ∂L/∂z⊙z(1−z). The input side's pre-activation gradient is
/// δ_ih = [δ_r, δ_z, δ_n]; the hidden side's is δ_hh = [δ_r, δ_z, r⊙δ_n], because r multiplies only ĥ. dh ← dh⊙z, the
/// direct path to h_{t−1}; the caller adds δ_hh·W_hh to it.
/// </para>
/// <para>The gradients the backward row writes are flushed to zero below 2⁻¹²⁶ (<see cref="ILanes{TSelf}.FlushSubnormal"/>),
/// as <see cref="LstmCellKernel"/>'s are.</para>
/// <para>σ and tanh are <see cref="FastActivations"/>' rational function; the composite <see cref="GruCell"/> is the
/// reference this is tested against.</para>
/// </remarks>
internal static class GruCellKernel
{
    /// <summary>Activates one row in place (p → [r z n]) and writes ĥ = q_n + b_hn and h_t.</summary>
    /// <param name="gates">p, [3H]; overwritten with r, z, n, which the backward pass reads.</param>
    /// <param name="hidden">q, [3H] (read only).</param>
    /// <param name="biasIh">b_ih, [3H] (zeros without biases).</param>
    /// <param name="biasHh">b_hh, [3H] (zeros without biases).</param>
    /// <param name="hPrevious">h_{t−1}, [H].</param>
    /// <param name="hiddenN">ĥ = q_n + b_hn, [H] (written; the backward pass reads it).</param>
    /// <param name="h">h_t, [H] (written).</param>
    /// <param name="vectorBits">The widest vectors to use.</param>
    public static void Forward(Span<float> gates, ReadOnlySpan<float> hidden, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> hPrevious, Span<float> hiddenN, Span<float> h, int vectorBits)
    {
        int n = h.Length;
        if (gates.Length < 3 * n || hidden.Length < 3 * n || biasIh.Length < 3 * n || biasHh.Length < 3 * n || hPrevious.Length < n || hiddenN.Length < n)
        {
            throw new ArgumentException($"GruCellKernel: a row needs gate spans of 3·{n} floats and state spans of {n}.");
        }

        var row = new ForwardRow(gates, hidden, biasIh, biasHh, hPrevious, hiddenN, h);
        LaneLoop.Run(ref row, n, vectorBits);
    }

    /// <summary>
    /// One row of the backward step: from [r z n], ĥ, h_{t−1} and dh = ∂L/∂h_t (replaced by its direct part dh⊙z),
    /// writes δ_ih and δ_hh [3H].
    /// </summary>
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> hiddenN, ReadOnlySpan<float> hPrevious, Span<float> dh,
        Span<float> deltaIh, Span<float> deltaHh, int vectorBits)
    {
        int n = dh.Length;
        if (gates.Length < 3 * n || deltaIh.Length < 3 * n || deltaHh.Length < 3 * n || hiddenN.Length < n || hPrevious.Length < n)
        {
            throw new ArgumentException($"GruCellKernel: a row needs gate spans of 3·{n} floats and state spans of {n}.");
        }

        var row = new BackwardRow(gates, hiddenN, hPrevious, dh, deltaIh, deltaHh);
        LaneLoop.Run(ref row, n, vectorBits);
    }

    private readonly ref struct ForwardRow(Span<float> gates, ReadOnlySpan<float> hidden, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> hPrevious, Span<float> hiddenN, Span<float> h) : ILaneKernel
    {
        public static bool Pairs => true;   // latency-bound: see LaneLoop

        private readonly Span<float> _gates = gates, _hiddenN = hiddenN, _h = h;
        private readonly ReadOnlySpan<float> _hidden = hidden, _biasIh = biasIh, _biasHh = biasHh, _hPrevious = hPrevious;

        public void Step<T>(int j)
            where T : struct, ILanes<T>
        {
            int n = _h.Length;
            T r = FastActivations.Sigmoid(T.Load(_gates, j) + T.Load(_biasIh, j) + T.Load(_hidden, j) + T.Load(_biasHh, j));
            T z = FastActivations.Sigmoid(T.Load(_gates, n + j) + T.Load(_biasIh, n + j) + T.Load(_hidden, n + j) + T.Load(_biasHh, n + j));
            T hiddenN = T.Load(_hidden, (2 * n) + j) + T.Load(_biasHh, (2 * n) + j);                               // ĥ = q_n + b_hn
            T candidate = FastActivations.Tanh(T.FusedMultiplyAdd(r, hiddenN, T.Load(_gates, (2 * n) + j) + T.Load(_biasIh, (2 * n) + j)));
            r.Store(_gates, j);
            z.Store(_gates, n + j);
            candidate.Store(_gates, (2 * n) + j);
            hiddenN.Store(_hiddenN, j);
            T.FusedMultiplyAdd(z, T.Load(_hPrevious, j) - candidate, candidate).Store(_h, j);                       // h_t = n + z⊙(h_{t−1} − n)
        }
    }

    private readonly ref struct BackwardRow(ReadOnlySpan<float> gates, ReadOnlySpan<float> hiddenN, ReadOnlySpan<float> hPrevious,
        Span<float> dh, Span<float> deltaIh, Span<float> deltaHh) : ILaneKernel
    {
        public static bool Pairs => LaneLoop.ManyRegisters;   // products only: pairs spill without 32 registers

        private readonly ReadOnlySpan<float> _gates = gates, _hiddenN = hiddenN, _hPrevious = hPrevious;
        private readonly Span<float> _dh = dh, _deltaIh = deltaIh, _deltaHh = deltaHh;

        public void Step<T>(int j)
            where T : struct, ILanes<T>
        {
            int n = _dh.Length;
            T one = T.Create(1f);
            T r = T.Load(_gates, j), z = T.Load(_gates, n + j), candidate = T.Load(_gates, (2 * n) + j);
            T dh = T.Load(_dh, j);
            T deltaN = T.FlushSubnormal(dh * (one - z) * (one - (candidate * candidate)));     // δ_n
            T deltaR = T.FlushSubnormal(deltaN * T.Load(_hiddenN, j) * r * (one - r));         // δ_r
            T deltaZ = T.FlushSubnormal(dh * (T.Load(_hPrevious, j) - candidate) * z * (one - z));   // δ_z
            deltaR.Store(_deltaIh, j);
            deltaZ.Store(_deltaIh, n + j);
            deltaN.Store(_deltaIh, (2 * n) + j);
            deltaR.Store(_deltaHh, j);
            deltaZ.Store(_deltaHh, n + j);
            T.FlushSubnormal(r * deltaN).Store(_deltaHh, (2 * n) + j);                         // the hidden side of n: r⊙δ_n
            T.FlushSubnormal(dh * z).Store(_dh, j);                                                            // the direct path to h_{t−1}
        }
    }
}
