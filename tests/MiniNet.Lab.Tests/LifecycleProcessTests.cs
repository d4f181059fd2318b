using System.Diagnostics;
using System.Text.Json;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace MiniNet.Lab.Tests;

/// <summary>
/// The run lifecycle with real processes: SIGINT and SIGTERM stop cleanly and say how to resume, kill -9 loses no metric row,
/// concurrent processes never share a folder, and runs too large for memory are refused up front.
/// (Longer versions: tools/kill-test.sh and tools/concurrent-writers.sh.)
/// </summary>
[Collection("Working directory")]
public sealed class LifecycleProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Small = ["train", "--seq-len", "10", "--hidden", "8", "--batch", "16", "--eval-every", "50", "--eval-batch", "64"];

    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-process-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(2, 130)]
    [InlineData(15, 143)]
    public async Task The_first_signal_finishes_the_step_writes_everything_and_prints_the_resume_command(int signal, int exitCode)
    {
        string run = Path.Combine(_folder, "run");
        using Process process = Mininet.Start(_folder, [.. Small, "--steps", "1000000", "--out", run]);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Mininet.WaitUntil(() => Mininet.Lines(Path.Combine(run, "metrics.csv")) > 20, TimeSpan.FromSeconds(60), "the first metrics");
        Mininet.Signal(process, signal);
        process.WaitForExit(30_000).Should().BeTrue("the run stops after its current step");
        string error = await stderr;
        output.WriteLine(error);
        process.ExitCode.Should().Be(exitCode);

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        JsonElement entry = summary.RootElement.GetProperty("runs")[0];
        entry.GetProperty("status").GetString().Should().Be("interrupted");
        int step = entry.GetProperty("last_step").GetInt32();
        File.ReadAllText(Path.Combine(run, "report.html")).Should().Contain("interrupted at step " + step);
        error.Should().Contain($"interrupted at step {step} of 1000000").And.Contain($"resume with: mininet train --resume {Path.Combine(run, "checkpoint.safetensors")}");
        File.ReadAllLines(Path.Combine(run, "metrics.csv")).Should().HaveCount(step + 1, "every step up to the checkpoint is on disk, as whole lines");
        (await stdout).Should().Contain("Report:", "the summary table and the report line are printed");

        (int code, _, string resumeError) = Mininet.Run(_folder, ["train", "--resume", Path.Combine(run, "checkpoint.safetensors"), "--steps", (step + 30).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        resumeError.Should().BeEmpty();
        code.Should().Be(0);
        File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(l => int.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture))
            .Should().Equal(Enumerable.Range(1, step + 30), "the resumed run continues the same folder, every step once");
    }

    [Fact]
    public void Redirected_output_is_plain_text_without_colours_cursor_codes_or_links()
    {
        (int code, string stdout, _) = Mininet.Run(_folder, ["train", "--steps", "5", "--seq-len", "5", "--hidden", "4", "--out", Path.Combine(_folder, "plain")],
            environment: new Dictionary<string, string> { ["NO_COLOR"] = string.Empty }); // not set: redirection alone decides
        code.Should().Be(0);
        stdout.Should().Contain("Report:").And.NotContain("\u001b", "no ANSI escape (colour, cursor or OSC-8 link) when stdout is not a terminal");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void On_a_terminal_colours_and_links_appear_unless_NO_COLOR_is_set(bool noColor)
    {
        // util-linux's script gives the program a pseudo-terminal, so stdout is a terminal and only NO_COLOR decides
        string command = $"dotnet {Mininet.ProgramPath} train --steps 5 --seq-len 5 --hidden 4 --out {Path.Combine(_folder, noColor ? "tty-plain" : "tty-colour")}";
        (int code, string stdout, _) = Mininet.Shell(_folder, $"script -qec '{command}' /dev/null", new Dictionary<string, string> { ["NO_COLOR"] = noColor ? "1" : string.Empty, ["TERM"] = "xterm-256color" });
        code.Should().Be(0, stdout);
        stdout.Should().Contain("Report:");
        if (noColor)
        {
            // The .NET runtime itself switches a terminal's keypad to application mode (terminfo keypad_xmit, ESC [?1h ESC =)
            // when its console starts (dotnet/runtime, corefx#32805); that is not output of MiniNet's and shows nothing.
            stdout.Replace("\u001b[?1h\u001b=", string.Empty, StringComparison.Ordinal).Should()
                .NotContain("\u001b", "NO_COLOR (no-color.org) turns off colours, cursor codes and OSC-8 links on a terminal too");
        }
        else
        {
            stdout.Should().Contain("\u001b]8;", "on a terminal the report path is an OSC-8 link, so the NO_COLOR case above is a real test");
        }
    }

    [Fact]
    public void Redirected_compare_output_fits_80_columns_and_breaks_no_word()
    {
        string[] clips = ["none", "global-norm:0.1", "value:0.1", "autoclip:10"];
        (int code, string stdout, _) = Mininet.Run(_folder, ["compare", "--steps", "30", "--seq-len", "5", "--hidden", "4", "--clip", string.Join(',', clips), "--out", Path.Combine(_folder, "eighty")],
            environment: new Dictionary<string, string> { ["NO_COLOR"] = string.Empty });
        code.Should().Be(0);
        string[] lines = stdout.Split('\n');
        lines.Should().OnlyContain(l => l.TrimEnd('\r').Length <= 80, "redirected output is laid out for 80 columns");
        foreach (string clip in clips)
        {
            lines.Should().Contain(l => l.StartsWith(clip + " ", StringComparison.Ordinal), $"the table row of {clip} names it whole");
        }

        stdout.Should().Contain("* accuracy counts answers within ±0.04 of the target").And.Contain("Report: ").And.NotContain("\u001b");
        lines.Where(l => l.StartsWith("Report: ", StringComparison.Ordinal)).Single().Should().EndWith("report.html", "the path stays on one line");
    }

    [Fact]
    public void A_second_signal_ends_the_process_at_once()
    {
        string run = Path.Combine(_folder, "slow");
        using Process process = Mininet.Start(_folder, ["train", "--hidden", "768", "--seq-len", "600", "--batch", "64", "--eval-batch", "8", "--steps", "1000", "--out", run]);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        Mininet.WaitUntil(() => File.Exists(Path.Combine(run, "metrics.csv")), TimeSpan.FromSeconds(60), "the run to start");
        Thread.Sleep(500);
        Mininet.Signal(process, 2);
        Thread.Sleep(100);
        process.HasExited.Should().BeFalse("the first signal waits for the current step, which takes seconds at this size");
        var clock = Stopwatch.StartNew();
        Mininet.Signal(process, 2);
        process.WaitForExit(10_000).Should().BeTrue();
        output.WriteLine($"exit {process.ExitCode} {clock.Elapsed.TotalMilliseconds:F0} ms after the second SIGINT");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3), "a training step of this size takes longer; the second signal does not wait for it");
        process.ExitCode.Should().Be(130);
        File.Exists(Path.Combine(run, "summary.json")).Should().BeFalse("the process ended without finishing the step");
    }

    [Fact]
    public void Killed_with_SIGKILL_at_random_moments_and_resumed_the_run_loses_and_repeats_no_metric_row()
    {
        string[] settings = [.. Small, "--steps", "4000", "--checkpoint-every", "7"];
        string straight = Path.Combine(_folder, "straight");
        Mininet.Run(_folder, [.. settings, "--out", straight]).Code.Should().Be(0);

        string killed = Path.Combine(_folder, "killed");
        string checkpoint = Path.Combine(killed, "checkpoint.safetensors");
        var random = new Random(7);
        int kills = 0;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            string[] args = attempt == 0 ? [.. settings, "--out", killed] : ["train", "--resume", checkpoint];
            using Process process = Mininet.Start(_folder, args);
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            int lines = Mininet.Lines(Path.Combine(killed, "metrics.csv"));
            Mininet.WaitUntil(() => File.Exists(checkpoint) && Mininet.Lines(Path.Combine(killed, "metrics.csv")) > lines + 10 || process.HasExited,
                TimeSpan.FromSeconds(60), "progress");
            Thread.Sleep(random.Next(0, 300));
            if (!process.HasExited)
            {
                Mininet.Signal(process, 9);
                kills++;
            }

            process.WaitForExit();
        }

        (int code, _, string error) = Mininet.Run(_folder, ["train", "--resume", checkpoint]);
        if (code != 0)
        {
            error.Should().Contain("already finished", "the last attempt may have finished the run");
        }

        output.WriteLine($"{kills} kills with SIGKILL, then resumed to the end");
        kills.Should().BeGreaterThan(0);
        File.ReadAllText(Path.Combine(killed, "metrics.csv")).Should().Be(File.ReadAllText(Path.Combine(straight, "metrics.csv")), "no row lost or repeated, bit for bit");
        File.ReadAllText(Path.Combine(killed, "metrics.jsonl")).Should().Be(File.ReadAllText(Path.Combine(straight, "metrics.jsonl")));
        File.ReadAllBytes(checkpoint).Should().Equal(File.ReadAllBytes(Path.Combine(straight, "checkpoint.safetensors")));
        Directory.GetFiles(killed, "*.tmp").Should().BeEmpty("orphan temporary files are removed on resume");
    }

    [Fact]
    public async Task An_interrupted_and_then_killed_compare_resumes_to_the_same_folder_an_uninterrupted_compare_writes()
    {
        string[] settings = ["compare", "--steps", "1500", "--hidden", "8", "--batch", "16", "--eval-every", "100", "--eval-batch", "64", "--checkpoint-every", "50"];
        string straight = Path.Combine(_folder, "straight");
        Mininet.Run(_folder, [.. settings, "--out", straight]).Code.Should().Be(0);

        string stopped = Path.Combine(_folder, "stopped");
        using (Process first = Mininet.Start(_folder, [.. settings, "--out", stopped]))
        {
            Task<string> error = first.StandardError.ReadToEndAsync();
            _ = first.StandardOutput.ReadToEndAsync();
            Mininet.WaitUntil(() => Mininet.Lines(Path.Combine(stopped, "metrics.csv")) > 800, TimeSpan.FromSeconds(60), "the second run");
            Mininet.Signal(first, 15);
            first.WaitForExit(30_000).Should().BeTrue();
            first.ExitCode.Should().Be(143);
            (await error).Should().Contain($"resume with: mininet compare --resume {stopped}");
        }

        using (Process second = Mininet.Start(_folder, ["compare", "--resume", stopped]))
        {
            _ = second.StandardError.ReadToEndAsync();
            _ = second.StandardOutput.ReadToEndAsync();
            int lines = Mininet.Lines(Path.Combine(stopped, "metrics.csv"));
            Mininet.WaitUntil(() => Mininet.Lines(Path.Combine(stopped, "metrics.csv")) > lines + 300 || second.HasExited, TimeSpan.FromSeconds(60), "progress");
            Mininet.Signal(second, 9); // a crash: no summary for this attempt
            second.WaitForExit();
        }

        (int code, _, string resumeError) = Mininet.Run(_folder, ["compare", "--resume", stopped]);
        resumeError.Should().BeEmpty();
        code.Should().Be(0);
        foreach (string file in new[] { "metrics.csv", "metrics.jsonl" })
        {
            File.ReadAllText(Path.Combine(stopped, file)).Should().Be(File.ReadAllText(Path.Combine(straight, file)), file);
        }

        using JsonDocument a = JsonDocument.Parse(File.ReadAllText(Path.Combine(straight, "summary.json")));
        using JsonDocument b = JsonDocument.Parse(File.ReadAllText(Path.Combine(stopped, "summary.json")));
        b.RootElement.GetProperty("runs").EnumerateArray().Select(r => (r.GetProperty("name").GetString(), r.GetProperty("verdict").GetString(), r.GetProperty("final_test_loss").ToString()))
            .Should().Equal(a.RootElement.GetProperty("runs").EnumerateArray().Select(r => (r.GetProperty("name").GetString(), r.GetProperty("verdict").GetString(), r.GetProperty("final_test_loss").ToString())));
    }

    [Fact]
    public async Task Two_processes_on_one_output_folder_never_both_write()
    {
        int bothWon = 0;
        for (int pair = 0; pair < 5; pair++)
        {
            string target = Path.Combine(_folder, "pair" + pair.ToString(System.Globalization.CultureInfo.InvariantCulture));
            string[] args = [.. Small, "--steps", "20", "--out", target];
            Task<(int Code, string Out, string Error)>[] both = [Task.Run(() => Mininet.Run(_folder, args)), Task.Run(() => Mininet.Run(_folder, args))];
            (int Code, string Out, string Error)[] results = await Task.WhenAll(both);
            bothWon += results.All(r => r.Code == 0) ? 1 : 0;
            results.Count(r => r.Code == 0).Should().Be(1, $"pair {pair}: one process wins");
            results.Single(r => r.Code != 0).Should().Match<(int Code, string Out, string Error)>(r => r.Code == 2 && r.Error.StartsWith("mininet: --out", StringComparison.Ordinal));
            File.ReadAllLines(Path.Combine(target, "metrics.csv")).Should().HaveCount(21, "one run's rows only");
        }

        bothWon.Should().Be(0);
    }

    [Theory]
    [InlineData("--hidden 8192 --steps 1")]
    [InlineData("--hidden 8192 --layers 3 --seq-len 2 --batch 1")]
    [InlineData("--hidden 1 --seq-len 1000000 --batch 1")]
    public void A_run_too_large_for_a_4_GB_heap_is_refused_up_front(string arguments)
    {
        var clock = Stopwatch.StartNew();
        (int code, string stdout, string error) = Mininet.Run(_folder, ["train", .. arguments.Split(' '), "--out", Path.Combine(_folder, "big")],
            TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x100000000" });
        output.WriteLine($"{arguments}: exit {code} in {clock.Elapsed.TotalSeconds:F2} s (process start included): {error}");
        code.Should().Be(2);
        error.Should().StartWith("mininet: This run needs about").And.Contain("but 4.0 GB is available").And.Contain("would fit");
        error.TrimEnd().Should().NotContain("\n");
        Directory.Exists(Path.Combine(_folder, "big")).Should().BeFalse("nothing is created before the check");
        stdout.Should().BeEmpty();
    }
}
