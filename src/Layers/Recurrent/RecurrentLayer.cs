using System.Globalization;
using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>
/// What <see cref="Rnn"/>, <see cref="Gru"/> and <see cref="Lstm"/> share: per-layer weights under PyTorch's names
/// (<c>weight_ih_l{k}</c>, <c>weight_hh_l{k}</c>, <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c>), and the loop
/// over layers and time steps.
/// </summary>
/// <remarks>
/// Each layer projects its whole input sequence with one GEMM (x·W_ihᵀ + b_ih for every step at once),
/// then runs the recurrence step by step. Layer k &gt; 0 reads layer k−1's outputs, with dropout between
/// layers in training mode (none after the last layer), as in PyTorch.
/// </remarks>
public abstract class RecurrentLayer : Module, ILayer
{
    private readonly Tensor[] _weightsIh;
    private readonly Tensor[] _weightsHh;
    private readonly Tensor?[] _biasesIh;
    private readonly Tensor?[] _biasesHh;
    private readonly Random _random;

    /// <summary>Creates the per-layer parameters, each from U(−1/√H, 1/√H).</summary>
    /// <param name="gates">Row blocks per weight: 1 for an RNN, 3 for a GRU, 4 for an LSTM.</param>
    /// <param name="inputSize">Features per input step.</param>
    /// <param name="hiddenSize">Size of the hidden state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Whether to learn biases.</param>
    /// <param name="batchFirst">Input and output as [batch, steps, features] rather than [steps, batch, features].</param>
    /// <param name="dropout">Dropout probability on the outputs of every layer but the last, in [0, 1).</param>
    /// <param name="random">The generator for initialization and dropout; <see cref="Initializers.Generator"/> when null.</param>
    /// <param name="bidirectional">Run a second, reverse-time layer beside each one and concatenate their outputs.</param>
    private protected RecurrentLayer(int gates, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst, float dropout, Random? random,
        bool bidirectional = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numLayers);
        if (!(dropout >= 0f && dropout < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout between recurrent layers must be in [0, 1).");
        }

        InputSize = inputSize;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        BatchFirst = batchFirst;
        Dropout = dropout;
        _random = random ?? Initializers.Generator;
        Bidirectional = bidirectional;
        int directions = Directions;
        _weightsIh = new Tensor[numLayers * directions];
        _weightsHh = new Tensor[numLayers * directions];
        _biasesIh = new Tensor?[numLayers * directions];
        _biasesHh = new Tensor?[numLayers * directions];
        for (int k = 0; k < numLayers; k++)
        {
            for (int d = 0; d < directions; d++)
            {
                // PyTorch's names and order: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, then the same with _reverse.
                string l = k.ToString(CultureInfo.InvariantCulture) + (d == 1 ? "_reverse" : string.Empty);
                int at = (k * directions) + d;
                int layerInput = k == 0 ? inputSize : hiddenSize * directions;
                _weightsIh[at] = AddParameter($"weight_ih_l{l}", Tensor.Zeros([gates * hiddenSize, layerInput], requiresGrad: true));
                _weightsHh[at] = AddParameter($"weight_hh_l{l}", Tensor.Zeros([gates * hiddenSize, hiddenSize], requiresGrad: true));
                if (bias)
                {
                    _biasesIh[at] = AddParameter($"bias_ih_l{l}", Tensor.Zeros([gates * hiddenSize], requiresGrad: true));
                    _biasesHh[at] = AddParameter($"bias_hh_l{l}", Tensor.Zeros([gates * hiddenSize], requiresGrad: true));
                }
            }
        }

        foreach (Tensor p in Parameters())
        {
            RecurrentMath.InitUniform(p, hiddenSize, _random);
        }
    }

    /// <summary>Features per input step.</summary>
    public int InputSize { get; }

    /// <summary>Size of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>Whether sequences are [batch, steps, features] (true) or [steps, batch, features] (false, PyTorch's default).</summary>
    public bool BatchFirst { get; }

    /// <summary>Dropout probability between layers.</summary>
    public float Dropout { get; }

    /// <summary>
    /// Whether each layer has a second, reverse-time direction (PyTorch's <c>bidirectional</c>): its parameters carry the
    /// suffix <c>_reverse</c>, the output is [forward | reverse] along the last axis (2·hiddenSize), and the states are
    /// [numLayers·2, batch, hiddenSize], layer by layer, forward first.
    /// </summary>
    public bool Bidirectional { get; }

    /// <summary>1, or 2 when <see cref="Bidirectional"/>.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>
    /// True (the default): each layer runs as one fused graph node with its own backward through time
    /// (the custom ops <see cref="FusedRnn"/>, <see cref="FusedGru"/> and <see cref="FusedLstm"/>). False: the readable reference, composed
    /// step by step from primitive ops; tests hold the two equal.
    /// </summary>
    public bool Fused { get; set; } = true;

    /// <summary>W_ih of layer k and direction d, at index k·<see cref="Directions"/> + d (d = 1: reverse).</summary>
    public IReadOnlyList<Tensor> WeightsIh => _weightsIh;

