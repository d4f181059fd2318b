using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>One step of an Elman RNN, for step-by-step use (PyTorch's <c>nn.RNNCell</c>).</summary>
/// <remarks>h' = φ(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), φ = tanh or relu. Parameters weight_ih [H, I], weight_hh [H, H], bias_ih [H], bias_hh [H], all from U(−1/√H, 1/√H).</remarks>
public sealed class RnnCell : Module
{
    /// <summary>Creates the cell.</summary>
    /// <param name="inputSize">Features per input vector.</param>
    /// <param name="hiddenSize">Size of the hidden state.</param>
    /// <param name="bias">Whether to learn the two biases.</param>
    /// <param name="nonlinearity">tanh (default) or relu.</param>
    /// <param name="random">The generator for initialization; <see cref="Initializers.Generator"/> when null.</param>
    public RnnCell(int inputSize, int hiddenSize, bool bias = true, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Nonlinearity = nonlinearity;
        random ??= Initializers.Generator;
        WeightIh = AddParameter("weight_ih", Tensor.Zeros([hiddenSize, inputSize], requiresGrad: true));
        WeightHh = AddParameter("weight_hh", Tensor.Zeros([hiddenSize, hiddenSize], requiresGrad: true));
        if (bias)
        {
            BiasIh = AddParameter("bias_ih", Tensor.Zeros([hiddenSize], requiresGrad: true));
            BiasHh = AddParameter("bias_hh", Tensor.Zeros([hiddenSize], requiresGrad: true));
        }

        foreach (Tensor p in Parameters())
        {
            RecurrentMath.InitUniform(p, hiddenSize, random);
        }
    }

    /// <summary>Features per input vector.</summary>
    public int InputSize { get; }

    /// <summary>Size of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>tanh or relu.</summary>
    public RnnNonlinearity Nonlinearity { get; }

    /// <summary>W_ih, [H, I].</summary>
    public Tensor WeightIh { get; }

    /// <summary>W_hh, [H, H].</summary>
    public Tensor WeightHh { get; }

    /// <summary>b_ih, [H], or null.</summary>
    public Tensor? BiasIh { get; }

    /// <summary>b_hh, [H], or null.</summary>
    public Tensor? BiasHh { get; }

    /// <summary>One step.</summary>
    /// <param name="input">x, [batch, inputSize].</param>
    /// <param name="hidden">h, [batch, hiddenSize]; zeros when null.</param>
    /// <returns>h', [batch, hiddenSize].</returns>
    public Tensor Forward(Tensor input, Tensor? hidden = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 || input.Shape[1] != InputSize)
        {
            throw new ArgumentException($"RnnCell expects input of shape [batch, {InputSize}], but got {LayerInput.Format(input.Shape)}.", nameof(input));
        }

        int batch = input.Shape[0];
        if (hidden is not null)
        {
            LayerInput.RequireShape(hidden, [batch, HiddenSize], nameof(RnnCell), "hidden");
        }

        Tensor h = hidden ?? Tensor.Zeros([batch, HiddenSize]);
        return RecurrentMath.RnnStep(Tensor.Linear(input, WeightIh, BiasIh), h, WeightHh, BiasHh, Nonlinearity);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"{InputSize}, {HiddenSize}{(BiasIh is null ? ", bias=False" : string.Empty)}{(Nonlinearity == RnnNonlinearity.Relu ? ", nonlinearity=relu" : string.Empty)}";
}
