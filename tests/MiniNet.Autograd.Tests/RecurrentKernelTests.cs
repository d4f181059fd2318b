using System.Runtime.Intrinsics;
using FluentAssertions;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Autograd.Tests;

/// <summary>The rational tanh and σ of the fused recurrent kernels, against double precision.</summary>
public sealed class FastActivationTests
{
    [Fact]
    public void Tanh_and_sigmoid_are_within_4e_7_of_double_precision_everywhere()
    {
        double worstTanh = 0, worstSigmoid = 0;
        for (int i = -400_000; i <= 400_000; i += 16)
        {
            float[] x = new float[16];
            for (int lane = 0; lane < 16; lane++)
            {
                x[lane] = (i + lane) * 5e-5f; // [−20, 20] in steps of 5e−5
            }

            Vector512<float> v = Vector512.Create(x);
            Vector512<float> tanh = FastActivations.Tanh(v), sigmoid = FastActivations.Sigmoid(v);
            for (int lane = 0; lane < 16; lane++)
            {
                double exactTanh = Math.Tanh(x[lane]), exactSigmoid = 1 / (1 + Math.Exp(-x[lane]));
                worstTanh = Math.Max(worstTanh, Math.Abs(tanh[lane] - exactTanh));
                worstSigmoid = Math.Max(worstSigmoid, Math.Abs(sigmoid[lane] - exactSigmoid));
                FastActivations.Tanh(x[lane]).Should().Be(tanh[lane], "the scalar tail computes what the vector lanes do");
            }
        }

        worstTanh.Should().BeLessThan(4e-7);
        worstSigmoid.Should().BeLessThan(2e-7);
    }

    [Fact]
    public void Saturate_at_infinity_and_propagate_NaN()
    {
        Vector512<float> special = Vector512.Create(new float[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f, 1e30f, -1e30f, 9f, -9f, 0, 0, 0, 0, 0, 0, 0, 0 });
        Vector512<float> tanh = FastActivations.Tanh(special), sigmoid = FastActivations.Sigmoid(special);
        (tanh[0], tanh[1], tanh[3], tanh[4], tanh[5]).Should().Be((1f, -1f, 0f, 1f, -1f));
        (sigmoid[0], sigmoid[1], sigmoid[3]).Should().Be((1f, 0f, 0.5f));
        float.IsNaN(tanh[2]).Should().BeTrue("a diverged pre-activation must stay visible as NaN, not be clamped to ±1");
        float.IsNaN(sigmoid[2]).Should().BeTrue();
        float.IsNaN(FastActivations.Tanh(float.NaN)).Should().BeTrue();
        float.IsNaN(FastActivations.Sigmoid(float.NaN)).Should().BeTrue();
        FastActivations.Sigmoid(float.NegativeInfinity).Should().Be(0f);
    }
}

