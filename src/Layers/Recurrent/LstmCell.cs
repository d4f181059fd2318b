using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>One step of an LSTM, for step-by-step use (PyTorch's <c>nn.LSTMCell</c>).</summary>
/// <remarks>
/// [i f g o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh (gates in PyTorch's order); i, f, o = σ(·), g = tanh(·);
/// c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c') (Hochreiter &amp; Schmidhuber 1997, with the forget gate of Gers et al. 2000).
/// Parameters weight_ih [4H, I], weight_hh [4H, H], bias_ih [4H], bias_hh [4H], all from U(−1/√H, 1/√H).
/// </remarks>
public sealed class LstmCell : Module
{
    /// <summary>Creates the cell.</summary>
    /// <param name="inputSize">Features per input vector.</param>
    /// <param name="hiddenSize">Size of the hidden and cell state.</param>
    /// <param name="bias">Whether to learn the two biases.</param>
    /// <param name="random">The generator for initialization; <see cref="Initializers.Generator"/> when null.</param>
    public LstmCell(int inputSize, int hiddenSize, bool bias = true, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        random ??= Initializers.Generator;
        WeightIh = AddParameter("weight_ih", Tensor.Zeros([4 * hiddenSize, inputSize], requiresGrad: true));
        WeightHh = AddParameter("weight_hh", Tensor.Zeros([4 * hiddenSize, hiddenSize], requiresGrad: true));
        if (bias)
        {
            BiasIh = AddParameter("bias_ih", Tensor.Zeros([4 * hiddenSize], requiresGrad: true));
            BiasHh = AddParameter("bias_hh", Tensor.Zeros([4 * hiddenSize], requiresGrad: true));
        }

        foreach (Tensor p in Parameters())
        {
            RecurrentMath.InitUniform(p, hiddenSize, random);
        }
    }

    /// <summary>Features per input vector.</summary>
    public int InputSize { get; }

    /// <summary>Size of the hidden and cell state.</summary>
    public int HiddenSize { get; }

    /// <summary>W_ih, [4H, I], gate blocks i, f, g, o.</summary>
    public Tensor WeightIh { get; }

    /// <summary>W_hh, [4H, H], gate blocks i, f, g, o.</summary>
    public Tensor WeightHh { get; }

    /// <summary>b_ih, [4H], or null.</summary>
    public Tensor? BiasIh { get; }

    /// <summary>b_hh, [4H], or null.</summary>
    public Tensor? BiasHh { get; }

    /// <summary>One step.</summary>
    /// <param name="input">x, [batch, inputSize].</param>
    /// <param name="state">(h, c), each [batch, hiddenSize]; zeros when null.</param>
    /// <returns>(h', c').</returns>
    public LstmState Forward(Tensor input, LstmState? state = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 || input.Shape[1] != InputSize)
        {
            throw new ArgumentException($"LstmCell expects input of shape [batch, {InputSize}], but got {LayerInput.Format(input.Shape)}.", nameof(input));
        }

        int batch = input.Shape[0];
        if (state is not null)
        {
            LayerInput.RequireShape(state.H, [batch, HiddenSize], nameof(LstmCell), "h");
            LayerInput.RequireShape(state.C, [batch, HiddenSize], nameof(LstmCell), "c");
        }

        state ??= new LstmState(Tensor.Zeros([batch, HiddenSize]), Tensor.Zeros([batch, HiddenSize]));
        return RecurrentMath.LstmStep(Tensor.Linear(input, WeightIh, BiasIh), state, WeightHh, BiasHh);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{InputSize}, {HiddenSize}{(BiasIh is null ? ", bias=False" : string.Empty)}";
}
