using FluentAssertions;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Autograd.Tests;

/// <summary>Fused ops equal the same math composed from primitives, in values and gradients.</summary>
public sealed class FusedOpTests
{
    [Fact]
    public void SoftmaxCrossEntropy_equals_LogSoftmax_then_Gather()
    {
        Tensor fusedLogits = Tensor.RandomNormal([6, 7], seed: 1, std: 3f, requiresGrad: true);
        Tensor composedLogits = Tensor.FromArray(fusedLogits.Data, [6, 7], requiresGrad: true);
        int[] targets = [3, 0, 6, -1, 2, 2];
        Tensor weights = Tensor.RandomUniform([6], seed: 2);

        Tensor fused = Tensor.SoftmaxCrossEntropy(fusedLogits, targets, ignoreIndex: -1);
        int[] safe = targets.Select(t => Math.Max(t, 0)).ToArray();
        Tensor keep = Tensor.FromArray(targets.Select(t => t < 0 ? 0f : 1f).ToArray());
        Tensor composed = -composedLogits.LogSoftmax(1).Gather(1, safe, [6, 1]).Reshape(6) * keep;

        Close.Assert(fused, composed, 1e-6f, 1e-6f, "per-sample loss");
        (fused * weights).Sum().Backward();
        (composed * weights).Sum().Backward();
        Close.Assert(fusedLogits.Grad!, composedLogits.Grad!, 1e-5f, 1e-6f, "gradient");
        fusedLogits.Grad!.Data.Skip(3 * 7).Take(7).Should().OnlyContain(v => v == 0f, "an ignored row gets no gradient");
    }

    [Fact]
    public void Class_weighted_SoftmaxCrossEntropy_passes_gradcheck_and_scales_each_row_by_its_class_weight()
    {
        Tensor logits = Tensor.RandomNormal([5, 4], seed: 3, requiresGrad: true);
        int[] targets = [1, 3, -1, 0, 3];
        float[] weight = [0.5f, 2f, 1f, 0.25f];
        GradCheckResult check = GradCheck.Check(x => Tensor.SoftmaxCrossEntropy(x[0], targets, -1, weight), logits);
        check.Passed.Should().BeTrue(check.ToString());

        Tensor plain = Tensor.SoftmaxCrossEntropy(logits, targets, -1);
        Tensor weighted = Tensor.SoftmaxCrossEntropy(logits, targets, -1, weight);
        for (int n = 0; n < 5; n++)
        {
            weighted.Data[n].Should().BeApproximately(targets[n] < 0 ? 0f : weight[targets[n]] * plain.Data[n], 1e-6f);
        }
    }

    [Fact]
    public void SoftmaxCrossEntropy_is_finite_for_huge_logits_and_rejects_bad_targets()
    {
        Tensor logits = Tensor.FromArray([1e4f, -1e4f, 3e4f, 0f], [2, 2], requiresGrad: true);
        Tensor loss = Tensor.SoftmaxCrossEntropy(logits, [1, 1], ignoreIndex: -100); // rows [1e4, -1e4] and [3e4, 0], both aiming at the smaller logit
        loss.Data.Should().Equal(2e4f, 3e4f);
        Action bad = () => Tensor.SoftmaxCrossEntropy(logits, [2, 0], ignoreIndex: -100);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("SoftmaxCrossEntropy target 2 at position 0 is not a class index in [0, 1]*");
    }
}
