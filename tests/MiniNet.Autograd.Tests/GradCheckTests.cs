using FluentAssertions;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Autograd.Tests;

/// <summary>Finite-difference checks of every op, on the fixture cases' inputs (broadcasting cases included).</summary>
public sealed class GradCheckTests
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (OpCase c in Fixtures.Cases.Values)
        {
            // Logits near 700 cannot be perturbed by a float32 step of 1e-3 accurately (their spacing is 6e-5),
            // so that case is held to PyTorch's numbers in FixtureTests and to finiteness below instead.
            if (c.Name != "log_softmax_large_logits")
            {
                data.Add(c.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Analytic_gradient_matches_central_differences(string name)
    {
        OpCase c = Fixtures.Get(name);
        GradCheckResult result = GradCheck.Check(x => Fixtures.Apply(c, x), Fixtures.FreshInputs(c));
        result.Passed.Should().BeTrue(result.ToString());
    }

    [Fact]
    public void A_wrong_backward_is_caught()
    {
        // x·x with the derivative of x·x computed as if it were 3x would slip past a checker that only
        // compared shapes; build it from ops whose gradient we deliberately detach to break the chain rule.
        Tensor x = Tensor.FromArray([0.5f, -1.2f, 2f], [3], requiresGrad: true);
        GradCheckResult result = GradCheck.Check(v => v[0] * v[0].Detach(), x);
        result.Passed.Should().BeFalse();
        result.Inputs[0].MaxAbsoluteError.Should().BeGreaterThan(0.4f);
        result.ToString().Should().Contain("MISMATCH");
    }

    [Fact]
    public void Inputs_that_need_no_gradient_are_rejected_with_the_fix()
    {
        Tensor x = Tensor.Ones([2]);
        Action act = () => GradCheck.Check(v => v[0].Sum(), x);
        act.Should().Throw<ArgumentException>().WithMessage("*input 0 does not require a gradient*requiresGrad: true*");
    }

    [Fact]
    public void Existing_gradients_are_restored()
    {
        Tensor x = Tensor.FromArray([1f, 2f], [2], requiresGrad: true);
        x.Grad = Tensor.FromArray([7f, 8f], [2]);
        GradCheck.Check(v => v[0].Tanh(), x).Passed.Should().BeTrue();
        x.Grad!.Data.Should().Equal(7f, 8f);
    }

    [Fact]
    public void Log_softmax_of_huge_logits_is_finite_and_matches_PyTorch()
    {
        Tensor logits = Tensor.FromArray([1e4f, -1e4f, 0f, 3e4f], [1, 4], requiresGrad: true);
        Tensor y = logits.LogSoftmax(1);
        // PyTorch: log_softmax([1e4, -1e4, 0, 3e4]) = [-2e4, -4e4, -3e4, 0].
        y.Data.Should().OnlyContain(v => !float.IsNaN(v));
        y.Data[0].Should().BeApproximately(-2e4f, 1e-2f);
        y.Data[1].Should().BeApproximately(-4e4f, 1e-2f);
        y.Data[2].Should().BeApproximately(-3e4f, 1e-2f);
        y.Data[3].Should().BeApproximately(0f, 1e-6f);
        y.Sum().Backward();
        logits.Grad!.Data.Should().OnlyContain(v => float.IsFinite(v));
    }
}
