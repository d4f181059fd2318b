using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Clipping;
using Xunit;

namespace MiniNet.Clipping.Tests;

/// <summary>AGC, AutoClip and ZClip on small cases computed by hand from their update rules.</summary>
public sealed class AdaptiveClipperTests
{
    [Fact]
    public void AGC_clips_each_output_row_against_its_own_weight_norm()
    {
        // Weight [2, 2]: row 0 = (3, 4), ‖W₀‖ = 5; row 1 = (0, 0), ‖W₁‖ → ε = 1e-3. λ = 0.1.
        Tensor w = Tensor.FromArray([3f, 4f, 0f, 0f], [2, 2], requiresGrad: true);
        w.Grad = Tensor.FromArray([0.3f, 0.4f, 0.006f, 0.008f], [2, 2]);
        // Row 0: ‖G₀‖ = 0.5 ≤ 0.1·5 = 0.5 → kept. Row 1: ‖G₁‖ = 0.01 > 0.1·1e-3 → scaled to norm 1e-4.
        Tensor b = Tensor.FromArray([2f, 0f], requiresGrad: true);
        b.Grad = Tensor.FromArray([1f, 0f]); // a bias is one unit: ‖G‖ = 1 > 0.1·2 = 0.2 → scaled by 0.2.

        ClipReport report = new AdaptiveGradClip(0.1f).Clip([w, b]);

        w.Grad!.Data[0].Should().Be(0.3f);
        w.Grad.Data[1].Should().Be(0.4f);
        w.Grad.Data[2].Should().BeApproximately(0.006f * 0.01f, 1e-9f);
        w.Grad.Data[3].Should().BeApproximately(0.008f * 0.01f, 1e-9f);
        b.Grad!.Data[0].Should().BeApproximately(0.2f, 1e-7f);
        report.PerParameter[1].NormAfter.Should().BeApproximately(0.2f, 1e-7f);
        report.TotalNormBefore.Should().BeApproximately(MathF.Sqrt(0.25f + 0.0001f + 1f), 1e-6f);
    }

    [Fact]
    public void AutoClip_leaves_the_first_step_and_then_clips_to_the_percentile_of_the_history()
    {
        var clipper = new AutoClip(percentile: 50f);
        ClipReport first = clipper.Clip(Gradients.WithGradients([3f, 4f])); // norm 5, history [5]
        first.Scale.Should().Be(1f);

        clipper.Clip(Gradients.WithGradients([0f, 1f])); // history [5, 1]; median 3 → norm 1 is kept
        Tensor[] spike = Gradients.WithGradients([0f, 9f]); // history [5, 1, 9]; median 5 → 9 clipped to 5
        ClipReport report = clipper.Clip(spike);
        clipper.LastThreshold.Should().Be(5f);
        report.Scale.Should().BeApproximately(5f / 9f, 1e-6f);
        spike[0].Grad!.Data[1].Should().BeApproximately(5f, 1e-5f);
        clipper.History.Should().Equal(5.0, 1.0, 9.0);
    }

    [Fact]
    public void AutoClip_window_keeps_only_recent_norms_and_ignores_non_finite_ones()
    {
        var clipper = new AutoClip(percentile: 100f, window: 2);
        foreach (float n in new[] { 1f, 2f, float.NaN, 3f })
        {
            clipper.Clip(Gradients.WithGradients([n]));
        }

        clipper.History.Should().Equal(2.0, 3.0);
    }

    [Fact]
    public void ZClip_warms_up_then_cuts_a_spike_to_the_adaptive_threshold_and_updates_its_averages()
    {
        var clipper = new ZClip(zThreshold: 2f, alpha: 0.5f, warmup: 4);
        foreach (float n in new[] { 1f, 3f, 1f, 3f }) // μ = 2, σ² = 1
        {
            clipper.Clip(Gradients.WithGradients([n])).Scale.Should().Be(1f, "no clipping during warmup");
        }

        clipper.Mean.Should().Be(2.0);
        clipper.Variance.Should().Be(1.0);

        // A spike of 12: z = (12 − 2) / (1 + 1e-6) ≈ 10 > 2 → threshold μ + z_thr²·σ / z ≈ 2 + 4/10 = 2.4.
        Tensor[] spike = Gradients.WithGradients([12f]);
        ClipReport report = clipper.Clip(spike);
        double z = 10 / (1 + 1e-6);
        double kept = 2 + (4 / z);
        spike[0].Grad!.Data[0].Should().BeApproximately((float)(12 * kept / (12 + 1e-6)), 1e-5f);
        report.TotalNormBefore.Should().Be(12f);
        clipper.Mean.Should().BeApproximately(0.5 * 2 + 0.5 * kept, 1e-9);
        clipper.Variance.Should().BeApproximately(0.5 * 1 + 0.5 * Math.Pow(kept - clipper.Mean!.Value, 2), 1e-9);

        // A normal step (z ≤ 2) is left alone.
        clipper.Clip(Gradients.WithGradients([2.5f])).Scale.Should().Be(1f);
    }

