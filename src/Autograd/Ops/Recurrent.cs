using System.Numerics.Tensors;

namespace MiniNet.Autograd;

/// <summary>What <see cref="Tensor.LstmSequence"/> returns: the hidden state at every step and the final states.</summary>
/// <param name="Output">h_t for every step, in the input's layout ([B, T, H] batch-first, else [T, B, H]).</param>
/// <param name="HN">The final hidden state h_T, [B, H].</param>
/// <param name="CN">The final cell state c_T, [B, H].</param>
public sealed record LstmSequenceResult(Tensor Output, Tensor HN, Tensor CN);

// Fused recurrent layers: one graph node runs a whole sequence through one layer, forward and backward
// (backpropagation through time) in hand-written loops around Kernels.Gemm. They compute exactly what the
// composed cells in MiniNet.Layers compute from primitive ops, which remain the readable reference.
public sealed partial class Tensor
{
    /// <summary>
    /// One LSTM layer over a whole sequence (gate order i, f, g, o, as PyTorch), as a single graph node.
    /// </summary>
    /// <remarks>
    /// Forward: P = X·W_ihᵀ for every step in one GEMM; then per step z = P_t + h_{t−1}·W_hhᵀ (W_hhᵀ packed once),
    /// [i f g o] = [σ, σ, tanh, σ](z + b_ih + b_hh), c_t = f⊙c_{t−1} + i⊙g, h_t = o⊙tanh(c_t) (<see cref="LstmCellKernel"/>).
    /// Backward through time, from t = T−1 down: with dh = ∂L/∂h_t (from the output and from step t+1) and
    /// dc = ∂L/∂c_t: do = dh⊙tanh c_t, dc += dh⊙o⊙(1 − tanh² c_t), di = dc⊙g, dg = dc⊙i, df = dc⊙c_{t−1};
    /// the pre-activation gradients δ_t = [di⊙i(1−i), df⊙f(1−f), dg⊙(1−g²), do⊙o(1−o)]; then ∂L/∂c_{t−1} = dc⊙f
    /// and ∂L/∂h_{t−1} = δ_t·W_hh. Finally ∂L/∂W_hh = Σ_t δ_tᵀh_{t−1}, ∂L/∂W_ih = Σ_t δ_tᵀx_t and ∂L/∂b = Σ_t δ_t
    /// in one GEMM over all steps, and ∂L/∂X = δ·W_ih in another.
    /// </remarks>
    /// <param name="input">X: [B, T, I] when <paramref name="batchFirst"/>, else [T, B, I].</param>
    /// <param name="weightIh">W_ih, [4H, I].</param>
    /// <param name="weightHh">W_hh, [4H, H].</param>
    /// <param name="biasIh">b_ih, [4H], or null.</param>
    /// <param name="biasHh">b_hh, [4H], or null.</param>
    /// <param name="h0">The initial hidden state [B, H], or null for zeros.</param>
    /// <param name="c0">The initial cell state [B, H], or null for zeros.</param>
    /// <param name="batchFirst">The layout of <paramref name="input"/> and of the output.</param>
    /// <returns>The output sequence and the final states.</returns>
    public static LstmSequenceResult LstmSequence(Tensor input, Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh,
        Tensor? h0, Tensor? c0, bool batchFirst)
    {
        var layer = new RecurrentLayerShape(input, weightIh, weightHh, biasIh, biasHh, h0, c0, batchFirst, gates: 4, nameof(LstmSequence));
        (int batch, int steps, int hidden) = (layer.Batch, layer.Steps, layer.Hidden);
        int g4 = 4 * hidden;
        int rowsBH = batch * hidden;

        float[] x = layer.TimeMajorInput();
        float[] gates = RecurrentLayerShape.Rent(steps * batch * g4);   // X·W_ihᵀ, then the activated gates [T, B, 4H]
        layer.Project(x, gates);
        float[] bias = layer.SummedBias();
        float[] hAll = RecurrentLayerShape.Rent((steps + 1) * rowsBH);   // h_{-1} = h0, then h_0 … h_{T-1}
        float[] cAll = RecurrentLayerShape.Rent((steps + 1) * rowsBH);
        float[] tanhC = RecurrentLayerShape.Rent(steps * rowsBH);
        CopyOrClear(h0, hAll.AsSpan(0, rowsBH));
        CopyOrClear(c0, cAll.AsSpan(0, rowsBH));
        PackedMatrix recurrent = PackedMatrix.PackPooled(weightHh.Data, transposed: true, hidden, g4);
        for (int t = 0; t < steps; t++)
        {
            Span<float> gatesT = gates.AsSpan(t * batch * g4, batch * g4);
            Kernels.Gemm(false, batch, hAll.AsSpan(t * rowsBH, rowsBH), recurrent, gatesT, beta: 1f);
            for (int b = 0; b < batch; b++)
            {
                int at = (t * rowsBH) + (b * hidden);
                LstmCellKernel.Forward(gatesT.Slice(b * g4, g4), bias, cAll.AsSpan(at, hidden),
                    cAll.AsSpan(at + rowsBH, hidden), tanhC.AsSpan(at, hidden), hAll.AsSpan(at + rowsBH, hidden));
            }
        }

        recurrent.ReturnToPool();

        float[] outputData = layer.FromTimeMajor(hAll.AsSpan(rowsBH, steps * rowsBH));
        float[] hnData = hAll.AsSpan(steps * rowsBH, rowsBH).ToArray();
        float[] cnData = cAll.AsSpan(steps * rowsBH, rowsBH).ToArray();
        Tensor[] inputs = layer.Inputs;
        float[]? dHn = null;
        float[]? dCn = null;
        Tensor output = FromOp(outputData, layer.OutputShape, nameof(LstmSequence), inputs, dOut =>
        {
            float[] dOutT = layer.ToTimeMajor(dOut);
            float[] delta = RecurrentLayerShape.Rent(steps * batch * g4);
            float[] dh = dHn is null ? new float[rowsBH] : (float[])dHn.Clone();
            float[] dc = dCn is null ? new float[rowsBH] : (float[])dCn.Clone();
            PackedMatrix back = PackedMatrix.PackPooled(weightHh.Data, transposed: false, g4, hidden);
            for (int t = steps - 1; t >= 0; t--)
            {
                TensorPrimitives.Add(dh, dOutT.AsSpan(t * rowsBH, rowsBH), dh);
                ReadOnlySpan<float> act = gates.AsSpan(t * batch * g4, batch * g4);
                Span<float> deltaT = delta.AsSpan(t * batch * g4, batch * g4);
                for (int b = 0; b < batch; b++)
                {
                    int at = (t * rowsBH) + (b * hidden);
                    LstmCellKernel.Backward(
                        act.Slice(b * g4, g4), tanhC.AsSpan(at, hidden), cAll.AsSpan(at, hidden),
                        dh.AsSpan(b * hidden, hidden), dc.AsSpan(b * hidden, hidden), deltaT.Slice(b * g4, g4));
                }

                Kernels.Gemm(false, batch, deltaT, back, dh);   // ∂L/∂h_{t−1} = δ_t·W_hh
            }

            back.ReturnToPool();

            layer.AccumulateParameterGradients(delta, x, hAll, dh, dc);
            RecurrentLayerShape.Return(gates, hAll, cAll, tanhC, delta, layer.OwnsTimeMajorInput ? x : null, ReferenceEquals(dOutT, dOut) ? null : dOutT);
        });
        if (!output.RequiresGrad)
        {
            RecurrentLayerShape.Return(gates, hAll, cAll, tanhC, layer.OwnsTimeMajorInput ? x : null);
        }

        Tensor hn = FromOp(hnData, [batch, hidden], "LstmSequenceHN", [output], g => dHn = output.StashSecondary(g));
        Tensor cn = FromOp(cnData, [batch, hidden], "LstmSequenceCN", [output], g => dCn = output.StashSecondary(g));
        return new LstmSequenceResult(output, hn, cn);
    }

