using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Random;
using MathNet.Numerics.Statistics;
using MiniNet.Autograd;
using MiniNet.Layers;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>Initial distributions follow PyTorch's, and the initializers their formulas.</summary>
public sealed class InitializerTests
{
    [Fact]
    public void Default_initializations_use_PyTorch_bounds()
    {
        var linear = new Linear(100, 50);
        float bound = 1f / MathF.Sqrt(100f);
        linear.Weight.Data.Should().OnlyContain(v => MathF.Abs(v) <= bound);
        linear.Bias!.Data.Should().OnlyContain(v => MathF.Abs(v) <= bound);
        Statistics.Variance(linear.Weight.Data.Select(v => (double)v)).Should().BeApproximately(bound * bound / 3.0, 0.1 * bound * bound / 3.0);

        var lstm = new Lstm(10, 64);
        lstm.Parameters().SelectMany(p => p.Data).Should().OnlyContain(v => MathF.Abs(v) <= 0.125f);

        var embedding = new Embedding(1000, 20);
        Statistics.StandardDeviation(embedding.Weight.Data.Select(v => (double)v)).Should().BeApproximately(1.0, 0.03);
    }

    [Fact]
    public void ManualSeed_makes_models_reproducible()
    {
        Initializers.ManualSeed(7);
        float[] first = new Lstm(3, 4).Parameters()[0].Data;
        Initializers.ManualSeed(7);
        new Lstm(3, 4).Parameters()[0].Data.Should().Equal(first);
    }

    [Fact]
    public void Xavier_and_Kaiming_have_the_variance_of_their_formulas()
    {
        var rng = new MersenneTwister(3);
        Tensor w = Tensor.Zeros([400, 200]);
        Initializers.XavierUniform(w, random: rng);
        Variance(w).Should().BeApproximately(2.0 / 600, 0.05 * 2.0 / 600);
        Initializers.XavierNormal(w, gain: 2f, random: rng);
        Variance(w).Should().BeApproximately(4 * 2.0 / 600, 0.05 * 8.0 / 600);
        Initializers.KaimingUniform(w, random: rng);
        Variance(w).Should().BeApproximately(2.0 / 200, 0.05 * 2.0 / 200);
        Initializers.KaimingNormal(w, fanOut: true, random: rng);
        Variance(w).Should().BeApproximately(2.0 / 400, 0.05 * 2.0 / 400);
        Initializers.Constant(w, 0.5f);
        w.Data.Should().OnlyContain(v => v == 0.5f);
        Initializers.Zeros(w);
        w.Data.Should().OnlyContain(v => v == 0f);
        Initializers.Gain("tanh").Should().BeApproximately(5f / 3f, 1e-6f);
    }

    [Theory]
    [InlineData(8, 20)]
    [InlineData(20, 8)]
    [InlineData(16, 16)]
    public void Orthogonal_gives_orthonormal_rows_or_columns(int rows, int cols)
    {
        Tensor w = Tensor.Zeros([rows, cols]);
        Initializers.Orthogonal(w, gain: 2f, random: new MersenneTwister(4));
        Matrix<double> m = Matrix<double>.Build.Dense(rows, cols, (i, j) => w.Data[(i * cols) + j]);
        Matrix<double> gram = rows <= cols ? m * m.Transpose() : m.Transpose() * m;
        Matrix<double> expected = 4.0 * Matrix<double>.Build.DenseIdentity(Math.Min(rows, cols));
        (gram - expected).InfinityNorm().Should().BeLessThan(1e-5);
    }

    [Fact]
    public void Fan_based_initializers_reject_vectors_and_say_what_to_use()
    {
        Action act = () => Initializers.XavierUniform(Tensor.Zeros([5]));
        act.Should().Throw<ArgumentException>().WithMessage("XavierUniform needs a weight of rank 2 or more*shape [5]*Uniform, Normal, Zeros or Constant*");
    }

    private static double Variance(Tensor t) => Statistics.Variance(t.Data.Select(v => (double)v));
}
