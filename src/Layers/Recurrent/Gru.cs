using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>A multi-layer GRU (PyTorch's <c>nn.GRU</c>): gate order r, z, n; two biases per layer.</summary>
/// <remarks>
/// For each layer and step: r = σ(x_t·W_irᵀ + b_ir + h_{t−1}·W_hrᵀ + b_hr), z = σ(x_t·W_izᵀ + b_iz + h_{t−1}·W_hzᵀ + b_hz),
/// n = tanh(x_t·W_inᵀ + b_in + r ⊙ (h_{t−1}·W_hnᵀ + b_hn)), h_t = (1 − z) ⊙ n + z ⊙ h_{t−1} (Cho et al. 2014).
/// Backpropagation through time passes ∂L/∂h_t ⊙ z straight to h_{t−1} besides the product by W_hh, the path that lets
/// a GRU remember over the long toy tasks where a plain RNN forgets.
/// </remarks>
public sealed class Gru : RecurrentLayer
{
    /// <summary>Creates the layer; weights weight_ih_l{k} [3H, I or H], weight_hh_l{k} [3H, H], biases [3H].</summary>
    /// <param name="inputSize">Features per input step.</param>
    /// <param name="hiddenSize">Size of the hidden state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Whether to learn biases.</param>
    /// <param name="batchFirst">Sequences as [batch, steps, features] rather than PyTorch's default [steps, batch, features].</param>
    /// <param name="dropout">Dropout between layers in training mode, in [0, 1).</param>
    /// <param name="random">The generator for initialization and dropout; <see cref="Initializers.Generator"/> when null.</param>
    /// <param name="bidirectional">Add a reverse-time direction to every layer (see <see cref="RecurrentLayer.Bidirectional"/>).</param>
    public Gru(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, float dropout = 0f, Random? random = null,
        bool bidirectional = false)
        : base(3, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, random, bidirectional)
    {
    }

    /// <summary>Runs the sequence.</summary>
    /// <param name="input">[batch, steps, inputSize] when batch-first, else [steps, batch, inputSize].</param>
    /// <param name="h0">Initial hidden state [numLayers·directions, batch, hiddenSize]; zeros when null.</param>
    /// <returns>The outputs at every step and the final hidden states.</returns>
    public RnnOutput Forward(Tensor input, Tensor? h0)
    {
        (int batch, int steps) = RecurrentMath.CheckSequence(input, InputSize, BatchFirst, nameof(Gru));
        if (h0 is not null)
        {
            CheckState(h0, batch, nameof(h0));
        }

        if (Fused)
        {
            (Tensor fusedOutput, Tensor[] fusedFinal) = StackLayers(input, (x, k) => FusedGru.Run(
                x, WeightsIh[k], WeightsHh[k], BiasesIh[k], BiasesHh[k], h0?.Select(0, k), BatchFirst));
            return new RnnOutput(fusedOutput, Tensor.Stack(fusedFinal, 0));
        }

        (Tensor output, Tensor[] final) = RunLayers(
            input,
            steps,
            k => h0?.Select(0, k) ?? Tensor.Zeros([batch, HiddenSize]),
            (projected, k, h) => RecurrentMath.GruStep(projected, h, WeightsHh[k], BiasesHh[k]),
            h => h);
        return new RnnOutput(output, Tensor.Stack(final, 0));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;
}
