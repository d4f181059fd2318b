using FluentAssertions;
using MiniNet.Training;
using Xunit;

namespace MiniNet.Training.Tests;

/// <summary>Experiment grids, cell ids, one cell's lifecycle (skip, resume, failure), aggregation of a partial folder, Wilson intervals.</summary>
[Collection("Reliability")]
public sealed class ExperimentTests : IDisposable
{
    private static readonly TrainingConfig Base = new(Task: "adding", Model: "lstm", Hidden: 4, SequenceLength: 5, Batch: 4, Optimizer: "sgd",
        LearningRate: 0.5f, Steps: 60, Clip: "global-norm:1", EvalEvery: 20, EvalBatch: 16);

    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-experiment-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_grid_is_every_combination_in_order_with_seed_ranges()
    {
        ExperimentGrid grid = ExperimentGrid.FromLists(new Dictionary<string, string> { ["seq-len"] = "5,10", ["clip"] = "none,global-norm:1", ["seeds"] = "1-3" });
        IReadOnlyList<ExperimentCell> cells = grid.Cells(Base);
        cells.Should().HaveCount(12);
        cells.Select(c => (c.Config.SequenceLength, c.Config.Clip, c.Config.Seed)).Take(4)
            .Should().Equal((5, "none", 1), (5, "none", 2), (5, "none", 3), (5, "global-norm:1", 1));
        cells.Select(c => c.Id).Should().OnlyHaveUniqueItems();
    }

    [Theory]
    [InlineData("clipper", "none", "Unknown option --clipper; an experiment varies task, model, hidden")]
    [InlineData("seq-len", "5,,10", "--seq-len '5,,10' has an empty value")]
    [InlineData("seeds", "9-3", "--seeds '9-3' is not a range from a smaller to a larger seed")]
    [InlineData("hidden", "4,x", "--hidden: 'x' is not a whole number.")]
    [InlineData("clip", "none,banana", "unknown stage 'banana'")]
    public void A_bad_grid_is_refused_naming_the_problem(string key, string value, string expected)
    {
        Action build = () => ExperimentGrid.FromLists(new Dictionary<string, string> { [key] = value }).Cells(Base);
        build.Should().Throw<ArgumentException>().WithMessage($"*{expected}*");
    }

    [Fact]
    public void A_grid_over_every_model_runs_each_cell_and_refuses_an_unknown_one()
    {
        IReadOnlyList<ExperimentCell> cells = ExperimentGrid.FromLists(new Dictionary<string, string> { ["model"] = "rnn,rnn-relu,gru,lstm" }).Cells(Base);
        cells.Select(c => c.Config.Model).Should().Equal("rnn", "rnn-relu", "gru", "lstm");
        Experiment.Create(_folder, cells, ["model"], checkpointEvery: 0);
        cells.Select(c => CellRunner.Run(_folder, c.Id)).Should().OnlyContain(state => state == CellState.Done);

        Action unknown = () => ExperimentGrid.FromLists(new Dictionary<string, string> { ["model"] = "gru,transformer" }).Cells(Base);
        unknown.Should().Throw<ArgumentException>().WithMessage("*Unknown model 'transformer'; valid models are rnn, rnn-relu, gru, lstm*");
    }

    [Fact]
    public void A_grid_over_ten_thousand_cells_is_refused_unless_the_limit_is_raised()
    {
        ExperimentGrid grid = ExperimentGrid.FromLists(new Dictionary<string, string> { ["seeds"] = "1-10001" });
        Action build = () => grid.Cells(Base);
        build.Should().Throw<ArgumentException>().WithMessage("The grid has 10001 cells (10001 seeds), more than --max-cells 10000; narrow it, or raise --max-cells.");
        grid.Cells(Base with { Steps = 1 }, maxCells: 20_000).Should().HaveCount(10_001);
    }

    [Fact]
    public void An_experiment_file_names_an_unknown_key_and_lists_the_valid_ones()
    {
        string good = Path.Combine(_folder, "good.json");
        File.WriteAllText(good, """{ "$schema": "https://example.org/mininet-experiment.json", "seq-len": [5, 10], "clip": "none", "seeds": "1-2" }""");
        ExperimentGrid.FromFile(good).Cells(Base).Should().HaveCount(4);

        string bad = Path.Combine(_folder, "bad.json");
        File.WriteAllText(bad, """{ "seq_len": [5, 10] }""");
        Action read = () => ExperimentGrid.FromFile(bad);
        read.Should().Throw<InvalidDataException>().WithMessage($"'{bad}': unknown key 'seq_len'; valid keys are task, model, hidden, layers, seq-len, *, seeds (and $schema).");

        File.WriteAllText(bad, """{ "seq-len": [5, true] }""");
        read.Should().Throw<InvalidDataException>().WithMessage("*'seq-len' holds true true; give a number, a string, or a list of them.");
    }