/// <summary>
/// The fused LSTM and RNN give the same outputs and gradients with the 512-bit kernels and with the portable
/// TensorPrimitives path, so both are covered on any machine that has AVX-512.
/// </summary>
/// <remarks>Switching <see cref="FastActivations.Enabled"/> is process-wide, so this class runs alone.</remarks>
[Collection(MemoryMeasurements.Name)]
public sealed class RecurrentKernelPathTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(37)]
    public void Lstm_sequence_is_the_same_on_the_wide_and_the_portable_path(int hidden)
    {
        (float[][] wide, float[][] portable) = (RunLstm(hidden, wide: true), RunLstm(hidden, wide: false));
        AssertSame(wide, portable, hidden);
    }

    [Theory]
    [InlineData(false, 37)]
    [InlineData(true, 37)]
    public void Rnn_sequence_is_the_same_on_the_wide_and_the_portable_path(bool relu, int hidden)
    {
        (float[][] wide, float[][] portable) = (RunRnn(hidden, relu, wide: true), RunRnn(hidden, relu, wide: false));
        AssertSame(wide, portable, hidden);
    }

    [Fact]
    public void A_NaN_in_the_input_reaches_the_output_on_both_paths()
    {
        foreach (bool wide in new[] { true, false })
        {
            WithPath(wide, () =>
            {
                float[] data = Tensor.RandomNormal([2, 3, 4], seed: 1).Data;
                data[5] = float.NaN;
                Tensor x = Tensor.FromArray(data, [2, 3, 4]);
                Tensor weightIh = Tensor.RandomNormal([4 * 20, 4], seed: 2), weightHh = Tensor.RandomNormal([4 * 20, 20], seed: 3);
                LstmSequenceResult result = Tensor.LstmSequence(x, weightIh, weightHh, null, null, null, null, batchFirst: true);
                result.HN.Data.Take(20).Should().OnlyContain(v => float.IsNaN(v), $"batch row 0 saw the NaN (wide: {wide})");
                result.HN.Data.Skip(20).Should().OnlyContain(v => float.IsFinite(v), "batch row 1 did not");
            });
        }
    }

    private static float[][] RunLstm(int hidden, bool wide)
    {
        float[][] results = [];
        WithPath(wide, () =>
        {
            Tensor x = Tensor.RandomNormal([3, 6, 4], seed: 11, requiresGrad: true);
            Tensor weightIh = Tensor.RandomNormal([4 * hidden, 4], seed: 12, std: 0.5f, requiresGrad: true);
            Tensor weightHh = Tensor.RandomNormal([4 * hidden, hidden], seed: 13, std: 0.3f, requiresGrad: true);
            Tensor biasIh = Tensor.RandomNormal([4 * hidden], seed: 14, requiresGrad: true);
            Tensor biasHh = Tensor.RandomNormal([4 * hidden], seed: 15, requiresGrad: true);
            Tensor h0 = Tensor.RandomNormal([3, hidden], seed: 16, requiresGrad: true);
            Tensor c0 = Tensor.RandomNormal([3, hidden], seed: 17, requiresGrad: true);
            LstmSequenceResult result = Tensor.LstmSequence(x, weightIh, weightHh, biasIh, biasHh, h0, c0, batchFirst: true);
            (Weighted(result.Output, 1) + Weighted(result.HN, 2) + Weighted(result.CN, 3)).Backward();
            results = [result.Output.Data, result.HN.Data, result.CN.Data,
                x.Grad!.Data, weightIh.Grad!.Data, weightHh.Grad!.Data, biasIh.Grad!.Data, biasHh.Grad!.Data, h0.Grad!.Data, c0.Grad!.Data];
        });
        return results;
    }

    private static float[][] RunRnn(int hidden, bool relu, bool wide)
    {
        float[][] results = [];
        WithPath(wide, () =>
        {
            Tensor x = Tensor.RandomNormal([6, 3, 4], seed: 21, requiresGrad: true);
            Tensor weightIh = Tensor.RandomNormal([hidden, 4], seed: 22, std: 0.5f, requiresGrad: true);
            Tensor weightHh = Tensor.RandomNormal([hidden, hidden], seed: 23, std: 0.2f, requiresGrad: true);
            Tensor biasIh = Tensor.RandomNormal([hidden], seed: 24, requiresGrad: true);
            Tensor h0 = Tensor.RandomNormal([3, hidden], seed: 26, requiresGrad: true);
            (Tensor output, Tensor hn) = Tensor.RnnSequence(x, weightIh, weightHh, biasIh, null, h0, relu, batchFirst: false);
            (Weighted(output, 1) + Weighted(hn, 2)).Backward();
            results = [output.Data, hn.Data, x.Grad!.Data, weightIh.Grad!.Data, weightHh.Grad!.Data, biasIh.Grad!.Data, h0.Grad!.Data];
        });
        return results;
    }

    private static Tensor Weighted(Tensor t, int seed) => (t * Tensor.RandomUniform(t.Shape, seed: seed, low: -1f, high: 1f)).Sum();

    private static void AssertSame(float[][] wide, float[][] portable, int hidden)
    {
        for (int r = 0; r < wide.Length; r++)
        {
            for (int i = 0; i < wide[r].Length; i++)
            {
                Math.Abs(wide[r][i] - portable[r][i]).Should().BeLessThanOrEqualTo(2e-5f * (1 + Math.Abs(portable[r][i])),
                    $"result {r}, element {i}, hidden {hidden}");
            }
        }
    }

    private static void WithPath(bool wide, Action action)
    {
        if (wide && !Vector512.IsHardwareAccelerated)
        {
            wide = false; // without AVX-512 both runs take the portable path, and the comparison still holds
        }

        bool previous = FastActivations.Enabled;
        FastActivations.Enabled = wide;
        try
        {
            action();
        }
        finally
        {
            FastActivations.Enabled = previous;
        }
    }
}
