using FluentAssertions;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Autograd.Tests;

/// <summary>Creation, seeded randomness, element access and the PyTorch-style text form.</summary>
public sealed class TensorTests
{
    [Fact]
    public void Creation_functions_give_the_shape_and_values_asked_for()
    {
        Tensor.Zeros([2, 3]).Data.Should().HaveCount(6).And.OnlyContain(v => v == 0f);
        Tensor.Ones([4]).Data.Should().OnlyContain(v => v == 1f);
        Tensor.Full([2, 2], 2.5f).Data.Should().OnlyContain(v => v == 2.5f);
        Tensor s = Tensor.Scalar(3f, requiresGrad: true);
        s.Shape.Should().BeEmpty();
        s.Rank.Should().Be(0);
        s.RequiresGrad.Should().BeTrue();
        s.Item().Should().Be(3f);
    }

    [Fact]
    public void FromArray_copies_its_input()
    {
        float[] source = [1f, 2f];
        Tensor t = Tensor.FromArray(source);
        source[0] = 9f;
        t.Data[0].Should().Be(1f);
    }

    [Fact]
    public void Random_tensors_are_reproducible_from_the_seed_and_have_the_asked_distribution()
    {
        Tensor a = Tensor.RandomNormal([100_000], seed: 42, mean: 1f, std: 2f);
        Tensor b = Tensor.RandomNormal([100_000], seed: 42, mean: 1f, std: 2f);
        a.Data.Should().Equal(b.Data);
        Tensor.RandomNormal([10], seed: 43).Data.Should().NotEqual(Tensor.RandomNormal([10], seed: 42).Data);

        var stats = new MathNet.Numerics.Statistics.DescriptiveStatistics(a.Data.Select(v => (double)v));
        stats.Mean.Should().BeApproximately(1.0, 0.03);
        stats.StandardDeviation.Should().BeApproximately(2.0, 0.03);

        Tensor u = Tensor.RandomUniform([100_000], seed: 7, low: -3f, high: 5f);
        u.Data.Should().OnlyContain(v => v >= -3f && v < 5f);
        u.Data.Average().Should().BeApproximately(1f, 0.05f);
    }

    [Fact]
    public void Indexer_reads_row_major_elements()
    {
        Tensor t = Tensor.FromArray([0f, 1f, 2f, 3f, 4f, 5f], [2, 3]);
        t[1, 2].Should().Be(5f);
        t[0, 1].Should().Be(1f);
    }

    [Fact]
    public void ToString_reads_like_PyTorch()
    {
        Tensor.FromArray([1f, 2.5f, 3f, 4f], [2, 2]).ToString().Should().Be(
            "tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]], shape=[2, 2])");
        Tensor.FromArray([1f, 2f, 3f], [3], requiresGrad: true).ToString().Should().Be("tensor([1., 2., 3.], shape=[3], requires_grad=True)");
        Tensor w = Tensor.FromArray([1e-6f, 1f], [2], requiresGrad: true);
        w.Name = "w";
        w.ToString().Should().Be("tensor([1.0000e-06, 1.0000e+00], shape=[2], name='w', requires_grad=True)");
        (w * 2f).ToString().Should().EndWith("grad_fn=<MultiplyBackward>)");
        Tensor.Scalar(float.NaN).ToString().Should().Be("tensor(nan, shape=[])");
    }

    [Fact]
    public void ToString_elides_the_middle_of_large_tensors()
    {
        string text = Tensor.Zeros([2000]).ToString();
        text.Should().Be("tensor([0., 0., 0., ..., 0., 0., 0.], shape=[2000])");
    }
}
