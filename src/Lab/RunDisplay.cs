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
    /// The summary: a table of short columns that fits the console (80 columns when output is redirected) without breaking a
    /// word, each run's full verdict below it, and what accuracy, the baseline and "solved" mean for the task. A table wider
    /// than the console (very long clipper chains) is written as one block of lines per run instead.
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
        int width = Math.Max(40, console.Profile.Width - 1);
        int[] widths = [.. header.Select((h, c) => rows.Select(r => r[c].Length).Append(h.Length).Max())];
        if (widths.Sum() + (2 * (widths.Length - 1)) <= width)
        {
            console.MarkupLine(Markup.Escape(Line(header, widths)));
            console.MarkupLine(Markup.Escape(new string('─', widths.Sum() + (2 * (widths.Length - 1)))));
            for (int r = 0; r < rows.Count; r++)
            {
                string line = Line(rows[r], widths);
                int at = widths[0] + 2;
                console.MarkupLine(Markup.Escape(line[..at]) + $"[{Color(runs[r])}]" + Markup.Escape(line[at..(at + widths[1])]) + "[/]" + Markup.Escape(line[(at + widths[1])..]));
            }
        }
        else
        {
            for (int r = 0; r < rows.Count; r++)
            {
                console.MarkupLine($"[bold]{Markup.Escape(rows[r][0])}[/]");
                // fields are never split: the line breaks between them
                var line = new System.Text.StringBuilder(" ");
                foreach (string field in header.Skip(1).Zip(rows[r].Skip(1), (h, v) => $"{h} {v}"))
                {
                    if (line.Length > 1 && line.Length + 2 + field.Length > width)
                    {
                        console.MarkupLine(Markup.Escape(line.ToString().TrimEnd(',')));
                        line.Clear().Append(' ');
                    }

                    line.Append(line.Length > 1 ? ", " : " ").Append(field);
                }

                console.MarkupLine(Markup.Escape(line.ToString()));
            }
        }

        console.WriteLine();
        foreach (RunResult run in runs)
        {
            Wrapped(console, $"{run.Name}: {run.Verdict}", width);
        }

        if (runs.Count > 0)
        {
            ISequenceTask task = runs[0].Task;
            Wrapped(console, $"* accuracy counts {task.AccuracyDescription}; solved means {task.SuccessDescription}; baseline: {task.BaselineDescription}.", width);
        }
    }

    /// <summary>Writes text in lines of at most <paramref name="width"/> characters, broken between words, continued with an indent.</summary>
    internal static void Wrapped(IAnsiConsole console, string text, int width)
    {
        foreach (string line in Wrap(text, width))
        {
            console.MarkupLine(Markup.Escape(line));
        }
    }

    /// <summary>Lines of at most <paramref name="width"/> characters, broken between words (a single longer word keeps its own line), later lines indented by two.</summary>
    internal static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new System.Text.StringBuilder();
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear().Append("  ");
            }

            line.Append(line.Length is 0 or 2 && line.ToString().Trim().Length == 0 ? string.Empty : " ").Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i <= 1 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();

    private static string Color(RunResult run) =>
        run.Status is RunStatus.Diverged or RunStatus.Anomaly ? "red" : run.Status == RunStatus.Interrupted || run.SolvedAtStep is null ? "yellow" : "green";

    private static string Format(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? "∞" : v.ToString("G4", CultureInfo.InvariantCulture);

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