    /// <summary>W_hh of layer k and direction d, at index k·<see cref="Directions"/> + d.</summary>
    public IReadOnlyList<Tensor> WeightsHh => _weightsHh;

    /// <summary>b_ih of layer k (null entries without bias).</summary>
    public IReadOnlyList<Tensor?> BiasesIh => _biasesIh;

    /// <summary>b_hh of layer k (null entries without bias).</summary>
    public IReadOnlyList<Tensor?> BiasesHh => _biasesHh;

    /// <summary>The outputs of the last layer at every step (the hidden states are dropped).</summary>
    /// <param name="input">[batch, steps, inputSize] when batch-first, else [steps, batch, inputSize].</param>
    /// <returns>[batch, steps, hiddenSize] when batch-first, else [steps, batch, hiddenSize].</returns>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Checks an initial-state tensor: [numLayers, batch, hiddenSize].</summary>
    /// <param name="state">The tensor.</param>
    /// <param name="batch">The batch size of the input.</param>
    /// <param name="what">Its name for the message (h0, c0).</param>
    private protected void CheckState(Tensor state, int batch, string what) =>
        LayerInput.RequireShape(state, [NumLayers * Directions, batch, HiddenSize], GetType().Name, what);

    /// <summary>Runs every layer (each over the whole sequence), applying dropout between layers in training mode.</summary>
    /// <typeparam name="TState">The final state of one layer.</typeparam>
    /// <param name="input">The checked input sequence.</param>
    /// <param name="layer">Layer k, direction d over a whole sequence: (input, k·Directions + d) → (output sequence, final state).</param>
    /// <returns>The last layer's outputs and every layer's final state, at index k·Directions + d.</returns>
    /// <remarks>The reverse direction runs forward over the time-reversed sequence, and its output is reversed back.</remarks>
    private protected (Tensor Output, TState[] Final) StackLayers<TState>(Tensor input, Func<Tensor, int, (Tensor Output, TState Final)> layer)
    {
        int directions = Directions;
        var final = new TState[NumLayers * directions];
        Tensor layerInput = input;
        int timeAxis = BatchFirst ? 1 : 0;
        for (int k = 0; k < NumLayers; k++)
        {
            (Tensor forward, final[k * directions]) = layer(layerInput, k * directions);
            if (directions == 2)
            {
                int[] reversed = [.. Enumerable.Range(0, layerInput.Shape[timeAxis]).Reverse()];
                (Tensor backward, final[(k * directions) + 1]) = layer(layerInput.IndexSelect(timeAxis, reversed), (k * directions) + 1);
                forward = Tensor.Concat([forward, backward.IndexSelect(timeAxis, reversed)], 2);
            }

            layerInput = forward;
            if (k < NumLayers - 1 && IsTraining && Dropout > 0f)
            {
                layerInput = Layers.Dropout.Apply(layerInput, Dropout, _random);
            }
        }

        return (layerInput, final);
    }

    /// <summary>Runs every layer over every step, composed from primitive ops (the reference path).</summary>
    /// <typeparam name="TState">The recurrent state: h for an RNN, (h, c) for an LSTM.</typeparam>
    /// <param name="input">The checked input sequence.</param>
    /// <param name="steps">Steps in the sequence.</param>
    /// <param name="initial">The initial state of layer k.</param>
    /// <param name="step">One step of layer k: (projected input at t, k, state) → new state.</param>
    /// <param name="hiddenOf">The hidden state h of a state.</param>
    /// <returns>The last layer's outputs and every layer's final state.</returns>
    private protected (Tensor Output, TState[] Final) RunLayers<TState>(
        Tensor input, int steps, Func<int, TState> initial, Func<Tensor, int, TState, TState> step, Func<TState, Tensor> hiddenOf)
    {
        int timeAxis = BatchFirst ? 1 : 0;
        return StackLayers(input, (layerInput, k) =>
        {
            Tensor projected = Tensor.Linear(layerInput, _weightsIh[k], _biasesIh[k]);
            TState state = initial(k);
            var outputs = new Tensor[steps];
            for (int t = 0; t < steps; t++)
            {
                state = step(projected.Select(timeAxis, t), k, state);
                outputs[t] = hiddenOf(state);
            }

            return (Tensor.Stack(outputs, timeAxis), state);
        });
    }

    /// <inheritdoc/>
    protected override string ExtraRepr()
    {
        string text = $"{InputSize}, {HiddenSize}";
        if (NumLayers != 1)
        {
            text += $", num_layers={NumLayers}";
        }

        if (_biasesIh[0] is null)
        {
            text += ", bias=False";
        }

        if (BatchFirst)
        {
            text += ", batch_first=True";
        }

        if (Bidirectional)
        {
            text += ", bidirectional=True";
        }

        if (Dropout > 0f)
        {
            text += $", dropout={Dropout.ToString(CultureInfo.InvariantCulture)}";
        }

        return text;
    }
}
