using System.Text.Json;
using FluentAssertions;
using Spectre.Console;
using Xunit;

namespace MiniNet.Lab.Tests;

/// <summary>
/// The mininet command in-process: bad input is one line on stderr and exit code 2, for every command;
/// a real run writes its folder. Runs change the working directory, so this class is not run in parallel with others.
/// </summary>
[Collection("Working directory")]
public sealed class CliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Out, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
        console.Profile.Width = 200; // no wrapping inside the phrases the tests look for
        int code = Cli.Run(args, console, error);
        return (code, output.ToString(), error.ToString());
    }

    public static TheoryData<string, string> BadInvocations() => new()
    {
        { "train --task addition", "Unknown task 'addition'; valid tasks are adding, multiplication, temporal-order, temporal-order-3bit, copy." },
        { "train --model transformer", "Unknown model 'transformer'; valid models are rnn, rnn-relu, gru, lstm." },
        { "train --optimizer lion", "Unknown optimizer 'lion'; valid optimizers are sgd, adam, adamw, rmsprop, adagrad." },
        { "train --clip global-norm:-1", "'-1' in 'global-norm:-1' is not a valid threshold" },
        { "train --clip clamp:1", "unknown stage 'clamp'; valid forms are none, value:C" },
        { "train --clip", "--clip" },
        { "train --hidden 0", "--hidden 0 is invalid; it must be a positive whole number up to 8192." },
        { "train --hidden -5", "--hidden -5 is invalid" },
        { "train --hidden abc", "abc" },
        { "train --hidden 99999999999", "99999999999" },
        { "train --steps 0", "--steps 0 is invalid" },
        { "train --batch -1", "--batch -1 is invalid" },
        { "train --seq-len 1", "sequence length" },
        { "train --lr -1", "--lr -1 is invalid" },
        { "train --lr NaN", "--lr NaN is invalid" },
        { "train --lr fast", "--lr 'fast' is not a number" },
        { "train --lr 1e39", "--lr Infinity is invalid" },
        { "train --schedule sometimes", "Unknown schedule 'sometimes'; valid forms are none, cosine" },
        { "train --accumulation 0", "--accumulation 0 is invalid" },
        { "train --frobnicate", "--frobnicate" },
        { "compare --clip ,", "--clip is empty" },
        { "compare --clip none,value:0", "'0' in 'value:0' is not a valid threshold" },
        { "compare --task copy --seq-len 0", "delay" },
        { "sweep --thresholds 10,-1", "--thresholds: '-1' is not a positive number" },
        { "sweep --thresholds", "--thresholds" },
        { "sweep --probe-steps 1", "--probe-steps 1 is invalid" },
        { "wall --lr 0", "--lr 0 is invalid; it must be a positive number." },
        { "wall --threshold -1", "--threshold -1 is invalid" },
        { "wall --steps 0", "--steps 0 is invalid" },
        { "wall --w NaN", "--w NaN is invalid" },
        { "dance", "dance" },
        { "train --layers 0", "--layers 0 is invalid" },
        { "train --layers 1000", "--layers 1000 is invalid; it must be a positive whole number up to 64" },
        { "train --hidden 100000", "--hidden 100000 is invalid; it must be a positive whole number up to 8192" },
        { "train --batch 100000 --hidden 4096", "of memory (model and optimizer" },
        { "train --seed abc", "abc" },
        { "train --eval-every 0", "--eval-every 0 is invalid" },
        { "train --checkpoint-every -1", "--checkpoint-every -1 is invalid" },
        { "train --resume /no/such/checkpoint.safetensors", "--resume '/no/such/checkpoint.safetensors': no such checkpoint file." },
        { "train --anomaly maybe", "maybe" },
        { "train --schedule step:0:0.5", "Schedule 'step:0:0.5' needs a positive whole number of steps" },
        { "train --schedule warmup:", "warmup:" },
        { "train --optimizer", "--optimizer" },
        { "train --task", "--task" },
        { "train --out", "--out" },
        { "compare --lr -0.5", "--lr -0.5 is invalid" },
        { "compare --model", "--model" },
        { "sweep --hidden -1", "--hidden -1 is invalid" },
        { "sweep --probe-steps x", "x" },
        { "wall --b inf", "--b 'inf' is not a finite number" },
        { "wall --b Infinity", "--b Infinity is invalid; it must be a finite number." },
        { "wall --threshold abc", "abc" },
        { "wall --steps 1000000", "--steps 1000000 is invalid; it must be a whole number from 1 to 100000." },
        { "train --batch 1.5", "--batch '1.5' is not a whole number (up to 2147483647) (see 'mininet train --help' for the options)" },
        { "train --steps 1e3", "--steps '1e3' is not a whole number" },
        { "sweep --thresholds 0.1,1e-50", "--thresholds: '1e-50' is not a positive number within float32's range" },
        { "sweep --thresholds 1e39", "--thresholds: '1e39' is not a positive number within float32's range" },
        { "train --schedule warmup:5+garbage", "Unknown schedule 'warmup:5+garbage'" },
        { "train --schedule warmup:5+cosine+cosine", "Unknown schedule 'warmup:5+cosine+cosine'" },
        { "train --schedule step:1:1e300", "Schedule 'step:1:1e300' would take the learning rate 0.01 to about 1e599698 by step 2000" },
        { "train --schedule step:1:0", "Schedule 'step:1:0': the factor '0' must be a positive, finite number" },
        { "train --clip global-norm:1:0.5", "the norm order 0.5 is below 1, where ‖·‖ₚ is not a norm; valid orders are 1 ≤ P (any finite value) or inf." },
        { "train --clip global-norm:1e+20+garbage", "unknown stage 'garbage'" },
        { "train --divergence-factor 1", "--divergence-factor 1 is invalid; it must be a finite number greater than 1" },
        { "train --divergence-factor lots", "--divergence-factor 'lots' is not a number" },
        { "train --eval-batch 0", "--eval-batch 0 is invalid" },
        { "compare --checkpoint-every -3", "--checkpoint-every -3 is invalid" },
        { "train --hidden 4096 --layers 64", "This run needs about" },
        { "experiment --workers 0", "--workers 0 is invalid; it must be a whole number from 1 to 256." },
        { "experiment --preset nope", "Unknown preset 'nope'; the presets are pascanu-temporal-order, pascanu-adding, threshold-lr, rnn-vs-lstm." },
        { "experiment --quick", "--quick is the quick form of a preset" },
        { "experiment --seeds 5-1", "--seeds '5-1' is not a range" },
        { "experiment --seq-len 10,abc", "--seq-len: 'abc' is not a whole number." },
        { "experiment --clip none,value:0", "'0' in 'value:0' is not a valid threshold" },
        { "experiment --seeds 1-20000", "The grid has 20000 cells (20000 seeds), more than --max-cells 10000" },
        { "experiment --file /no/such.json", "No experiment file at '/no/such.json'." },
        { "experiment run-cell /no/such/folder x", "'/no/such/folder' is not an experiment folder" },
        { "experiment aggregate /no/such/folder", "'/no/such/folder' is not an experiment folder" },
    };

    [Fact]
    public void An_invalid_sweep_is_refused_before_its_probe_trains_and_creates_no_folder()
    {
        string folder = Path.Combine(_folder, "sweep");
        (int code, string output, string error) = Run("sweep", "--thresholds", "10,1e-50", "--out", folder);
        code.Should().Be(2);
        error.Should().Contain("'1e-50'");
        output.Should().NotContain("suggested", "the probe never ran");
        Directory.Exists(folder).Should().BeFalse();
    }

    [Fact]
    public void Exponents_in_clipper_specs_and_sweep_thresholds_are_numbers_not_chain_separators()
    {
        (int code, _, string error) = Run("sweep", "--thresholds", "1e+20,1", "--steps", "4", "--probe-steps", "3", "--seq-len", "5", "--hidden", "4", "--out", Path.Combine(_folder, "s"));
        error.Should().BeEmpty();
        code.Should().Be(0);
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "s", "summary.json")));
        summary.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("name").GetString()).Should().Equal("global-norm:1E+20", "global-norm:1");
        Run("train", "--clip", "skip-nonfinite+global-norm:1e+20", "--steps", "3", "--seq-len", "5", "--hidden", "4", "--out", Path.Combine(_folder, "t")).Code.Should().Be(0);
    }

    [Theory]
    [InlineData("train", "gru")]
    [InlineData("train", "rnn-relu")]
    [InlineData("compare", "gru")]
    public void The_gru_and_relu_rnn_models_run_from_the_command_line(string command, string model)
    {
        string folder = Path.Combine(_folder, $"{command}-{model}");
        (int code, string output, string error) = Run(command, "--model", model, "--steps", "5", "--seq-len", "5", "--hidden", "4", "--out", folder);
        (code, error).Should().Be((0, string.Empty), output);
        File.ReadAllText(Path.Combine(folder, "summary.json")).Should().Contain($"\"{model}\"");
    }

    [Fact]
    public void A_large_norm_order_gives_finite_norms_that_clip_and_non_finite_numbers_never_crash_the_writers()
    {
        string folder = Path.Combine(_folder, "p1000");
        Run("train", "--clip", "global-norm:1:1000", "--steps", "5", "--seq-len", "5", "--hidden", "4", "--out", folder).Code.Should().Be(0);
        foreach (string line in File.ReadLines(Path.Combine(folder, "metrics.jsonl")))
        {
            double norm = JsonDocument.Parse(line).RootElement.GetProperty("grad_norm_before").GetDouble();
            norm.Should().BePositive().And.BeLessThan(1e6, "the 1000-norm of ordinary gradients neither overflows nor underflows");
        }

        (int wall, _, string wallError) = Run("wall", "--lr", "1e308", "--steps", "5", "--out", Path.Combine(_folder, "wall"));
        wallError.Should().BeEmpty();
        wall.Should().Be(0, "a learning rate that sends the wall's numbers to ∞ is shown, not a crash");
        JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "wall", "summary.json")));
    }

    [Fact]
    public void Anomaly_mode_names_the_op_and_the_parameters_writes_the_report_and_exits_3()
    {
        string folder = Path.Combine(_folder, "anomaly");
        (int code, _, string error) = Run("train", "--anomaly", "--optimizer", "sgd", "--lr", "1e30", "--clip", "none", "--steps", "20", "--seq-len", "5", "--hidden", "4", "--out", folder);
        code.Should().Be(Cli.AnomalyExitCode).And.Be(3);
        error.Should().StartWith("mininet: Anomaly: the ").And.Contain("at training step").And.Contain("Parameters: ").And.Contain("lstm.weight_hh_l0");
        error.TrimEnd().Should().NotContain("\n");
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        JsonElement run = summary.RootElement.GetProperty("runs")[0];
        run.GetProperty("status").GetString().Should().Be("anomaly");
        run.GetProperty("anomaly_parameters").GetArrayLength().Should().BePositive();
        File.ReadAllText(Path.Combine(folder, "report.html")).Should().Contain("anomaly at step");
    }

    [Fact]
    public void Anomaly_mode_at_an_ordinary_learning_rate_finds_the_NaN_the_divergence_rule_would_have_stopped_short_of()
    {
        (int code, _, string error) = Run("compare", "--clip", "none", "--anomaly", "--steps", "200", "--out", Path.Combine(_folder, "ordinary"));
        code.Should().Be(3);
        error.Should().StartWith("mininet: Anomaly: the ").And.Contain("at training step");
    }

    [Fact]
    public void Compare_accepts_anomaly_and_checkpoint_every_like_train()
    {
        string folder = Path.Combine(_folder, "cmp-options");
        (int code, _, string error) = Run("compare", "--anomaly", "--checkpoint-every", "5", "--steps", "10", "--seq-len", "5", "--hidden", "4", "--clip", "global-norm:1,value:0.5", "--out", folder);
        error.Should().BeEmpty();
        code.Should().Be(0);
        Directory.GetFiles(Path.Combine(folder, "checkpoints")).Select(Path.GetFileName).Should().BeEquivalentTo("global-norm_1.safetensors", "value_0.5.safetensors");
    }

    [Fact]
    public void Divergence_is_reported_with_its_real_numbers_and_can_be_watched_to_the_end()
    {
        string stopped = Path.Combine(_folder, "stopped");
        (_, string output, _) = Run("compare", "--clip", "none", "--steps", "40", "--out", stopped);
        output.Should().MatchRegex("stopped at step [0-9]+: (loss [0-9.E+]+ is over 100 × the first loss [0-9.]+|the loss became)");
        using (JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(stopped, "summary.json"))))
        {
            JsonElement run = summary.RootElement.GetProperty("runs")[0];
            run.GetProperty("status").GetString().Should().Be("diverged");
            run.GetProperty("final_test_loss").ValueKind.Should().NotBe(JsonValueKind.Null);
            run.GetProperty("last_loss").ValueKind.Should().Be(JsonValueKind.Number, "the last loss seen is a real number");
        }

        string watched = Path.Combine(_folder, "watched");
        (int code, _, string error) = Run("compare", "--clip", "none", "--steps", "40", "--no-stop-on-divergence", "--eval-every", "1000", "--out", watched);
        error.Should().BeEmpty();
        code.Should().Be(0);
        File.ReadAllLines(Path.Combine(watched, "metrics.csv")).Should().HaveCount(41, "the run went on to its last step");
        using JsonDocument all = JsonDocument.Parse(File.ReadAllText(Path.Combine(watched, "summary.json")));
        all.RootElement.GetProperty("runs")[0].GetProperty("verdict").GetString().Should().Contain("ran on to step 40");
    }

    [Fact]
    public void Resume_refuses_every_option_that_would_change_the_run_naming_it()
    {
        string first = Path.Combine(_folder, "first");
        Run("train", "--steps", "10", "--seq-len", "5", "--hidden", "4", "--out", first).Code.Should().Be(0);
        string checkpoint = Path.Combine(first, "checkpoint.safetensors");
        byte[] before = File.ReadAllBytes(Path.Combine(first, "metrics.csv"));
        foreach (string[] change in new[] { ["--lr", "banana"], ["--clip", "++"], ["--model", "rnn"], ["--hidden", "8"], ["--task", "copy"], ["--optimizer", "sgd"], ["--seed", "2"], ["--schedule", "cosine"], ["--batch", "3"], new[] { "--eval-batch", "9" } })
        {
            (int code, _, string error) = Run(["train", "--resume", checkpoint, "--steps", "20", .. change]);
            code.Should().Be(2, string.Join(' ', change));
            error.Should().StartWith($"mininet: {change[0]} cannot be given with --resume");
        }

        File.ReadAllBytes(Path.Combine(first, "metrics.csv")).Should().Equal(before, "a refused resume touches nothing");
    }

    [Fact]
    public void A_hundred_steps_straight_equal_fifty_then_a_resume_to_a_hundred_byte_for_byte()
    {
        string[] settings = ["--seq-len", "8", "--hidden", "6", "--batch", "8", "--eval-every", "25", "--eval-batch", "32", "--clip", "skip-nonfinite+autoclip:50"];
        string straight = Path.Combine(_folder, "straight"), halves = Path.Combine(_folder, "halves");
        Run(["train", "--steps", "100", "--checkpoint-every", "50", .. settings, "--out", straight]).Code.Should().Be(0);
        Run(["train", "--steps", "50", "--checkpoint-every", "50", .. settings, "--out", halves]).Code.Should().Be(0);
        (int code, _, string error) = Run("train", "--resume", Path.Combine(halves, "checkpoint.safetensors"), "--steps", "100");
        error.Should().BeEmpty();
        code.Should().Be(0);
        foreach (string file in new[] { "metrics.csv", "metrics.jsonl", "checkpoint.safetensors" })
        {
            File.ReadAllBytes(Path.Combine(halves, file)).Should().Equal(File.ReadAllBytes(Path.Combine(straight, file)), file);
        }

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(halves, "summary.json")));
        summary.RootElement.GetProperty("runs")[0].GetProperty("steps_run").GetInt32().Should().Be(100, "the report covers the whole run");
    }

    [Theory]
    [MemberData(nameof(BadInvocations))]
    public void Bad_input_is_one_line_on_stderr_and_exit_code_2(string arguments, string expected)
    {
        (int code, string output, string error) = Run(arguments.Split(' '));
        code.Should().Be(2, $"'{arguments}' is invalid");
        error.Should().StartWith("mininet: ").And.Contain(expected);
        error.TrimEnd('\n', '\r').Should().NotContain("\n", "one line");
        error.Should().NotContain("   at ", "never a stack trace");
        output.Should().NotContain("Report:");
    }

    [Fact]
    public void A_corrupt_checkpoint_given_to_resume_is_named_on_one_line()
    {
        string path = Path.Combine(_folder, "broken.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        (int code, _, string error) = Run("train", "--resume", path, "--out", Path.Combine(_folder, "r"));
        code.Should().Be(2);
        error.Should().Be($"mininet: '{path}' is not a valid safetensors file: it is 3 bytes long, too short for the 8-byte header length.{Environment.NewLine}");
    }

    [Fact]
    public void Train_checkpoints_and_resumes_from_the_command_line()
    {
        string first = Path.Combine(_folder, "first");
        Run("train", "--steps", "20", "--seq-len", "10", "--hidden", "8", "--checkpoint-every", "10", "--out", first).Code.Should().Be(0);
        string checkpoint = Path.Combine(first, "checkpoint.safetensors");
        File.Exists(checkpoint).Should().BeTrue();
        (int code, string output, string error) = Run("train", "--resume", checkpoint);
        code.Should().Be(2, "a finished run has nothing left to do");
        error.Should().Be($"mininet: --resume '{checkpoint}': that run already finished all its 20 steps; give --steps N with N above 20 to train it further.{Environment.NewLine}");

        (code, output, error) = Run("train", "--resume", checkpoint, "--steps", "30");
        error.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain("Report:");
        File.ReadAllLines(Path.Combine(first, "metrics.csv")).Skip(1).Select(l => int.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture))
            .Should().Equal(Enumerable.Range(1, 30), "the resumed run continues in its own folder, every step once");
        Directory.GetDirectories(_folder).Should().ContainSingle("no new folder for a resumed run");
    }

    [Fact]
    public void An_existing_output_folder_is_refused_and_left_untouched()
    {
        string taken = Path.Combine(_folder, "taken");
        Directory.CreateDirectory(taken);
        File.WriteAllText(Path.Combine(taken, "keep.txt"), "mine");
        (int code, _, string error) = Run("train", "--steps", "2", "--out", taken);
        code.Should().Be(2);
        error.Should().Contain("already exists; MiniNet never overwrites a run folder");
        Directory.GetFiles(taken).Should().ContainSingle().Which.Should().EndWith("keep.txt");
    }

    [Fact]
    public void Compare_writes_metrics_summary_and_report_for_every_clipper()
    {
        string folder = Path.Combine(_folder, "cmp");
        (int code, string output, string error) = Run("compare", "--steps", "30", "--eval-every", "10", "--out", folder);
        error.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain("stopped at step").And.Contain("is over 100 × the first loss").And.Contain("Report:");
        Directory.GetFiles(folder).Select(Path.GetFileName).Should().BeEquivalentTo("metrics.csv", "metrics.jsonl", "summary.json", "report.html", "plan.json");
        Directory.GetFiles(Path.Combine(folder, "checkpoints")).Should().HaveCount(2, "each run that was not stopped checkpoints at its end, so an interrupted compare can resume");
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        summary.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("name").GetString())
            .Should().Equal("none", "global-norm:0.1", "value:0.1");
        summary.RootElement.GetProperty("runs")[0].GetProperty("status").GetString().Should().Be("diverged");
    }

    [Fact]
    public void Wall_and_sweep_write_their_reports()
    {
        (int wallCode, string wallOut, _) = Run("wall", "--steps", "5", "--out", Path.Combine(_folder, "wall"));
        wallCode.Should().Be(0);
        wallOut.Should().Contain("Unclipped: the first step moves");
        File.ReadAllText(Path.Combine(_folder, "wall", "report.html")).Should().Contain("class=\"heatmap\"");

        (int sweepCode, string sweepOut, string sweepError) = Run("sweep", "--steps", "10", "--seq-len", "10", "--hidden", "8", "--thresholds", "1,10",
            "--probe-steps", "5", "--out", Path.Combine(_folder, "sweep"));
        sweepError.Should().BeEmpty();
        sweepCode.Should().Be(0);
        sweepOut.Should().Contain("suggested global-norm threshold");
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "sweep", "summary.json")));
        summary.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("name").GetString())
            .Should().Equal("global-norm:10", "global-norm:1");
        summary.RootElement.GetProperty("advice").GetProperty("SuggestedThreshold").GetDouble().Should().BePositive();
    }
}

[CollectionDefinition("Working directory", DisableParallelization = true)]
public sealed class WorkingDirectoryCollection
{
}
