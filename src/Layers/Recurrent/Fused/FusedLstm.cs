using MiniNet.Autograd;
using MiniNet.Kernels;

namespace MiniNet.Layers;

/// <summary>What <see cref="FusedLstm.Run"/> returns: the hidden state at every step and the final states.</summary>
/// <param name="Output">h_t for every step, in the input's layout ([B, T, H] batch-first, else [T, B, H]).</param>
/// <param name="HN">The final hidden state h_T, [B, H].</param>
/// <param name="CN">The final cell state c_T, [B, H].</param>
public sealed record LstmSequenceResult(Tensor Output, Tensor HN, Tensor CN);

/// <summary>
/// One LSTM layer over a whole sequence (gate order i, f, g, o, as PyTorch) as one custom op with three outputs
/// (the output sequence, h_n and c_n), forward and backward through time in hand-written loops around the GEMM. It
/// computes what the composite <see cref="LstmCell"/> computes step by step from primitive ops, which tests hold it to.
/// </summary>
/// <remarks>
/// Forward: per step z = [x_t | h_{t−1}]·[W_ih | W_hh]ᵀ, one GEMM with both weights packed once (<see cref="FusedLayerInputs.PackStepWeights"/>),
/// [i f g o] = [σ, σ, tanh, σ](z + b_ih + b_hh), c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh(c_t) (<see cref="LstmCellKernel"/>).
/// Backward through time, from t = T−1 down, with dh = ∂L/∂h_t (from the output and from step t+1) and dc = ∂L/∂c_t:
/// the cell kernel turns them into the pre-activation gradients δ_t and ∂L/∂c_{t−1}; then ∂L/∂h_{t−1} = δ_t·W_hh, or,
/// when the input needs a gradient, [∂L/∂x_t | ∂L/∂h_{t−1}] = δ_t·[W_ih | W_hh] in one product (<see cref="FusedLayerInputs.PackBackStepWeights"/>).
/// Finally the weight and bias gradients are one GEMM over all steps (<see cref="FusedLayerGradients"/>).
/// Both time loops run on every core at once, each over its own block of batch rows (<see cref="BatchRowBlocks"/>); a core
/// done with its block takes over the last rows of another from its next step on (<see cref="RowBlock"/>).
/// </remarks>
public sealed class FusedLstm : CustomOp
{
    private readonly bool _batchFirst;
    private FusedLayerInputs _layer = null!;
    private int _vectorBits;
    private float[] _x = null!, _gates = null!, _hAll = null!, _cAll = null!, _tanhC = null!;

    /// <summary>Creates the op for one application (see <see cref="Run"/>).</summary>
    /// <param name="batchFirst">The layout of the input and of the output sequence.</param>
    public FusedLstm(bool batchFirst) => _batchFirst = batchFirst;

    /// <summary>Runs one LSTM layer over a sequence.</summary>
    /// <param name="input">X: [B, T, I] when <paramref name="batchFirst"/>, else [T, B, I].</param>
    /// <param name="weightIh">W_ih, [4H, I].</param>
    /// <param name="weightHh">W_hh, [4H, H].</param>
    /// <param name="biasIh">b_ih, [4H], or null.</param>
    /// <param name="biasHh">b_hh, [4H], or null.</param>
    /// <param name="h0">The initial hidden state [B, H], or null for zeros.</param>
    /// <param name="c0">The initial cell state [B, H], or null for zeros.</param>
    /// <param name="batchFirst">The layout of <paramref name="input"/> and of the output.</param>
    /// <returns>The output sequence and the final states, all three ordinary outputs of the graph.</returns>
    public static LstmSequenceResult Run(Tensor input, Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh,
        Tensor? h0, Tensor? c0, bool batchFirst)
    {
        Tensor[] outputs = new FusedLstm(batchFirst).Apply(input, weightIh, weightHh, biasIh, biasHh, h0, c0);
        return new LstmSequenceResult(outputs[0], outputs[1], outputs[2]);
    }

    /// <inheritdoc/>
    internal override bool ReturnsOnlyNewArrays => true;

    /// <inheritdoc/>
    public override string Name => "LstmLayer";

