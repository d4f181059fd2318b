using System.Diagnostics;
using FluentAssertions;
using MiniNet.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MiniNet.Lab.Tests;

/// <summary>
/// An experiment run by the embedded pool of worker processes and the same experiment run from its jobs.txt by GNU parallel give the
/// same results, cell for cell (cells are deterministic); a finished experiment rerun skips every cell.
/// </summary>
[Collection("Working directory")]
public sealed class ExperimentProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Grid = ["--seq-len", "5,8", "--clip", "none,global-norm:1", "--seeds", "1-2", "--hidden", "4", "--batch", "8", "--steps", "60",
        "--optimizer", "sgd", "--lr", "0.5", "--eval-every", "20", "--eval-batch", "16", "--checkpoint-every", "10"];

    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-experiment-process-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void GNU_parallel_over_jobs_txt_gives_exactly_the_results_of_the_local_pool()
    {
        string pool = Path.Combine(_folder, "pool"), planned = Path.Combine(_folder, "planned");
        (int code, string stdout, string error) = Mininet.Run(_folder, ["experiment", .. Grid, "--workers", "2", "--out", pool]);
        error.Should().BeEmpty();
        code.Should().Be(0);
        System.Text.RegularExpressions.Regex.Replace(stdout, @"\s+", " ").Should().Contain("8 cells with results, 0 pending");

        Mininet.Run(_folder, ["experiment", "plan", .. Grid, "--out", planned]).Code.Should().Be(0);
        string[] jobs = File.ReadAllLines(Path.Combine(planned, "jobs.txt"));
        jobs.Should().HaveCount(8).And.OnlyContain(j => j.Contains(" experiment run-cell ", StringComparison.Ordinal));
        File.ReadAllText(Path.Combine(planned, "experiment.sbatch")).Should().Contain("#SBATCH --array=1-8");

        RunParallel(planned);
        Mininet.Run(_folder, ["experiment", "aggregate", planned]).Code.Should().Be(0);
        Results(planned).Should().Equal(Results(pool), "cells are deterministic wherever they run");
        foreach (string cell in Directory.GetDirectories(Path.Combine(pool, "cells")).Select(Path.GetFileName)!)
        {
            File.ReadAllBytes(Path.Combine(planned, "cells", cell!, "metrics.csv")).Should().Equal(File.ReadAllBytes(Path.Combine(pool, "cells", cell!, "metrics.csv")), cell);
        }

        var clock = Stopwatch.StartNew();
        (int again, string againOut, _) = Mininet.Run(_folder, ["experiment", .. Grid, "--workers", "2", "--out", pool]);
        again.Should().Be(0);
        System.Text.RegularExpressions.Regex.Replace(againOut, @"\s+", " ").Should().Contain("8 already ended, 0 to run", "a finished experiment's cells are all skipped");
        output.WriteLine($"rerun of a finished 8-cell experiment: {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Theory]
    [InlineData(15, 143)]
    [InlineData(2, 130)]
    public async Task A_stopped_experiment_leaves_an_aggregatable_folder_and_continues_where_it_stopped(int signal, int exitCode)
    {
        string folder = Path.Combine(_folder, "stopped");
        string[] grid = ["--seq-len", "5,8", "--seeds", "1-3", "--hidden", "8", "--batch", "16", "--steps", "1500", "--eval-every", "500", "--eval-batch", "16", "--checkpoint-every", "50"];
        using (Process pool = Mininet.Start(_folder, ["experiment", .. grid, "--workers", "2", "--out", folder]))
        {
            Task<string> error = pool.StandardError.ReadToEndAsync();
            _ = pool.StandardOutput.ReadToEndAsync();
            Mininet.WaitUntil(() => Directory.Exists(Path.Combine(folder, "cells")) && Directory.GetFiles(Path.Combine(folder, "cells"), "checkpoint.safetensors", SearchOption.AllDirectories).Length >= 2,
                TimeSpan.FromSeconds(60), "two cells under way");
            Mininet.Signal(pool, signal);
            if (signal == 2)
            {
                foreach (int worker in Workers(folder))
                {
                    Mininet.Signal(worker, 2); // as a terminal's Ctrl-C reaches the whole process group; workers leave it to the pool
                }
            }

            pool.WaitForExit(60_000).Should().BeTrue();
            pool.ExitCode.Should().Be(exitCode);
            (await error).Should().Contain($"continue with: mininet experiment continue {folder}");
        }

        File.Exists(Path.Combine(folder, "results.csv")).Should().BeTrue("a stopped experiment is aggregated");
        (int code, string stdout, string resumeError) = Mininet.Run(_folder, ["experiment", "continue", folder]);
        resumeError.Should().BeEmpty();
        code.Should().Be(0);
        System.Text.RegularExpressions.Regex.Replace(stdout, @"\s+", " ").Should().Contain("6 cells with results, 0 pending");
        foreach (string cell in Directory.GetDirectories(Path.Combine(folder, "cells")))
        {
            File.ReadAllLines(Path.Combine(cell, "metrics.csv")).Skip(1).Select(l => l.Split(',')[1]).Should().Equal(
                Enumerable.Range(1, 1500).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{Path.GetFileName(cell)}: every step once");
        }
    }

    [Fact]
    public void The_quick_pascanu_adding_preset_shows_clipping_succeeding_where_plain_SGD_fails()
    {
        string folder = Path.Combine(_folder, "preset");
        var clock = Stopwatch.StartNew();
        (int code, _, string error) = Mininet.Run(_folder, ["experiment", "--preset", "pascanu-adding", "--quick", "--workers", "2", "--out", folder], TimeSpan.FromMinutes(5));
        output.WriteLine($"pascanu-adding --quick: {clock.Elapsed.TotalSeconds:F0} s");
        error.Should().BeEmpty();
        code.Should().Be(0);
        var rates = File.ReadAllLines(Path.Combine(folder, "summary.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => (T: int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), Clip: f[1]),
                f => double.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture));
        int longest = rates.Keys.Max(k => k.T);
        rates[(longest, "global-norm:0.1")].Should().BeGreaterThanOrEqualTo(rates[(longest, "none")], "clipped succeeds at least as often at the longest length");
        int[] better = [.. rates.Keys.Select(k => k.T).Distinct().Where(t => rates[(t, "global-norm:0.1")] > rates[(t, "none")])];
        better.Should().NotBeEmpty("clipped succeeds strictly more often at some length");
    }

    /// <summary>The pool's worker processes for <paramref name="folder"/> (their command lines name run-cell and the folder).</summary>
    private static List<int> Workers(string folder)
    {
        var pids = new List<int>();
        foreach (string proc in Directory.GetDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(proc), out int pid))
            {
                try
                {
                    string command = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                    if (command.Contains(" run-cell ", StringComparison.Ordinal) && command.Contains(folder, StringComparison.Ordinal))
                    {
                        pids.Add(pid);
                    }
                }
                catch (IOException)
                {
                    // the process ended
                }
            }
        }

        return pids;
    }

    /// <summary>results.csv without the wall-time column, which differs from run to run.</summary>
    private static string[] Results(string folder) =>
        [.. File.ReadAllLines(Path.Combine(folder, "results.csv")).Select(line => string.Join(',', line.Split(',').Where((_, i) => i != 19)))];

    private void RunParallel(string planned)
    {
        DebianTools.Ensure("parallel").Should().BeTrue("GNU parallel is needed; tools/install-test-deps.sh installs it (apt-get install -y parallel)");
        var info = new ProcessStartInfo("bash", ["-c", $"parallel --will-cite --jobs 2 --halt now,fail=1 < '{Path.Combine(planned, "jobs.txt")}'"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process parallel = Process.Start(info)!;
        string stderr = parallel.StandardError.ReadToEnd();
        parallel.StandardOutput.ReadToEnd();
        parallel.WaitForExit(120_000).Should().BeTrue();
        parallel.ExitCode.Should().Be(0, stderr);
    }
}
