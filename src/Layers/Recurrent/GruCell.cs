using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>One step of a GRU, for step-by-step use (PyTorch's <c>nn.GRUCell</c>).</summary>
/// <remarks>
/// With gates in PyTorch's order r, z, n: r = σ(x·W_irᵀ + b_ir + h·W_hrᵀ + b_hr), z = σ(x·W_izᵀ + b_iz + h·W_hzᵀ + b_hz),
/// n = tanh(x·W_inᵀ + b_in + r ⊙ (h·W_hnᵀ + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h (Cho et al. 2014). The update gate z mixes
/// the old state in directly, an additive path like the LSTM's cell. Parameters weight_ih [3H, I], weight_hh [3H, H],
/// bias_ih [3H], bias_hh [3H], all from U(−1/√H, 1/√H).
/// </remarks>
public sealed class GruCell : RecurrentCell
{
    /// <summary>Creates the cell.</summary>
    /// <param name="inputSize">Features per input vector.</param>
    /// <param name="hiddenSize">Size of the hidden state.</param>
    /// <param name="bias">Whether to learn the two biases.</param>
    /// <param name="random">The generator for initialization; <see cref="Initializers.Generator"/> when null.</param>
    public GruCell(int inputSize, int hiddenSize, bool bias = true, Random? random = null)
        : base(3, inputSize, hiddenSize, bias, random)
    {
    }

    /// <summary>One step.</summary>
    /// <param name="input">x, [batch, inputSize].</param>
    /// <param name="hidden">h, [batch, hiddenSize]; zeros when null.</param>
    /// <returns>h', [batch, hiddenSize].</returns>
    public Tensor Forward(Tensor input, Tensor? hidden = null)
    {
        int batch = CheckInput(input, (hidden, "hidden"));

        Tensor h = hidden ?? Tensor.Zeros([batch, HiddenSize]);
        return RecurrentMath.GruStep(Tensor.Linear(input, WeightIh, BiasIh), h, WeightHh, BiasHh);
    }
}
