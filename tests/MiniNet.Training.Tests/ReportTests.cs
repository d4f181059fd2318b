using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FluentAssertions;
using MiniNet.Training;
using Xunit;

namespace MiniNet.Training.Tests;

/// <summary>The hand-written SVG has its parts, the HTML report is self-contained, and run folders are never overwritten.</summary>
public sealed class ReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static IReadOnlyList<RunResult> Runs(MetricsWriter? metrics = null)
    {
        var config = new TrainingConfig(Task: "adding", Hidden: 8, SequenceLength: 8, Batch: 16, Steps: 30, EvalEvery: 10, EvalBatch: 50);
        return new[] { "none", "global-norm:0.01", "value:0.001" }
            .Select(clip => Trainer.Run(config with { Clip = clip }, new TrainingOptions(Metrics: metrics, KeepParameterNorms: true), clip))
            .ToList();
    }

    [Fact]
    public void The_charts_of_real_runs_have_axes_a_line_per_run_and_the_baseline()
    {
        IReadOnlyList<RunResult> runs = Runs();
        RunCharts charts = HtmlReport.Charts(runs);
        XElement svg = XElement.Parse(charts.GradNorm.Render());
        XNamespace ns = "http://www.w3.org/2000/svg";
        svg.Elements(ns + "g").Where(g => (string?)g.Attribute("class") == "axis").Should().ContainSingle();
        var paths = svg.Elements(ns + "path").Where(p => (string?)p.Attribute("class") == "series").ToList();
        paths.Should().HaveCount(3 + runs.Count(r => r.ClippedSteps > 0), "a pre-clip line per run and a post-clip line per run that clipped");
        paths.Should().OnlyContain(p => ((string)p.Attribute("d")!).StartsWith('M'));
        ((string)paths[0].Attribute("data-name")!).Should().StartWith("none");
        svg.Descendants(ns + "text").Select(t => t.Value).Should().Contain(v => v.Contains("log scale", StringComparison.Ordinal));
        charts.ParameterNorms.Should().HaveCount(3, "the runs keep their per-parameter norms for the heat map");

        XElement lossSvg = XElement.Parse(charts.Loss.Render());
        lossSvg.Elements(ns + "g").Where(g => (string?)g.Attribute("class") == "reference").Should().Contain(g => g.Value.Contains("baseline"));
    }

    [Fact]
    public void A_chart_without_data_still_renders()
    {
        var chart = new SvgChart { Title = "empty", YLabel = "y", LogY = true };
        chart.Series.Add(new ChartSeries("nothing yet", []));
        XElement.Parse(chart.Render()).Name.LocalName.Should().Be("svg");
    }

    [Fact]
    public void Non_finite_points_break_a_line_instead_of_corrupting_it()
    {
        var chart = new SvgChart { Title = "t", YLabel = "y", LogY = true };
        chart.Series.Add(new ChartSeries("s", [(1, 1), (2, double.NaN), (3, 10), (4, double.PositiveInfinity), (5, 0), (6, 100)]));
        string d = (string)XElement.Parse(chart.Render()).Elements().Single(e => (string?)e.Attribute("class") == "series").Attribute("d")!;
        Regex.Matches(d, "M").Should().HaveCount(3, "each unusable point starts a new segment");
        d.Should().NotContain("NaN").And.NotContain("Infinity");
    }

    [Fact]
    public void Each_series_marks_its_last_point_with_its_value_so_a_one_step_run_still_shows()
    {
        var chart = new SvgChart { Title = "t", YLabel = "y", LogY = true };
        chart.Series.Add(new ChartSeries("stopped", [(1, 0.9)]));
        chart.Series.Add(new ChartSeries("long", [(1, 1), (2, 0.5), (3, double.NaN)]));
        var ends = XElement.Parse(chart.Render()).Elements().Where(e => (string?)e.Attribute("class") == "end").ToList();
        ends.Select(e => (string?)e.Attribute("data-name")).Should().Equal("stopped", "long");
        ends[0].Elements().Single(e => e.Name.LocalName == "title").Value.Should().Be("stopped: 0.9 at step 1");
        ends[1].Elements().Single(e => e.Name.LocalName == "title").Value.Should().Be("long: 0.5 at step 2", "the last usable point, not the NaN");
    }

    [Fact]
    public void The_report_is_self_contained_and_the_folder_holds_every_file()
    {
        using RunFolderClaim claim = RunFolder.Claim(Path.Combine(_folder, "run"), "unused");
        string folder = claim.Path;
        IReadOnlyList<RunResult> runs;
        using (var metrics = new MetricsWriter(folder))
        {
            runs = Runs(metrics);
        }

        RunFolder.Write(folder, "compare", runs, HtmlReport.ForRuns("Exploding versus clipped gradients", runs));
        Directory.GetFiles(folder).Select(Path.GetFileName).Should().BeEquivalentTo("metrics.csv", "metrics.jsonl", "summary.json", "report.html", RunFolder.LockName);

        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        html.Should().StartWith("<!DOCTYPE html>").And.Contain("<table class=\"summary\">").And.NotContain("<script");
        Regex.Matches(html, "<svg ").Should().HaveCount(3 + runs.Count, "loss, norm, clipped share (the adding problem has no accuracy chart), and a heat map per run");
        Regex.Matches(html, "https?://").Cast<Match>().Should().OnlyContain(m => html.Substring(m.Index, 26) == "http://www.w3.org/2000/svg", "no network resources");

        string[] csv = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
        csv[0].Should().Be(MetricsWriter.CsvHeader);
        csv.Should().HaveCount(1 + runs.Sum(r => r.StepsRun));
        foreach (string line in File.ReadLines(Path.Combine(folder, "metrics.jsonl")))
        {
            JsonDocument.Parse(line).RootElement.GetProperty("parameter_norms").EnumerateObject().Should().NotBeEmpty();
        }

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        summary.RootElement.GetProperty("runs").GetArrayLength().Should().Be(3);
    }

    [Fact]
    public void An_existing_folder_is_never_overwritten()
    {
        string explicitFolder = Path.Combine(_folder, "taken");
        Directory.CreateDirectory(explicitFolder);
        Action act = () => RunFolder.Claim(explicitFolder, "x");
        act.Should().Throw<IOException>().WithMessage("--out '*taken' already exists; MiniNet never overwrites a run folder*");

        string previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(_folder);
        try
        {
            using RunFolderClaim firstClaim = RunFolder.Claim(null, "same");
            using RunFolderClaim secondClaim = RunFolder.Claim(null, "same");
            string first = firstClaim.Path, second = secondClaim.Path;
            first.Should().Be(Path.Combine("runs", "same"));
            second.Should().Be(Path.Combine("runs", "same") + "-2");
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }
}
