using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FluentAssertions;
using MiniNet.Clipping;
using MiniNet.Training;
using Xunit;

namespace MiniNet.Training.Tests;

/// <summary>Each promise of the run charts, checked on the SVG they render: what a reader needs to see is there.</summary>
public sealed class ChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>A synthetic run: loss and norms per step, clipped above <paramref name="clipAt"/>, evaluated every 10 steps.</summary>
    private static RunResult Run(string clip, int steps, RunStatus status = RunStatus.Finished, float lastLoss = 0.01f, double clipAt = double.PositiveInfinity,
        Func<int, float>? norm = null, int totalSteps = 1000)
    {
        norm ??= s => 0.5f + (s % 7 * 0.1f);
        var rows = Enumerable.Range(1, steps).Select(s =>
        {
            float before = norm(s), after = (float)Math.Min(before, clipAt);
            float loss = s == steps && status == RunStatus.Diverged ? lastLoss : 1f / s;
            return new MetricsRow(s, loss, before, after, 0.1f, before > clipAt, false,
                [new ParameterNorm("rnn.weight_hh", before * 0.9f, after * 0.9f), new ParameterNorm("head.weight", before * 0.1f, after * 0.1f)],
                s % 10 == 0 ? 1.0 / s : null, s % 10 == 0 ? 0.5 : null);
        }).ToList();
        var config = new TrainingConfig(Task: "adding", SequenceLength: 20, Steps: totalSteps, Clip: clip);
        return new RunResult(clip, config, TaskCatalog.Create("adding", 20), rows, status, status == RunStatus.Diverged ? steps : null, null, 0.1, 0.5, 1)
        {
            LastLoss = lastLoss,
            LastStep = steps,
            StepsRun = steps,
            ClippedSteps = rows.Count(r => r.Clipped),
            DivergenceReason = status == RunStatus.Diverged ? "loss 6645 is over 100 × the first loss" : null,
        };
    }

    private static IReadOnlyList<RunResult> ExplodingAndClipped() =>
    [
        Run("none", 5, RunStatus.Diverged, lastLoss: 6645f, norm: s => MathF.Pow(10, s)),
        Run("global-norm:0.5", 1000, clipAt: 0.5),
        Run("value:0.1", 1000, clipAt: 0.8),
    ];

    private static IEnumerable<XElement> Parts(XElement svg, string cls) => svg.Descendants().Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(cls) == true);

    [Fact]
    public void A_run_that_diverged_gets_a_marker_with_its_real_last_loss_and_the_step_axis_turns_logarithmic()
    {
        RunCharts charts = RunCharts.For(ExplodingAndClipped());
        XElement loss = XElement.Parse(charts.Loss.Render());
        XElement marker = Parts(loss, "marker").Should().ContainSingle().Subject;
        ((string)marker.Attribute("data-name")!).Should().StartWith("none");
        double.Parse((string)marker.Attribute("data-value")!, CultureInfo.InvariantCulture).Should().Be(6645);
        marker.Descendants(Svg + "text").Single().Value.Should().Be("stopped at step 5: loss 6645");
        charts.Loss.LogX.Should().BeTrue("a run stopped at step 5 of 1000 would be a hairline at x ≈ 0 on a linear axis");
        loss.Descendants(Svg + "text").Should().Contain(t => t.Value == "step (log scale)");
    }

    [Fact]
    public void A_marker_for_an_infinite_loss_sits_at_the_top_edge_and_says_infinity()
    {
        RunCharts charts = RunCharts.For([Run("none", 5, RunStatus.Diverged, lastLoss: float.PositiveInfinity), Run("global-norm:1", 1000)]);
        XElement marker = Parts(XElement.Parse(charts.Loss.Render()), "marker").Single();
        marker.Descendants(Svg + "text").Single().Value.Should().Be("↑ stopped at step 5: loss ∞");
        marker.Elements(Svg + "line").SelectMany(l => l.Attributes()).Where(a => a.Name.LocalName is "x1" or "y1" or "x2" or "y2")
            .Should().OnlyContain(a => double.IsFinite(double.Parse(a.Value, CultureInfo.InvariantCulture)));
        ((string)marker.Attribute("data-value")!).Should().Be("Infinity", "the data keeps the real value");
    }

    [Fact]
    public void Runs_that_finish_keep_a_linear_step_axis()
    {
        RunCharts.For([Run("global-norm:1", 1000), Run("none", 1000)]).Loss.LogX.Should().BeFalse();
    }

    [Fact]
    public void The_norm_chart_draws_the_clipping_threshold_and_the_post_clip_norm_in_the_run_colour()
    {
        RunCharts charts = RunCharts.For(ExplodingAndClipped());
        XElement norm = XElement.Parse(charts.GradNorm.Render());
        XElement threshold = Parts(norm, "reference").Should().ContainSingle("only global-norm:C clips the global norm at a fixed value").Subject;
        double.Parse((string)threshold.Attribute("data-value")!, CultureInfo.InvariantCulture).Should().Be(0.5);
        threshold.Value.Should().Contain("clip at 0.5");
        var lines = Parts(norm, "series").ToList();
        lines.Select(l => (string)l.Attribute("data-name")!).Should().Contain(n => n.StartsWith("global-norm:0.5", StringComparison.Ordinal) && n.EndsWith(", after clipping", StringComparison.Ordinal));
        string stroke = (string)lines.First(l => ((string)l.Attribute("data-name")!).StartsWith("global-norm", StringComparison.Ordinal)).Attribute("stroke")!;
        ((string)threshold.Element(Svg + "line")!.Attribute("stroke")!).Should().Be(stroke);
        lines.Where(l => ((string)l.Attribute("data-name")!).EndsWith("after clipping", StringComparison.Ordinal)).Should().OnlyContain(l => (string?)l.Attribute("stroke-dasharray") != null);
    }

    [Fact]
    public void Clipping_is_shown_as_a_rolling_share_not_as_ticks_that_merge_into_a_band()
    {
        RunCharts charts = RunCharts.For(ExplodingAndClipped());
        charts.ClippedShare.Should().NotBeNull();
        charts.ClippedShare!.FixedY.Should().Be((0.0, 1.0));
        charts.ClippedShare.Series.Select(s => s.Name).Should().HaveCount(2, "the unclipped run never clips");
        (double X, double Y)[] share = [.. charts.ClippedShare.Series[0].Points];
        share.Should().OnlyContain(p => p.Y >= 0 && p.Y <= 1);
        share[^1].Y.Should().BeApproximately(6 / 7.0, 0.05, "norms 0.5, 0.6 … 1.1 cycle over 7 steps and the 6 above 0.5 are clipped");
        Parts(XElement.Parse(charts.GradNorm.Render()), "events").Should().BeEmpty();
    }

    [Fact]
    public void Held_out_losses_are_dots_and_the_solved_line_sits_at_the_task_threshold()
    {
        RunCharts charts = RunCharts.For(ExplodingAndClipped());
        XElement loss = XElement.Parse(charts.Loss.Render());
        Parts(loss, "dots").Should().HaveCount(2, "the diverged run stopped before its first evaluation");
        Parts(loss, "dots").First().Elements(Svg + "circle").Should().HaveCount(100);
        var references = Parts(loss, "reference").ToList();
        references.Select(r => double.Parse((string)r.Attribute("data-value")!, CultureInfo.InvariantCulture)).Should().Contain([1.0 / 6, 0.01]);
        references.Should().Contain(r => r.Value.Contains("solved: < 0.01", StringComparison.Ordinal));
        charts.Accuracy.Should().BeNull("the adding problem is judged by its loss; its accuracy has no solved line");
    }

    [Fact]
    public void Every_chart_of_a_report_draws_a_clipper_in_the_same_colour_and_unclipped_runs_in_vermillion()
    {
        RunCharts charts = RunCharts.For(ExplodingAndClipped());
        var colors = new Dictionary<string, HashSet<string>>();
        foreach (SvgChart chart in new[] { charts.Loss, charts.GradNorm, charts.ClippedShare! })
        {
            foreach (XElement line in Parts(XElement.Parse(chart.Render()), "series"))
            {
                string clip = ((string)line.Attribute("data-name")!).Split(' ')[0];
                (colors.TryGetValue(clip, out HashSet<string>? set) ? set : colors[clip] = []).Add((string)line.Attribute("stroke")!);
            }
        }

        colors.Keys.Should().BeEquivalentTo("none", "global-norm:0.5", "value:0.1");
        colors.Values.Should().OnlyContain(set => set.Count == 1);
        colors["none"].Single().Should().Be(SeriesColors.Unclipped);
        colors.Values.Select(v => v.Single()).Distinct().Should().HaveCount(3);
    }

    [Fact]
    public void Colours_repeat_with_a_dash_pattern_past_the_palette()
    {
        var colors = new SeriesColors();
        string[] keys = [.. Enumerable.Range(0, 12).Select(i => $"global-norm:{i}")];
        keys.Select(k => (colors[k], colors.Dash(k))).Distinct().Should().HaveCount(12);
    }

    [Fact]
    public void A_legend_of_five_long_names_wraps_inside_the_view_box()
    {
        var chart = new SvgChart { Title = "t", YLabel = "loss", LogY = true };
        foreach (string name in new[] { "none (diverged @5)", "global-norm:0.1 (solved @2700)", "global-norm:1 (solved @3100)", "value:0.1 (not solved)", "autoclip:10 (solved @4200)" })
        {
            chart.Series.Add(new ChartSeries(name, [(1, 1), (2, 0.5)]));
        }

        XElement svg = XElement.Parse(chart.Render());
        double width = double.Parse((string)svg.Attribute("width")!, CultureInfo.InvariantCulture), height = double.Parse((string)svg.Attribute("height")!, CultureInfo.InvariantCulture);
        chart.LegendBoxes().Should().HaveCount(5).And.OnlyContain(b => b.X1 >= 0 && b.X2 <= width);
        Parts(svg, "legend").Single().Descendants(Svg + "text")
            .Select(t => double.Parse((string)t.Attribute("y")!, CultureInfo.InvariantCulture)).Should().OnlyContain(y => y < height);
        height.Should().BeGreaterThan(chart.Height, "the legend's rows sit below the plot instead of over the baseline's label");
    }

    [Fact]
    public void Reference_labels_close_together_are_pushed_apart()
    {
        var chart = new SvgChart { Title = "t", YLabel = "loss", LogY = true };
        chart.Series.Add(new ChartSeries("s", [(1, 1e-3), (2, 10)]));
        chart.ReferenceLines.Add(new ReferenceLine(0.17, "baseline"));
        chart.ReferenceLines.Add(new ReferenceLine(0.16, "solved: < 0.16"));
        double[] ys = [.. Parts(XElement.Parse(chart.Render()), "reference").Select(r => double.Parse((string)r.Element(Svg + "text")!.Attribute("y")!, CultureInfo.InvariantCulture)).Order()];
        (ys[1] - ys[0]).Should().BeGreaterThanOrEqualTo(13);
    }

    [Fact]
    public void An_identical_line_is_named_in_the_legend_and_drawn_thinner_on_top()
    {
        var chart = new SvgChart { Title = "t", YLabel = "loss" };
        chart.Series.Add(new ChartSeries("global-norm:10", [(1, 3), (2, 2), (3, 1)]));
        chart.Series.Add(new ChartSeries("global-norm:100", [(1, 3), (2, 2), (3, 1)]));
        XElement svg = XElement.Parse(chart.Render());
        Parts(svg, "legend").Single().Value.Should().Contain("global-norm:100 (same line as global-norm:10)");
        double[] widths = [.. Parts(svg, "series").Select(p => double.Parse((string)p.Attribute("stroke-width")!, CultureInfo.InvariantCulture))];
        widths[0].Should().BeGreaterThan(widths[1]);
    }

    [Fact]
    public void A_million_steps_are_drawn_per_pixel_column_with_an_envelope_that_keeps_a_one_step_spike()
    {
        var chart = new SvgChart { Title = "t", YLabel = "loss", LogY = true };
        var points = Enumerable.Range(1, 1_000_000).Select(i => ((double)i, i == 654_321 ? 1e6 : 1 + (0.5 * Math.Sin(i)))).ToList();
        chart.Series.Add(new ChartSeries("long", points));
        string rendered = chart.Render();
        rendered.Length.Should().BeLessThan(120_000, "a million steps must not make a huge report");
        XElement svg = XElement.Parse(rendered);
        string line = (string)Parts(svg, "series").Single().Attribute("d")!;
        Regex.Matches(line, "[ML]").Count.Should().BeLessThanOrEqualTo(chart.PlotColumns + 1);
        string envelope = (string)Parts(svg, "envelope").Single().Attribute("d")!;
        double top = Regex.Matches(envelope, @"[ML][\d.]+,([\d.]+)").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Min();
        top.Should().BeLessThan(35, "the spike to 1e6 reaches the top of the plot (y = 30) in the envelope");
        Parts(svg, "hover").Single().Elements(Svg + "circle").Count().Should().BeInRange(40, 81);
    }

    [Fact]
    public void Hovering_a_line_a_dot_or_a_marker_shows_its_value()
    {
        XElement loss = XElement.Parse(RunCharts.For(ExplodingAndClipped()).Loss.Render());
        Parts(loss, "hover").SelectMany(h => h.Elements(Svg + "circle")).Should().OnlyContain(c => c.Element(Svg + "title") != null);
        Parts(loss, "dots").First().Elements(Svg + "circle").First().Element(Svg + "title")!.Value.Should().Be("global-norm:0.5 (not solved): 0.1 at step 10");
        Parts(loss, "marker").Single().Element(Svg + "title")!.Value.Should().Contain("loss 6645");
    }

    [Fact]
    public void The_per_parameter_heat_map_has_a_row_per_parameter_on_one_colour_scale_for_all_runs()
    {
        RunCharts charts = RunCharts.For(ExplodingAndClipped());
        charts.ParameterNorms.Should().HaveCount(3);
        charts.ParameterNorms.Select(m => m.LogColorRange()).Distinct().Should().ContainSingle("one scale, so colours compare between runs");
        SvgHeatMap exploding = charts.ParameterNorms[0];
        exploding.RowLabels.Should().Equal("rnn.weight_hh", "head.weight");
        exploding.Subtitle.Should().Be("First above 10× its step-1 norm: rnn.weight_hh, at step 3.");
        XElement svg = XElement.Parse(exploding.Render());
        Parts(svg, "cells").Single().Elements(Svg + "rect").Should().HaveCount(2 * 5, "the run stopped at step 5: one column per step");
        Parts(XElement.Parse(charts.ParameterNorms[1].Render()), "cells").Single().Elements(Svg + "rect").Should().HaveCount(2 * RunCharts.HeatMapColumns);
        Parts(svg, "cells").Single().Elements(Svg + "rect").First().Element(Svg + "title")!.Value.Should().StartWith("rnn.weight_hh step");
        Parts(svg, "colorbar").Single().Descendants(Svg + "text").Should().Contain(t => t.Value == "10000");
    }
}
