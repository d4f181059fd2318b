using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>What a multi-layer <see cref="Rnn"/> returns.</summary>
/// <param name="Output">The last layer's hidden state at every step.</param>
/// <param name="HN">Every layer's final hidden state, [numLayers, batch, hiddenSize].</param>
public sealed record RnnOutput(Tensor Output, Tensor HN);

/// <summary>A multi-layer Elman RNN with tanh or relu (PyTorch's <c>nn.RNN</c>).</summary>
/// <remarks>
/// For each layer k and step t: h_t = φ(x_t·W_ih_lkᵀ + b_ih_lk + h_{t−1}·W_hh_lkᵀ + b_hh_lk), φ = tanh or relu.
/// Backpropagation through time multiplies the gradient by W_hhᵀ·diag(φ') once per step, which is why
/// it can vanish or explode over long sequences (Pascanu et al. 2013) — the subject of MiniNet's clippers.
/// </remarks>
public sealed class Rnn : RecurrentLayer
{
    /// <summary>Creates the layer; weights weight_ih_l{k} [H, I or H], weight_hh_l{k} [H, H], biases [H].</summary>
    /// <param name="inputSize">Features per input step.</param>
    /// <param name="hiddenSize">Size of the hidden state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="nonlinearity">tanh (default) or relu.</param>
    /// <param name="bias">Whether to learn biases.</param>
    /// <param name="batchFirst">Sequences as [batch, steps, features] rather than PyTorch's default [steps, batch, features].</param>
    /// <param name="dropout">Dropout between layers in training mode, in [0, 1).</param>
    /// <param name="random">The generator for initialization and dropout; <see cref="Initializers.Generator"/> when null.</param>
    /// <param name="bidirectional">Add a reverse-time direction to every layer (see <see cref="RecurrentLayer.Bidirectional"/>).</param>
    public Rnn(int inputSize, int hiddenSize, int numLayers = 1, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh,
        bool bias = true, bool batchFirst = false, float dropout = 0f, Random? random = null, bool bidirectional = false)
        : base(1, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, random, bidirectional)
    {
        Nonlinearity = nonlinearity;
    }

    /// <summary>tanh or relu.</summary>
    public RnnNonlinearity Nonlinearity { get; }

    /// <summary>Runs the sequence.</summary>
    /// <param name="input">[batch, steps, inputSize] when batch-first, else [steps, batch, inputSize].</param>
    /// <param name="h0">Initial hidden state [numLayers·directions, batch, hiddenSize]; zeros when null.</param>
    /// <returns>The outputs at every step and the final hidden states.</returns>
    public RnnOutput Forward(Tensor input, Tensor? h0)
    {
        (int batch, int steps) = RecurrentMath.CheckSequence(input, InputSize, BatchFirst, nameof(Rnn));
        if (h0 is not null)
        {
            CheckState(h0, batch, nameof(h0));
        }

        if (Fused)
        {
            (Tensor fusedOutput, Tensor[] fusedFinal) = StackLayers(input, (x, k) => FusedRnn.Run(
                x, WeightsIh[k], WeightsHh[k], BiasesIh[k], BiasesHh[k], h0?.Select(0, k), Nonlinearity == RnnNonlinearity.Relu, BatchFirst));
            return new RnnOutput(fusedOutput, Tensor.Stack(fusedFinal, 0));
        }

        (Tensor output, Tensor[] final) = RunLayers(
            input,
            steps,
            k => h0?.Select(0, k) ?? Tensor.Zeros([batch, HiddenSize]),
            (projected, k, h) => RecurrentMath.RnnStep(projected, h, WeightsHh[k], BiasesHh[k], Nonlinearity),
            h => h);
        return new RnnOutput(output, Tensor.Stack(final, 0));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;

    /// <inheritdoc/>
    protected override string ExtraRepr() => base.ExtraRepr() + (Nonlinearity == RnnNonlinearity.Relu ? ", nonlinearity=relu" : string.Empty);
}
