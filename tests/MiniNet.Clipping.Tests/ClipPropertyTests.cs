using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Clipping;
using Xunit;

namespace MiniNet.Clipping.Tests;

/// <summary>Properties every clipper must have, over hundreds of seeded random parameter sets.</summary>
public sealed class ClipPropertyTests
{
    private static readonly float[] Thresholds = [1e-3f, 0.1f, 1f, 10f, 1000f];

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 300; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Global_norm_clipping_caps_the_norm_keeps_the_direction_and_is_idempotent(int seed)
    {
        float c = Thresholds[seed % Thresholds.Length];
        Tensor[] parameters = Gradients.RandomSet(seed);
        float[] before = Gradients.Flatten(parameters);

        ClipReport report = new ClipByGlobalNorm(c).Clip(parameters);
        float[] after = Gradients.Flatten(parameters);

        float norm = GradientNorms.Total(parameters);
        norm.Should().BeLessThanOrEqualTo(c * (1 + 1e-5f), "the post-clip global norm never exceeds the threshold");
        report.TotalNormAfter.Should().BeApproximately(norm, 1e-5f * Math.Max(norm, 1f));
        Cosine(before, after).Should().BeApproximately(1.0, 1e-6, "global clipping only shortens the update");
        report.TotalNormBefore.Should().BeGreaterThanOrEqualTo(report.TotalNormAfter);

        // Clipping again changes nothing beyond the ε of PyTorch's coefficient c / (‖g‖ + ε): a clipped gradient has
        // norm c·‖g‖/(‖g‖ + ε) < c, so a second pass rescales it by about 1 − ε/c. That is 1e-6 relative at c = 1 and
        // 1e-3 at c = 1e-3 (PyTorch does the same); the bound below is exactly that, plus float rounding.
        new ClipByGlobalNorm(c).Clip(parameters);
        float[] twice = Gradients.Flatten(parameters);
        float allowed = (1e-6f / c) + 2e-6f;
        for (int i = 0; i < after.Length; i++)
        {
            twice[i].Should().BeApproximately(after[i], (allowed * MathF.Abs(after[i])) + 1e-12f);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Per_tensor_clipping_caps_each_tensor_and_keeps_each_direction(int seed)
    {
        float c = Thresholds[seed % Thresholds.Length];
        Tensor[] parameters = Gradients.RandomSet(seed);
        float[][] before = parameters.Select(p => (float[])p.Grad!.Data.Clone()).ToArray();
        new ClipByNorm(c).Clip(parameters);
        for (int k = 0; k < parameters.Length; k++)
        {
            GradientNorms.Of(parameters[k].Grad!.Data).Should().BeLessThanOrEqualTo(c * (1 + 1e-5f));
            Cosine(before[k], parameters[k].Grad!.Data).Should().BeApproximately(1.0, 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Value_clipping_bounds_every_element(int seed)
    {
        float c = Thresholds[seed % Thresholds.Length];
        Tensor[] parameters = Gradients.RandomSet(seed);
        float[] before = Gradients.Flatten(parameters);
        new ClipByValue(c).Clip(parameters);
        float[] after = Gradients.Flatten(parameters);
        for (int i = 0; i < after.Length; i++)
        {
            after[i].Should().BeInRange(-c, c);
            after[i].Should().Be(Math.Clamp(before[i], -c, c));
        }
    }

    [Fact]
    public void Zero_gradients_stay_zero_under_every_clipper()
    {
        foreach (IGradientClipper clipper in AllClippers())
        {
            Tensor[] parameters = Gradients.WithGradients(new float[5], new float[3]);
            parameters[0].Data[0] = 1f; // AGC reads the weights
            ClipReport report = clipper.Clip(parameters);
            Gradients.Flatten(parameters).Should().OnlyContain(v => v == 0f, $"{clipper} must keep zero gradients zero");
            report.TotalNormBefore.Should().Be(0f);
        }
    }

    [Fact]
    public void Clipping_before_Backward_says_where_clipping_belongs()
    {
        foreach (IGradientClipper clipper in AllClippers())
        {
            Tensor w = Tensor.Ones([3], requiresGrad: true);
            Action act = () => clipper.Clip([w]);
            act.Should().Throw<InvalidOperationException>()
                .WithMessage("*no parameter has a gradient. Clipping runs after loss.Backward() and before optimizer.Step()*");
        }
    }

    [Fact]
    public void Total_norm_matches_the_definition_for_every_order()
    {
        Tensor[] parameters = Gradients.WithGradients([3f, -4f], [1f, 2f, -2f]);
        GradientNorms.Total(parameters, 1f).Should().BeApproximately(12f, 1e-6f);
        GradientNorms.Total(parameters, 2f).Should().BeApproximately(MathF.Sqrt(34f), 1e-6f);
        GradientNorms.Total(parameters, 3f).Should().BeApproximately(MathF.Pow(27 + 64 + 1 + 8 + 8, 1f / 3f), 1e-5f);
        GradientNorms.Total(parameters, float.PositiveInfinity).Should().Be(4f);
        Action bad = () => GradientNorms.Total(parameters, 0f);
        bad.Should().Throw<ArgumentOutOfRangeException>().WithMessage("A norm's order p must be > 0*");
    }

    internal static IGradientClipper[] AllClippers() =>
    [
        new NoClip(), new ClipByValue(0.5f), new ClipByNorm(1f), new ClipByGlobalNorm(1f), new ClipByGlobalNorm(1f, float.PositiveInfinity),
        new AdaptiveGradClip(0.01f), new AutoClip(), new ZClip(warmup: 1), new SkipNonFinite(), new ClipChain(new SkipNonFinite(), new ClipByGlobalNorm(1f)),
    ];

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 1.0 : dot / Math.Sqrt(na * nb);
    }
}
