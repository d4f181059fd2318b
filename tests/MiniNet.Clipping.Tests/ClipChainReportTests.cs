using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Clipping;
using Xunit;

namespace MiniNet.Clipping.Tests;

/// <summary>A chain merges its stages' reports by parameter name, tolerates a stage that reports no per-parameter norms, and rejects a malformed one by name.</summary>
public sealed class ClipChainReportTests
{
    private static Tensor[] Parameters()
    {
        Tensor a = Tensor.Zeros([2], requiresGrad: true);
        a.Name = "a";
        a.Grad = Tensor.FromArray([3f, 4f]);
        Tensor b = Tensor.Zeros([1], requiresGrad: true);
        b.Name = "b";
        b.Grad = Tensor.FromArray([12f]);
        return [a, b];
    }

    /// <summary>Halves every gradient and reports only the totals (as custom stages often do).</summary>
    private sealed class HalveQuietly : IGradientClipper
    {
        public ClipReport Clip(IReadOnlyList<Tensor> parameters)
        {
            float before = GradientNorms.Total(parameters);
            foreach (Tensor p in parameters)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    p.Grad!.Data[i] *= 0.5f;
                }
            }

            return new ClipReport(before, before / 2, 0.5f, SkipStep: false, PerParameter: []);
        }

        public override string ToString() => "halve-quietly";
    }

    /// <summary>Reports a parameter that was not given.</summary>
    private sealed class Confused : IGradientClipper
    {
        public ClipReport Clip(IReadOnlyList<Tensor> parameters) => new(1f, 1f, 1f, false, [new ParameterNorm("nope", 1f, 1f)]);

        public override string ToString() => "confused";
    }

    [Fact]
    public void A_stage_without_per_parameter_norms_ends_a_chain_and_the_norms_after_are_measured()
    {
        ClipReport report = new ClipChain(new SkipNonFinite(), new HalveQuietly()).Clip(Parameters());
        report.TotalNormBefore.Should().Be(13f);
        report.TotalNormAfter.Should().Be(6.5f);
        report.PerParameter.Should().Equal(new ParameterNorm("a", 5f, 2.5f), new ParameterNorm("b", 12f, 6f));
    }

    [Fact]
    public void A_stage_without_per_parameter_norms_first_leaves_the_later_stages_report()
    {
        ClipReport report = new ClipChain(new HalveQuietly(), new ClipByGlobalNorm(1f)).Clip(Parameters());
        report.PerParameter.Select(p => p.Name).Should().Equal("a", "b");
        report.PerParameter[0].NormBefore.Should().Be(2.5f, "the first stage that measured a was the second, after the halving");
        report.PerParameter.Sum(p => p.NormAfter * p.NormAfter).Should().BeApproximately(1f, 1e-5f);
    }

    [Fact]
    public void A_malformed_stage_report_is_rejected_naming_the_stage()
    {
        Action act = () => new ClipChain(new SkipNonFinite(), new Confused()).Clip(Parameters());
        act.Should().Throw<ArgumentException>().WithMessage("Clipping stage 1 (confused) reported the parameter 'nope' which is not among the parameters it was given*");
    }

    [Fact]
    public void Parameters_that_share_a_name_are_merged_by_position()
    {
        Tensor[] parameters = Parameters();
        parameters[1].Name = "a";
        ClipReport report = new ClipChain(new SkipNonFinite(), new ClipByGlobalNorm(6.5f)).Clip(parameters);
        report.PerParameter.Select(p => p.NormBefore).Should().Equal(5f, 12f);
        report.PerParameter.Select(p => p.NormAfter).Should().Equal([2.5f, 6f], (x, y) => Math.Abs(x - y) < 1e-5f, "global-norm scales by 6.5 / (13 + 1e-6)");
    }

    [Fact]
    public void A_total_that_overflows_while_every_norm_is_finite_blames_no_innocent_parameter()
    {
        Tensor a = Tensor.Zeros([1], requiresGrad: true);
        a.Name = "a";
        a.Grad = Tensor.FromArray([3e38f]);
        Tensor b = Tensor.Zeros([1], requiresGrad: true);
        b.Name = "b";
        b.Grad = Tensor.FromArray([3.2e38f]);
        Action act = () => new ClipByGlobalNorm(1f, errorIfNonfinite: true).Clip([a, b]);
        act.Should().Throw<InvalidOperationException>().WithMessage("*every parameter's gradient norm is finite, but their total exceeds float32's range (the largest is 'b', 3.2E+38)*");

        a.Grad = Tensor.FromArray([1.5e19f]);
        b.Grad = Tensor.FromArray([1.5e19f]);
        new ClipByGlobalNorm(1f, errorIfNonfinite: true).Clip([a, b]).TotalNormBefore.Should().BeApproximately(2.1213e19f, 1e15f, "squares that overflow float are summed without overflowing");
    }
}
