using System.Text.Json;
using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Layers;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>
/// Every layer against PyTorch: PyTorch's state_dict (a safetensors file it wrote) is loaded into the MiniNet
/// layer, the same input gives the same outputs (1e-5 relative), and after backward of Σ output ⊙ w every
/// parameter's and input's gradient matches (1e-4 relative).
/// </summary>
public sealed class LayerFixtureTests
{
    public static TheoryData<string> LayerCases()
    {
        var data = new TheoryData<string>();
        foreach (LayerCase c in LayerFixtures.Cases.Values.Where(c => c.Kind != "loss"))
        {
            data.Add(c.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void Layer_matches_PyTorch_outputs_and_gradients(string name) => MatchesPyTorch(name, fused: true);

    public static TheoryData<string> RecurrentLayerCases() =>
        [.. LayerFixtures.Cases.Values.Where(c => c.Kind is "rnn" or "lstm" or "gru").Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(RecurrentLayerCases))]
    public void The_composite_recurrent_path_matches_PyTorch_too(string name) => MatchesPyTorch(name, fused: false);

    private static void MatchesPyTorch(string name, bool fused)
    {
        LayerCase c = LayerFixtures.Cases[name];
        (Module module, Dictionary<string, Tensor> inputs, Dictionary<string, Tensor> outputs) = Run(c, fused);

        Tensor loss = Tensor.Scalar(0f);
        foreach ((string output, Tensor expected) in c.Outputs())
        {
            LayerFixtures.AssertClose(outputs[output], expected, rtol: 1e-5f, atol: 1e-6f, $"{name} {output}");
            loss = loss + (outputs[output] * c.Weight(output)).Sum();
        }

        loss.Backward();
        var parameters = module.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach ((string gradName, Tensor expected) in c.Grads())
        {
            Tensor owner = gradName.StartsWith("input.", StringComparison.Ordinal) ? inputs[gradName["input.".Length..]] : parameters[gradName];
            owner.Grad.Should().NotBeNull($"{name}: {gradName} takes part in the loss");
            LayerFixtures.AssertClose(owner.Grad!, expected, rtol: 1e-4f, atol: 1e-6f, $"{name} gradient of {gradName}");
        }

        parameters.Keys.Should().BeEquivalentTo(c.Grads().Select(g => g.Name).Where(n => !n.StartsWith("input.", StringComparison.Ordinal)),
            "MiniNet's parameter names must be PyTorch's state_dict names");
    }

    /// <summary>Builds the MiniNet module of a case, loads PyTorch's weights, runs it.</summary>
    internal static (Module Module, Dictionary<string, Tensor> Inputs, Dictionary<string, Tensor> Outputs) Run(LayerCase c, bool fused = true)
    {
        JsonElement cfg = c.Config;
        int Int(string key) => cfg.GetProperty(key).GetInt32();
        bool Bool(string key) => cfg.GetProperty(key).GetBoolean();
        var inputs = new Dictionary<string, Tensor>();
        Tensor In(string key) => inputs[key] = c.Input(key);
        Tensor? Optional(string key) => c.HasInput(key) ? In(key) : null;
        bool Bidirectional() => cfg.TryGetProperty("bidirectional", out JsonElement b) && b.GetBoolean();
        RnnNonlinearity Nonlinearity() => cfg.GetProperty("nonlinearity").GetString() == "relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh;

        Module module = c.Kind switch
        {
            "linear" => new Linear(Int("in"), Int("out"), Bool("bias")),
            "sequential_mlp" => new Sequential(new Linear(Int("in"), Int("hidden")), new Tanh(), new Linear(Int("hidden"), Int("out"))),
            "embedding" => new Embedding(Int("num"), Int("dim"), paddingIdx: cfg.TryGetProperty("paddingIdx", out JsonElement pad) ? pad.GetInt32() : null),
            "rnn" => new Rnn(Int("input"), Int("hidden"), Int("layers"), Nonlinearity(), batchFirst: Bool("batchFirst"), bidirectional: Bidirectional()),
            "lstm" => new Lstm(Int("input"), Int("hidden"), Int("layers"), batchFirst: Bool("batchFirst"), bidirectional: Bidirectional()),
            "rnn_cell" => new RnnCell(Int("input"), Int("hidden"), nonlinearity: Nonlinearity()),
            "lstm_cell" => new LstmCell(Int("input"), Int("hidden")),
            "gru" => new Gru(Int("input"), Int("hidden"), Int("layers"), batchFirst: Bool("batchFirst"), bidirectional: Bidirectional()),
            "gru_cell" => new GruCell(Int("input"), Int("hidden")),
            _ => throw new InvalidOperationException($"No MiniNet layer for fixture kind '{c.Kind}'."),
        };
        StateDict.Load(module, c.WeightsPath);
        if (module is RecurrentLayer recurrent)
        {
            recurrent.Fused = fused;
        }

        var outputs = new Dictionary<string, Tensor>();
        switch (module)
        {
            case Embedding embedding:
                int[] tokens = cfg.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
                int[] shape = cfg.GetProperty("tokenShape").EnumerateArray().Select(t => t.GetInt32()).ToArray();
                outputs["output"] = embedding.Forward(tokens, shape);
                break;
            case Rnn rnn:
                RnnOutput r = rnn.Forward(In("x"), Optional("h0"));
                outputs["output"] = r.Output;
                outputs["hn"] = r.HN;
                break;
            case Gru gru:
                RnnOutput g = gru.Forward(In("x"), Optional("h0"));
                outputs["output"] = g.Output;
                outputs["hn"] = g.HN;
                break;
            case Lstm lstm:
                Tensor x = In("x");
                LstmState? state = c.HasInput("h0") ? new LstmState(In("h0"), In("c0")) : null;
                LstmOutput o = lstm.Forward(x, state);
                outputs["output"] = o.Output;
                outputs["hn"] = o.HN;
                outputs["cn"] = o.CN;
                break;
            case RnnCell cell:
                outputs["output"] = cell.Forward(In("x"), In("h"));
                break;
            case GruCell cell:
                outputs["output"] = cell.Forward(In("x"), In("h"));
                break;
            case LstmCell cell:
                LstmState next = cell.Forward(In("x"), new LstmState(In("h"), In("c")));
                outputs["output"] = next.H;
                outputs["cn"] = next.C;
                break;
            case ILayer layer:
                outputs["output"] = layer.Forward(In("x"));
                break;
        }

        return (module, inputs, outputs);
    }
}
