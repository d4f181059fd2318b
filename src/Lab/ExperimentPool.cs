using System.Diagnostics;
using System.Globalization;
using MiniNet.Training;
using Spectre.Console;

namespace MiniNet.Lab;

/// <summary>
/// The embedded way to run an experiment: a pool of worker processes on this machine, each running one cell at a time
/// (<c>mininet experiment run-cell</c>) with a single-threaded GEMM (<c>DOTNET_PROCESSOR_COUNT=1</c>) so that N workers use N cores
/// without oversubscribing them. A stop request is passed on to the workers, which checkpoint their cells.
/// </summary>
internal static class ExperimentPool
{
    /// <summary>The command that runs this program again (<c>dotnet mininet.dll</c>, or the installed <c>mininet</c> executable).</summary>
    public static IReadOnlyList<string> Self()
    {
        string host = Environment.ProcessPath ?? "dotnet";
        string assembly = typeof(ExperimentPool).Assembly.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, assembly] : [host];
    }

    /// <summary>Runs every cell that has not ended, <paramref name="workers"/> at a time, with live progress.</summary>
    /// <returns>Cells done, failed and left (interrupted or not started).</returns>
    public static (int Done, int Failed, int Left) Run(IAnsiConsole console, string folder, IReadOnlyList<ExperimentCell> cells, int workers, CancellationToken cancellation)
    {
        var queue = new Queue<ExperimentCell>(cells.Where(c => Experiment.StateOf(folder, c.Id) != CellState.Done));
        int skipped = cells.Count - queue.Count, done = skipped, failed = 0;
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{cells.Count} cells in {folder}: {skipped} already ended, {queue.Count} to run on {workers} worker{(workers == 1 ? string.Empty : "s")}")));
        var running = new List<(Process Process, ExperimentCell Cell, Stopwatch Clock)>();
        var durations = new List<double>();
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                ProgressTask bar = context.AddTask("cells", maxValue: Math.Max(cells.Count, 1));
                bool stopping = false;
                while ((!stopping && queue.Count > 0) || running.Count > 0)
                {
                    if (cancellation.IsCancellationRequested && !stopping)
                    {
                        stopping = true;
                        foreach ((Process process, _, _) in running)
                        {
                            Terminate(process); // each worker finishes its step, checkpoints its cell and exits
                        }
                    }

                    while (!stopping && running.Count < workers && queue.TryDequeue(out ExperimentCell? next))
                    {
                        running.Add((Start(folder, next.Id), next, Stopwatch.StartNew()));
                    }

                    foreach ((Process process, ExperimentCell cell, Stopwatch clock) in running.Where(r => r.Process.HasExited).ToList())
                    {
                        running.RemoveAll(r => r.Process == process);
                        CellState state = Experiment.StateOf(folder, cell.Id);
                        done += state == CellState.Done ? 1 : 0;
                        failed += state == CellState.Failed ? 1 : 0;
                        durations.Add(clock.Elapsed.TotalSeconds);
                        process.Dispose();
                    }

                    int left = queue.Count + running.Count;
                    double eta = durations.Count == 0 ? double.NaN : durations.Average() * left / Math.Max(workers, 1);
                    bar.Value = done + failed;
                    string earlier = skipped > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({skipped} earlier)") : string.Empty;
                    string remaining = double.IsNaN(eta) ? string.Empty : string.Create(CultureInfo.InvariantCulture, $", ETA {TimeSpan.FromSeconds(Math.Round(eta)):g}");
                    bar.Description = string.Create(CultureInfo.InvariantCulture, $"cells: {done} done{earlier}, {running.Count} running, {failed} failed, {queue.Count} waiting{remaining}");
                    Thread.Sleep(100);
                }
            });
        return (done, failed, cells.Count - done - failed);
    }

    private static Process Start(string folder, string id)
    {
        IReadOnlyList<string> self = Self();
        var info = new ProcessStartInfo(self[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in self.Skip(1).Concat(["experiment", "run-cell", folder, id]))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_PROCESSOR_COUNT"] = "1";
        info.Environment[Interruption.WorkerVariable] = "1";
        info.Environment["NO_COLOR"] = "1";
        Process process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Terminate(Process process)
    {
        try
        {
            using Process kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            kill.WaitForExit();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already gone
        }
    }
}
