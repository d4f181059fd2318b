using FluentAssertions;
using Xunit;

namespace MiniNet.Kernels.Tests;

/// <summary>The rational tanh and σ of the fused recurrent cells, against double precision, at every width.</summary>
public sealed class FastActivationsTests
{
    [Fact]
    public void Tanh_and_sigmoid_are_within_4e_7_of_double_precision_everywhere()
    {
        double worstTanh = 0, worstSigmoid = 0;
        for (int i = -400_000; i <= 400_000; i++)
        {
            float x = i * 5e-5f; // [−20, 20] in steps of 5e−5
            worstTanh = Math.Max(worstTanh, Math.Abs(FastActivations.Tanh(x) - Math.Tanh(x)));
            worstSigmoid = Math.Max(worstSigmoid, Math.Abs(FastActivations.Sigmoid(x) - (1 / (1 + Math.Exp(-x)))));
        }

        worstTanh.Should().BeLessThan(4e-7);
        worstSigmoid.Should().BeLessThan(2e-7);
    }

    [Fact]
    public void Every_width_computes_the_same_bits_as_one_lane()
    {
        // 16 007 values cover full vectors of every width and a tail of single lanes.
        float[] x = [.. Enumerable.Range(-8003, 16007).Select(i => i * 1.3e-3f)];
        float[] oneLane = [.. x.Select(FastActivations.Tanh)];
        foreach (int bits in Widths.All)
        {
            float[] tanh = new float[x.Length], sigmoid = new float[x.Length];
            var kernel = new Activate(x, tanh, sigmoid);
            LaneLoop.Run(ref kernel, x.Length, bits);
            tanh.Should().Equal(oneLane, $"{bits}-bit lanes evaluate the same formula");
            sigmoid.Should().Equal(x.Select(FastActivations.Sigmoid), $"{bits}-bit lanes");
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Data), MemberType = typeof(Widths))]
    public void Saturate_at_infinity_and_propagate_NaN(int bits)
    {
        float[] special = [float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f, 1e30f, -1e30f, 9f, -9f, .. new float[8]];
        float[] tanh = new float[16], sigmoid = new float[16];
        var kernel = new Activate(special, tanh, sigmoid);
        LaneLoop.Run(ref kernel, 16, bits);
        (tanh[0], tanh[1], tanh[3], tanh[4], tanh[5]).Should().Be((1f, -1f, 0f, 1f, -1f));
        (sigmoid[0], sigmoid[1], sigmoid[3]).Should().Be((1f, 0f, 0.5f));
        float.IsNaN(tanh[2]).Should().BeTrue("a diverged pre-activation must stay visible as NaN, not be clamped to ±1");
        float.IsNaN(sigmoid[2]).Should().BeTrue();
        float.IsNaN(FastActivations.Tanh(float.NaN)).Should().BeTrue();
        FastActivations.Sigmoid(float.NegativeInfinity).Should().Be(0f);
    }

    private readonly ref struct Activate(ReadOnlySpan<float> x, Span<float> tanh, Span<float> sigmoid) : ILaneKernel
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _tanh = tanh, _sigmoid = sigmoid;

        public static bool Pairs => true;   // 16 lanes at 256 bits: the pair type, then one lane

        public void Step<T>(int j)
            where T : struct, ILanes<T>
        {
            T value = T.Load(_x, j);
            FastActivations.Tanh(value).Store(_tanh, j);
            FastActivations.Sigmoid(value).Store(_sigmoid, j);
        }
    }
}
