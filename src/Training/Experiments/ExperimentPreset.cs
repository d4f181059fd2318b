namespace MiniNet.Training;

/// <summary>
/// A named experiment that reproduces the shape of a published result, in a full form (at most 15 minutes on 2 cores) and a
/// <c>--quick</c> form (at most 2 minutes). <c>docs/experiments.md</c> sets each beside the paper's figures.
/// </summary>
/// <param name="Name">The preset's name (<c>--preset NAME</c>).</param>
/// <param name="Description">What it shows, in a sentence.</param>
/// <param name="Full">The full grid: setting → comma list.</param>
/// <param name="Quick">The quick grid.</param>
public sealed record ExperimentPreset(string Name, string Description, IReadOnlyDictionary<string, string> Full, IReadOnlyDictionary<string, string> Quick)
{
    /// <summary>The presets.</summary>
    public static IReadOnlyList<ExperimentPreset> All { get; } =
    [
        Define("pascanu-temporal-order",
            "A tanh RNN trained by plain SGD on the temporal order problem, unclipped and with global-norm clipping, as the sequence grows (Pascanu et al. 2013, Fig. 7).",
            [("task", "temporal-order"), ("model", "rnn"), ("hidden", "32"), ("batch", "32"), ("optimizer", "sgd"), ("lr", "0.1"), ("clip", "none,global-norm:1"), ("eval-batch", "200")],
            full: [("seq-len", "10,15,20,25"), ("steps", "6000"), ("eval-every", "100"), ("seeds", "1-10")],
            quick: [("seq-len", "10,20"), ("steps", "4000"), ("eval-every", "100"), ("seeds", "1-3")]),
        Define("pascanu-adding",
            "An LSTM trained by plain SGD at a rate where its gradients explode, unclipped and with global-norm clipping, as the adding problem's sequence grows.",
            [("task", "adding"), ("model", "lstm"), ("hidden", "64"), ("batch", "64"), ("optimizer", "sgd"), ("lr", "1"), ("clip", "none,global-norm:0.1"), ("eval-every", "100"), ("eval-batch", "200")],
            full: [("seq-len", "10,20,40,80"), ("steps", "5000"), ("seeds", "1-6")],
            quick: [("seq-len", "10,20"), ("steps", "3500"), ("seeds", "1-2")]),
        Define("threshold-lr",
            "The clipping threshold against the learning rate for a tanh RNN on temporal order at T = 20: the seed paper's advice to tune the threshold with the rate, made visible.",
            [("task", "temporal-order"), ("model", "rnn"), ("hidden", "32"), ("batch", "32"), ("optimizer", "sgd"), ("seq-len", "20"), ("eval-every", "100"), ("eval-batch", "200")],
            full: [("lr", "0.03,0.1,0.3,1"), ("clip", "none,global-norm:10,global-norm:1,global-norm:0.1"), ("steps", "4000"), ("seeds", "1-8")],
            quick: [("lr", "0.1,1"), ("clip", "none,global-norm:1"), ("steps", "3000"), ("seeds", "1-2")]),
        Define("rnn-vs-lstm",
            "A tanh RNN against an LSTM, both with Adam and global-norm clipping, on the adding problem as the sequence grows (Hochreiter & Schmidhuber 1997).",
            [("task", "adding"), ("model", "rnn,lstm"), ("hidden", "32"), ("batch", "32"), ("optimizer", "adam"), ("lr", "0.01"), ("clip", "global-norm:1"), ("eval-every", "100"), ("eval-batch", "200")],
            full: [("seq-len", "10,25,50,100"), ("steps", "3000"), ("seeds", "1-6")],
            quick: [("seq-len", "20,50"), ("steps", "1500"), ("seeds", "1-2")]),
    ];

    /// <summary>The preset called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such preset; the message lists them.</exception>
    public static ExperimentPreset Named(string name) => All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"Unknown preset '{name}'; the presets are {string.Join(", ", All.Select(p => p.Name))}.");

    /// <summary>A preset from the settings both forms share and what each form adds.</summary>
    private static ExperimentPreset Define(string name, string description, (string Key, string Values)[] common, (string Key, string Values)[] full, (string Key, string Values)[] quick) =>
        new(name, description, Grid([.. common, .. full]), Grid([.. common, .. quick]));

    private static Dictionary<string, string> Grid((string Key, string Values)[] settings) => settings.ToDictionary(s => s.Key, s => s.Values, StringComparer.Ordinal);
}
