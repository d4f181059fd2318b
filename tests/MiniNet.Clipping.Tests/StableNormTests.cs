using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Clipping;
using Xunit;

namespace MiniNet.Clipping.Tests;

/// <summary>Norms scaled by the largest magnitude: large values and large or tiny orders never overflow or underflow.</summary>
public sealed class StableNormTests
{
    [Theory]
    [InlineData(2f)]
    [InlineData(1f)]
    [InlineData(3f)]
    [InlineData(1000f)]
    public void Two_gradients_of_1_5e19_have_a_finite_norm(float p)
    {
        float[] values = [1.5e19f, 1.5e19f];
        double expected = 1.5e19 * Math.Pow(2, 1.0 / p);
        ((double)GradientNorms.Of(values, p)).Should().BeApproximately(expected, expected * 1e-5);
    }

    [Fact]
    public void The_1000_norm_of_ordinary_and_tiny_gradients_neither_overflows_nor_underflows()
    {
        float[] ordinary = [3f, -4f, 0.5f, 2f];
        ((double)GradientNorms.Of(ordinary, 1000f)).Should().BeApproximately(4.0, 1e-3, "close to the max norm");
        float[] tiny = [1e-30f, 2e-30f];
        GradientNorms.Of(tiny, 1000f).Should().BeApproximately(2e-30f, 1e-33f);
        float[] infinite = [1f, float.PositiveInfinity];
        GradientNorms.Of(infinite, 1000f).Should().Be(float.PositiveInfinity);
        float[] nan = [1f, float.NaN];
        GradientNorms.Of(nan, 1000f).Should().Be(float.NaN);
    }

    [Fact]
    public void Global_norm_clipping_with_p_1000_scales_to_the_threshold_instead_of_to_zero()
    {
        Tensor w = Tensor.Zeros([4], requiresGrad: true);
        w.Grad = Tensor.FromArray([30f, -40f, 5f, 20f], [4]);
        ClipReport report = new ClipByGlobalNorm(1f, 1000f).Clip([w]);
        report.TotalNormBefore.Should().BeApproximately(40f, 0.1f);
        GradientNorms.Of(w.Grad.Data, 1000f).Should().BeApproximately(1f, 1e-3f);
    }
}