    /// <summary>One Elman RNN layer (tanh or relu) over a whole sequence, as a single graph node.</summary>
    /// <remarks>
    /// Forward: P = X·W_ihᵀ in one GEMM; h_t = φ(P_t + h_{t−1}·W_hhᵀ + b_ih + b_hh) (<see cref="RnnCellKernel"/>). Backward through time:
    /// δ_t = (∂L/∂h_t)⊙φ'(h_t), with φ' = 1 − h² for tanh and [h &gt; 0] for relu, and ∂L/∂h_{t−1} = δ_t·W_hh —
    /// the repeated product by W_hhᵀ·diag(φ') that makes gradients vanish or explode (Pascanu et al. 2013).
    /// Weight and bias gradients are one GEMM over all steps, the input gradient another.
    /// </remarks>
    /// <param name="input">X: [B, T, I] when <paramref name="batchFirst"/>, else [T, B, I].</param>
    /// <param name="weightIh">W_ih, [H, I].</param>
    /// <param name="weightHh">W_hh, [H, H].</param>
    /// <param name="biasIh">b_ih, [H], or null.</param>
    /// <param name="biasHh">b_hh, [H], or null.</param>
    /// <param name="h0">The initial hidden state [B, H], or null for zeros.</param>
    /// <param name="relu">relu instead of tanh.</param>
    /// <param name="batchFirst">The layout of <paramref name="input"/> and of the output.</param>
    /// <returns>The output sequence and the final hidden state.</returns>
    public static (Tensor Output, Tensor HN) RnnSequence(Tensor input, Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh,
        Tensor? h0, bool relu, bool batchFirst)
    {
        var layer = new RecurrentLayerShape(input, weightIh, weightHh, biasIh, biasHh, h0, null, batchFirst, gates: 1, nameof(RnnSequence));
        (int batch, int steps, int hidden) = (layer.Batch, layer.Steps, layer.Hidden);
        int rowsBH = batch * hidden;

        float[] x = layer.TimeMajorInput();
        float[] hAll = RecurrentLayerShape.Rent((steps + 1) * rowsBH);
        layer.Project(x, hAll.AsSpan(rowsBH));   // X·W_ihᵀ, turned into h_t in place below
        float[] bias = layer.SummedBias();
        CopyOrClear(h0, hAll.AsSpan(0, rowsBH));
        PackedMatrix recurrent = PackedMatrix.PackPooled(weightHh.Data, transposed: true, hidden, hidden);
        for (int t = 0; t < steps; t++)
        {
            Span<float> h = hAll.AsSpan((t + 1) * rowsBH, rowsBH);
            Kernels.Gemm(false, batch, hAll.AsSpan(t * rowsBH, rowsBH), recurrent, h, beta: 1f);
            RnnCellKernel.Forward(h, bias, relu);
        }

        recurrent.ReturnToPool();

        float[] outputData = layer.FromTimeMajor(hAll.AsSpan(rowsBH, steps * rowsBH));
        float[] hnData = hAll.AsSpan(steps * rowsBH, rowsBH).ToArray();
        float[]? dHn = null;
        Tensor output = FromOp(outputData, layer.OutputShape, nameof(RnnSequence), layer.Inputs, dOut =>
        {
            float[] dOutT = layer.ToTimeMajor(dOut);
            float[] delta = RecurrentLayerShape.Rent(steps * rowsBH);
            float[] dh = dHn is null ? new float[rowsBH] : (float[])dHn.Clone();
            PackedMatrix back = PackedMatrix.PackPooled(weightHh.Data, transposed: false, hidden, hidden);
            for (int t = steps - 1; t >= 0; t--)
            {
                TensorPrimitives.Add(dh, dOutT.AsSpan(t * rowsBH, rowsBH), dh);
                ReadOnlySpan<float> h = hAll.AsSpan((t + 1) * rowsBH, rowsBH);
                Span<float> deltaT = delta.AsSpan(t * rowsBH, rowsBH);
                RnnCellKernel.Backward(h, dh, deltaT, relu);
                Kernels.Gemm(false, batch, deltaT, back, dh);
            }

            back.ReturnToPool();

            layer.AccumulateParameterGradients(delta, x, hAll, dh, null);
            RecurrentLayerShape.Return(hAll, delta, layer.OwnsTimeMajorInput ? x : null, ReferenceEquals(dOutT, dOut) ? null : dOutT);
        });
        if (!output.RequiresGrad)
        {
            RecurrentLayerShape.Return(hAll, layer.OwnsTimeMajorInput ? x : null);
        }

        Tensor hn = FromOp(hnData, [batch, hidden], "RnnSequenceHN", [output], g => dHn = output.StashSecondary(g));
        return (output, hn);
    }

    private static void CopyOrClear(Tensor? state, Span<float> target)
    {
        if (state is null)
        {
            target.Clear();
        }
        else
        {
            state.Data.CopyTo(target);
        }
    }

    /// <summary>
    /// Keeps a secondary output's gradient (h_n, c_n) for the primary output's backward, and makes sure that
    /// backward runs even when the loss does not use the primary output itself.
    /// </summary>
    private float[] StashSecondary(float[] gradient)
    {
        if (_grad is null)
        {
            AccumulateGrad(new float[Data.Length], owned: true);
        }

        return (float[])gradient.Clone();
    }
}
