using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Kernels;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>
/// The fused LSTM, GRU and RNN compute the same bits at every vector width — 512, 256 and 128 — on every machine (.NET
/// emulates the widths the CPU lacks), forward and backward; and a NaN reaches the output at each of them.
/// </summary>
public sealed class FusedWidthTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(37)]
    public void Lstm_layer_gives_the_same_bits_at_every_width(int hidden)
    {
        float[][] reference = At(512, () => RunLstm(hidden));
        At(256, () => RunLstm(hidden)).Should().BeEquivalentTo(reference, o => o.WithStrictOrdering(), "the 256-bit lanes evaluate the same formula");
        At(128, () => RunLstm(hidden)).Should().BeEquivalentTo(reference, o => o.WithStrictOrdering(), "so do the 128-bit ones");
    }

    [Theory]
    [InlineData(false, 37)]
    [InlineData(true, 37)]
    [InlineData(false, 64)]
    public void Rnn_layer_gives_the_same_bits_at_every_width(bool relu, int hidden)
    {
        float[][] reference = At(512, () => RunRnn(hidden, relu));
        At(256, () => RunRnn(hidden, relu)).Should().BeEquivalentTo(reference, o => o.WithStrictOrdering());
        At(128, () => RunRnn(hidden, relu)).Should().BeEquivalentTo(reference, o => o.WithStrictOrdering());
    }

    [Theory]
    [InlineData(5)]
    [InlineData(37)]
    public void Gru_layer_gives_the_same_bits_at_every_width(int hidden)
    {
        float[][] reference = At(512, () => RunGru(hidden));
        At(256, () => RunGru(hidden)).Should().BeEquivalentTo(reference, o => o.WithStrictOrdering());
        At(128, () => RunGru(hidden)).Should().BeEquivalentTo(reference, o => o.WithStrictOrdering());
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    public void A_NaN_in_the_input_reaches_the_output_at_every_width(int bits)
    {
        Tensor weightIh = Tensor.RandomNormal([4 * 20, 4], seed: 2), weightHh = Tensor.RandomNormal([4 * 20, 20], seed: 3);
        LstmSequenceResult result = At(bits, () => FusedLstm.Run(NaNInFirstRow(), weightIh, weightHh, null, null, null, null, batchFirst: true));
        AssertOnlyFirstRowIsNaN(result.HN, "");
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    public void A_NaN_comes_through_a_relu_rnn_and_a_tanh_clamp_at_every_width(int bits)
    {
        // Both are native min/max (vmaxps returns its second operand when either is NaN), the value on the NaN-keeping side.
        Tensor weightIh = Tensor.RandomNormal([20, 4], seed: 2), weightHh = Tensor.RandomNormal([20, 20], seed: 3);
        foreach (bool relu in new[] { true, false })
        {
            (_, Tensor hn) = At(bits, () => FusedRnn.Run(NaNInFirstRow(), weightIh, weightHh, null, null, null, relu, batchFirst: true));
            AssertOnlyFirstRowIsNaN(hn, $" (relu: {relu})");
        }
    }

    /// <summary>An input [2 batch rows, 3 steps, 4 features] with one NaN in batch row 0.</summary>
    private static Tensor NaNInFirstRow()
    {
        float[] data = Tensor.RandomNormal([2, 3, 4], seed: 1).Data;
        data[5] = float.NaN;
        return Tensor.FromArray(data, [2, 3, 4]);
    }

    /// <summary>The final state of batch row 0 (20 units) is all NaN, row 1's all finite.</summary>
    private static void AssertOnlyFirstRowIsNaN(Tensor hn, string context)
    {
        hn.Data.Take(20).Should().OnlyContain(v => float.IsNaN(v), $"batch row 0 saw the NaN{context}");
        hn.Data.Skip(20).Should().OnlyContain(v => float.IsFinite(v), $"batch row 1 did not{context}");
    }

    private static T At<T>(int bits, Func<T> run)
    {
        using (KernelOptions.Use(KernelOptions.Default with { VectorBits = bits, Gemm = GemmBackendKind.Managed }))
        {
            return run();
        }
    }

    private static float[][] RunLstm(int hidden)
    {
        Tensor x = Tensor.RandomNormal([3, 6, 4], seed: 11, requiresGrad: true);
        Tensor weightIh = Tensor.RandomNormal([4 * hidden, 4], seed: 12, std: 0.5f, requiresGrad: true);
        Tensor weightHh = Tensor.RandomNormal([4 * hidden, hidden], seed: 13, std: 0.3f, requiresGrad: true);
        Tensor biasIh = Tensor.RandomNormal([4 * hidden], seed: 14, requiresGrad: true);
        Tensor biasHh = Tensor.RandomNormal([4 * hidden], seed: 15, requiresGrad: true);
        Tensor h0 = Tensor.RandomNormal([3, hidden], seed: 16, requiresGrad: true);
        Tensor c0 = Tensor.RandomNormal([3, hidden], seed: 17, requiresGrad: true);
        LstmSequenceResult result = FusedLstm.Run(x, weightIh, weightHh, biasIh, biasHh, h0, c0, batchFirst: true);
        (Weighted(result.Output, 1) + Weighted(result.HN, 2) + Weighted(result.CN, 3)).Backward();
        return [result.Output.Data, result.HN.Data, result.CN.Data,
            x.Grad!.Data, weightIh.Grad!.Data, weightHh.Grad!.Data, biasIh.Grad!.Data, biasHh.Grad!.Data, h0.Grad!.Data, c0.Grad!.Data];
    }

    private static float[][] RunRnn(int hidden, bool relu)
    {
        Tensor x = Tensor.RandomNormal([6, 3, 4], seed: 21, requiresGrad: true);
        Tensor weightIh = Tensor.RandomNormal([hidden, 4], seed: 22, std: 0.5f, requiresGrad: true);
        Tensor weightHh = Tensor.RandomNormal([hidden, hidden], seed: 23, std: 0.2f, requiresGrad: true);
        Tensor biasIh = Tensor.RandomNormal([hidden], seed: 24, requiresGrad: true);
        Tensor h0 = Tensor.RandomNormal([3, hidden], seed: 26, requiresGrad: true);
        (Tensor output, Tensor hn) = FusedRnn.Run(x, weightIh, weightHh, biasIh, null, h0, relu, batchFirst: false);
        (Weighted(output, 1) + Weighted(hn, 2)).Backward();
        return [output.Data, hn.Data, x.Grad!.Data, weightIh.Grad!.Data, weightHh.Grad!.Data, biasIh.Grad!.Data, h0.Grad!.Data];
    }

    private static float[][] RunGru(int hidden)
    {
        Tensor x = Tensor.RandomNormal([3, 6, 4], seed: 31, requiresGrad: true);
        Tensor weightIh = Tensor.RandomNormal([3 * hidden, 4], seed: 32, std: 0.5f, requiresGrad: true);
        Tensor weightHh = Tensor.RandomNormal([3 * hidden, hidden], seed: 33, std: 0.3f, requiresGrad: true);
        Tensor biasIh = Tensor.RandomNormal([3 * hidden], seed: 34, requiresGrad: true);
        Tensor biasHh = Tensor.RandomNormal([3 * hidden], seed: 35, requiresGrad: true);
        Tensor h0 = Tensor.RandomNormal([3, hidden], seed: 36, requiresGrad: true);
        (Tensor output, Tensor hn) = FusedGru.Run(x, weightIh, weightHh, biasIh, biasHh, h0, batchFirst: true);
        (Weighted(output, 1) + Weighted(hn, 2)).Backward();
        return [output.Data, hn.Data, x.Grad!.Data, weightIh.Grad!.Data, weightHh.Grad!.Data, biasIh.Grad!.Data, biasHh.Grad!.Data, h0.Grad!.Data];
    }

    private static Tensor Weighted(Tensor t, int seed) => (t * Tensor.RandomUniform(t.Shape, seed: seed, low: -1f, high: 1f)).Sum();
}
