using MiniNet.Autograd;
using MiniNet.Kernels;

namespace MiniNet.Layers;

/// <summary>
/// The last part of a fused layer's backward pass, shared by RNN and LSTM: from the pre-activation gradients δ of
/// every step, the gradients of the weights, the biases, the input sequence and the initial states.
/// </summary>
/// <remarks>
/// With δ [T·B, gates·H], X [T·B, I] and H_prev [T·B, H] (h_{t−1} of every step): ∂L/∂W_ih = δᵀ·X, ∂L/∂W_hh = δᵀ·H_prev,
/// ∂L/∂b_ih = ∂L/∂b_hh = Σ rows of δ, and ∂L/∂X = δ·W_ih (which the LSTM's and the RNN's time loops compute step by
/// step instead, see <see cref="FusedLayerInputs.PackBackStepWeights"/>). The three parameter gradients are one GEMM,
/// δᵀ·[X | H_prev | 1] = [∂L/∂W_ih | ∂L/∂W_hh | ∂L/∂b] (for a narrow [X | H_prev | 1], its transpose): δ is read
/// (and packed) once instead of three times. A GRU has two δ (its reset gate multiplies only the hidden projection of
/// n), so its input side is δ_ihᵀ·[X | 1] and its hidden side δ_hhᵀ·[H_prev | 1].
/// </remarks>
internal static class FusedLayerGradients
{
    /// <summary>The most columns [A | 1] may have for the weight-gradient GEMM to be computed transposed (see DeltaTransposeTimes).</summary>
    private const int TransposedUpTo = 96;

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
    /// <param name="timeMajorInputGradient">∂L/∂X as [T·B, I] when the time loop computed it (<see cref="FusedLayerInputs.MultiplyBackStep"/>), else null: then, if needed, δ·W_ih here.</param>
    /// <returns>The gradients, one slot per input.</returns>
    public static Tensor?[] Compute(FusedLayerInputs layer, Func<int, bool> needs, float[] deltaIh, float[] deltaHh, float[] timeMajorInput, float[] hAll,
        float[] dh0, float[]? dc0, float[]? timeMajorInputGradient = null)
    {
        var gradients = new Tensor?[dc0 is null ? FusedLayerInputs.C0 : FusedLayerInputs.C0 + 1];
        int rows = layer.Steps * layer.Batch;
        (int features, int hidden) = (layer.Features, layer.Hidden);
        bool ih = needs(FusedLayerInputs.WeightIh) || needs(FusedLayerInputs.BiasIh);
        bool hh = needs(FusedLayerInputs.WeightHh) || needs(FusedLayerInputs.BiasHh);
        if (ReferenceEquals(deltaIh, deltaHh) && (ih || hh))
        {
            // δᵀ·[X | H_prev | 1] = [∂L/∂W_ih | ∂L/∂W_hh | ∂L/∂b], and ∂L/∂b_ih = ∂L/∂b_hh.
            Gradients all = DeltaTransposeTimes(layer, deltaIh, (timeMajorInput, features), (hAll, hidden));
            Keep(gradients, needs, layer, all, FusedLayerInputs.WeightIh, 0, features, FusedLayerInputs.BiasIh);
            Keep(gradients, needs, layer, all, FusedLayerInputs.WeightHh, features, hidden, FusedLayerInputs.BiasHh);
            FusedLayerInputs.Return(all.All);
        }
        else
        {
            if (ih)
            {
                Gradients all = DeltaTransposeTimes(layer, deltaIh, (timeMajorInput, features));
                Keep(gradients, needs, layer, all, FusedLayerInputs.WeightIh, 0, features, FusedLayerInputs.BiasIh);
                FusedLayerInputs.Return(all.All);
            }

            if (hh)
            {
                Gradients all = DeltaTransposeTimes(layer, deltaHh, (hAll, hidden));
                Keep(gradients, needs, layer, all, FusedLayerInputs.WeightHh, 0, hidden, FusedLayerInputs.BiasHh);
                FusedLayerInputs.Return(all.All);
            }
        }

        if (needs(FusedLayerInputs.X))
        {
            float[]? gx = timeMajorInputGradient;
            if (gx is null)
            {
                gx = StoragePool.RentUninitialized(rows * features);
                Gemm.Multiply(false, false, rows, features, layer.Gates * hidden, deltaIh, layer.WeightIhData, gx);
            }

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

    /// <summary>
    /// δᵀ·[A₁ | A₂ | … | 1] in one GEMM, [gates·H, Σ widths + 1] (a rented array; δ is read once for all blocks), or its
    /// transpose [A₁ | A₂ | … | 1]ᵀ·δ when the blocks are narrow (<see cref="Gradients.Transposed"/>).
    /// </summary>
    /// <remarks>
    /// δᵀ as the GEMM's A is copied into micro-panels a few floats at a time (δ is stored [T·B, gates·H], read
    /// transposed), which is cheap beside the product only when B has many panels. With few columns — 67 for adding-h64,
    /// 35 for adding-h32, 3 for a GRU's input side — the copy took a large share of the product, and computing the
    /// transpose instead (δ then B, packed in contiguous rows of 16 or 32 floats; the narrow [A | 1] the transposed copy)
    /// was faster: on AVX2, 256×67×3200 0.83 → 0.74 ms, 128×35×3200 0.29 → 0.22 ms, 384×3×3200 0.37 → 0.20 ms
    /// (medians of 60, alternated). With 131 columns (adding-h128, bptt-t1000) or 289 (the char-LM) it was no faster or
    /// 4–14 % slower, as the whole of δ packed as B no longer stays in L2, where δᵀ is copied 384 rows at a time. So from
    /// <see cref="TransposedUpTo"/> columns down — and whenever δ is no wider than [A | 1], as an RNN's always is (H
    /// against I + H + 1): then the transposed product copies the narrower operand into micro-panels and reads the other
    /// where it lies, and adding-rnn-h128's training step (δ 128 wide, [X | H | 1] 131) ran 0.94–0.99 as long (Zen 4,
    /// alternated blocks of steps, three times at each width; adding-h128, whose δ is 512 wide, 1.01–1.03 transposed,
    /// so it stays as it was). Each element is the same chain of FMAs over the same k blocks either way
    /// (a·b and b·a round alike), so the bits are the same. Transposed, δ is read in place as the right operand when its
    /// width is whole panels (<see cref="Gemm.MultiplyOnce"/>): packing it was a pass over all of δ (3.2 MB for
    /// adding-h64), and in place the product ran about as fast as from the packed copy, so the pass is saved
    /// (256×67×3200 on Zen 4, AVX-512, one core: 1.23–1.37 ms with the copy, 1.11 in place, 1.08–1.09 from a copy made before).
    /// </remarks>
    private static Gradients DeltaTransposeTimes(FusedLayerInputs layer, float[] delta, params (float[] Data, int Width)[] blocks)
    {
        int rows = layer.Steps * layer.Batch;
        int width = layer.Gates * layer.Hidden;
        int columns = blocks.Sum(b => b.Width) + 1;
        float[] operands = FusedLayerInputs.Rent(rows * columns);   // row r: [a₁_r | a₂_r | … | 1]
        BatchRowBlocks.Run("weight-gradient operands", CoreChoice.Shape(rows, columns), rows, (first, last, _) => Concatenate(blocks, operands, columns, first, last));

        float[] all = FusedLayerInputs.Rent(width * columns);
        bool transposed = columns <= TransposedUpTo || width <= columns;
        if (transposed)
        {
            // δ is the right operand, used once: read where it lies when it can be (Gemm.MultiplyOnce).
            Gemm.MultiplyOnce(true, columns, width, rows, operands.AsSpan(0, rows * columns), delta, all.AsSpan(0, width * columns));
        }
        else
        {
            Gemm.Multiply(true, false, width, columns, rows, delta, operands.AsSpan(0, rows * columns), all.AsSpan(0, width * columns));
        }

        FusedLayerInputs.Return(operands);
        return new Gradients(all, columns, transposed);
    }

    /// <summary>Rows [first, last) of [A₁ | A₂ | … | 1] ([T·B, columns]) from the blocks: on every core at once, each its own rows.</summary>
    /// <remarks>
    /// A pass over all of X and H_prev that is pure memory traffic; on the calling thread alone it was 2.6–3.6 % of an
    /// adding-h64 training step with the second core idle (perf, main-thread samples outside the parallel loops). Split
    /// (in-process A/B, alternating blocks of steps, medians): adding-h64 0.977, adding-gru 0.989, adding-h128 0.998.
    /// </remarks>
    private static void Concatenate((float[] Data, int Width)[] blocks, float[] operands, int columns, int first, int last)
    {
        for (int r = first; r < last; r++)
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
    }

    /// <summary>δᵀ·[… | 1] ([gates·H, columns]), or its transpose when <paramref name="Transposed"/>: a rented array.</summary>
    private readonly record struct Gradients(float[] All, int Columns, bool Transposed);

    /// <summary>Takes a weight's gradient (columns [first, first + count) of δᵀ·[… | 1]) and its bias's (the last column).</summary>
    private static void Keep(Tensor?[] gradients, Func<int, bool> needs, FusedLayerInputs layer, Gradients all, int weight, int first, int count, int bias)
    {
        int width = layer.Gates * layer.Hidden;
        gradients[weight] = needs(weight) ? Columns(all, width, first, count) : null;
        gradients[bias] = needs(bias) ? Columns(all, width, all.Columns - 1, 1, vector: true) : null;
    }

    /// <summary>Columns [first, first + count) of δᵀ·[… | 1] ([rows, columns]), as a new [rows, count] tensor ([rows] with <paramref name="vector"/>).</summary>
    private static Tensor Columns(Gradients all, int rows, int first, int count, bool vector = false)
    {
        float[] result = StoragePool.RentUninitialized(rows * count);
        if (all.Transposed)
        {
            // Rows [first, first + count) of the transpose, [count, rows], transposed back.
            Strided.Permute(all.All.AsSpan(first * rows, count * rows), [count, rows], [1, 0], result);
        }
        else
        {
            for (int r = 0; r < rows; r++)
            {
                all.All.AsSpan((r * all.Columns) + first, count).CopyTo(result.AsSpan(r * count, count));
            }
        }

        return Tensor.FromBuffer(result, vector ? [rows] : [rows, count]);
    }
}
