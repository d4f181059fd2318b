using FluentAssertions;
using Microsoft.DotNet.Interactive.Formatting;
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Training;
using Xunit;

namespace MiniNet.Interactive.Tests;

/// <summary>What a notebook shows for MiniNet's objects once <see cref="Formatters.Register"/> ran.</summary>
[Collection("notebooks")]
public sealed class FormatterTests
{
    private static string Html(object value)
    {
        Formatters.Register();
        try
        {
            return value.ToDisplayString("text/html");
        }
        finally
        {
            Formatter.ResetToDefault();
        }
    }

    [Fact]
    public void A_small_tensor_is_a_table_of_all_its_values_with_its_shape()
    {
        Tensor t = Tensor.FromArray([1, 2, 3, 4, 5, 6], [2, 3], requiresGrad: true);
        t.Name = "w";
        string html = Html(t);
        html.Should().Contain("<b>w</b> Tensor shape [2, 3] (6 values, requires grad)");
        System.Text.RegularExpressions.Regex.Matches(html, "<tr>").Should().HaveCount(2);
        System.Text.RegularExpressions.Regex.Matches(html, "<td ").Should().HaveCount(6);
    }

    [Fact]
    public void A_large_tensor_shows_its_corners_with_ellipses_between()
    {
        Tensor t = Tensor.RandomNormal([100, 200], seed: 1);
        string html = Html(t);
        html.Should().Contain("Tensor shape [100, 200] (20000 values)");
        System.Text.RegularExpressions.Regex.Matches(html, "<tr>").Should().HaveCount(TensorHtml.MaxRows + 1);
        System.Text.RegularExpressions.Regex.Matches(html, "<td ").Should().HaveCount((TensorHtml.MaxRows + 1) * (TensorHtml.MaxColumns + 1));
        html.Should().Contain("⋱").And.Contain("⋮").And.Contain("…");
        html.Length.Should().BeLessThan(20_000, "a large tensor must not flood the notebook");
    }

    [Fact]
    public void A_rank_three_tensor_shows_its_first_and_last_matrices_labelled()
    {
        Tensor t = Tensor.Zeros([5, 2, 2]);
        string html = Html(t);
        html.Should().Contain("[0, :, :]").And.Contain("[4, :, :]").And.NotContain("[2, :, :]");
        Html(Tensor.Scalar(3.5f)).Should().Contain("Tensor shape [] (1 value)").And.Contain("3.5");
    }

    [Fact]
    public void A_clip_report_lists_each_parameter_s_norms()
    {
        var report = new ClipReport(10f, 1f, 0.1f, false, [new ParameterNorm("rnn.weight_hh", 8f, 0.8f), new ParameterNorm("head.bias", 6f, 0.6f)]);
        string html = Html(report);
        html.Should().Contain("‖g‖ 10 → 1 (scale 0.1), clipped").And.Contain("rnn.weight_hh").And.Contain("0.8");
    }

    [Fact]
    public void Runs_and_charts_display_as_inline_svg()
    {
        var config = new TrainingConfig(Task: "adding", Hidden: 4, SequenceLength: 5, Batch: 8, Steps: 20, EvalEvery: 10, EvalBatch: 16);
        List<RunResult> runs = [.. new[] { "none", "global-norm:0.01" }.Select(c => Trainer.Run(config with { Clip = c }, new TrainingOptions(KeepParameterNorms: true), c))];
        string html = Html(runs);
        html.Should().Contain("<table class=\"summary\">").And.Contain("<svg").And.Contain("class=\"heatmap\"");
        Html(runs[0]).Should().Contain("<svg");
        Html(RunCharts.For(runs).Loss).Should().StartWith("<svg");
    }

    [Fact]
    public void A_graph_displays_as_its_picture()
    {
        Tensor a = Tensor.Scalar(2f, requiresGrad: true);
        Tensor l = a * a;
        AutogradGraph graph = AutogradGraph.Of(l);
        l.Backward();
        string html = Html(graph);
        MiniNet.Tests.Shared.DebianTools.Ensure("dot").Should().BeTrue("tools/install-test-deps.sh installs Graphviz");
        html.Should().Contain("<div class=\"mininet-graph\"><svg");
    }
}
