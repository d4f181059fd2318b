using MiniNet.Autograd;
using MiniNet.Kernels;

namespace MiniNet.Layers;

/// <summary>
/// The last part of a fused layer's backward pass, shared by RNN and LSTM: from the pre-activation gradients δ of
/// every step, the gradients of the weights, the biases, the input sequence and the initial states.
/// </summary>
/// <remarks>
/// With δ [T·B, gates·H], X [T·B, I] and H_prev [T·B, H] (h_{t−1} of every step): ∂L/∂W_ih = δᵀ·X, ∂L/∂W_hh = δᵀ·H_prev,
/// ∂L/∂b_ih = ∂L/∂b_hh = Σ rows of δ, and ∂L/∂X = δ·W_ih. The three parameter gradients are one GEMM,
/// δᵀ·[X | H_prev | 1] = [∂L/∂W_ih | ∂L/∂W_hh | ∂L/∂b]: δ is read (and, as the transposed operand, copied into
/// micro-panels) once instead of three times.
/// </remarks>
internal static class FusedLayerGradients
{
    /// <summary>Every input's gradient, by the positions of <see cref="FusedLayerInputs"/>; null where none is needed.</summary>
    /// <param name="layer">The checked inputs.</param>
    /// <param name="needs">Whether input i needs a gradient.</param>
    /// <param name="delta">δ of every step, [T·B, gates·H].</param>
    /// <param name="timeMajorInput">X as [T·B, I].</param>
    /// <param name="hAll">h_{−1} = h0, h_0, …: row block t is h_{t−1}.</param>
    /// <param name="dh0">∂L/∂h0 (what the time loop carried past step 0).</param>
    /// <param name="dc0">∂L/∂c0 for an LSTM, else null.</param>
    /// <returns>The gradients, one slot per input.</returns>
    public static Tensor?[] Compute(FusedLayerInputs layer, Func<int, bool> needs, float[] delta, float[] timeMajorInput, float[] hAll, float[] dh0, float[]? dc0)
    {
        var gradients = new Tensor?[dc0 is null ? FusedLayerInputs.C0 : FusedLayerInputs.C0 + 1];
        int rows = layer.Steps * layer.Batch;
        int width = layer.Gates * layer.Hidden;
        (int features, int hidden) = (layer.Features, layer.Hidden);
        bool biasGrad = needs(FusedLayerInputs.BiasIh) || needs(FusedLayerInputs.BiasHh);
        if (needs(FusedLayerInputs.WeightIh) || needs(FusedLayerInputs.WeightHh) || biasGrad)
        {
            int columns = features + hidden + 1;
            float[] operands = FusedLayerInputs.Rent(rows * columns);   // row r: [x_r | h_prev,r | 1]
            for (int r = 0; r < rows; r++)
            {
                Span<float> row = operands.AsSpan(r * columns, columns);
                timeMajorInput.AsSpan(r * features, features).CopyTo(row);
                hAll.AsSpan(r * hidden, hidden).CopyTo(row[features..]);
                row[^1] = 1f;
            }

            float[] all = FusedLayerInputs.Rent(width * columns);
            Gemm.Multiply(true, false, width, columns, rows, delta, operands.AsSpan(0, rows * columns), all.AsSpan(0, width * columns));
            FusedLayerInputs.Return(operands);
            gradients[FusedLayerInputs.WeightIh] = needs(FusedLayerInputs.WeightIh) ? Columns(all, width, columns, 0, features) : null;
            gradients[FusedLayerInputs.WeightHh] = needs(FusedLayerInputs.WeightHh) ? Columns(all, width, columns, features, hidden) : null;
            gradients[FusedLayerInputs.BiasIh] = needs(FusedLayerInputs.BiasIh) ? Columns(all, width, columns, features + hidden, 1, vector: true) : null;
            gradients[FusedLayerInputs.BiasHh] = needs(FusedLayerInputs.BiasHh) ? Columns(all, width, columns, features + hidden, 1, vector: true) : null;
            FusedLayerInputs.Return(all);
        }

        if (needs(FusedLayerInputs.X))
        {
            float[] gx = GC.AllocateUninitializedArray<float>(rows * features);
            Gemm.Multiply(false, false, rows, features, width, delta, layer.WeightIhData, gx);
            gradients[FusedLayerInputs.X] = Tensor.FromBuffer(
                layer.BatchFirst ? Strided.Permute(gx, [layer.Steps, layer.Batch, features], [1, 0, 2]) : gx, layer.Input.Shape);
        }

        gradients[FusedLayerInputs.H0] = needs(FusedLayerInputs.H0) ? Tensor.FromBuffer(dh0, [layer.Batch, hidden]) : null;
        if (dc0 is not null)
        {
            gradients[FusedLayerInputs.C0] = needs(FusedLayerInputs.C0) ? Tensor.FromBuffer(dc0, [layer.Batch, hidden]) : null;
        }

        return gradients;
    }

    /// <summary>Columns [first, first + count) of a row-major [rows, columns] matrix, as a new [rows, count] tensor ([rows] with <paramref name="vector"/>).</summary>
    private static Tensor Columns(float[] matrix, int rows, int columns, int first, int count, bool vector = false)
    {
        var result = new float[rows * count];
        for (int r = 0; r < rows; r++)
        {
            matrix.AsSpan((r * columns) + first, count).CopyTo(result.AsSpan(r * count, count));
        }

        return Tensor.FromBuffer(result, vector ? [rows] : [rows, count]);
    }
}
