using System.CommandLine;
using System.Globalization;
using System.Text;
using MiniNet.Training;
using Spectre.Console;

namespace MiniNet.Lab;

/// <summary>
/// <c>mininet experiment</c>: a grid of runs (the papers' success-rate tables) on this machine's cores, or planned for GNU parallel and
/// SLURM; <c>run-cell</c> runs one cell wherever it is called; <c>aggregate</c> builds the results from whatever cells ended.
/// </summary>
internal static class ExperimentCommand
{
    public static Command Build(CommandContext context, TrainingConfig defaults)
    {
        var command = new Command("experiment", "Run a grid of train settings (comma lists, or --file) over seeds, in a pool of worker processes; results.csv and summary.csv with success rates.");
        var grid = new GridOptions(command);
        var workers = new Option<int>("--workers") { Description = "worker processes, one cell each (single-threaded GEMM)", DefaultValueFactory = _ => Environment.ProcessorCount };
        command.Options.Add(workers);
        command.SetAction(parse =>
        {
            int count = parse.GetValue(workers);
            if (count is < 1 or > 256)
            {
                throw new ArgumentException($"--workers {count} is invalid; it must be a whole number from 1 to 256.");
            }

            (string folder, IReadOnlyList<ExperimentCell> cells) = grid.Prepare(parse, defaults);
            return RunPool(context, folder, cells, count);
        });

        var plan = new Command("plan", "Write the experiment's folder with jobs.txt (one run-cell command per line, for GNU parallel) and experiment.sbatch (a SLURM array).");
        var planGrid = new GridOptions(plan);
        plan.SetAction(parse =>
        {
            (string folder, IReadOnlyList<ExperimentCell> cells) = planGrid.Prepare(parse, defaults);
            WritePlan(folder, cells);
            context.Console.MarkupLine(Markup.Escape($"{cells.Count} cells planned in {folder}: jobs.txt (parallel --jobs N < jobs.txt), experiment.sbatch (sbatch experiment.sbatch); then: mininet experiment aggregate {folder}"));
            return 0;
        });
        command.Subcommands.Add(plan);

        var runCell = new Command("run-cell", "Run (or continue, or skip when finished) one cell of an experiment folder; for GNU parallel, SLURM or any scheduler.");
        var cellFolder = new Argument<string>("folder") { Description = "the experiment folder" };
        var cellId = new Argument<string>("cell") { Description = "the cell's id (a line of jobs.txt names it)" };
        runCell.Arguments.Add(cellFolder);
        runCell.Arguments.Add(cellId);
        runCell.SetAction(parse =>
        {
            CellState state = CellRunner.Run(parse.GetValue(cellFolder)!, parse.GetValue(cellId)!, context.Interruption.Token);
            return state switch { CellState.Failed => 1, CellState.Interrupted => context.Interruption.ExitCode == 0 ? 130 : context.Interruption.ExitCode, _ => 0 };
        });
        command.Subcommands.Add(runCell);

        var aggregate = new Command("aggregate", "Build results.csv, results.json and summary.csv from whatever cells of the experiment have ended, wherever they ran.");
        var aggregateFolder = new Argument<string>("folder") { Description = "the experiment folder" };
        aggregate.Arguments.Add(aggregateFolder);
        aggregate.SetAction(parse =>
        {
            string folder = parse.GetValue(aggregateFolder)!;
            Report(context.Console, folder, Aggregation.Write(folder));
            return 0;
        });
        command.Subcommands.Add(aggregate);

        var resume = new Command("continue", "Continue an experiment folder: finished cells are skipped, interrupted ones resume from their checkpoints.");
        var resumeFolder = new Argument<string>("folder") { Description = "the experiment folder" };
        var resumeWorkers = new Option<int>("--workers") { Description = "worker processes", DefaultValueFactory = _ => Environment.ProcessorCount };
        resume.Arguments.Add(resumeFolder);
        resume.Options.Add(resumeWorkers);
        resume.SetAction(parse =>
        {
            string folder = parse.GetValue(resumeFolder)!;
            return RunPool(context, folder, Experiment.Read(folder).Cells, Math.Clamp(parse.GetValue(resumeWorkers), 1, 256));
        });
        command.Subcommands.Add(resume);
        return command;
    }

