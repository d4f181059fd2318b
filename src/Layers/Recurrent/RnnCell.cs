using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>One step of an Elman RNN, for step-by-step use (PyTorch's <c>nn.RNNCell</c>).</summary>
/// <remarks>h' = φ(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), φ = tanh or relu. Parameters weight_ih [H, I], weight_hh [H, H], bias_ih [H], bias_hh [H], all from U(−1/√H, 1/√H).</remarks>
public sealed class RnnCell : RecurrentCell
{
    /// <summary>Creates the cell.</summary>
    /// <param name="inputSize">Features per input vector.</param>
    /// <param name="hiddenSize">Size of the hidden state.</param>
    /// <param name="bias">Whether to learn the two biases.</param>
    /// <param name="nonlinearity">tanh (default) or relu.</param>
    /// <param name="random">The generator for initialization; <see cref="Initializers.Generator"/> when null.</param>
    public RnnCell(int inputSize, int hiddenSize, bool bias = true, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh, Random? random = null)
        : base(1, inputSize, hiddenSize, bias, random) => Nonlinearity = nonlinearity;

    /// <summary>tanh or relu.</summary>
    public RnnNonlinearity Nonlinearity { get; }

    /// <summary>One step.</summary>
    /// <param name="input">x, [batch, inputSize].</param>
    /// <param name="hidden">h, [batch, hiddenSize]; zeros when null.</param>
    /// <returns>h', [batch, hiddenSize].</returns>
    public Tensor Forward(Tensor input, Tensor? hidden = null)
    {
        int batch = CheckInput(input, (hidden, "hidden"));

        Tensor h = hidden ?? Tensor.Zeros([batch, HiddenSize]);
        return RecurrentMath.RnnStep(Tensor.Linear(input, WeightIh, BiasIh), h, WeightHh, BiasHh, Nonlinearity);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => base.ExtraRepr() + (Nonlinearity == RnnNonlinearity.Relu ? ", nonlinearity=relu" : string.Empty);
}
