using System.Text.Json;
using MiniNet.Autograd;
using MiniNet.Optimizers;

namespace MiniNet.Optimizers.Tests;

/// <summary>tests/fixtures/optimizers.json (from tests/fixtures/generate.py) and the MiniNet optimizer for each case.</summary>
public static class OptimizerFixtures
{
    private static readonly Lazy<Dictionary<string, JsonElement>> LoadedCases = new(() =>
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "optimizers.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    });

    public static IReadOnlyDictionary<string, JsonElement> Cases => LoadedCases.Value;

    public static IEnumerable<string> Names(string kind) => Cases.Where(c => c.Value.GetProperty("kind").GetString() == kind).Select(c => c.Key);

    public static Tensor ReadTensor(JsonElement e, bool requiresGrad = false) => FixtureJson.ReadTensor(e, requiresGrad);

    /// <summary>The case's two parameters, named p0 and p1.</summary>
    public static Tensor[] Parameters(JsonElement c) => c.GetProperty("initial").EnumerateArray()
        .Select((e, i) =>
        {
            Tensor p = ReadTensor(e, requiresGrad: true);
            p.Name = $"p{i}";
            return p;
        })
        .ToArray();

    /// <summary>Builds the case's optimizer from its PyTorch keyword arguments.</summary>
    public static Optimizer Create(JsonElement c, Tensor[] parameters)
    {
        JsonElement o = c.GetProperty("options");
        float F(string key, float fallback) => o.TryGetProperty(key, out JsonElement v) ? v.GetSingle() : fallback;
        bool B(string key) => o.TryGetProperty(key, out JsonElement v) && v.GetBoolean();
        float Beta(int i, float fallback) => o.TryGetProperty("betas", out JsonElement v) ? v[i].GetSingle() : fallback;

        IEnumerable<ParameterGroup> groups = o.TryGetProperty("groups", out JsonElement g)
            ? g.EnumerateArray().Select((group, i) =>
            {
                float? Get(string key) => group.TryGetProperty(key, out JsonElement v) ? v.GetSingle() : null;
                float? Beta(int index) => group.TryGetProperty("betas", out JsonElement betas) ? betas[index].GetSingle() : null;
                bool? Flag(string key) => group.TryGetProperty(key, out JsonElement v) ? v.GetBoolean() : null;
                return new ParameterGroup([parameters[i]], Get("lr"), Get("weight_decay"), Get("momentum"), Get("dampening"), Beta(0), Beta(1), Get("eps"), Get("alpha"),
                    Flag("nesterov"), Flag("amsgrad"), Flag("centered"), Get("lr_decay"), Flag("maximize"));
            }).ToArray()
            : [new ParameterGroup(parameters)];

        return c.GetProperty("optimizer").GetString() switch
        {
            "SGD" => new Sgd(groups, F("lr", 1e-3f), F("momentum", 0f), F("dampening", 0f), F("weight_decay", 0f), B("nesterov")) { Maximize = B("maximize") },
            "Adam" => new Adam(groups, F("lr", 1e-3f), Beta(0, 0.9f), Beta(1, 0.999f), F("eps", 1e-8f), F("weight_decay", 0f), B("amsgrad")) { Maximize = B("maximize") },
            "AdamW" => new AdamW(groups, F("lr", 1e-3f), Beta(0, 0.9f), Beta(1, 0.999f), F("eps", 1e-8f), F("weight_decay", 1e-2f), B("amsgrad")) { Maximize = B("maximize") },
            "RMSprop" => new RmsProp(groups, F("lr", 1e-2f), F("alpha", 0.99f), F("eps", 1e-8f), F("weight_decay", 0f), F("momentum", 0f), B("centered")) { Maximize = B("maximize") },
            "Adagrad" => new Adagrad(groups, F("lr", 1e-2f), F("lr_decay", 0f), F("weight_decay", 0f), F("initial_accumulator_value", 0f), F("eps", 1e-10f)) { Maximize = B("maximize") },
            var other => throw new InvalidOperationException($"No MiniNet optimizer for '{other}'."),
        };
    }

    /// <summary>Sets each parameter's gradient to a ⊙ p − b, in float32 as the fixture did.</summary>
    public static void SetGradients(Tensor[] parameters, Tensor[] a, Tensor[] b)
    {
        for (int k = 0; k < parameters.Length; k++)
        {
            var g = new float[parameters[k].Length];
            for (int i = 0; i < g.Length; i++)
            {
                float product = a[k].Data[i] * parameters[k].Data[i];
                g[i] = product - b[k].Data[i];
            }

            parameters[k].Grad = Tensor.FromArray(g, parameters[k].Shape);
        }
    }
}