    private static int RunPool(CommandContext context, string folder, IReadOnlyList<ExperimentCell> cells, int workers)
    {
        using RunFolderClaim claim = RunFolder.ClaimExisting(folder); // one pool per experiment; cells lock themselves too
        (int done, int failed, int left) = ExperimentPool.Run(context.Console, folder, cells, workers, context.Interruption.Token);
        Report(context.Console, folder, Aggregation.Write(folder));
        if (left > 0 && context.Interruption.Token.IsCancellationRequested)
        {
            context.Error.WriteLine($"mininet: interrupted with {done} of {cells.Count} cells done ({failed} failed); the results so far are in {folder}; " +
                $"continue with: mininet experiment continue {Cli.Quote(folder)}");
            return context.Interruption.ExitCode == 0 ? 130 : context.Interruption.ExitCode;
        }

        return failed > 0 ? 1 : 0;
    }

    private static void WritePlan(string folder, IReadOnlyList<ExperimentCell> cells)
    {
        string self = string.Join(' ', ExperimentPool.Self().Select(Cli.Quote));
        string absolute = Path.GetFullPath(folder);
        var jobs = new StringBuilder();
        foreach (ExperimentCell cell in cells)
        {
            jobs.Append(CultureInfo.InvariantCulture, $"DOTNET_PROCESSOR_COUNT=1 {self} experiment run-cell {Cli.Quote(absolute)} {cell.Id}\n");
        }

        RunFolder.WriteText(Path.Combine(folder, "jobs.txt"), jobs.ToString());
        string sbatch = Cli.Quote(Path.Combine(absolute, "experiment.sbatch")), jobsFile = Cli.Quote(Path.Combine(absolute, "jobs.txt"));
        RunFolder.WriteText(Path.Combine(folder, "experiment.sbatch"), string.Join('\n',
            "#!/usr/bin/env bash",
            $"# A SLURM array over jobs.txt: one cell per task, one core each. Submit with: sbatch {sbatch}",
            $"# then, when the tasks are done (or at any time, for the cells done so far): mininet experiment aggregate {Cli.Quote(absolute)}",
            "#SBATCH --job-name=mininet-experiment",
            string.Create(CultureInfo.InvariantCulture, $"#SBATCH --array=1-{cells.Count}"),
            "#SBATCH --cpus-per-task=1",
            $"#SBATCH --output={absolute}/cells/slurm-%A_%a.out",
            "set -euo pipefail",
            "line=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" " + jobsFile + ")",
            "eval \"$line\"",
            string.Empty));
    }

    private static void Report(IAnsiConsole console, string folder, (IReadOnlyList<CellResult> Results, IReadOnlyList<SettingSummary> Summary, int Pending) aggregated)
    {
        string[] keys = [.. aggregated.Summary.FirstOrDefault()?.Settings.Keys ?? []];
        string[] header = [.. keys, "cells", "success (95 % CI)", "median steps", "diverged", "failed"];
        List<string[]> rows = [.. aggregated.Summary.Select(s => (string[])[.. s.Settings.Values,
            s.Cells.ToString(CultureInfo.InvariantCulture),
            double.IsNaN(s.SuccessRate) ? "—" : string.Create(CultureInfo.InvariantCulture, $"{s.SuccessRate:P0} ({s.WilsonLow:P0}–{s.WilsonHigh:P0})"),
            s.MedianStepsToSolve is double m ? m.ToString("G4", CultureInfo.InvariantCulture) : "—",
            double.IsNaN(s.DivergenceRate) ? "—" : s.DivergenceRate.ToString("P0", CultureInfo.InvariantCulture),
            s.Failed.ToString(CultureInfo.InvariantCulture)])];
        TextTable.Write(console, header, rows, leftColumns: keys.Length);
        TextTable.Wrapped(console, $"{aggregated.Results.Count} cells with results, {aggregated.Pending} pending.");
        console.MarkupLine($"Report: [link]{Markup.Escape(Path.GetFullPath(Path.Combine(folder, "report.html")))}[/]");
        console.MarkupLine(Markup.Escape("Beside it: results.csv, results.json and summary.csv."));
    }

    /// <summary>The grid's options (one comma list per setting, or --file), shared by the run and plan forms.</summary>
    private sealed class GridOptions
    {
        private readonly Dictionary<string, Option<string?>> _lists = [];
        private readonly Option<string?> _file = new("--file") { Description = "an experiment file: a JSON object of settings to lists of values (command-line lists override it)" };
        private readonly Option<string?> _preset = new("--preset")
        {
            Description = "a preset grid that reproduces a paper's result: " + string.Join(", ", ExperimentPreset.All.Select(p => p.Name)) + " (command-line lists override it)",
        };

        private readonly Option<bool> _quick = new("--quick") { Description = "the preset's quick form (at most about 2 minutes on 2 cores)" };
        private readonly Option<string?> _out = new("--out") { Description = "the experiment folder (default: runs/experiment-<time>); rerun with the same --out to continue" };
        private readonly Option<int> _maxCells = new("--max-cells") { Description = "refuse grids of more cells", DefaultValueFactory = _ => ExperimentGrid.DefaultMaxCells };
        private readonly Option<int> _checkpointEvery = new("--checkpoint-every") { Description = "steps between each cell's checkpoints", DefaultValueFactory = _ => 500 };

        public GridOptions(Command command)
        {
            foreach (string key in ExperimentGrid.Keys)
            {
                var option = new Option<string?>("--" + key) { Description = key == "seeds" ? "seeds: a range such as 1-10, or a comma list" : $"comma-separated values of --{key}" };
                _lists[key] = option;
                command.Options.Add(option);
            }

            command.Options.Add(_file);
            command.Options.Add(_preset);
            command.Options.Add(_quick);
            command.Options.Add(_out);
            command.Options.Add(_maxCells);
            command.Options.Add(_checkpointEvery);
        }

        /// <summary>Builds and validates the cells, then writes (or checks) the folder's experiment.json.</summary>
        public (string Folder, IReadOnlyList<ExperimentCell> Cells) Prepare(ParseResult parse, TrainingConfig defaults)
        {
            var lists = new Dictionary<string, string>(StringComparer.Ordinal);
            if (parse.GetValue(_preset) is string name)
            {
                ExperimentPreset preset = ExperimentPreset.Named(name);
                foreach ((string key, string values) in parse.GetValue(_quick) ? preset.Quick : preset.Full)
                {
                    lists[key] = values;
                }
            }
            else if (parse.GetValue(_quick))
            {
                throw new ArgumentException($"--quick is the quick form of a preset; give --preset {ExperimentPreset.All[0].Name} (or another: {string.Join(", ", ExperimentPreset.All.Select(p => p.Name))}).");
            }

            if (parse.GetValue(_file) is string file)
            {
                foreach ((string key, string[] values) in ExperimentGrid.FromFile(file).Axes)
                {
                    lists[key] = string.Join(',', values);
                }
            }

            foreach ((string key, Option<string?> option) in _lists)
            {
                if (parse.GetValue(option) is string text)
                {
                    lists[key] = text;
                }
            }

            int every = parse.GetValue(_checkpointEvery), max = parse.GetValue(_maxCells);
            if (every < 0 || max < 1)
            {
                throw new ArgumentException(every < 0 ? $"--checkpoint-every {every} is invalid; it must be 0 or more." : $"--max-cells {max} is invalid; it must be 1 or more.");
            }

            ExperimentGrid grid = ExperimentGrid.FromLists(lists);
            IReadOnlyList<ExperimentCell> cells = grid.Cells(defaults with { Clip = "global-norm:1" }, max);
            string folder = parse.GetValue(_out) ?? NewFolder();
            if (Directory.Exists(folder) && !File.Exists(Path.Combine(folder, Experiment.FileName)) && Directory.EnumerateFileSystemEntries(folder).Any())
            {
                throw new IOException($"--out '{folder}' already exists and is not an experiment folder; MiniNet never overwrites a run folder. Choose another --out.");
            }

            // Results are grouped over the seeds of each combination of the settings that take more than one value.
            Experiment.Create(folder, cells, grid.Varied, every);
            return (folder, cells);
        }

        private static string NewFolder()
        {
            using RunFolderClaim claim = RunFolder.Claim(null, "experiment-" + Cli.Stamp());
            return claim.Path;
        }
    }
}
