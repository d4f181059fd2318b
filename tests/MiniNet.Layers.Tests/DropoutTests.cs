using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Layers;
using Xunit;

namespace MiniNet.Layers.Tests;

public sealed class DropoutTests
{
    [Fact]
    public void Training_mode_zeroes_about_p_and_rescales_the_rest_so_the_mean_is_kept()
    {
        var dropout = new Dropout(0.3f, new MathNet.Numerics.Random.MersenneTwister(1));
        Tensor x = Tensor.Ones([100_000], requiresGrad: true);
        Tensor y = dropout.Forward(x);
        float zeros = y.Data.Count(v => v == 0f) / (float)y.Length;
        zeros.Should().BeApproximately(0.3f, 0.01f);
        y.Data.Where(v => v != 0f).Should().OnlyContain(v => MathF.Abs(v - (1f / 0.7f)) < 1e-6f);
        y.Data.Average().Should().BeApproximately(1f, 0.01f);

        y.Sum().Backward();
        x.Grad!.Data.Should().Equal(y.Data, "the gradient flows only through kept elements, with the same scale");
    }

    [Fact]
    public void Evaluation_mode_is_the_identity()
    {
        var dropout = new Dropout(0.5f);
        dropout.Eval();
        Tensor x = Tensor.RandomNormal([10], seed: 1);
        dropout.Forward(x).Should().BeSameAs(x);
    }
}
