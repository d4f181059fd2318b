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
/// micro-panels) once instead of three times. A GRU has two δ (its reset gate multiplies only the hidden projection of
/// n), so its input side is δ_ihᵀ·[X | 1] and its hidden side δ_hhᵀ·[H_prev | 1].
/// </remarks>
internal static class FusedLayerGradients
{
    /// <summary>Every input's gradient, by the positions of <see cref="FusedLayerInputs"/>; null where none is needed.</summary>
    /// <param name="layer">The checked inputs.</param>
    /// <param name="needs">Whether input i needs a gradient.</param>
    /// <param name="deltaIh">∂L/∂(x·W_ihᵀ + b_ih) of every step, [T·B, gates·H].</param>
    /// <param name="deltaHh">∂L/∂(h·W_hhᵀ + b_hh) of every step: the same array as <paramref name="deltaIh"/> for an RNN or
    /// LSTM, whose two projections are summed; a GRU's differs in its n block (r ⊙ δ_n).</param>
    /// <param name="timeMajorInput">X as [T·B, I].</param>
    /// <param name="hAll">h_{−1} = h0, h_0, …: row block t is h_{t−1}.</param>
    /// <param name="dh0">∂L/∂h0 (what the time loop carried past step 0).</param>
    /// <param name="dc0">∂L/∂c0 for an LSTM, else null.</param>
    /// <returns>The gradients, one slot per input.</returns>
    public static Tensor?[] Compute(FusedLayerInputs layer, Func<int, bool> needs, float[] deltaIh, float[] deltaHh, float[] timeMajorInput, float[] hAll,
        float[] dh0, float[]? dc0)
    {
        var gradients = new Tensor?[dc0 is null ? FusedLayerInputs.C0 : FusedLayerInputs.C0 + 1];
        int rows = layer.Steps * layer.Batch;
        (int features, int hidden) = (layer.Features, layer.Hidden);
        bool ih = needs(FusedLayerInputs.WeightIh) || needs(FusedLayerInputs.BiasIh);
        bool hh = needs(FusedLayerInputs.WeightHh) || needs(FusedLayerInputs.BiasHh);
        if (ReferenceEquals(deltaIh, deltaHh) && (ih || hh))
        {
            // δᵀ·[X | H_prev | 1] = [∂L/∂W_ih | ∂L/∂W_hh | ∂L/∂b], and ∂L/∂b_ih = ∂L/∂b_hh.
            (float[] all, int columns) = DeltaTransposeTimes(layer, deltaIh, (timeMajorInput, features), (hAll, hidden));
            Keep(gradients, needs, layer, all, columns, FusedLayerInputs.WeightIh, 0, features, FusedLayerInputs.BiasIh);
            Keep(gradients, needs, layer, all, columns, FusedLayerInputs.WeightHh, features, hidden, FusedLayerInputs.BiasHh);
            FusedLayerInputs.Return(all);
        }
        else
        {
            if (ih)
            {
                (float[] all, int columns) = DeltaTransposeTimes(layer, deltaIh, (timeMajorInput, features));
                Keep(gradients, needs, layer, all, columns, FusedLayerInputs.WeightIh, 0, features, FusedLayerInputs.BiasIh);
                FusedLayerInputs.Return(all);
            }

            if (hh)
            {
                (float[] all, int columns) = DeltaTransposeTimes(layer, deltaHh, (hAll, hidden));
                Keep(gradients, needs, layer, all, columns, FusedLayerInputs.WeightHh, 0, hidden, FusedLayerInputs.BiasHh);
                FusedLayerInputs.Return(all);
            }
        }

        if (needs(FusedLayerInputs.X))
        {
            float[] gx = StoragePool.RentUninitialized(rows * features);
            Gemm.Multiply(false, false, rows, features, layer.Gates * hidden, deltaIh, layer.WeightIhData, gx);
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

    /// <summary>δᵀ·[A₁ | A₂ | … | 1] in one GEMM, [gates·H, Σ widths + 1] (a rented array): δ is read once for all blocks.</summary>
    private static (float[] All, int Columns) DeltaTransposeTimes(FusedLayerInputs layer, float[] delta, params (float[] Data, int Width)[] blocks)
    {
        int rows = layer.Steps * layer.Batch;
        int width = layer.Gates * layer.Hidden;
        int columns = blocks.Sum(b => b.Width) + 1;
        float[] operands = FusedLayerInputs.Rent(rows * columns);   // row r: [a₁_r | a₂_r | … | 1]
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = operands.AsSpan(r * columns, columns);
            int at = 0;
            foreach ((float[] data, int blockWidth) in blocks)
            {
                data.AsSpan(r * blockWidth, blockWidth).CopyTo(row[at..]);
                at += blockWidth;
            }

            row[^1] = 1f;
        }

        float[] all = FusedLayerInputs.Rent(width * columns);
        Gemm.Multiply(true, false, width, columns, rows, delta, operands.AsSpan(0, rows * columns), all.AsSpan(0, width * columns));
        FusedLayerInputs.Return(operands);
        return (all, columns);
    }

    /// <summary>Takes a weight's gradient (columns [first, first + count)) and its bias's (the last column) from δᵀ·[… | 1].</summary>
    private static void Keep(Tensor?[] gradients, Func<int, bool> needs, FusedLayerInputs layer, float[] all, int columns, int weight, int first, int count, int bias)
    {
        int width = layer.Gates * layer.Hidden;
        gradients[weight] = needs(weight) ? Columns(all, width, columns, first, count) : null;
        gradients[bias] = needs(bias) ? Columns(all, width, columns, columns - 1, 1, vector: true) : null;
    }

    /// <summary>Columns [first, first + count) of a row-major [rows, columns] matrix, as a new [rows, count] tensor ([rows] with <paramref name="vector"/>).</summary>
    private static Tensor Columns(float[] matrix, int rows, int columns, int first, int count, bool vector = false)
    {
        float[] result = StoragePool.RentUninitialized(rows * count);
        for (int r = 0; r < rows; r++)
        {
            matrix.AsSpan((r * columns) + first, count).CopyTo(result.AsSpan(r * count, count));
        }

        return Tensor.FromBuffer(result, vector ? [rows] : [rows, count]);
    }
}
