using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>
/// What <see cref="RnnCell"/>, <see cref="GruCell"/> and <see cref="LstmCell"/> share: weight_ih [G·H, I], weight_hh
/// [G·H, H] and the optional biases [G·H] under PyTorch's names, all from U(−1/√H, 1/√H), and the input checks.
/// </summary>
public abstract class RecurrentCell : Module
{
    /// <summary>Creates the parameters.</summary>
    /// <param name="gates">Row blocks per weight: 1 (RNN), 3 (GRU: r, z, n) or 4 (LSTM: i, f, g, o).</param>
    /// <param name="inputSize">Features per input vector.</param>
    /// <param name="hiddenSize">Size of the hidden state.</param>
    /// <param name="bias">Whether to learn the two biases.</param>
    /// <param name="random">The generator for initialization; <see cref="Initializers.Generator"/> when null.</param>
    private protected RecurrentCell(int gates, int inputSize, int hiddenSize, bool bias, Random? random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        WeightIh = AddParameter("weight_ih", Tensor.Zeros([gates * hiddenSize, inputSize], requiresGrad: true));
        WeightHh = AddParameter("weight_hh", Tensor.Zeros([gates * hiddenSize, hiddenSize], requiresGrad: true));
        if (bias)
        {
            BiasIh = AddParameter("bias_ih", Tensor.Zeros([gates * hiddenSize], requiresGrad: true));
            BiasHh = AddParameter("bias_hh", Tensor.Zeros([gates * hiddenSize], requiresGrad: true));
        }

        random ??= Initializers.Generator;
        foreach (Tensor p in Parameters())
        {
            RecurrentMath.InitUniform(p, hiddenSize, random);
        }
    }

    /// <summary>Features per input vector.</summary>
    public int InputSize { get; }

    /// <summary>Size of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>W_ih, [G·H, I], in the cell's gate order.</summary>
    public Tensor WeightIh { get; }

    /// <summary>W_hh, [G·H, H], in the cell's gate order.</summary>
    public Tensor WeightHh { get; }

    /// <summary>b_ih, [G·H], or null.</summary>
    public Tensor? BiasIh { get; }

    /// <summary>b_hh, [G·H], or null.</summary>
    public Tensor? BiasHh { get; }

    /// <summary>Checks x [batch, inputSize] and each given state [batch, hiddenSize]; returns the batch size.</summary>
    /// <param name="input">x.</param>
    /// <param name="states">The states by the names the messages use (null entries are skipped).</param>
    /// <returns>The batch size.</returns>
    private protected int CheckInput(Tensor input, params (Tensor? State, string Name)[] states)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 || input.Shape[1] != InputSize)
        {
            throw new ArgumentException($"{GetType().Name} expects input of shape [batch, {InputSize}], but got {LayerInput.Format(input.Shape)}.", nameof(input));
        }

        int batch = input.Shape[0];
        foreach ((Tensor? state, string name) in states)
        {
            if (state is not null)
            {
                LayerInput.RequireShape(state, [batch, HiddenSize], GetType().Name, name);
            }
        }

        return batch;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{InputSize}, {HiddenSize}{(BiasIh is null ? ", bias=False" : string.Empty)}";
}
