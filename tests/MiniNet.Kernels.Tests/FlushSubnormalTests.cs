using FluentAssertions;
using Xunit;

namespace MiniNet.Kernels.Tests;

/// <summary><see cref="ILanes{TSelf}.FlushSubnormal"/>, which the recurrent backward kernels apply to what they write.</summary>
public sealed class FlushSubnormalTests
{
    [Theory]
    [MemberData(nameof(Widths.Data), MemberType = typeof(Widths))]
    public void Subnormals_become_zero_and_everything_else_passes_unchanged(int bits)
    {
        float smallestNormal = BitConverter.Int32BitsToSingle(0x0080_0000);   // 2⁻¹²⁶
        float[] x =
        [
            float.Epsilon, -float.Epsilon, BitConverter.Int32BitsToSingle(0x007F_FFFF), -smallestNormal / 2,
            smallestNormal, -smallestNormal, 1e-30f, -3.5f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f, -0f,
            float.MaxValue, 1f, 2e-38f, float.Epsilon * 3,
        ];
        float[] flushed = new float[x.Length];
        var kernel = new Flush(x, flushed);
        LaneLoop.Run(ref kernel, x.Length, bits);

        flushed.Take(4).Should().AllSatisfy(v => v.Should().Be(0f), "0 < |x| < 2⁻¹²⁶ is subnormal");
        flushed[4..16].Should().Equal(x[4..16], "normal numbers, zeros, infinities and NaN are not subnormal");
        flushed[16].Should().Be(0f, "the tail lane flushes as the vector lanes do");
        float.IsNaN(flushed[10]).Should().BeTrue();
    }

    private readonly ref struct Flush(ReadOnlySpan<float> x, Span<float> flushed) : ILaneKernel
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _flushed = flushed;

        public static bool Pairs => true;   // 16 lanes at 256 bits: the pair type, then one lane

        public void Step<T>(int j)
            where T : struct, ILanes<T> => T.FlushSubnormal(T.Load(_x, j)).Store(_flushed, j);
    }
}
