using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>The nonlinearity of a plain (Elman) RNN.</summary>
public enum RnnNonlinearity
{
    /// <summary>h' = tanh(…), PyTorch's default.</summary>
    Tanh,

    /// <summary>h' = relu(…).</summary>
    Relu,
}

/// <summary>The hidden and cell state of an LSTM: each [batch, hidden] for a cell, [layers, batch, hidden] for a layer.</summary>
/// <param name="H">The hidden state h.</param>
/// <param name="C">The cell state c.</param>
public sealed record LstmState(Tensor H, Tensor C);

/// <summary>
/// One time step of each recurrence, composed from autograd primitives: the readable reference that
/// the cells and the multi-layer layers share. The input's projection x·W_ihᵀ + b_ih comes in already
/// computed, because a layer computes it for every step at once.
/// </summary>
internal static class RecurrentMath
{
    /// <summary>h' = φ(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) with φ = tanh or relu.</summary>
    public static Tensor RnnStep(Tensor projectedInput, Tensor h, Tensor weightHh, Tensor? biasHh, RnnNonlinearity nonlinearity)
    {
        Tensor preActivation = projectedInput + Tensor.Linear(h, weightHh, biasHh);
        return nonlinearity == RnnNonlinearity.Tanh ? preActivation.Tanh() : preActivation.Relu();
    }

    /// <summary>
    /// The LSTM update with PyTorch's gate order i, f, g, o:
    /// [i f g o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh; i, f, o = σ(·), g = tanh(·);
    /// c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c').
    /// </summary>
    public static LstmState LstmStep(Tensor projectedInput, LstmState state, Tensor weightHh, Tensor? biasHh)
    {
        int hidden = state.H.Shape[^1];
        Tensor gates = projectedInput + Tensor.Linear(state.H, weightHh, biasHh);
        Tensor inputGate = gates.Slice(1, 0, hidden).Sigmoid();
        Tensor forgetGate = gates.Slice(1, hidden, 2 * hidden).Sigmoid();
        Tensor candidate = gates.Slice(1, 2 * hidden, 3 * hidden).Tanh();
        Tensor outputGate = gates.Slice(1, 3 * hidden, 4 * hidden).Sigmoid();
        Tensor c = (forgetGate * state.C) + (inputGate * candidate);
        Tensor h = outputGate * c.Tanh();
        return new LstmState(h, c);
    }

    /// <summary>
    /// The GRU update with PyTorch's gate order r, z, n (Cho et al. 2014):
    /// r = σ(x·W_irᵀ + b_ir + h·W_hrᵀ + b_hr), z = σ(x·W_izᵀ + b_iz + h·W_hzᵀ + b_hz),
    /// n = tanh(x·W_inᵀ + b_in + r ⊙ (h·W_hnᵀ + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
    /// The reset gate multiplies the hidden projection including its bias b_hn, as PyTorch (and cuDNN) define it.
    /// </summary>
    public static Tensor GruStep(Tensor projectedInput, Tensor h, Tensor weightHh, Tensor? biasHh)
    {
        int hidden = h.Shape[^1];
        Tensor projectedHidden = Tensor.Linear(h, weightHh, biasHh);
        Tensor reset = (projectedInput.Slice(1, 0, hidden) + projectedHidden.Slice(1, 0, hidden)).Sigmoid();
        Tensor update = (projectedInput.Slice(1, hidden, 2 * hidden) + projectedHidden.Slice(1, hidden, 2 * hidden)).Sigmoid();
        Tensor candidate = (projectedInput.Slice(1, 2 * hidden, 3 * hidden) + (reset * projectedHidden.Slice(1, 2 * hidden, 3 * hidden))).Tanh();
        return ((1f - update) * candidate) + (update * h);
    }

    /// <summary>Checks a recurrent layer's input: [batch, steps, features] (batch-first) or [steps, batch, features].</summary>
    public static (int Batch, int Steps) CheckSequence(Tensor input, int inputSize, bool batchFirst, string layer)
    {
        ArgumentNullException.ThrowIfNull(input);
        string expected = batchFirst ? $"[batch, steps, {inputSize}] (batchFirst)" : $"[steps, batch, {inputSize}] (batchFirst: false)";
        if (input.Rank != 3 || input.Shape[2] != inputSize)
        {
            throw new ArgumentException($"{layer} expects input of shape {expected}, but got {LayerInput.Format(input.Shape)}.", nameof(input));
        }

        return batchFirst ? (input.Shape[0], input.Shape[1]) : (input.Shape[1], input.Shape[0]);
    }

    /// <summary>U(−1/√H, 1/√H), PyTorch's initialization of every recurrent weight and bias.</summary>
    public static void InitUniform(Tensor parameter, int hiddenSize, Random random)
    {
        float bound = 1f / MathF.Sqrt(hiddenSize);
        Initializers.Uniform(parameter, -bound, bound, random);
    }
}
