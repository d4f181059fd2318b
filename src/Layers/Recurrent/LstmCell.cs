using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>One step of an LSTM, for step-by-step use (PyTorch's <c>nn.LSTMCell</c>).</summary>
/// <remarks>
/// [i f g o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh (gates in PyTorch's order); i, f, o = σ(·), g = tanh(·);
/// c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c') (Hochreiter &amp; Schmidhuber 1997, with the forget gate of Gers et al. 2000).
/// Parameters weight_ih [4H, I], weight_hh [4H, H], bias_ih [4H], bias_hh [4H], all from U(−1/√H, 1/√H).
/// </remarks>
public sealed class LstmCell : RecurrentCell
{
    /// <summary>Creates the cell.</summary>
    /// <param name="inputSize">Features per input vector.</param>
    /// <param name="hiddenSize">Size of the hidden and cell state.</param>
    /// <param name="bias">Whether to learn the two biases.</param>
    /// <param name="random">The generator for initialization; <see cref="Initializers.Generator"/> when null.</param>
    public LstmCell(int inputSize, int hiddenSize, bool bias = true, Random? random = null)
        : base(4, inputSize, hiddenSize, bias, random)
    {
    }

    /// <summary>One step.</summary>
    /// <param name="input">x, [batch, inputSize].</param>
    /// <param name="state">(h, c), each [batch, hiddenSize]; zeros when null.</param>
    /// <returns>(h', c').</returns>
    public LstmState Forward(Tensor input, LstmState? state = null)
    {
        int batch = CheckInput(input, (state?.H, "h"), (state?.C, "c"));

        state ??= new LstmState(Tensor.Zeros([batch, HiddenSize]), Tensor.Zeros([batch, HiddenSize]));
        return RecurrentMath.LstmStep(Tensor.Linear(input, WeightIh, BiasIh), state, WeightHh, BiasHh);
    }
}
