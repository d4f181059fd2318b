using System.Globalization;
using System.Text.Json;
using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Clipping;
using Xunit;

namespace MiniNet.Clipping.Tests;

/// <summary>Parity with torch.nn.utils.clip_grad_norm_ and clip_grad_value_ (tests/fixtures/generate.py), within 1e-6 relative.</summary>
public sealed class ClipFixtureTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> LoadedCases = new(() =>
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "clipping.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    });

    public static TheoryData<string> Cases() => new(LoadedCases.Value.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Clipping_matches_PyTorch(string name)
    {
        JsonElement c = LoadedCases.Value[name];
        Tensor[] parameters = c.GetProperty("grads").EnumerateArray().Select((g, i) =>
        {
            Tensor grad = Read(g);
            Tensor p = Tensor.Zeros(grad.Shape, requiresGrad: true);
            p.Name = $"p{i}";
            p.Grad = grad;
            return p;
        }).ToArray();
        float threshold = c.GetProperty("threshold").GetSingle();

        ClipReport report;
        if (c.GetProperty("function").GetString() == "norm")
        {
            JsonElement normType = c.GetProperty("normType");
            float p = normType.ValueKind == JsonValueKind.String ? float.PositiveInfinity : normType.GetSingle();
            report = new ClipByGlobalNorm(threshold, p).Clip(parameters);
            AssertSame(report.TotalNormBefore, FixtureJson.Number(c.GetProperty("totalNorm")), $"{name}: total norm");
        }
        else
        {
            report = new ClipByValue(threshold).Clip(parameters);
        }

        Tensor[] expected = c.GetProperty("clipped").EnumerateArray().Select(Read).ToArray();
        for (int k = 0; k < parameters.Length; k++)
        {
            for (int i = 0; i < expected[k].Length; i++)
            {
                AssertSame(parameters[k].Grad!.Data[i], expected[k].Data[i], $"{name}: p{k}[{i}] after clipping");
            }
        }

        report.PerParameter.Select(e => e.Name).Should().Equal("p0", "p1", "p2");
    }

    private static void AssertSame(float actual, float expected, string what)
    {
        bool same = float.IsNaN(expected) ? float.IsNaN(actual)
            : float.IsInfinity(expected) ? actual == expected
            : MathF.Abs(actual - expected) <= 1e-7f + (1e-6f * MathF.Abs(expected));
        if (!same)
        {
            throw new Xunit.Sdk.XunitException($"{what} is {actual:G9}, PyTorch has {expected:G9}.");
        }
    }

    private static Tensor Read(JsonElement e) => FixtureJson.ReadTensor(e);
}
