using System.Text.Json;
using MiniNet.Autograd;

namespace MiniNet.Autograd.Tests;

/// <summary>One case of tests/fixtures/autograd_ops.json, written by tests/fixtures/generate.py from PyTorch.</summary>
public sealed record OpCase(string Name, string Op, JsonElement Params, Tensor[] Inputs, Tensor Output, Tensor Weight, Tensor[] Grads)
{
    public override string ToString() => Name;
}

/// <summary>Loads the PyTorch fixtures and maps each fixture op name to MiniNet's op.</summary>
public static class Fixtures
{
    private static readonly Lazy<IReadOnlyDictionary<string, OpCase>> LoadedCases = new(Load);

    public static IReadOnlyDictionary<string, OpCase> Cases => LoadedCases.Value;

    public static OpCase Get(string name) => Cases[name];

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "fixtures", file);

    /// <summary>Fresh copies of a case's inputs that require gradients.</summary>
    public static Tensor[] FreshInputs(OpCase c) =>
        c.Inputs.Select(x => Tensor.FromArray(x.Data, x.Shape, requiresGrad: true)).ToArray();

    /// <summary>Applies the case's op to <paramref name="x"/> the MiniNet way.</summary>
    public static Tensor Apply(OpCase c, Tensor[] x)
    {
        JsonElement p = c.Params;
        int Int(string key) => p.GetProperty(key).GetInt32();
        bool Bool(string key) => p.GetProperty(key).GetBoolean();
        float Float(string key) => p.GetProperty(key).GetSingle();
        int[] Ints(string key) => p.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();

        return c.Op switch
        {
            "add" => x[0] + x[1],
            "sub" => x[0] - x[1],
            "mul" => x[0] * x[1],
            "div" => x[0] / x[1],
            "pow" => x[0].Pow(x[1]),
            "pow_scalar" => x[0].Pow(Float("exponent")),
            "neg" => -x[0],
            "exp" => x[0].Exp(),
            "log" => x[0].Log(),
            "sqrt" => x[0].Sqrt(),
            "abs" => x[0].Abs(),
            "clamp" => x[0].Clamp(Float("min"), Float("max")),
            "tanh" => x[0].Tanh(),
            "sigmoid" => x[0].Sigmoid(),
            "relu" => x[0].Relu(),
            "softplus" => x[0].Softplus(),
            "linear" => Tensor.Linear(x[0], x[1], x.Length > 2 ? x[2] : null),
            "softmax_cross_entropy" => Tensor.SoftmaxCrossEntropy(x[0], Ints("targets"), Int("ignoreIndex")),
            "softmax" => x[0].Softmax(Int("axis")),
            "log_softmax" => x[0].LogSoftmax(Int("axis")),
            "sum_all" => x[0].Sum(),
            "sum_axis" => x[0].Sum(Int("axis"), Bool("keepDim")),
            "mean_all" => x[0].Mean(),
            "mean_axis" => x[0].Mean(Int("axis"), Bool("keepDim")),
            "max_all" => x[0].Max(),
            "max_axis" => x[0].Max(Int("axis"), Bool("keepDim")),
            "matmul" => x[0].MatMul(x[1]),
            "reshape" => x[0].Reshape(Ints("shape")),
            "transpose" => x[0].Transpose(Int("axis0"), Int("axis1")),
            "permute" => x[0].Permute(Ints("axes")),
            "concat" => Tensor.Concat(x, Int("axis")),
            "stack" => Tensor.Stack(x, Int("axis")),
            "slice" => x[0].Slice(Int("axis"), Int("start"), Int("end")),
            "select" => x[0].Select(Int("axis"), Int("index")),
            "index_select" => x[0].IndexSelect(Int("axis"), Ints("indices")),
            "gather" => x[0].Gather(Int("axis"), Ints("index"), Ints("indexShape")),
            _ => throw new InvalidOperationException($"Fixture op '{c.Op}' has no MiniNet mapping; add it to Fixtures.Apply."),
        };
    }

    private static Dictionary<string, OpCase> Load()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(PathOf("autograd_ops.json")));
        var cases = new Dictionary<string, OpCase>();
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            cases[name] = new OpCase(
                name,
                c.GetProperty("op").GetString()!,
                c.GetProperty("params").Clone(),
                c.GetProperty("inputs").EnumerateArray().Select(ReadTensor).ToArray(),
                ReadTensor(c.GetProperty("output")),
                ReadTensor(c.GetProperty("weight")),
                c.GetProperty("grads").EnumerateArray().Select(ReadTensor).ToArray());
        }

        return cases;
    }

    public static Tensor ReadTensor(JsonElement e) => FixtureJson.ReadTensor(e);
}