    /// <inheritdoc/>
    protected override Tensor[] Forward(IReadOnlyList<Tensor?> inputs)
    {
        _layer = new FusedLayerInputs(inputs, _batchFirst, gates: 4, Name);
        _vectorBits = KernelOptions.Current.VectorBits;
        (int batch, int steps, int hidden) = (_layer.Batch, _layer.Steps, _layer.Hidden);
        int g4 = 4 * hidden;
        int rowsBH = batch * hidden;

        // Recording the graph, every step's gates, states and tanh c_t are kept for backward; otherwise only the
        // running state, a chunk of gates and the output are (see FusedLayerInputs.StateOffset).
        bool history = RecordsGraph;
        int chunk = history ? steps : _layer.InferenceChunkSteps;
        _x = _layer.TimeMajorInput();
        _gates = FusedLayerInputs.Rent(chunk * batch * g4);   // X·W_ihᵀ, then the activated gates [T (or chunk), B, 4H]
        _hAll = _layer.RentStates(history);                    // h_{-1} = h0, then h_0 … h_{T-1}
        _cAll = _layer.RentStates(history);
        _tanhC = FusedLayerInputs.Rent((history ? steps : 1) * rowsBH);
        float[] output = _layer.NewOutput();   // filled step by step (StoreStep)
        FusedLayerInputs.CopyOrClear(inputs[FusedLayerInputs.H0], _hAll.AsSpan(0, rowsBH));
        FusedLayerInputs.CopyOrClear(inputs[FusedLayerInputs.C0], _cAll.AsSpan(0, rowsBH));
        PackedMatrix weights = _layer.PackStepWeights();   // [W_ih | W_hh]ᵀ: one product per step
        for (int t0 = 0; t0 < steps; t0 += chunk)
        {
            int end = Math.Min(steps, t0 + chunk);
            BatchRowBlocks.RunSteps("LstmLayer forward", CoreChoice.Shape(batch, hidden, end - t0, history ? 1 : 0), batch, t0, (block, parallelProducts) => ForwardRows(block, t0, end, history, output, weights, parallelProducts));
        }

        weights.ReturnToPool();
        (Tensor sequence, Tensor hn) = _layer.OutputAndFinal(_hAll, output, history);
        Tensor[] outputs = [sequence, hn, _layer.FinalState(_cAll, history)];
        if (!history)
        {
            ReturnBuffers();
        }

        return outputs;
    }

    /// <inheritdoc/>
    protected override Tensor?[] Backward(IReadOnlyList<Tensor> outputGradients)
    {
        (int batch, int steps, int hidden) = (_layer.Batch, _layer.Steps, _layer.Hidden);
        int g4 = 4 * hidden;
        int rowsBH = batch * hidden;
        float[] dOut = outputGradients[0].Data;   // in the caller's layout, read row by row (AddOutputGradient)
        float[] delta = FusedLayerInputs.Rent(steps * batch * g4);
        float[] dh = (float[])outputGradients[1].Data.Clone();   // ∂L/∂h_T, then ∂L/∂h_t going back
        float[] dc = (float[])outputGradients[2].Data.Clone();   // ∂L/∂c_T, then ∂L/∂c_t
        float[]? dx = NeedsInputGradient(FusedLayerInputs.X) ? StoragePool.RentUninitialized(steps * batch * _layer.Features) : null;   // ∂L/∂X, [T, B, I]
        PackedMatrix back = _layer.PackBackStepWeights(dx is not null);   // W_hh, or [W_ih | W_hh] for ∂L/∂x_t as well
        BatchRowBlocks.RunSteps("LstmLayer backward", CoreChoice.Shape(batch, hidden, steps), batch, steps - 1, (block, parallelProducts) => BackwardRows(block, dOut, delta, dh, dc, dx, back, parallelProducts));
        back.ReturnToPool();
        Tensor?[] gradients = FusedLayerGradients.Compute(_layer, NeedsInputGradient, delta, delta, _x, _hAll, dh, dc, dx);
        FusedLayerInputs.Return(delta);
        ReturnBuffers();
        return gradients;
    }

