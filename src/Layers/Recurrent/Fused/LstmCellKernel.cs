using MiniNet.Kernels;

namespace MiniNet.Layers;

/// <summary>
/// One batch row of the fused LSTM's step, after the GEMMs have produced the pre-activations z = [z_i z_f z_g z_o]:
/// the gates, the cell update, and their derivatives. Each formula is written once, over lanes, and evaluated at every
/// vector width (<see cref="LaneLoop"/>).
/// </summary>
/// <remarks>
/// <para>Forward, with b = b_ih + b_hh: i, f, o = σ(z + b), g = tanh(z_g + b_g), c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh c_t.</para>
/// <para>
/// Backward, with dh = ∂L/∂h_t and dc = ∂L/∂c_t (what step t+1 sent back) on entry:
/// ∂L/∂c_t = dc + dh⊙o⊙(1 − tanh² c_t);
/// δ = ∂L/∂z = [∂L/∂c_t⊙g⊙i(1−i), ∂L/∂c_t⊙c_{t−1}⊙f(1−f), ∂L/∂c_t⊙i⊙(1−g²), dh⊙tanh c_t⊙o(1−o)];
/// and dc ← ∂L/∂c_t⊙f = ∂L/∂c_{t−1}. σ' = σ(1−σ) and tanh' = 1 − tanh² are read off the saved activations, so the
/// backward pass needs only the activated gates, tanh c_t and c_{t−1}.
/// </para>
/// <para>What the backward row writes is flushed to zero below 2⁻¹²⁶ (<see cref="ILanes{TSelf}.FlushSubnormal"/>): over a
/// long sequence the gradient fades into the subnormals, and the weight-gradient GEMM over them ran ten times slower.</para>
/// <para>σ and tanh are <see cref="FastActivations"/>' rational function (within 3.2e−7 of tanh); the composite
/// <see cref="LstmCell"/> uses the graph's own and is the reference this is tested against.</para>
/// </remarks>
internal static class LstmCellKernel
{
    /// <summary>Activates one row of gates in place (z → [i f g o]) and writes c_t, tanh c_t and h_t.</summary>
    /// <param name="gates">z, [4H]; overwritten with the activated gates, which the backward pass reads.</param>
    /// <param name="bias">b_ih + b_hh, [4H] (zeros for a layer without biases).</param>
    /// <param name="cPrevious">c_{t−1}, [H].</param>
    /// <param name="c">c_t, [H] (written).</param>
    /// <param name="tanhC">tanh c_t, [H] (written).</param>
    /// <param name="h">h_t, [H] (written).</param>
    /// <param name="vectorBits">The widest vectors to use.</param>
    public static void Forward(Span<float> gates, ReadOnlySpan<float> bias, ReadOnlySpan<float> cPrevious, Span<float> c, Span<float> tanhC, Span<float> h, int vectorBits)
    {
        CheckLengths(h.Length, gates.Length, bias.Length, cPrevious.Length, c.Length, tanhC.Length);
        var row = new ForwardRow(gates, bias, cPrevious, c, tanhC, h);
        LaneLoop.Run(ref row, h.Length, vectorBits);
    }

    /// <summary>
    /// One row of the backward step: from the activated gates, tanh c_t, c_{t−1}, dh = ∂L/∂h_t and dc = ∂L/∂c_t
    /// (replaced by ∂L/∂c_{t−1}), writes the pre-activation gradients δ [4H].
    /// </summary>
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> cPrevious,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> delta, int vectorBits)
    {
        CheckLengths(dh.Length, gates.Length, delta.Length, tanhC.Length, cPrevious.Length, dc.Length);
        var row = new BackwardRow(gates, tanhC, cPrevious, dh, dc, delta);
        LaneLoop.Run(ref row, dh.Length, vectorBits);
    }

    /// <summary>The gate-sized spans must hold 4H floats and the others H, so no lane reads past a span.</summary>
    private static void CheckLengths(int hidden, int gates, int gatesToo, int state, int stateToo, int stateThree)
    {
        if (gates < 4 * hidden || gatesToo < 4 * hidden || state < hidden || stateToo < hidden || stateThree < hidden)
        {
            throw new ArgumentException($"LstmCellKernel: a row needs gate spans of 4·{hidden} floats and state spans of {hidden}.");
        }
    }

    private readonly ref struct ForwardRow(Span<float> gates, ReadOnlySpan<float> bias, ReadOnlySpan<float> cPrevious, Span<float> c, Span<float> tanhC, Span<float> h)
        : ILaneKernel
    {
        public static bool Pairs => true;   // latency-bound: see LaneLoop

        private readonly Span<float> _gates = gates, _c = c, _tanhC = tanhC, _h = h;
        private readonly ReadOnlySpan<float> _bias = bias, _cPrevious = cPrevious;

        public void Step<T>(int j)
            where T : struct, ILanes<T>
        {
            int n = _h.Length;
            T i = FastActivations.Sigmoid(T.Load(_gates, j) + T.Load(_bias, j));
            T f = FastActivations.Sigmoid(T.Load(_gates, n + j) + T.Load(_bias, n + j));
            T g = FastActivations.Tanh(T.Load(_gates, (2 * n) + j) + T.Load(_bias, (2 * n) + j));
            T o = FastActivations.Sigmoid(T.Load(_gates, (3 * n) + j) + T.Load(_bias, (3 * n) + j));
            i.Store(_gates, j);
            f.Store(_gates, n + j);
            g.Store(_gates, (2 * n) + j);
            o.Store(_gates, (3 * n) + j);
            T cell = T.FusedMultiplyAdd(f, T.Load(_cPrevious, j), i * g);    // c_t = f⊙c_{t−1} + i⊙g
            T tanhCell = FastActivations.Tanh(cell);
            cell.Store(_c, j);
            tanhCell.Store(_tanhC, j);
            (o * tanhCell).Store(_h, j);                                     // h_t = o⊙tanh c_t
        }
    }

    private readonly ref struct BackwardRow(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> cPrevious,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> delta) : ILaneKernel
    {
        public static bool Pairs => LaneLoop.ManyRegisters;   // products only: pairs spill without 32 registers

        private readonly ReadOnlySpan<float> _gates = gates, _tanhC = tanhC, _cPrevious = cPrevious, _dh = dh;
        private readonly Span<float> _dc = dc, _delta = delta;

        public void Step<T>(int j)
            where T : struct, ILanes<T>
        {
            int n = _dh.Length;
            T one = T.Create(1f);
            T i = T.Load(_gates, j), f = T.Load(_gates, n + j), g = T.Load(_gates, (2 * n) + j), o = T.Load(_gates, (3 * n) + j);
            T tanhCell = T.Load(_tanhC, j), dh = T.Load(_dh, j);
            T dc = T.FusedMultiplyAdd(dh * o, one - (tanhCell * tanhCell), T.Load(_dc, j));   // ∂L/∂c_t
            T.FlushSubnormal(dc * g * i * (one - i)).Store(_delta, j);                         // δ_i
            T.FlushSubnormal(dc * T.Load(_cPrevious, j) * f * (one - f)).Store(_delta, n + j); // δ_f
            T.FlushSubnormal(dc * i * (one - (g * g))).Store(_delta, (2 * n) + j);             // δ_g
            T.FlushSubnormal(dh * tanhCell * o * (one - o)).Store(_delta, (3 * n) + j);        // δ_o
            T.FlushSubnormal(dc * f).Store(_dc, j);                                            // ∂L/∂c_{t−1}
        }
    }
}
