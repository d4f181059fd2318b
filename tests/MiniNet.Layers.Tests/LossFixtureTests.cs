using System.Text.Json;
using MiniNet.Autograd;
using MiniNet.Layers;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>Every loss and reduction against PyTorch's functional losses, values and gradients.</summary>
public sealed class LossFixtureTests
{
    public static TheoryData<string> LossCases()
    {
        var data = new TheoryData<string>();
        foreach (LayerCase c in LayerFixtures.Cases.Values.Where(c => c.Kind == "loss"))
        {
            data.Add(c.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LossCases))]
    public void Loss_matches_PyTorch_value_and_gradient(string name)
    {
        LayerCase c = LayerFixtures.Cases[name];
        JsonElement p = c.Raw.GetProperty("params");
        Reduction reduction = p.GetProperty("reduction").GetString() switch
        {
            "mean" => Reduction.Mean,
            "sum" => Reduction.Sum,
            _ => Reduction.None,
        };
        Tensor prediction = LayerFixtures.ReadTensor(c.Raw.GetProperty("prediction"), requiresGrad: true);
        JsonElement target = c.Raw.GetProperty("target");

        Tensor loss = c.Raw.GetProperty("loss").GetString() switch
        {
            "mse" => Losses.Mse(prediction, LayerFixtures.ReadTensor(target), reduction),
            "l1" => Losses.L1(prediction, LayerFixtures.ReadTensor(target), reduction),
            "bce_logits" => Losses.BinaryCrossEntropyWithLogits(prediction, LayerFixtures.ReadTensor(target), reduction),
            "cross_entropy" => Losses.CrossEntropy(prediction, target.EnumerateArray().Select(t => t.GetInt32()).ToArray(),
                p.GetProperty("ignoreIndex").GetInt32(), reduction,
                p.TryGetProperty("weight", out JsonElement w) ? [.. w.EnumerateArray().Select(v => v.GetSingle())] : null,
                p.TryGetProperty("labelSmoothing", out JsonElement ls) ? ls.GetSingle() : 0f),
            var other => throw new InvalidOperationException($"No MiniNet loss for '{other}'."),
        };

        Tensor expected = c.Outputs().Single().Expected;
        LayerFixtures.AssertClose(loss, expected, rtol: 1e-5f, atol: 1e-6f, $"{name} value");
        (loss * c.Weight("output")).Sum().Backward();
        LayerFixtures.AssertClose(prediction.Grad!, c.Grads().Single().Expected, rtol: 1e-4f, atol: 1e-6f, $"{name} gradient");
    }
}