    [Fact]
    public void SkipNonFinite_zeroes_counts_and_chains_stop_there()
    {
        var skip = new SkipNonFinite();
        var chain = new ClipChain(skip, new ClipByGlobalNorm(1f));
        Tensor[] parameters = Gradients.WithGradients([1f, float.NaN], [5f]);
        ClipReport report = chain.Clip(parameters);
        report.SkipStep.Should().BeTrue();
        Gradients.Flatten(parameters).Should().OnlyContain(v => v == 0f);
        skip.SkippedSteps.Should().Be(1);
        chain.ToString().Should().Be("skip-nonfinite+global-norm:1");

        Tensor[] fine = Gradients.WithGradients([3f, 4f]);
        ClipReport ok = chain.Clip(fine);
        ok.SkipStep.Should().BeFalse();
        ok.TotalNormBefore.Should().Be(5f);
        ok.TotalNormAfter.Should().BeApproximately(1f, 1e-6f);
        skip.SkippedSteps.Should().Be(1);
    }

    [Fact]
    public void Non_finite_gradients_can_stop_training_naming_the_parameter_and_the_switch()
    {
        Tensor[] parameters = Gradients.WithGradients([1f], [float.PositiveInfinity]);
        Action skip = () => new SkipNonFinite(throwOnNonFinite: true).Clip(parameters);
        skip.Should().Throw<InvalidOperationException>().WithMessage("The gradient of 'p1' contains NaN or infinity*throwOnNonFinite: false*");
        Action global = () => new ClipByGlobalNorm(1f, errorIfNonfinite: true).Clip(parameters);
        global.Should().Throw<InvalidOperationException>().WithMessage("*non-finite (Infinity)*first parameter with a non-finite gradient is 'p1'*errorIfNonfinite: false*");
    }

    [Fact]
    public void Threshold_advice_follows_Pascanu_and_AutoClip()
    {
        ThresholdAdvice advice = ThresholdAdvice.FromProbe([1f, 2f, 3f, 4f, float.NaN, 10f], autoClipPercentile: 25f);
        advice.Steps.Should().Be(5);
        advice.Mean.Should().Be(4.0);
        advice.Median.Should().Be(3.0);
        advice.SuggestedThreshold.Should().Be(4.0);
        advice.RangeLow.Should().Be(2.0);
        advice.RangeHigh.Should().Be(40.0);
        advice.AutoClipThreshold.Should().Be(2.0);
        advice.ToString().Should().Contain("suggested global-norm threshold 4");
        Action tooShort = () => ThresholdAdvice.FromProbe([1f]);
        tooShort.Should().Throw<ArgumentException>().WithMessage("Threshold advice needs at least 2 finite gradient norms*");
    }

    [Fact]
    public void Bad_settings_name_the_stage_the_setting_and_the_range()
    {
        Action value = () => _ = new ClipByValue(-1f);
        value.Should().Throw<ArgumentOutOfRangeException>().WithMessage("ClipByValue clipValue is -1; it must be a finite number > 0.*");
        Action norm = () => _ = new ClipByGlobalNorm(float.NaN);
        norm.Should().Throw<ArgumentOutOfRangeException>().WithMessage("ClipByGlobalNorm maxNorm is NaN*");
        Action auto = () => _ = new AutoClip(percentile: 0f);
        auto.Should().Throw<ArgumentOutOfRangeException>().WithMessage("AutoClip percentile is 0; it must be in (0, 100].*");
        Action z = () => _ = new ZClip(alpha: 1f);
        z.Should().Throw<ArgumentOutOfRangeException>().WithMessage("ZClip alpha is 1; it must be in (0, 1).*");
        Action chain = () => _ = new ClipChain();
        chain.Should().Throw<ArgumentException>().WithMessage("ClipChain needs at least one stage*");
    }
}
