using MiniNet.Autograd;
using MiniNet.Kernels;

namespace MiniNet.Layers;

/// <summary>
/// One Elman RNN layer (tanh or relu) over a whole sequence as one custom op with two outputs (the output sequence and
/// h_n), forward and backward through time in hand-written loops around the GEMM. It computes what the composite
/// <see cref="RnnCell"/> computes step by step from primitive ops, which tests hold it to.
/// </summary>
/// <remarks>
/// Forward: h_t = φ([x_t | h_{t−1}]·[W_ih | W_hh]ᵀ + b_ih + b_hh), one GEMM a step (<see cref="RnnCellKernel"/>). Backward
/// through time: δ_t = (∂L/∂h_t)⊙φ'(h_t), with φ' = 1 − h² for tanh and [h &gt; 0] for relu, and ∂L/∂h_{t−1} = δ_t·W_hh —
/// the repeated product by W_hhᵀ·diag(φ') that makes gradients vanish or explode (Pascanu et al. 2013); when the input
/// needs a gradient, [∂L/∂x_t | ∂L/∂h_{t−1}] = δ_t·[W_ih | W_hh] in one product (<see cref="FusedLayerInputs.PackBackStepWeights"/>).
/// Weight and bias gradients are one GEMM over all steps (<see cref="FusedLayerGradients"/>).
/// Both time loops run on every core at once, each over its own block of batch rows (<see cref="BatchRowBlocks"/>); a core
/// done with its block takes over the last rows of another from its next step on (<see cref="RowBlock"/>).
/// </remarks>
public sealed class FusedRnn : CustomOp
{
    private readonly bool _relu;
    private readonly bool _batchFirst;
    private FusedLayerInputs _layer = null!;
    private int _vectorBits;
    private float[] _x = null!, _hAll = null!;

    /// <summary>Creates the op for one application (see <see cref="Run"/>).</summary>
    /// <param name="relu">relu instead of tanh.</param>
    /// <param name="batchFirst">The layout of the input and of the output sequence.</param>
    public FusedRnn(bool relu, bool batchFirst) => (_relu, _batchFirst) = (relu, batchFirst);

    /// <summary>Runs one RNN layer over a sequence.</summary>
    /// <param name="input">X: [B, T, I] when <paramref name="batchFirst"/>, else [T, B, I].</param>
    /// <param name="weightIh">W_ih, [H, I].</param>
    /// <param name="weightHh">W_hh, [H, H].</param>
    /// <param name="biasIh">b_ih, [H], or null.</param>
    /// <param name="biasHh">b_hh, [H], or null.</param>
    /// <param name="h0">The initial hidden state [B, H], or null for zeros.</param>
    /// <param name="relu">relu instead of tanh.</param>
    /// <param name="batchFirst">The layout of <paramref name="input"/> and of the output.</param>
    /// <returns>The output sequence and the final hidden state, both ordinary outputs of the graph.</returns>
    public static (Tensor Output, Tensor HN) Run(Tensor input, Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh,
        Tensor? h0, bool relu, bool batchFirst)
    {
        Tensor[] outputs = new FusedRnn(relu, batchFirst).Apply(input, weightIh, weightHh, biasIh, biasHh, h0);
        return (outputs[0], outputs[1]);
    }

    /// <inheritdoc/>
    internal override bool ReturnsOnlyNewArrays => true;

    /// <inheritdoc/>
    public override string Name => "RnnLayer";

    /// <inheritdoc/>
    protected override Tensor[] Forward(IReadOnlyList<Tensor?> inputs)
    {
        _layer = new FusedLayerInputs(inputs, _batchFirst, gates: 1, Name);
        _vectorBits = KernelOptions.Current.VectorBits;
        (int batch, int steps, int hidden) = (_layer.Batch, _layer.Steps, _layer.Hidden);
        int rowsBH = batch * hidden;

        _x = _layer.TimeMajorInput();
        _hAll = FusedLayerInputs.Rent((steps + 1) * rowsBH);   // h_{-1} = h0, then h_0 … h_{T-1}
        FusedLayerInputs.CopyOrClear(inputs[FusedLayerInputs.H0], _hAll.AsSpan(0, rowsBH));
        PackedMatrix weights = _layer.PackStepWeights();         // [W_ih | W_hh]ᵀ: one product per step
        float[] output = _layer.NewOutput();   // filled step by step (StoreStep)
        BatchRowBlocks.RunSteps("RnnLayer forward", CoreChoice.Shape(batch, hidden, steps), batch, 0, (block, parallelProducts) => ForwardRows(block, output, weights, parallelProducts));

        weights.ReturnToPool();
        Tensor[] outputs =
        [
            Tensor.FromBuffer(output, _layer.OutputShape),
            _layer.FinalState(_hAll, history: true),   // the whole history, which backward reads
        ];
        if (!RecordsGraph)
        {
            ReturnBuffers();
        }

        return outputs;
    }