    [Fact]
    public void Cell_ids_are_stable_and_depend_on_every_setting()
    {
        ExperimentCell a = ExperimentCell.For(Base), again = ExperimentCell.For(Base with { });
        a.Id.Should().Be(again.Id).And.StartWith("adding-lstm-h4-t5-sgd-lr0.5-global-norm_1-s1-");
        ExperimentCell.For(Base with { EvalBatch = 17 }).Id.Should().NotBe(a.Id, "the hash covers settings the readable part leaves out");
        ExperimentCell.For(Base with { Seed = 2 }).Id.Should().NotBe(a.Id);
    }

    [Theory]
    [InlineData(0, 10, 0.0, 0.27754)]
    [InlineData(5, 10, 0.23659, 0.76341)]
    [InlineData(10, 10, 0.72246, 1.0)]
    [InlineData(1, 20, 0.00889, 0.23612)]
    [InlineData(0, 0, 0.0, 1.0)]
    public void Wilson_intervals_match_known_values(int successes, int trials, double low, double high)
    {
        (double l, double h) = Aggregation.Wilson(successes, trials);
        l.Should().BeApproximately(low, 1e-4);
        h.Should().BeApproximately(high, 1e-4);
    }

    [Fact]
    public void A_cell_runs_once_resumes_after_an_interrupt_and_a_broken_one_is_recorded_as_failed()
    {
        IReadOnlyList<ExperimentCell> cells = ExperimentGrid.FromLists(new Dictionary<string, string> { ["seeds"] = "1-3" }).Cells(Base);
        Experiment.Create(_folder, cells, ["seeds"], checkpointEvery: 10);

        CellRunner.Run(_folder, cells[0].Id).Should().Be(CellState.Done);
        string metrics = Path.Combine(Experiment.CellFolder(_folder, cells[0].Id), "metrics.csv");
        byte[] straight = File.ReadAllBytes(metrics);
        CellRunner.Run(_folder, cells[0].Id).Should().Be(CellState.Done, "a finished cell is skipped");
        File.ReadAllBytes(metrics).Should().Equal(straight);

        using (var stop = new CancellationTokenSource())
        {
            stop.Cancel(); // before its first step: nothing to checkpoint yet, and the cell starts over next time
            CellRunner.Run(_folder, cells[1].Id, stop.Token).Should().Be(CellState.Interrupted);
        }

        Experiment.StateOf(_folder, cells[1].Id).Should().Be(CellState.Interrupted);
        (IReadOnlyList<CellResult> partial, int pending) = Aggregation.Collect(_folder);
        partial.Should().ContainSingle("only the first cell has ended");
        pending.Should().Be(2);
        CellRunner.Run(_folder, cells[1].Id).Should().Be(CellState.Done, "the interrupted cell resumes");

        string broken = Path.Combine(Experiment.CellFolder(_folder, cells[2].Id), "checkpoint.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(broken)!);
        File.WriteAllBytes(broken, [1, 2, 3]);
        CellRunner.Run(_folder, cells[2].Id).Should().Be(CellState.Failed);

        (IReadOnlyList<CellResult> Results, IReadOnlyList<SettingSummary> Summary, int Pending) all = Aggregation.Write(_folder);
        all.Pending.Should().Be(0);
        all.Results.Select(r => r.Outcome).Should().Equal(all.Results[0].Outcome, all.Results[1].Outcome, "failed");
        all.Results[2].Error.Should().Contain("is not a valid safetensors file");
        all.Summary.Should().ContainSingle().Which.Should().Match<SettingSummary>(s => s.Cells == 2 && s.Failed == 1);
        File.ReadAllLines(Path.Combine(_folder, "results.csv")).Should().HaveCount(4);
    }

    [Fact]
    public void A_resumed_cell_ends_exactly_as_an_uninterrupted_one()
    {
        IReadOnlyList<ExperimentCell> cells = ExperimentGrid.FromLists(new Dictionary<string, string> { ["seeds"] = "4" }).Cells(Base with { Steps = 15000, EvalEvery = 5000 });
        string straight = Path.Combine(_folder, "straight"), stopped = Path.Combine(_folder, "stopped");
        Experiment.Create(straight, cells, [], checkpointEvery: 7);
        Experiment.Create(stopped, cells, [], checkpointEvery: 7);
        CellRunner.Run(straight, cells[0].Id);
        using (var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            CellRunner.Run(stopped, cells[0].Id, stop.Token).Should().Be(CellState.Interrupted, "15,000 steps take seconds, far longer than 0.3 s");
        }

        CellRunner.Run(stopped, cells[0].Id).Should().Be(CellState.Done);
        foreach (string file in new[] { "metrics.csv", "metrics.jsonl", "checkpoint.safetensors" })
        {
            File.ReadAllBytes(Path.Combine(Experiment.CellFolder(stopped, cells[0].Id), file))
                .Should().Equal(File.ReadAllBytes(Path.Combine(Experiment.CellFolder(straight, cells[0].Id), file)), file);
        }
    }
}
