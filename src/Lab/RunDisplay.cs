using System.Globalization;
using MiniNet.Training;
using Spectre.Console;

namespace MiniNet.Lab;

/// <summary>Live progress while runs train, and the summary table afterwards.</summary>
internal static class RunDisplay
{
    /// <summary>Runs each configuration with a live progress bar (loss and gradient norm in its label), streaming metrics through
    /// each run's options; a cancellation stops the current run after its step and skips the rest.</summary>
    /// <param name="console">Where the progress goes.</param>
    /// <param name="runs">The runs.</param>
    /// <param name="optionsFor">Each run's logging, checkpointing, resuming and divergence handling, by name.</param>
    /// <param name="cancellation">The stop request.</param>
    /// <returns>The runs that ran (the last one interrupted, when a stop came).</returns>
    public static List<RunResult> RunAll(IAnsiConsole console, IReadOnlyList<(string Name, TrainingConfig Config)> runs, Func<string, TrainingOptions> optionsFor,
        CancellationToken cancellation)
    {
        var results = new List<RunResult>();
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                foreach ((string name, TrainingConfig config) in runs)
                {
                    if (cancellation.IsCancellationRequested)
                    {
                        break;
                    }

                    TrainingOptions options = optionsFor(name);
                    int steps = options.ResumeSteps ?? config.Steps;
                    ProgressTask bar = context.AddTask(Markup.Escape(name), maxValue: steps);
                    var progress = new Progress(p =>
                    {
                        bar.Value = p.Step;
                        if (p.Step % 25 == 0 || p.Step == p.Steps)
                        {
                            bar.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                                $"{name,-22} step {p.Step,6}  loss {p.Row.Loss,10:G4}  ‖g‖ {p.Row.GradNormBefore,10:G4}"));
                        }
                    });
                    if (options.CheckpointPath is string checkpoint)
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
                    }

                    RunResult result = Trainer.Run(config, options, name, progress, cancellation);
                    bar.Description = Markup.Escape($"{name,-22} {result.Verdict}");
                    bar.Value = result.Status == RunStatus.Finished ? steps : result.LastStep;
                    results.Add(result);
                }
            });
        return results;
    }

    /// <summary>The summary table's column headers.</summary>
    internal static readonly IReadOnlyList<string> Header = ["clipper", "outcome", "test loss", "accuracy*", "max ‖g‖", "clipped", "time"];

    /// <summary>
    /// The summary: a <see cref="TextTable"/> of short columns, each run's full verdict below it, and what accuracy, the
    /// baseline and "solved" mean for the task.
    /// </summary>
    /// <param name="console">Where it goes (colours only on a terminal).</param>
    /// <param name="runs">The runs.</param>
    public static void Summary(IAnsiConsole console, IReadOnlyList<RunResult> runs)
    {
        string[] header = [.. Header];
        List<string[]> rows = [.. runs.Select(run => new[]
        {
            run.Name, run.ShortVerdict, Format(run.FinalTestLoss),
            double.IsNaN(run.FinalTestAccuracy) ? "—" : run.FinalTestAccuracy.ToString("P1", CultureInfo.InvariantCulture),
            Format(run.MaxGradNorm), run.ClipFraction.ToString("P0", CultureInfo.InvariantCulture), $"{run.Seconds:F1} s",
        })];
        TextTable.Write(console, header, rows, leftColumns: 2, r => Color(runs[r]));
        console.WriteLine();
        foreach (RunResult run in runs)
        {
            TextTable.Wrapped(console, $"{run.Name}: {run.Verdict}");
        }

        if (runs.Count > 0)
        {
            ISequenceTask task = runs[0].Task;
            TextTable.Wrapped(console, $"* accuracy counts {task.AccuracyDescription}; solved means {task.SuccessDescription}; baseline: {task.BaselineDescription}.");
        }
    }

    private static string Color(RunResult run) =>
        run.Status is RunStatus.Diverged or RunStatus.Anomaly ? "red" : run.Status == RunStatus.Interrupted || run.SolvedAtStep is null ? "yellow" : "green";

    private static string Format(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? "∞" : v.ToString("G4", CultureInfo.InvariantCulture);

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
