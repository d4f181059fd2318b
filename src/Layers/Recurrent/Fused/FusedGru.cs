using MiniNet.Autograd;
using MiniNet.Kernels;

namespace MiniNet.Layers;

/// <summary>
/// One GRU layer over a whole sequence (gate order r, z, n, as PyTorch) as one custom op with two outputs (the output
/// sequence and h_n), forward and backward through time in hand-written loops around the GEMM. It computes what the
/// composite <see cref="GruCell"/> computes step by step from primitive ops, which tests hold it to.
/// </summary>
/// <remarks>
/// Forward: P = X·W_ihᵀ for every step in one GEMM; per step Q = h_{t−1}·W_hhᵀ (W_hhᵀ packed once) and the cell kernel
/// (<see cref="GruCellKernel"/>): r, z, n and h_t = (1 − z)⊙n + z⊙h_{t−1}. Backward through time, from t = T−1 down:
/// the cell kernel turns dh = ∂L/∂h_t into the input side's δ_ih, the hidden side's δ_hh (they differ in n's block, where
/// the reset gate multiplies only the hidden projection) and the direct part dh⊙z; then ∂L/∂h_{t−1} = dh⊙z + δ_hh·W_hh.
/// Finally ∂L/∂W_ih, ∂L/∂b_ih from δ_ih, ∂L/∂W_hh, ∂L/∂b_hh from δ_hh and ∂L/∂X = δ_ih·W_ih (<see cref="FusedLayerGradients"/>).
/// Both time loops run on every core at once, each over its own block of batch rows (<see cref="BatchRowBlocks"/>); a core
/// done with its block takes over the last rows of another from its next step on (<see cref="RowBlock"/>).
/// </remarks>
public sealed class FusedGru : CustomOp
{
    private readonly bool _batchFirst;
    private FusedLayerInputs _layer = null!;
    private int _vectorBits;
    private float[] _x = null!, _gates = null!, _hAll = null!, _hiddenN = null!;

    /// <summary>Creates the op for one application (see <see cref="Run"/>).</summary>
    /// <param name="batchFirst">The layout of the input and of the output sequence.</param>
    public FusedGru(bool batchFirst) => _batchFirst = batchFirst;

    /// <summary>Runs one GRU layer over a sequence.</summary>
    /// <param name="input">X: [B, T, I] when <paramref name="batchFirst"/>, else [T, B, I].</param>
    /// <param name="weightIh">W_ih, [3H, I].</param>
    /// <param name="weightHh">W_hh, [3H, H].</param>
    /// <param name="biasIh">b_ih, [3H], or null.</param>
    /// <param name="biasHh">b_hh, [3H], or null.</param>
    /// <param name="h0">The initial hidden state [B, H], or null for zeros.</param>
    /// <param name="batchFirst">The layout of <paramref name="input"/> and of the output.</param>
    /// <returns>The output sequence and the final hidden state, both ordinary outputs of the graph.</returns>
    public static (Tensor Output, Tensor HN) Run(Tensor input, Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh, Tensor? h0, bool batchFirst)
    {
        Tensor[] outputs = new FusedGru(batchFirst).Apply(input, weightIh, weightHh, biasIh, biasHh, h0);
        return (outputs[0], outputs[1]);
    }

    /// <inheritdoc/>
    internal override bool ReturnsOnlyNewArrays => true;

    /// <inheritdoc/>
    public override string Name => "GruLayer";

    /// <inheritdoc/>
    protected override Tensor[] Forward(IReadOnlyList<Tensor?> inputs)
    {
        _layer = new FusedLayerInputs(inputs, _batchFirst, gates: 3, Name);
        _vectorBits = KernelOptions.Current.VectorBits;
        (int batch, int steps, int hidden) = (_layer.Batch, _layer.Steps, _layer.Hidden);
        int g3 = 3 * hidden;
        int rowsBH = batch * hidden;

        // Recording the graph, every step's gates and ĥ are kept for backward; otherwise only the running state, a
        // chunk of gates and the output are (see FusedLayerInputs.StateOffset).
        bool history = RecordsGraph;
        int chunk = history ? steps : _layer.InferenceChunkSteps;
        _x = _layer.TimeMajorInput();
        _gates = FusedLayerInputs.Rent(chunk * batch * g3);   // X·W_ihᵀ, then the activated r, z, n [T (or chunk), B, 3H]
        _hAll = _layer.RentStates(history);                    // h_{-1} = h0, then h_0 … h_{T-1}
        _hiddenN = FusedLayerInputs.Rent((history ? steps : 1) * rowsBH);   // ĥ = q_n + b_hn of every step
        float[] q = FusedLayerInputs.Rent(batch * g3);         // h_{t−1}·W_hhᵀ of the current step
        float[] output = _layer.NewOutput();   // filled step by step (StoreStep)
        FusedLayerInputs.CopyOrClear(inputs[FusedLayerInputs.H0], _hAll.AsSpan(0, rowsBH));
        PackedMatrix recurrent = PackedMatrix.PackPooled(_layer.WeightHhData, transposed: true, hidden, g3);
        for (int t0 = 0; t0 < steps; t0 += chunk)
        {
            int end = Math.Min(steps, t0 + chunk);
            _layer.Project(_x, _gates, t0, end - t0);
            BatchRowBlocks.RunSteps("GruLayer forward", CoreChoice.Shape(batch, hidden, end - t0, history ? 1 : 0), batch, t0, (block, parallelProducts) => ForwardRows(block, t0, end, history, output, q, recurrent, parallelProducts));
        }

        recurrent.ReturnToPool();
        FusedLayerInputs.Return(q);
        (Tensor sequence, Tensor hn) = _layer.OutputAndFinal(_hAll, output, history);
        if (!history)
        {
            ReturnBuffers();
        }

        return [sequence, hn];
    }

