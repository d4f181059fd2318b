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
        { "train --model gru", "Unknown model 'gru'; valid models are rnn, lstm." },
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
    };

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
        Directory.GetFiles(folder).Select(Path.GetFileName).Should().BeEquivalentTo("metrics.csv", "metrics.jsonl", "summary.json", "report.html");
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
