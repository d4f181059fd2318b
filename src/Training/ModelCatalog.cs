using MiniNet.Layers;

namespace MiniNet.Training;

/// <summary>The recurrent models a run can train, by the names the command line and experiments use.</summary>
public static class ModelCatalog
{
    /// <summary>Every model name: rnn (tanh), rnn-relu, gru, lstm.</summary>
    public static IReadOnlyList<string> Names { get; } = ["rnn", "rnn-relu", "gru", "lstm"];

    /// <summary>The names as a list for messages ("rnn, rnn-relu, gru, lstm").</summary>
    public static string Valid => string.Join(", ", Names);

    /// <summary>Whether <paramref name="name"/> is a model.</summary>
    /// <param name="name">The name.</param>
    /// <returns>True for one of <see cref="Names"/>.</returns>
    public static bool IsKnown(string? name) => name is not null && Names.Contains(name);

    /// <summary>Row blocks per recurrent weight: 1 (RNN), 3 (GRU: r, z, n) or 4 (LSTM: i, f, g, o).</summary>
    /// <param name="name">A model name.</param>
    /// <returns>The gate count.</returns>
    public static int Gates(string name) => name switch { "lstm" => 4, "gru" => 3, _ => 1 };

    /// <summary>The recurrent layer a model name builds (batch-first), under its state-dict prefix.</summary>
    /// <param name="name">A model name.</param>
    /// <param name="inputSize">Features per step.</param>
    /// <param name="hidden">Hidden size.</param>
    /// <param name="layers">Stacked layers.</param>
    /// <param name="random">The generator for initialization.</param>
    /// <returns>The module's name in the state dict and the layer.</returns>
    /// <exception cref="ArgumentException">The name is not a model.</exception>
    public static (string Prefix, RecurrentLayer Layer) Create(string name, int inputSize, int hidden, int layers, Random random) => name switch
    {
        "lstm" => ("lstm", new Lstm(inputSize, hidden, layers, batchFirst: true, random: random)),
        "gru" => ("gru", new Gru(inputSize, hidden, layers, batchFirst: true, random: random)),
        "rnn" => ("rnn", new Rnn(inputSize, hidden, layers, batchFirst: true, random: random)),
        "rnn-relu" => ("rnn", new Rnn(inputSize, hidden, layers, RnnNonlinearity.Relu, batchFirst: true, random: random)),
        _ => throw new ArgumentException($"Unknown model '{name}'; valid models are {Valid}.", nameof(name)),
    };
}