    /// <inheritdoc/>
    protected override Tensor?[] Backward(IReadOnlyList<Tensor> outputGradients)
    {
        (int batch, int steps, int hidden) = (_layer.Batch, _layer.Steps, _layer.Hidden);
        int g3 = 3 * hidden;
        int rowsBH = batch * hidden;
        float[] dOut = outputGradients[0].Data;   // in the caller's layout, read row by row (AddOutputGradient)
        float[] deltaIh = FusedLayerInputs.Rent(steps * batch * g3);
        float[] deltaHh = FusedLayerInputs.Rent(steps * batch * g3);
        float[] dh = (float[])outputGradients[1].Data.Clone();   // ∂L/∂h_T, then ∂L/∂h_t going back
        PackedMatrix back = PackedMatrix.PackPooled(_layer.WeightHhData, transposed: false, g3, hidden);
        BatchRowBlocks.RunSteps("GruLayer backward", CoreChoice.Shape(batch, hidden, steps), batch, steps - 1, (block, parallelProducts) => BackwardRows(block, dOut, deltaIh, deltaHh, dh, back, parallelProducts));
        back.ReturnToPool();
        Tensor?[] gradients = FusedLayerGradients.Compute(_layer, NeedsInputGradient, deltaIh, deltaHh, _x, _hAll, dh, null);
        FusedLayerInputs.Return(deltaIh, deltaHh);
        ReturnBuffers();
        return gradients;
    }

    /// <summary>Steps [block.From, end) of the block's rows (t0 is the chunk's first step): the recurrent product, the cell, and the output rows.</summary>
    private void ForwardRows(RowBlock block, int t0, int end, bool history, float[] output, float[] q, PackedMatrix recurrent, bool parallelProducts)
    {
        (int batch, int hidden) = (_layer.Batch, _layer.Hidden);
        int g3 = 3 * hidden;
        int rowsBH = batch * hidden;
        int first = block.First;
        for (int t = block.From; t < end; t++)
        {
            int rows = block.Take(t, end - t);
            Span<float> qRows = q.AsSpan(first * g3, rows * g3);
            Span<float> gatesT = _gates.AsSpan(((t - t0) * batch * g3) + (first * g3), rows * g3);
            int before = _layer.StateOffset(t, history) + (first * hidden), after = _layer.StateOffset(t + 1, history) + (first * hidden);
            int hiddenNAt = (history ? t * rowsBH : 0) + (first * hidden);
            Gemm.Multiply(false, rows, _hAll.AsSpan(before, rows * hidden), recurrent, qRows, parallel: parallelProducts);   // Q = h_{t−1}·W_hhᵀ
            for (int b = 0; b < rows; b++)
            {
                int row = b * hidden;
                GruCellKernel.Forward(gatesT.Slice(b * g3, g3), qRows.Slice(b * g3, g3), _layer.BiasIhData, _layer.BiasHhData,
                    _hAll.AsSpan(before + row, hidden), _hiddenN.AsSpan(hiddenNAt + row, hidden), _hAll.AsSpan(after + row, hidden), _vectorBits);
            }

            _layer.StoreStep(output, t, first, _hAll.AsSpan(after, rows * hidden));
        }
    }

    /// <summary>Backward from step block.From down to 0 for the block's rows: δ_ih, δ_hh and ∂L/∂h_{t−1} going back.</summary>
    private void BackwardRows(RowBlock block, float[] dOut, float[] deltaIh, float[] deltaHh, float[] dh, PackedMatrix back, bool parallelProducts)
    {
        (int batch, int hidden) = (_layer.Batch, _layer.Hidden);
        int g3 = 3 * hidden;
        int rowsBH = batch * hidden;
        int first = block.First;
        for (int t = block.From; t >= 0; t--)
        {
            int rows = block.Take(t, t + 1);
            Span<float> dhRows = dh.AsSpan(first * hidden, rows * hidden);
            _layer.AddOutputGradient(dhRows, dOut, t, first);
            int gatesAt = (t * batch * g3) + (first * g3);
            ReadOnlySpan<float> activated = _gates.AsSpan(gatesAt, rows * g3);
            Span<float> deltaHhT = deltaHh.AsSpan(gatesAt, rows * g3);
            for (int b = 0; b < rows; b++)
            {
                int at = (t * rowsBH) + ((first + b) * hidden);
                GruCellKernel.Backward(activated.Slice(b * g3, g3), _hiddenN.AsSpan(at, hidden), _hAll.AsSpan(at, hidden),
                    dhRows.Slice(b * hidden, hidden), deltaIh.AsSpan(gatesAt + (b * g3), g3), deltaHhT.Slice(b * g3, g3), _vectorBits);
            }

            Gemm.Multiply(false, rows, deltaHhT, back, dhRows, beta: 1f, parallelProducts);   // ∂L/∂h_{t−1} = dh⊙z + δ_hh·W_hh
        }
    }

    private void ReturnBuffers()
    {
        FusedLayerInputs.Return(_gates, _hAll, _hiddenN);
        _layer.ReturnTimeMajor(_x, _layer.Input.Data);
    }
}