    /// <inheritdoc/>
    protected override Tensor?[] Backward(IReadOnlyList<Tensor> outputGradients)
    {
        (int batch, int steps, int hidden) = (_layer.Batch, _layer.Steps, _layer.Hidden);
        int rowsBH = batch * hidden;
        float[] dOut = outputGradients[0].Data;   // in the caller's layout, read row by row (AddOutputGradient)
        float[] delta = FusedLayerInputs.Rent(steps * rowsBH);
        float[] dh = (float[])outputGradients[1].Data.Clone();   // ∂L/∂h_T, then ∂L/∂h_t going back
        float[]? dx = NeedsInputGradient(FusedLayerInputs.X) ? StoragePool.RentUninitialized(steps * batch * _layer.Features) : null;   // ∂L/∂X, [T, B, I]
        PackedMatrix back = _layer.PackBackStepWeights(dx is not null);   // W_hh, or [W_ih | W_hh] for ∂L/∂x_t as well
        BatchRowBlocks.RunSteps("RnnLayer backward", CoreChoice.Shape(batch, hidden, steps), batch, steps - 1, (block, parallelProducts) => BackwardRows(block, dOut, delta, dh, dx, back, parallelProducts));

        back.ReturnToPool();
        Tensor?[] gradients = FusedLayerGradients.Compute(_layer, NeedsInputGradient, delta, delta, _x, _hAll, dh, null, dx);
        FusedLayerInputs.Return(delta);
        ReturnBuffers();
        return gradients;
    }

    /// <summary>Steps block.From onward of the block's rows: h_t = φ([x_t | h_{t−1}]·[W_ih | W_hh]ᵀ + b), and the output rows.</summary>
    private void ForwardRows(RowBlock block, float[] output, PackedMatrix weights, bool parallelProducts)
    {
        (int batch, int steps, int hidden) = (_layer.Batch, _layer.Steps, _layer.Hidden);
        int rowsBH = batch * hidden;
        int first = block.First;
        float[] operand = FusedLayerInputs.Rent(block.Rows * weights.K);   // [x_t | h_{t−1}] of these rows
        for (int t = block.From; t < steps; t++)
        {
            int rows = block.Take(t, steps - t);
            Span<float> h = _hAll.AsSpan(((t + 1) * rowsBH) + (first * hidden), rows * hidden);
            _layer.StepOperand(operand, _x, t, first, _hAll.AsSpan((t * rowsBH) + (first * hidden), rows * hidden));
            Gemm.Multiply(false, rows, operand.AsSpan(0, rows * weights.K), weights, h, beta: 0f, parallelProducts);   // z = [x_t | h_{t−1}]·[W_ih | W_hh]ᵀ
            RnnCellKernel.Forward(h, _layer.SummedBias, _relu, _vectorBits);
            _layer.StoreStep(output, t, first, h);
        }

        FusedLayerInputs.Return(operand);
    }

    /// <summary>Backward from step block.From down to 0 for the block's rows: δ_t and ∂L/∂h_{t−1} going back.</summary>
    private void BackwardRows(RowBlock block, float[] dOut, float[] delta, float[] dh, float[]? dx, PackedMatrix back, bool parallelProducts)
    {
        (int batch, int hidden) = (_layer.Batch, _layer.Hidden);
        int rowsBH = batch * hidden;
        int first = block.First;
        float[]? product = dx is null ? null : FusedLayerInputs.Rent(block.Rows * back.N);   // [∂L/∂x_t | ∂L/∂h_{t−1}] of these rows
        for (int t = block.From; t >= 0; t--)
        {
            int rows = block.Take(t, t + 1);
            Span<float> dhRows = dh.AsSpan(first * hidden, rows * hidden);
            int at = (t * rowsBH) + (first * hidden);
            _layer.AddOutputGradient(dhRows, dOut, t, first);
            Span<float> deltaT = delta.AsSpan(at, rows * hidden);
            RnnCellKernel.Backward(_hAll.AsSpan(at + rowsBH, rows * hidden), dhRows, deltaT, _relu, _vectorBits);
            _layer.MultiplyBackStep(deltaT, back, dx, product, t, first, dhRows, parallelProducts);   // ∂L/∂h_{t−1} (and ∂L/∂x_t) from δ_t
        }

        FusedLayerInputs.Return(product);
    }

    private void ReturnBuffers()
    {
        FusedLayerInputs.Return(_hAll);
        _layer.ReturnTimeMajor(_x, _layer.Input.Data);
    }
}
