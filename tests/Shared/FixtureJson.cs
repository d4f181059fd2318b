using System.Text.Json;
using MiniNet.Autograd;

namespace MiniNet.Tests;

/// <summary>Reads the tensors tests/fixtures/generate.py writes: {"shape": [...], "data": [...]}, non-finite values as "nan", "inf", "-inf".</summary>
public static class FixtureJson
{
    public static Tensor ReadTensor(JsonElement e, bool requiresGrad = false) => Tensor.FromArray(
        e.GetProperty("data").EnumerateArray().Select(Number).ToArray(),
        e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
        requiresGrad);

    public static float Number(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? e.GetString() switch { "nan" => float.NaN, "inf" => float.PositiveInfinity, "-inf" => float.NegativeInfinity, var s => throw new FormatException($"'{s}' is not a fixture number.") }
        : e.GetSingle();
}
