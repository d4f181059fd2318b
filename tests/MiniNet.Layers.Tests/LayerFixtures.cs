using System.Text.Json;
using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Layers;

namespace MiniNet.Layers.Tests;

/// <summary>One case of tests/fixtures/layers.json (written by tests/fixtures/generate.py from PyTorch).</summary>
public sealed record LayerCase(string Name, string Kind, JsonElement Raw)
{
    public override string ToString() => Name;

    public JsonElement Config => Raw.GetProperty("config");

    public string WeightsPath => LayerFixtures.PathOf(Raw.GetProperty("weightsFile").GetString()!);

    public Tensor Input(string name) => LayerFixtures.ReadTensor(Raw.GetProperty("inputs").GetProperty(name), requiresGrad: true);

    public bool HasInput(string name) => Raw.GetProperty("inputs").TryGetProperty(name, out _);

    public IEnumerable<(string Name, Tensor Expected)> Outputs() => Named("outputs");

    public Tensor Weight(string output) => LayerFixtures.ReadTensor(Raw.GetProperty("weights").GetProperty(output));

    public IEnumerable<(string Name, Tensor Expected)> Grads() => Named("grads");

    private IEnumerable<(string, Tensor)> Named(string key) =>
        Raw.GetProperty(key).EnumerateObject().Select(p => (p.Name, LayerFixtures.ReadTensor(p.Value))).ToArray();
}

public static class LayerFixtures
{
    private static readonly Lazy<Dictionary<string, LayerCase>> LoadedCases = new(Load);

    public static IReadOnlyDictionary<string, LayerCase> Cases => LoadedCases.Value;

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "fixtures", file);

    public static Tensor ReadTensor(JsonElement e, bool requiresGrad = false) => FixtureJson.ReadTensor(e, requiresGrad);

    /// <summary>Elementwise |actual − expected| ≤ atol + rtol·|expected|, with a message naming the element.</summary>
    public static void AssertClose(Tensor actual, Tensor expected, float rtol, float atol, string what) => Close.Assert(actual, expected, rtol, atol, what);

    private static Dictionary<string, LayerCase> Load()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(PathOf("layers.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => new LayerCase(c.GetProperty("name").GetString()!, c.GetProperty("kind").GetString()!, c.Clone()))
            .ToDictionary(c => c.Name);
    }
}
