using MiniNet.Autograd;
using MiniNet.Layers;

namespace MiniNet.Training;

/// <summary>The model every toy task trains: an RNN, GRU or LSTM (batch-first) and a Linear head, read at the last step or every step.</summary>
public sealed class SequenceModel : Module, ISequenceModel
{
    private readonly RecurrentLayer _recurrent;
    private readonly Linear _head;

    /// <summary>Creates the model.</summary>
    /// <param name="kind">One of <see cref="ModelCatalog.Names"/>: rnn (tanh), rnn-relu, gru or lstm.</param>
    /// <param name="inputSize">Features per step.</param>
    /// <param name="hidden">Hidden size.</param>
    /// <param name="layers">Stacked recurrent layers.</param>
    /// <param name="outputSize">Outputs of the head.</param>
    /// <param name="readout">Where the head reads.</param>
    /// <param name="random">The generator for initialization.</param>
    public SequenceModel(string kind, int inputSize, int hidden, int layers, int outputSize, TaskReadout readout, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        (string prefix, RecurrentLayer recurrent) = ModelCatalog.Create(kind, inputSize, hidden, layers, random);
        _recurrent = AddModule(prefix, recurrent);
        _head = AddModule("head", new Linear(hidden, outputSize, random: random));
        Kind = kind;
        Readout = readout;
    }

    /// <summary>The model name (rnn, rnn-relu, gru or lstm).</summary>
    public string Kind { get; }

    /// <summary>Where the head reads.</summary>
    public TaskReadout Readout { get; }

    /// <summary>The head's output: [B, outputs] for the last step, [B, T, outputs] for every step.</summary>
    /// <param name="inputs">[B, T, features].</param>
    /// <returns>The prediction.</returns>
    public Tensor Forward(Tensor inputs)
    {
        Tensor states = _recurrent.Forward(inputs);
        return _head.Forward(Readout == TaskReadout.LastStep ? states.Select(1, -1) : states);
    }
}
