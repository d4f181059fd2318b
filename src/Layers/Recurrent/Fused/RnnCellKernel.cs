using MiniNet.Kernels;

namespace MiniNet.Layers;

/// <summary>
/// One step of the fused Elman RNN after its GEMMs, forward and backward: h_t = φ(z + b) and δ = ∂L/∂h_t ⊙ φ'.
/// Each formula is written once, over lanes, and evaluated at every vector width (<see cref="LaneLoop"/>).
/// </summary>
/// <remarks>
/// φ is tanh (φ' = 1 − h²) or relu (φ' = [h &gt; 0]), both written in terms of the output h, which is all the backward
/// pass keeps. tanh is <see cref="FastActivations"/>' rational function; the composite <see cref="RnnCell"/> is the
/// reference this is tested against.
/// <para>The gradients the backward row writes are flushed to zero below 2⁻¹²⁶ (<see cref="ILanes{TSelf}.FlushSubnormal"/>),
/// as <see cref="LstmCellKernel"/>'s are.</para>
/// </remarks>
internal static class RnnCellKernel
{
    /// <summary>h ← φ(z + b) for every row of <paramref name="state"/> ([rows, H], z on entry).</summary>
    /// <param name="state">z on entry, h_t on return, [rows, H].</param>
    /// <param name="bias">b_ih + b_hh, [H].</param>
    /// <param name="relu">relu instead of tanh.</param>
    /// <param name="vectorBits">The widest vectors to use.</param>
    public static void Forward(Span<float> state, ReadOnlySpan<float> bias, bool relu, int vectorBits)
    {
        int hidden = bias.Length;
        for (int start = 0; start + hidden <= state.Length; start += hidden)
        {
            var row = new ForwardRow(state.Slice(start, hidden), bias, relu);
            LaneLoop.Run(ref row, hidden, vectorBits);
        }
    }

    /// <summary>δ = dh ⊙ φ'(h), from the step's output h.</summary>
    /// <param name="h">h_t, the step's output.</param>
    /// <param name="dh">∂L/∂h_t.</param>
    /// <param name="delta">δ_t (written).</param>
    /// <param name="relu">relu instead of tanh.</param>
    /// <param name="vectorBits">The widest vectors to use.</param>
    public static void Backward(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> delta, bool relu, int vectorBits)
    {
        if (dh.Length < h.Length || delta.Length < h.Length)
        {
            throw new ArgumentException($"RnnCellKernel: dh and delta need {h.Length} floats, as h has.");
        }

        var all = new BackwardRow(h, dh, delta, relu);
        LaneLoop.Run(ref all, h.Length, vectorBits);
    }

    private readonly ref struct ForwardRow(Span<float> state, ReadOnlySpan<float> bias, bool relu) : ILaneKernel
    {
        public static bool Pairs => true;   // latency-bound: see LaneLoop

        private readonly Span<float> _state = state;
        private readonly ReadOnlySpan<float> _bias = bias;

        public void Step<T>(int j)
            where T : struct, ILanes<T>
        {
            T z = T.Load(_state, j) + T.Load(_bias, j);
            (relu ? T.Max(T.Create(0f), z) : FastActivations.Tanh(z)).Store(_state, j);      // h_t = φ(z + b)
        }
    }

    private readonly ref struct BackwardRow(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> delta, bool relu) : ILaneKernel
    {
        public static bool Pairs => LaneLoop.ManyRegisters;   // products only: pairs spill without 32 registers

        private readonly ReadOnlySpan<float> _h = h, _dh = dh;
        private readonly Span<float> _delta = delta;

        public void Step<T>(int j)
            where T : struct, ILanes<T>
        {
            T h = T.Load(_h, j), dh = T.Load(_dh, j);
            T.FlushSubnormal(relu ? T.WherePositive(h, dh) : dh * (T.Create(1f) - (h * h))).Store(_delta, j);   // δ = dh⊙φ'(h)
        }
    }
}
