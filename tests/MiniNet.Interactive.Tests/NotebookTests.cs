using FluentAssertions;
using MiniNet.Tests.Shared;
using Xunit;

namespace MiniNet.Interactive.Tests;

/// <summary>Every notebook in notebooks/ runs from its first cell to its last without an error, and shows what it promises.</summary>
[Collection("notebooks")]
public sealed class NotebookTests
{
    private static string Notebook(string name) => Path.Combine(DebianTools.RepositoryRoot(), "notebooks", name);

    private static async Task<IReadOnlyList<CellRun>> RunAsync(string name)
    {
        IReadOnlyList<CellRun> cells = await NotebookRunner.RunAsync(Notebook(name));
        cells.Should().NotBeEmpty();
        foreach (CellRun cell in cells)
        {
            cell.Error.Should().BeNull($"the cell\n{cell.Source}\nmust run");
        }

        return cells;
    }

    private static string Html(CellRun cell) => string.Concat(cell.Outputs.Where(o => o.MimeType == "text/html").Select(o => o.Value));

    [Fact]
    public void Every_notebook_in_the_folder_has_a_test()
    {
        Directory.GetFiles(Path.Combine(DebianTools.RepositoryRoot(), "notebooks"), "*.ipynb").Select(Path.GetFileName)
            .Should().BeEquivalentTo("01-autograd-from-scratch.ipynb", "02-exploding-vs-clipped.ipynb", "03-choosing-a-threshold.ipynb", "04-pascanus-wall.ipynb");
    }

    [Fact]
    public async Task Autograd_from_scratch_draws_the_graph_with_its_gradients_and_trains_a_network()
    {
        DebianTools.Ensure("dot").Should().BeTrue("Graphviz draws the graph; tools/install-test-deps.sh installs it");
        IReadOnlyList<CellRun> cells = await RunAsync("01-autograd-from-scratch.ipynb");
        string graph = System.Net.WebUtility.HtmlDecode(Html(cells[1])); // Graphviz writes - as &#45;
        graph.Should().Contain("<svg").And.Contain("grad 6").And.Contain("grad -4");
        cells[2].Outputs.Should().Contain(o => o.Value.Contains("by backprop: 6, by finite differences: 6.000"));
        cells[3].Outputs.Should().Contain(o => o.Value.Contains("passed"));
        Html(cells[4]).Should().Contain("<svg").And.Contain("Tanh");
        Html(cells[5]).Should().Contain("class=\"series\"");
        Html(cells[6]).Should().Contain("Tensor shape [1, 16]").And.Contain("<table");
    }

    [Fact]
    public async Task Exploding_vs_clipped_shows_the_runs_with_their_charts_heat_maps_and_a_clip_report()
    {
        IReadOnlyList<CellRun> cells = await RunAsync("02-exploding-vs-clipped.ipynb");
        string runs = Html(cells[1]);
        runs.Should().Contain("<table class=\"summary\">").And.Contain("class=\"marker\"").And.Contain("class=\"heatmap\"").And.Contain("clip at 0.1");
        Html(cells[2]).Should().Contain("‖g‖").And.Contain("lstm.weight_hh_l0");
        string verdicts = string.Concat(cells[3].Outputs.Select(o => o.Value));
        verdicts.Should().Contain("none: stopped at step");
        string experiment = Html(cells[4]);
        experiment.Should().Contain("Results over seeds").And.Contain("<svg").And.Contain("100 %", "the unclipped run diverges on every seed");
    }

    [Fact]
    public async Task Choosing_a_threshold_goes_from_a_probe_to_advice_to_a_sweep()
    {
        IReadOnlyList<CellRun> cells = await RunAsync("03-choosing-a-threshold.ipynb");
        cells[1].Outputs.Should().Contain(o => o.Value.Contains("suggested global-norm threshold"));
        Html(cells[2]).Should().Contain("class=\"reference\"");
        Html(cells[3]).Should().Contain("<table class=\"summary\">").And.Contain("global-norm:").And.Contain("(same line as none");
    }

    [Fact]
    public async Task Pascanus_wall_draws_the_surface_and_compares_thresholds()
    {
        IReadOnlyList<CellRun> cells = await RunAsync("04-pascanus-wall.ipynb");
        Html(cells[1]).Should().Contain("class=\"heatmap\"").And.Contain("Unclipped: the first step moves");
        cells[2].Outputs.Should().Contain(o => o.Value.Contains("threshold   100: first step 2.565 long"));
    }
}
