using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Clipping;
using Xunit;

namespace MiniNet.Clipping.Tests;

/// <summary>With gradient accumulation, clipping happens once on the summed gradient: clip(g1 + g2), not clip(g1) + clip(g2).</summary>
public sealed class AccumulationTests
{
    [Fact]
    public void Clipping_the_accumulated_gradient_differs_from_summing_clipped_micro_batches()
    {
        Tensor w = Tensor.FromArray([1f, -2f, 0.5f], requiresGrad: true);
        Tensor x1 = Tensor.FromArray([3f, 1f, 2f]);
        Tensor x2 = Tensor.FromArray([-1f, 4f, 0f]);
        var clipper = new ClipByGlobalNorm(1f);

        // Accumulate two micro-batches (gradients add up in .Grad), then clip once.
        (w * x1).Sum().Pow(2f).Backward();
        (w * x2).Sum().Pow(2f).Backward();
        float[] accumulated = (float[])w.Grad!.Data.Clone();
        clipper.Clip([w]);
        float[] clippedOnce = (float[])w.Grad.Data.Clone();

        // The wrong way: clip each micro-batch, then add.
        w.ZeroGrad();
        (w * x1).Sum().Pow(2f).Backward();
        clipper.Clip([w]);
        float[] first = (float[])w.Grad!.Data.Clone();
        w.ZeroGrad();
        (w * x2).Sum().Pow(2f).Backward();
        clipper.Clip([w]);
        float[] summedClips = first.Zip(w.Grad!.Data, (a, b) => a + b).ToArray();

        GradientNorms.Of(clippedOnce).Should().BeApproximately(1f, 1e-5f, "clip(g1 + g2) has the threshold's norm");
        GradientNorms.Of(summedClips).Should().BeGreaterThan(1.05f, "clip(g1) + clip(g2) can exceed the threshold");
        float scale = clippedOnce[0] / accumulated[0];
        clippedOnce.Zip(accumulated, (c, a) => c - (scale * a)).Should().OnlyContain(d => MathF.Abs(d) < 1e-5f, "clip(g1 + g2) points along g1 + g2");
    }
}
