using System.Globalization;
using MiniNet.Training;
using Spectre.Console;

namespace MiniNet.Lab;

/// <summary>Live progress while runs train, and the summary table afterwards.</summary>
internal static class RunDisplay
{
    /// <summary>Runs each configuration with a live progress bar (loss and gradient norm in its label).</summary>
    public static List<RunResult> RunAll(IAnsiConsole console, string folder, IReadOnlyList<(string Name, TrainingConfig Config)> runs, TrainingOptions? options = null)
    {
        using var metrics = new MetricsWriter(folder); // every step goes to disk as it happens
        var results = new List<RunResult>();
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                foreach ((string name, TrainingConfig config) in runs)
                {
                    ProgressTask bar = context.AddTask(Markup.Escape(name), maxValue: config.Steps);
                    var progress = new Progress(p =>
                    {
                        bar.Value = p.Step;
                        if (p.Step % 25 == 0 || p.Step == p.Steps)
                        {
                            bar.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                                $"{name,-22} step {p.Step,6}  loss {p.Row.Loss,10:G4}  ‖g‖ {p.Row.GradNormBefore,10:G4}"));
                        }
                    });
                    RunResult result = Trainer.Run(config, options ?? new TrainingOptions(), name, metrics.For(name, progress));
                    bar.Description = Markup.Escape($"{name,-22} {result.Verdict}");
                    bar.Value = config.Steps;
                    results.Add(result);
                }
            });
        return results;
    }

    public static void Summary(IAnsiConsole console, IReadOnlyList<RunResult> runs)
    {
        var table = new Table().AddColumns("clipper", "outcome", "final test loss", "accuracy", "max ‖g‖", "clipped", "time");
        foreach (RunResult run in runs)
        {
            string color = run.Status == RunStatus.Diverged ? "red" : run.SolvedAtStep is null ? "yellow" : "green";
            table.AddRow(
                Markup.Escape(run.Name), $"[{color}]{Markup.Escape(run.Verdict)}[/]", Format(run.FinalTestLoss),
                double.IsNaN(run.FinalTestAccuracy) ? "—" : run.FinalTestAccuracy.ToString("P1", CultureInfo.InvariantCulture),
                Format(run.MaxGradNorm), run.ClipFraction.ToString("P0", CultureInfo.InvariantCulture), $"{run.Seconds:F1} s");
        }

        if (runs.Count > 0)
        {
            table.Caption($"baseline: {Markup.Escape(runs[0].Task.BaselineDescription)}; solved means {Markup.Escape(runs[0].Task.SuccessDescription)}");
        }

        console.Write(table);
    }

    private static string Format(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? "∞" : v.ToString("G4", CultureInfo.InvariantCulture);

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
