using System.Buffers;
using System.Numerics.Tensors;

namespace MiniNet.Autograd;

/// <summary>
/// The checked shapes and shared plumbing of a fused recurrent layer: layout changes to and from time-major
/// order, the input projection, and the parameter gradients as GEMMs over all steps.
/// </summary>
internal sealed class RecurrentLayerShape
{
    private readonly Tensor _input;
    private readonly Tensor _weightIh;
    private readonly Tensor? _biasIh;
    private readonly Tensor? _biasHh;
    private readonly Tensor? _h0;
    private readonly Tensor? _c0;
    private readonly Tensor _weightHh;
    private readonly bool _batchFirst;
    private readonly int _gates;

    public RecurrentLayerShape(Tensor input, Tensor weightIh, Tensor weightHh, Tensor? biasIh, Tensor? biasHh,
        Tensor? h0, Tensor? c0, bool batchFirst, int gates, string op)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weightIh);
        ArgumentNullException.ThrowIfNull(weightHh);
        if (weightHh.Rank != 2 || weightHh.Shape[0] != gates * weightHh.Shape[1])
        {
            throw new ArgumentException($"{op}: weight_hh must be [{gates}·H, H], but it is {ShapeText.Format(weightHh.Shape)}.", nameof(weightHh));
        }

        int hidden = weightHh.Shape[1];
        int features = weightIh.Rank == 2 ? weightIh.Shape[1] : -1;
        if (weightIh.Rank != 2 || weightIh.Shape[0] != gates * hidden)
        {
            throw new ArgumentException($"{op}: weight_ih must be [{gates * hidden}, I], but it is {ShapeText.Format(weightIh.Shape)}.", nameof(weightIh));
        }

        if (input.Rank != 3 || input.Shape[2] != features)
        {
            throw new ArgumentException(
                $"{op}: input must be {(batchFirst ? "[B, T, " : "[T, B, ")}{features}], but it is {ShapeText.Format(input.Shape)}.", nameof(input));
        }

        foreach ((Tensor? bias, string name) in new[] { (biasIh, "bias_ih"), (biasHh, "bias_hh") })
        {
            if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != gates * hidden))
            {
                throw new ArgumentException($"{op}: {name} must be [{gates * hidden}], but it is {ShapeText.Format(bias.Shape)}.", name);
            }
        }

        Batch = batchFirst ? input.Shape[0] : input.Shape[1];
        Steps = batchFirst ? input.Shape[1] : input.Shape[0];
        Hidden = hidden;
        foreach ((Tensor? state, string name) in new[] { (h0, "h0"), (c0, "c0") })
        {
            if (state is not null && (state.Rank != 2 || state.Shape[0] != Batch || state.Shape[1] != hidden))
            {
                throw new ArgumentException($"{op}: {name} must be [{Batch}, {hidden}], but it is {ShapeText.Format(state.Shape)}.", name);
            }
        }

        (_input, _weightIh, _weightHh, _biasIh, _biasHh, _h0, _c0, _batchFirst, _gates) = (input, weightIh, weightHh, biasIh, biasHh, h0, c0, batchFirst, gates);
        var inputs = new List<Tensor> { input, weightIh, weightHh };
        foreach (Tensor? optional in new[] { biasIh, biasHh, h0, c0 })
        {
            if (optional is not null)
            {
                inputs.Add(optional);
            }
        }

        Inputs = [.. inputs];
    }

    public int Batch { get; }

    public int Steps { get; }

    public int Hidden { get; }

    public int Features => _weightIh.Shape[1];

    public Tensor[] Inputs { get; }

    public int[] OutputShape => _batchFirst ? [Batch, Steps, Hidden] : [Steps, Batch, Hidden];

    /// <summary>
    /// A working buffer from the shared pool, for the large per-sequence arrays (gates, states, δ). Reusing them
    /// matters: a fresh multi-megabyte array is mapped page by page on first touch, and those page faults more than
    /// doubled the forward pass when they fell inside the time loop. Rented arrays may be longer than asked.
    /// </summary>
    public static float[] Rent(int length) => ArrayPool<float>.Shared.Rent(length);

    /// <summary>Gives working buffers back to the pool (once the backward pass, or a forward without a graph, is done).</summary>
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

    /// <summary>The input as [T, B, I]: a rented copy when batch-first (see <see cref="OwnsTimeMajorInput"/>), else the input itself.</summary>
    public float[] TimeMajorInput()
    {
        if (!_batchFirst)
        {
            return _input.Data;
        }

        float[] x = Rent(_input.Length);
        Strided.Permute(_input.Data, [Batch, Steps, Features], [1, 0, 2], x);
        return x;
    }

    /// <summary>Whether <see cref="TimeMajorInput"/> returned a rented copy that must be returned.</summary>
    public bool OwnsTimeMajorInput => _batchFirst;

    /// <summary>[T, B, H] data in the caller's layout, as a new array the output tensor owns.</summary>
    public float[] FromTimeMajor(ReadOnlySpan<float> timeMajor)
    {
        var data = GC.AllocateUninitializedArray<float>(Steps * Batch * Hidden);
        if (_batchFirst)
        {
            Strided.Permute(timeMajor, [Steps, Batch, Hidden], [1, 0, 2], data);
        }
        else
        {
            timeMajor[..data.Length].CopyTo(data);
        }

        return data;
    }

    /// <summary>A gradient of the output, as [T, B, H] (a rented copy when batch-first, else the gradient itself).</summary>
    public float[] ToTimeMajor(float[] gradient)
    {
        if (!_batchFirst)
        {
            return gradient;
        }

        float[] result = Rent(gradient.Length);
        Strided.Permute(gradient, [Batch, Steps, Hidden], [1, 0, 2], result);
        return result;
    }

    /// <summary>P = X·W_ihᵀ for every step at once, [T·B, gates·H], into <paramref name="destination"/> (the step kernels add the bias).</summary>
    public void Project(float[] timeMajorInput, Span<float> destination)
    {
        int rows = Steps * Batch;
        int width = _gates * Hidden;
        Kernels.Gemm(false, true, rows, width, Features, timeMajorInput, _weightIh.Data, destination[..(rows * width)]);
    }

    /// <summary>b_ih + b_hh, [gates·H] (zeros for a layer without biases): one add per step row instead of two.</summary>
    public float[] SummedBias()
    {
        var bias = new float[_gates * Hidden];
        if (_biasIh is not null)
        {
            TensorPrimitives.Add(bias, _biasIh.Data, bias);
        }

        if (_biasHh is not null)
        {
            TensorPrimitives.Add(bias, _biasHh.Data, bias);
        }

        return bias;
    }

    /// <summary>
    /// From the pre-activation gradients δ ([T·B, gates·H]) of every step: ∂L/∂W_ih = δᵀ·X, ∂L/∂W_hh = δᵀ·H_prev,
    /// ∂L/∂b = Σ rows of δ, ∂L/∂X = δ·W_ih, and the initial states' gradients.
    /// </summary>
    /// <remarks>
    /// The three parameter gradients are one GEMM, δᵀ·[X | H_prev | 1] = [∂L/∂W_ih | ∂L/∂W_hh | ∂L/∂b]: δ is read
    /// (and, being the transposed operand, copied into micro-panels) once instead of three times.
    /// </remarks>
    public void AccumulateParameterGradients(float[] delta, float[] timeMajorInput, float[] hAll, float[] dh0, float[]? dc0)
    {
        int rows = Steps * Batch;
        int width = _gates * Hidden;
        bool biasGrad = (_biasIh?.RequiresGrad ?? false) || (_biasHh?.RequiresGrad ?? false);
        if (_weightIh.RequiresGrad || _weightHh.RequiresGrad || biasGrad)
        {
            int features = Features, hidden = Hidden, columns = features + hidden + 1;
            float[] operands = Rent(rows * columns);   // row r: [x_r | h_prev,r | 1]
            for (int r = 0; r < rows; r++)
            {
                Span<float> row = operands.AsSpan(r * columns, columns);
                timeMajorInput.AsSpan(r * features, features).CopyTo(row);
                hAll.AsSpan(r * hidden, hidden).CopyTo(row[features..]);
                row[^1] = 1f;
            }

            float[] all = Rent(width * columns);
            Kernels.Gemm(true, false, width, columns, rows, delta, operands.AsSpan(0, rows * columns), all.AsSpan(0, width * columns));
            Return(operands);
            if (_weightIh.RequiresGrad)
            {
                _weightIh.AccumulateGrad(Columns(all, width, columns, 0, features), owned: true);
            }

            if (_weightHh.RequiresGrad)
            {
                _weightHh.AccumulateGrad(Columns(all, width, columns, features, hidden), owned: true);
            }

            if (biasGrad)
            {
                float[] gb = Columns(all, width, columns, features + hidden, 1);
                if (_biasIh?.RequiresGrad ?? false)
                {
                    _biasIh.AccumulateGrad(gb, owned: false);
                }

                if (_biasHh?.RequiresGrad ?? false)
                {
                    _biasHh.AccumulateGrad(gb, owned: false);
                }
            }

            Return(all);
        }

        if (_input.RequiresGrad)
        {
            float[] gx = GC.AllocateUninitializedArray<float>(rows * Features);
            Kernels.Gemm(false, false, rows, Features, width, delta, _weightIh.Data, gx);
            _input.AccumulateGrad(_batchFirst ? Strided.Permute(gx, [Steps, Batch, Features], [1, 0, 2]) : gx, owned: true);
        }

        if (_h0?.RequiresGrad ?? false)
        {
            _h0.AccumulateGrad(dh0, owned: false);
        }

        if (dc0 is not null && (_c0?.RequiresGrad ?? false))
        {
            _c0.AccumulateGrad(dc0, owned: false);
        }
    }

    /// <summary>Columns [first, first + count) of a row-major [rows, columns] matrix, as a new [rows, count] array.</summary>
    private static float[] Columns(float[] matrix, int rows, int columns, int first, int count)
    {
        var result = new float[rows * count];
        for (int r = 0; r < rows; r++)
        {
            matrix.AsSpan((r * columns) + first, count).CopyTo(result.AsSpan(r * count, count));
        }

        return result;
    }
}