    /// <summary>Steps [block.From, end) of the block's rows (t0 is the chunk's first step): the step's product, the cell, and the output rows.</summary>
    private void ForwardRows(RowBlock block, int t0, int end, bool history, float[] output, PackedMatrix weights, bool parallelProducts)
    {
        (int batch, int hidden) = (_layer.Batch, _layer.Hidden);
        int g4 = 4 * hidden;
        int rowsBH = batch * hidden;
        int first = block.First;
        float[] operand = FusedLayerInputs.Rent(block.Rows * weights.K);   // [x_t | h_{t−1}] of these rows
        for (int t = block.From; t < end; t++)
        {
            int rows = block.Take(t, end - t);
            Span<float> gatesT = _gates.AsSpan(((t - t0) * batch * g4) + (first * g4), rows * g4);
            int before = _layer.StateOffset(t, history) + (first * hidden), after = _layer.StateOffset(t + 1, history) + (first * hidden);
            int tanhAt = (history ? t * rowsBH : 0) + (first * hidden);
            _layer.StepOperand(operand, _x, t, first, _hAll.AsSpan(before, rows * hidden));
            Gemm.Multiply(false, rows, operand.AsSpan(0, rows * weights.K), weights, gatesT, beta: 0f, parallelProducts);   // z = [x_t | h_{t−1}]·[W_ih | W_hh]ᵀ
            for (int b = 0; b < rows; b++)
            {
                int row = b * hidden;
                LstmCellKernel.Forward(gatesT.Slice(b * g4, g4), _layer.SummedBias, _cAll.AsSpan(before + row, hidden),
                    _cAll.AsSpan(after + row, hidden), _tanhC.AsSpan(tanhAt + row, hidden), _hAll.AsSpan(after + row, hidden), _vectorBits);
            }

            _layer.StoreStep(output, t, first, _hAll.AsSpan(after, rows * hidden));
        }

        FusedLayerInputs.Return(operand);
    }

    /// <summary>Backward from step block.From down to 0 for the block's rows: δ_t and ∂L/∂h_{t−1}, ∂L/∂c_{t−1} going back.</summary>
    private void BackwardRows(RowBlock block, float[] dOut, float[] delta, float[] dh, float[] dc, float[]? dx, PackedMatrix back, bool parallelProducts)
    {
        (int batch, int hidden) = (_layer.Batch, _layer.Hidden);
        int g4 = 4 * hidden;
        int rowsBH = batch * hidden;
        int first = block.First;
        float[]? product = dx is null ? null : FusedLayerInputs.Rent(block.Rows * back.N);   // [∂L/∂x_t | ∂L/∂h_{t−1}] of these rows
        for (int t = block.From; t >= 0; t--)
        {
            int rows = block.Take(t, t + 1);
            Span<float> dhRows = dh.AsSpan(first * hidden, rows * hidden), dcRows = dc.AsSpan(first * hidden, rows * hidden);
            _layer.AddOutputGradient(dhRows, dOut, t, first);
            int gatesAt = (t * batch * g4) + (first * g4);
            ReadOnlySpan<float> activated = _gates.AsSpan(gatesAt, rows * g4);
            Span<float> deltaT = delta.AsSpan(gatesAt, rows * g4);
            for (int b = 0; b < rows; b++)
            {
                int at = (t * rowsBH) + ((first + b) * hidden);
                LstmCellKernel.Backward(activated.Slice(b * g4, g4), _tanhC.AsSpan(at, hidden), _cAll.AsSpan(at, hidden),
                    dhRows.Slice(b * hidden, hidden), dcRows.Slice(b * hidden, hidden), deltaT.Slice(b * g4, g4), _vectorBits);
            }

            _layer.MultiplyBackStep(deltaT, back, dx, product, t, first, dhRows, parallelProducts);   // ∂L/∂h_{t−1} (and ∂L/∂x_t) from δ_t
        }

        FusedLayerInputs.Return(product);
    }

    private void ReturnBuffers()
    {
        FusedLayerInputs.Return(_gates, _hAll, _cAll, _tanhC);
        _layer.ReturnTimeMajor(_x, _layer.Input.Data);
    }
}
