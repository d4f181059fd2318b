using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>What a multi-layer <see cref="Lstm"/> returns.</summary>
/// <param name="Output">The last layer's hidden state at every step.</param>
/// <param name="HN">Every layer's final hidden state, [numLayers, batch, hiddenSize].</param>
/// <param name="CN">Every layer's final cell state, [numLayers, batch, hiddenSize].</param>
public sealed record LstmOutput(Tensor Output, Tensor HN, Tensor CN);

/// <summary>A multi-layer LSTM (PyTorch's <c>nn.LSTM</c>): gate order i, f, g, o; two biases per layer.</summary>
/// <remarks>
/// For each layer and step: [i f g o] = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh; i, f, o = σ(·), g = tanh(·);
/// c_t = f ⊙ c_{t−1} + i ⊙ g; h_t = o ⊙ tanh(c_t) (Hochreiter &amp; Schmidhuber 1997; Gers et al. 2000).
/// The additive cell path lets gradients travel far, which is why LSTMs solve the long toy tasks.
/// </remarks>
public sealed class Lstm : RecurrentLayer
{
    /// <summary>Creates the layer; weights weight_ih_l{k} [4H, I or H], weight_hh_l{k} [4H, H], biases [4H].</summary>
    /// <param name="inputSize">Features per input step.</param>
    /// <param name="hiddenSize">Size of the hidden and cell state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Whether to learn biases.</param>
    /// <param name="batchFirst">Sequences as [batch, steps, features] rather than PyTorch's default [steps, batch, features].</param>
    /// <param name="dropout">Dropout between layers in training mode, in [0, 1).</param>
    /// <param name="forgetBias">
    /// Null keeps PyTorch's initialization. A value sets the forget gate's total bias to it, as Keras's
    /// <c>unit_forget_bias</c> does with 1.0 (Jozefowicz et al. 2015): bias_ih's forget block = value, bias_hh's = 0.
    /// </param>
    /// <param name="random">The generator for initialization and dropout; <see cref="Initializers.Generator"/> when null.</param>
    /// <param name="bidirectional">Add a reverse-time direction to every layer (see <see cref="RecurrentLayer.Bidirectional"/>).</param>
    public Lstm(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false,
        float dropout = 0f, float? forgetBias = null, Random? random = null, bool bidirectional = false)
        : base(4, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, random, bidirectional)
    {
        if (forgetBias is not float value)
        {
            return;
        }

        if (!bias)
        {
            throw new ArgumentException("forgetBias needs bias: true (there is no bias to set).", nameof(forgetBias));
        }

        for (int k = 0; k < BiasesIh.Count; k++)
        {
            Array.Fill(BiasesIh[k]!.Data, value, hiddenSize, hiddenSize);
            Array.Fill(BiasesHh[k]!.Data, 0f, hiddenSize, hiddenSize);
        }
    }

    /// <summary>Runs the sequence.</summary>
    /// <param name="input">[batch, steps, inputSize] when batch-first, else [steps, batch, inputSize].</param>
    /// <param name="state">Initial (h0, c0), each [numLayers·directions, batch, hiddenSize]; zeros when null.</param>
    /// <returns>The outputs at every step and the final hidden and cell states.</returns>
    public LstmOutput Forward(Tensor input, LstmState? state)
    {
        (int batch, int steps) = RecurrentMath.CheckSequence(input, InputSize, BatchFirst, nameof(Lstm));
        if (state is not null)
        {
            CheckState(state.H, batch, "h0");
            CheckState(state.C, batch, "c0");
        }

        if (Fused)
        {
            (Tensor fusedOutput, LstmState[] fusedFinal) = StackLayers(input, (x, k) =>
            {
                LstmSequenceResult r = FusedLstm.Run(
                    x, WeightsIh[k], WeightsHh[k], BiasesIh[k], BiasesHh[k], state?.H.Select(0, k), state?.C.Select(0, k), BatchFirst);
                return (r.Output, new LstmState(r.HN, r.CN));
            });
            return new LstmOutput(fusedOutput, Tensor.Stack(fusedFinal.Select(s => s.H).ToArray(), 0), Tensor.Stack(fusedFinal.Select(s => s.C).ToArray(), 0));
        }

        (Tensor output, LstmState[] final) = RunLayers(
            input,
            steps,
            k => state is null
                ? new LstmState(Tensor.Zeros([batch, HiddenSize]), Tensor.Zeros([batch, HiddenSize]))
                : new LstmState(state.H.Select(0, k), state.C.Select(0, k)),
            (projected, k, s) => RecurrentMath.LstmStep(projected, s, WeightsHh[k], BiasesHh[k]),
            s => s.H);
        return new LstmOutput(output, Tensor.Stack(final.Select(s => s.H).ToArray(), 0), Tensor.Stack(final.Select(s => s.C).ToArray(), 0));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;
}
