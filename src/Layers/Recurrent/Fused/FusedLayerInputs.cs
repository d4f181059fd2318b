using System.Buffers;
using MiniNet.Autograd;
using MiniNet.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace MiniNet.Layers;

/// <summary>
/// The checked inputs of a fused recurrent layer (<see cref="FusedRnn"/>, <see cref="FusedLstm"/>) and their layout:
/// the sizes B, T, H, I, the input in time-major order, and the output back in the caller's order.
/// </summary>
/// <remarks>
/// The custom ops' inputs are, by position: x, W_ih, W_hh, b_ih, b_hh, h0 and (LSTM) c0, the optional ones null when
/// absent. The time loops run over [T, B, ·] arrays, so a batch-first sequence is permuted on the way in and out.
/// </remarks>
internal sealed class FusedLayerInputs
{
    /// <summary>Input positions in the custom ops' <c>Apply</c>.</summary>
    public const int X = 0, WeightIh = 1, WeightHh = 2, BiasIh = 3, BiasHh = 4, H0 = 5, C0 = 6;

    public FusedLayerInputs(IReadOnlyList<Tensor?> inputs, bool batchFirst, int gates, string op)
    {
        Tensor input = inputs[X] ?? throw new ArgumentNullException(nameof(inputs), $"{op}: the input sequence is null.");
        Tensor weightIh = inputs[WeightIh] ?? throw new ArgumentNullException(nameof(inputs), $"{op}: weight_ih is null.");
        Tensor weightHh = inputs[WeightHh] ?? throw new ArgumentNullException(nameof(inputs), $"{op}: weight_hh is null.");
        if (weightHh.Rank != 2 || weightHh.Shape[0] != gates * weightHh.Shape[1])
        {
            throw new ArgumentException($"{op}: weight_hh must be [{gates}·H, H], but it is {LayerInput.Format(weightHh.Shape)}.", nameof(inputs));
        }

        int hidden = weightHh.Shape[1];
        int features = weightIh.Rank == 2 ? weightIh.Shape[1] : -1;
        if (weightIh.Rank != 2 || weightIh.Shape[0] != gates * hidden)
        {
            throw new ArgumentException($"{op}: weight_ih must be [{gates * hidden}, I], but it is {LayerInput.Format(weightIh.Shape)}.", nameof(inputs));
        }

        if (input.Rank != 3 || input.Shape[2] != features)
        {
            throw new ArgumentException(
                $"{op}: input must be {(batchFirst ? "[B, T, " : "[T, B, ")}{features}], but it is {LayerInput.Format(input.Shape)}.", nameof(inputs));
        }

        foreach ((int at, string name) in new[] { (BiasIh, "bias_ih"), (BiasHh, "bias_hh") })
        {
            if (inputs[at] is { } bias && (bias.Rank != 1 || bias.Shape[0] != gates * hidden))
            {
                throw new ArgumentException($"{op}: {name} must be [{gates * hidden}], but it is {LayerInput.Format(bias.Shape)}.", nameof(inputs));
            }
        }

        Batch = batchFirst ? input.Shape[0] : input.Shape[1];
        Steps = batchFirst ? input.Shape[1] : input.Shape[0];
        (Hidden, Features, Gates, BatchFirst) = (hidden, features, gates, batchFirst);
        foreach ((int at, string name) in new[] { (H0, "h0"), (C0, "c0") })
        {
            if (at < inputs.Count && inputs[at] is { } state && (state.Rank != 2 || state.Shape[0] != Batch || state.Shape[1] != hidden))
            {
                throw new ArgumentException($"{op}: {name} must be [{Batch}, {hidden}], but it is {LayerInput.Format(state.Shape)}.", nameof(inputs));
            }
        }

        (Input, WeightIhData, WeightHhData) = (input, weightIh.Data, weightHh.Data);
        BiasIhData = inputs[BiasIh]?.Data ?? new float[gates * hidden];
        BiasHhData = inputs[BiasHh]?.Data ?? new float[gates * hidden];
        SummedBias = new float[gates * hidden];   // b_ih + b_hh: one add per step row instead of two
        foreach (Tensor? bias in new[] { inputs[BiasIh], inputs[BiasHh] })
        {
            if (bias is not null)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(SummedBias, bias.Data, SummedBias);
            }
        }
    }

    public Tensor Input { get; }

    public float[] WeightIhData { get; }

    public float[] WeightHhData { get; }

    /// <summary>b_ih, [gates·H] (zeros for a layer without biases).</summary>
    public float[] BiasIhData { get; }

    /// <summary>b_hh, [gates·H] (zeros for a layer without biases).</summary>
    public float[] BiasHhData { get; }

    /// <summary>b_ih + b_hh, [gates·H] (zeros for a layer without biases).</summary>
    public float[] SummedBias { get; }

    public int Batch { get; }

    public int Steps { get; }

    public int Hidden { get; }

    public int Features { get; }

    public int Gates { get; }

    public bool BatchFirst { get; }

    /// <summary>The output's shape, [B, T, H] or [T, B, H].</summary>
    public int[] OutputShape => BatchFirst ? [Batch, Steps, Hidden] : [Steps, Batch, Hidden];

    /// <summary>
    /// A working buffer from the shared pool, for the large per-sequence arrays (gates, states, δ). Reusing them
    /// matters: a fresh multi-megabyte array is mapped page by page on first touch, and those page faults more than
    /// doubled the forward pass when they fell inside the time loop. Rented arrays may be longer than asked.
    /// </summary>
    public static float[] Rent(int length) => ArrayPool<float>.Shared.Rent(length);

    /// <summary>Gives working buffers back to the pool (nulls are skipped).</summary>
    public static void Return(params float[]?[] buffers)
    {
        foreach (float[]? buffer in buffers)
        {
            if (buffer is not null)
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>The input as [T, B, I]: a rented copy when batch-first (return it with <see cref="ReturnTimeMajor"/>), else the input itself.</summary>
    public float[] TimeMajorInput()
    {
        if (!BatchFirst)
        {
            return Input.Data;
        }

        float[] x = Rent(Input.Length);
        Strided.Permute(Input.Data, [Batch, Steps, Features], [1, 0, 2], x);
        return x;
    }

    /// <summary>Returns <paramref name="timeMajor"/> to the pool when it is a copy (not the caller's own array).</summary>
    public void ReturnTimeMajor(float[] timeMajor, float[] original)
    {
        if (!ReferenceEquals(timeMajor, original))
        {
            Return(timeMajor);
        }
    }

    /// <summary>
    /// Adds ∂L/∂h_t of batch rows [<paramref name="firstRow"/>, + dh.Length / H) from the output's gradient, read in the
    /// caller's layout, into <paramref name="dh"/>.
    /// </summary>
    /// <remarks>
    /// Reading each row where it lies spares the backward pass a copy of the whole gradient into time-major order (for a
    /// batch-first [B, T, H], a pass over all of it on one core before the time loop; here each core reads its own rows
    /// as it reaches their step).
    /// </remarks>
    public void AddOutputGradient(Span<float> dh, float[] outputGradient, int t, int firstRow)
    {
        if (!BatchFirst)
        {
            TensorPrimitives.Add(dh, outputGradient.AsSpan(((t * Batch) + firstRow) * Hidden, dh.Length), dh);
            return;
        }

        for (int b = 0; b < dh.Length / Hidden; b++)
        {
            Span<float> row = dh.Slice(b * Hidden, Hidden);
            TensorPrimitives.Add(row, outputGradient.AsSpan((((firstRow + b) * Steps) + t) * Hidden, Hidden), row);
        }
    }

    /// <summary>
    /// Both weights packed as the right operand of one product per step, op(B) = [W_ih | W_hh]ᵀ, [I + H, gates·H]: the
    /// step's pre-activations are then [x_t | h_{t−1}]·[W_ih | W_hh]ᵀ (<see cref="StepOperand"/>), with no projection
    /// of all the inputs beforehand. Call <see cref="PackedMatrix.ReturnToPool"/> when done.
    /// </summary>
    /// <remarks>
    /// Projecting X·W_ihᵀ for every step at once wrote the whole [T·B, gates·H] array of gate rows out to L3 or memory
    /// (6.5 MB for adding-lstm-h128, whose input has 2 features), and each step's product then read its rows back to
    /// add h_{t−1}·W_hhᵀ into; in one product the x_t part costs I more multiply-adds per gate value, which were the
    /// projection's anyway, and the gate rows are written once, where the cell reads them. The LSTM's training steps,
    /// alternated blocks in one process on Zen 3 (AVX2): adding-lstm-h128 0.967, -h64 0.974, -h32 0.968, bptt-t1000 0.963,
    /// the char-LM (I = 32, so each step's product is 288 deep instead of 256) 0.987; the RNN's (adding-rnn-h128) 0.99.
    /// The GRU keeps the projection: its candidate gate needs h_{t−1}·W_hnᵀ apart from x_t·W_inᵀ (r ⊙ (W_hn·h + b_hn)).
    /// </remarks>
    public PackedMatrix PackStepWeights() => PackBothWeights(transposed: true);

    /// <summary>
    /// The right operand of backward's per-step product: W_hh alone ([gates·H, H]), for ∂L/∂h_{t−1} = δ_t·W_hh; or, when
    /// the input needs a gradient, [W_ih | W_hh] ([gates·H, I + H], the forward's operand untransposed), for
    /// δ_t·[W_ih | W_hh] = [∂L/∂x_t | ∂L/∂h_{t−1}] in one product (see <see cref="MultiplyBackStep"/>).
    /// </summary>
    /// <remarks>
    /// The product of the whole sequence ∂L/∂X = δ·W_ih after the time loop copied all of δ into micro-panels again
    /// (8 MB for the char-LM, whose embedded input needs the gradient) for a product only I columns wide; inside the
    /// loop, δ_t is already packed for its step's product and still in L1, and I more columns cost only I more
    /// multiply-adds a gate value. The char-LM's training step, alternated blocks of steps in one process on Zen 3
    /// (AVX2, two cores): 0.970 and 0.975 (medians of 20 pairs, twice; the means 0.93–0.94).
    /// </remarks>
    /// <param name="inputGradient">Whether ∂L/∂x_t is computed in the time loop.</param>
    public PackedMatrix PackBackStepWeights(bool inputGradient)
    {
        int width = Gates * Hidden;
        return inputGradient ? PackBothWeights(transposed: false) : PackedMatrix.PackPooled(WeightHhData, transposed: false, width, Hidden);
    }

    /// <summary>
    /// Backward's product of step <paramref name="t"/> for batch rows [<paramref name="firstRow"/>, + rows), by the
    /// operand of <see cref="PackBackStepWeights"/>: ∂L/∂h_{t−1} = δ_t·W_hh into <paramref name="dhPrevious"/>; or, with
    /// <paramref name="inputGradient"/>, δ_t·[W_ih | W_hh] into <paramref name="scratch"/>, whose rows' first I floats,
    /// ∂L/∂x_t, go to <paramref name="inputGradient"/> and the other H to <paramref name="dhPrevious"/>.
    /// </summary>
    /// <param name="delta">δ_t of those rows, rows·gates·H floats.</param>
    /// <param name="back">The packed right operand (<see cref="PackBackStepWeights"/>).</param>
    /// <param name="inputGradient">∂L/∂X as [T, B, I] (time-major), or null when the input needs no gradient.</param>
    /// <param name="scratch">At least rows·(I + H) floats when <paramref name="inputGradient"/> is given, else unused (null).</param>
    /// <param name="t">The step.</param>
    /// <param name="firstRow">The first batch row.</param>
    /// <param name="dhPrevious">∂L/∂h_{t−1} of those rows, rows·H floats, overwritten.</param>
    /// <param name="parallel">Whether the product may split between the cores (see <see cref="BatchRowBlocks"/>).</param>
    public void MultiplyBackStep(ReadOnlySpan<float> delta, PackedMatrix back, float[]? inputGradient, float[]? scratch, int t, int firstRow,
        Span<float> dhPrevious, bool parallel)
    {
        int rows = dhPrevious.Length / Hidden;
        if (inputGradient is null)
        {
            Gemm.Multiply(false, rows, delta, back, dhPrevious, parallel: parallel);   // ∂L/∂h_{t−1} = δ_t·W_hh
            return;
        }

        int width = Features + Hidden;
        Span<float> both = scratch.AsSpan(0, rows * width);
        Gemm.Multiply(false, rows, delta, back, both, parallel: parallel);   // [∂L/∂x_t | ∂L/∂h_{t−1}] = δ_t·[W_ih | W_hh]
        int at = ((t * Batch) + firstRow) * Features;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = both.Slice(r * width, width);
            row[..Features].CopyTo(inputGradient.AsSpan(at + (r * Features), Features));
            row[Features..].CopyTo(dhPrevious.Slice(r * Hidden, Hidden));
        }
    }

    /// <summary>
    /// [W_ih | W_hh] ([gates·H, I + H]: row r is W_ih's row r, then W_hh's) packed as a right operand: transposed for the
    /// forward step (<see cref="PackStepWeights"/>), as it is for the backward one (<see cref="PackBackStepWeights"/>).
    /// </summary>
    private PackedMatrix PackBothWeights(bool transposed)
    {
        int width = Gates * Hidden, depth = Features + Hidden;
        float[] both = Rent(width * depth);
        ConcatenateRows(WeightIhData.AsSpan(0, width * Features), Features, WeightHhData.AsSpan(0, width * Hidden), Hidden, both);
        PackedMatrix packed = transposed
            ? PackedMatrix.PackPooled(both, transposed: true, depth, width)
            : PackedMatrix.PackPooled(both, transposed: false, width, depth);
        Return(both);
        return packed;
    }

    /// <summary>
    /// Writes the left operand of step <paramref name="t"/>'s product for batch rows [<paramref name="firstRow"/>, +
    /// rows): row b is [x_t,b | h_{t−1},b], I + H floats (see <see cref="PackStepWeights"/>).
    /// </summary>
    /// <param name="destination">rows·(I + H) floats.</param>
    /// <param name="timeMajorInput">X as [T, B, I] (<see cref="TimeMajorInput"/>).</param>
    /// <param name="t">The step.</param>
    /// <param name="firstRow">The first batch row.</param>
    /// <param name="hPrevious">h_{t−1} of those rows, rows·H floats.</param>
    public void StepOperand(Span<float> destination, float[] timeMajorInput, int t, int firstRow, ReadOnlySpan<float> hPrevious)
    {
        int rows = hPrevious.Length / Hidden;
        ConcatenateRows(timeMajorInput.AsSpan(((t * Batch) + firstRow) * Features, rows * Features), Features, hPrevious, Hidden, destination);
    }

    /// <summary>Row r of <paramref name="destination"/> ← [row r of <paramref name="left"/> | row r of <paramref name="right"/>], for every row of right.</summary>
    private static void ConcatenateRows(ReadOnlySpan<float> left, int leftWidth, ReadOnlySpan<float> right, int rightWidth, Span<float> destination)
    {
        int width = leftWidth + rightWidth;
        for (int r = 0; r < right.Length / rightWidth; r++)
        {
            Span<float> row = destination.Slice(r * width, width);
            left.Slice(r * leftWidth, leftWidth).CopyTo(row);
            right.Slice(r * rightWidth, rightWidth).CopyTo(row[leftWidth..]);
        }
    }

    /// <summary>
    /// P = X·W_ihᵀ for steps [<paramref name="firstStep"/>, + <paramref name="stepCount"/>), [n·B, gates·H], into
    /// <paramref name="destination"/> (the cells add the bias): the GRU's input side, which its candidate gate needs
    /// apart from h_{t−1}·W_hhᵀ (the LSTM and the RNN multiply [x_t | h_{t−1}] in one product a step instead).
    /// </summary>
    public void Project(float[] timeMajorInput, Span<float> destination, int firstStep, int stepCount)
    {
        int rows = stepCount * Batch;
        int width = Gates * Hidden;
        ReadOnlySpan<float> x = timeMajorInput.AsSpan(firstStep * Batch * Features, rows * Features);
        Gemm.Multiply(false, true, rows, width, Features, x, WeightIhData, destination[..(rows * width)]);
    }

    /// <summary>
    /// How many steps' gate rows an inference pass (nothing will run backward) projects at a time: enough that the input
    /// GEMM stays large (about 2¹⁸ floats, a megabyte, of gates), few enough that the gates of a long sequence are never
    /// all held at once. A pass that records the graph projects all <see cref="Steps"/> at once, as backward needs them.
    /// </summary>
    public int InferenceChunkSteps => Math.Clamp((1 << 18) / Math.Max(1, Batch * Gates * Hidden), 1, Steps);

    /// <summary>
    /// Where state k (k = 0 the initial state, k = t + 1 after step t) lives in a state buffer: its own block of a full
    /// history [T + 1, B, H] when <paramref name="history"/> (the backward pass reads every step's), else one of two
    /// alternating blocks [2, B, H] — all an inference pass needs, since step t reads only state t.
    /// </summary>
    public int StateOffset(int k, bool history) => (history ? k : k & 1) * Batch * Hidden;

    /// <summary>A state buffer: [T + 1, B, H] for a full history, else the two alternating blocks of <see cref="StateOffset"/>.</summary>
    public float[] RentStates(bool history) => Rent((history ? Steps + 1 : 2) * Batch * Hidden);

    /// <summary>A new output array [B, T, H] or [T, B, H] for <see cref="StoreStep"/> to fill step by step.</summary>
    /// <remarks>
    /// Each time loop writes its rows of h_t here as it computes them, in training as in inference: the rows are still in
    /// L1 then, and each core writes its own, where copying the whole state history into the caller's layout after the
    /// loop was a pass over it on one core.
    /// </remarks>
    public float[] NewOutput() => StoragePool.RentUninitialized(Steps * Batch * Hidden);

    /// <summary>Writes h_t of batch rows [<paramref name="firstRow"/>, + h.Length / H) into the output in the caller's layout.</summary>
    public void StoreStep(float[] output, int t, int firstRow, ReadOnlySpan<float> h)
    {
        if (!BatchFirst)
        {
            h.CopyTo(output.AsSpan(((t * Batch) + firstRow) * Hidden));
            return;
        }

        for (int b = 0; b < h.Length / Hidden; b++)
        {
            h.Slice(b * Hidden, Hidden).CopyTo(output.AsSpan((((firstRow + b) * Steps) + t) * Hidden));
        }
    }

    /// <summary>The output sequence (what <see cref="StoreStep"/> wrote) and the final state of a pass.</summary>
    public (Tensor Output, Tensor Final) OutputAndFinal(float[] states, float[] output, bool history) =>
        (Tensor.FromBuffer(output, OutputShape), FinalState(states, history));

    /// <summary>The last state [B, H] of a state buffer (see <see cref="StateOffset"/>), as a new tensor.</summary>
    public Tensor FinalState(float[] states, bool history)
    {
        float[] final = StoragePool.RentUninitialized(Batch * Hidden);
        states.AsSpan(StateOffset(Steps, history), Batch * Hidden).CopyTo(final);
        return Tensor.FromBuffer(final, [Batch, Hidden]);
    }

    /// <summary>Copies an initial state into the first row block of a state history, or clears it when there is none.</summary>
    public static void CopyOrClear(Tensor? state, Span<float> target)
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
}
