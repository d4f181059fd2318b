using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MiniNet.Training;
using Spectre.Console;

namespace MiniNet.Lab;

/// <summary>
/// The <c>mininet</c> command line: train, compare, sweep and wall. Every problem with the input (an unknown option or
/// choice, a malformed number or clipper spec, an existing output folder) is one line on stderr and exit code 2.
/// </summary>
internal static class Cli
{
    /// <summary>The defaults of <c>compare</c>: a setting where plain SGD explodes without clipping and learns with it.</summary>
    public static TrainingConfig CompareDefaults { get; } = new(
        Task: "adding", Model: "lstm", Hidden: 64, SequenceLength: 20, Batch: 64, Optimizer: "sgd", LearningRate: 1.0f, Steps: 5000, EvalEvery: 100);

    /// <summary>The clipper specs <c>compare</c> runs by default.</summary>
    public const string CompareClips = "none,global-norm:0.1,value:0.1";

    /// <summary>The defaults of <c>train</c> and <c>sweep</c>: the library's own (<see cref="TrainingConfig"/>'s), so a test and the command line train the same thing.</summary>
    public static TrainingConfig TrainDefaults { get; } = new();

    /// <summary>The exit code of a run stopped by anomaly mode (distinct from 2, a usage error).</summary>
    public const int AnomalyExitCode = 3;

    /// <summary>Runs the command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="console">Where tables and progress go.</param>
    /// <param name="error">Where errors go (one line each).</param>
    /// <param name="interruption">The stop request (signals in the real program), or null for none.</param>
    /// <returns>0, 2 for bad input, 3 for an anomaly, 130/143 when interrupted by SIGINT/SIGTERM.</returns>
    public static int Run(string[] args, IAnsiConsole console, TextWriter error, Interruption? interruption = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        using var idle = interruption is null ? new Interruption() : null;
        RootCommand root = Build(console, interruption ?? idle!, error);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // An unrecognized word explains more than the errors it causes ("required command was not provided").
            System.CommandLine.Parsing.ParseError first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            string command = parse.CommandResult.Command.Name;
            error.WriteLine($"mininet: {OneLine(Plain(first.Message))} (see 'mininet {(command == root.Name ? string.Empty : command + " ")}--help' for the options)");
            return 2;
        }

        try
        {
            // Our own handler below turns bad input into one line and exit code 2; System.CommandLine's would print a stack trace.
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            error.WriteLine($"mininet: {OneLine(e.Message)}");
            return 2;
        }
    }

    private static string OneLine(string message)
    {
        int paramNote = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return (paramNote > 0 ? message[..paramNote] : message).ReplaceLineEndings(" ");
    }

    /// <summary>System.CommandLine's type errors in MiniNet's words: "--batch '1.5' is not a whole number".</summary>
    private static string Plain(string message)
    {
        System.Text.RegularExpressions.Match m = System.Text.RegularExpressions.Regex.Match(message,
            @"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.?$");
        if (!m.Success)
        {
            return message;
        }

        string kind = m.Groups["type"].Value switch
        {
            "System.Int32" => "a whole number (up to 2147483647)",
            "System.Double" or "System.Single" => "a finite number such as 0.5",
            "System.Boolean" => "true or false (or leave the value out)",
            _ => "of the expected form",
        };
        return $"{m.Groups["option"].Value} '{m.Groups["value"].Value}' is not {kind}";
    }

    private static RootCommand Build(IAnsiConsole console, Interruption interruption, TextWriter error)
    {
        var root = new RootCommand("MiniNet: train recurrent nets on toy tasks and see exploding versus clipped gradients.");
        var context = new CommandContext(console, interruption, error);
        root.Subcommands.Add(TrainCommand(context));
        root.Subcommands.Add(CompareCommand(context));
        root.Subcommands.Add(SweepCommand(context));
        root.Subcommands.Add(WallCommand(console));
        root.Subcommands.Add(ExperimentCommand.Build(context, TrainDefaults));
        return root;
    }

    private static Command TrainCommand(CommandContext context)
    {
        var command = new Command("train", "Train one configuration and write runs/<name>/ with metrics, a checkpoint and a report.");
        var options = new TrainOptions(TrainDefaults);
        options.AddTo(command);
        var clip = new Option<string>("--clip") { Description = ClipperSpec.ValidForms, DefaultValueFactory = _ => "global-norm:1" };
        var resume = new Option<string?>("--resume")
        {
            Description = "continue the run saved in this checkpoint, in its own folder (its settings are kept; --steps sets a new total, --checkpoint-every and --anomaly may change)",
        };
        command.Options.Add(clip);
        command.Options.Add(resume);
        command.SetAction(parse =>
        {
            TrainingOptions training = options.Training(parse);
            string? resumeFrom = parse.GetValue(resume);
            TrainingConfig config;
            RunFolderClaim claim;
            string checkpoint;
            bool resumed = resumeFrom is not null;
            if (resumeFrom is null)
            {
                config = options.Read(parse, parse.GetValue(clip)!);
                claim = RunFolder.Claim(parse.GetValue(options.Out), "train-" + Stamp());
                checkpoint = Path.Combine(claim.Path, "checkpoint.safetensors");
            }
            else
            {
                (config, claim, checkpoint, int? steps, CheckpointState saved) = PrepareResume(parse, options, clip, resumeFrom);
                training = training with
                {
                    ResumeFrom = resumeFrom,
                    ResumeState = saved,
                    ResumeSteps = steps,
                    CheckpointEvery = TrainOptions.Given(parse, options.CheckpointEvery) ? training.CheckpointEvery : saved.CheckpointEvery,
                };
            }

            using (claim)
            {
                using var metrics = new MetricsWriter(claim.Path, append: resumed);
                training = training with { CheckpointPath = checkpoint, Metrics = metrics };
                List<RunResult> runs = RunDisplay.RunAll(context.Console, [(config.Clip, config)], _ => training, context.Interruption.Token);
                metrics.Flush();
                if (resumed)
                {
                    IReadOnlyList<MetricsRow> everyStep = [.. MetricsFile.ReadCsv(Path.Combine(claim.Path, MetricsWriter.CsvName), runs[0].Name).Select(r => r.Row)];
                    runs = [runs[0].WithHistory(everyStep, training.HistoryCapacity)];
                }

                Finish(context.Console, claim.Path, "train", runs, HtmlReport.ForRuns("MiniNet training run", runs));
                return ExitCode(context, claim.Path, runs, 1, runs[0].Status == RunStatus.Interrupted ? $"resume with: mininet train --resume {Quote(checkpoint)}" : null);
            }
        });
        return command;
    }

    /// <summary>Checks a resume request before anything is written: no option that would change the run, a valid checkpoint with steps left.</summary>
    private static (TrainingConfig Config, RunFolderClaim Claim, string Checkpoint, int? Steps, CheckpointState State) PrepareResume(ParseResult parse, TrainOptions options, Option<string> clip, string resumeFrom)
    {
        foreach (Option option in options.RunDefining.Append(clip))
        {
            if (TrainOptions.Given(parse, option))
            {
                throw new ArgumentException(
                    $"{option.Name} cannot be given with --resume: a resumed run keeps the settings saved in its checkpoint. Only --steps (a new total), " +
                    "--checkpoint-every, --anomaly, --no-stop-on-divergence and --out may be given; to change the run, start a new one.");
            }
        }

        if (!File.Exists(resumeFrom) && !Directory.Exists(resumeFrom))
        {
            throw new ArgumentException($"--resume '{resumeFrom}': no such checkpoint file.");
        }

        CheckpointState state = Checkpoint.Load(resumeFrom);
        int? steps = TrainOptions.Given(parse, options.Steps) ? parse.GetValue(options.Steps) : null;
        int total = steps ?? state.Config.Steps;
        if (steps is null && state.Step >= total)
        {
            throw new ArgumentException(
                $"--resume '{resumeFrom}': that run already finished all its {total} steps; give --steps N with N above {total} to train it further.");
        }

        if (total <= state.Step)
        {
            throw new ArgumentException($"--steps {total} is invalid with --resume: the checkpoint is at step {state.Step}; give a total above {state.Step}.");
        }

        TrainingConfig config = state.Config with { Steps = total };
        config.Validate();
        MemoryEstimate.For(config).ThrowIfTooLarge();
        string source = Path.GetDirectoryName(Path.GetFullPath(resumeFrom))!;
        string? output = parse.GetValue(options.Out);
        RunFolderClaim claim;
        string checkpoint;
        if (output is null)
        {
            claim = RunFolder.ClaimExisting(source); // the same run, in its own folder
            checkpoint = resumeFrom;
        }
        else
        {
            claim = RunFolder.Claim(output, "unused"); // a copy of the run up to the checkpoint, continued elsewhere
            foreach (string name in new[] { MetricsWriter.CsvName, MetricsWriter.JsonlName })
            {
                if (File.Exists(Path.Combine(source, name)))
                {
                    File.Copy(Path.Combine(source, name), Path.Combine(claim.Path, name));
                }
            }

            checkpoint = Path.Combine(claim.Path, "checkpoint.safetensors");
        }

        MetricsFile.TruncateAfter(claim.Path, state.Step);
        return (config, claim, checkpoint, steps, state);
    }

    private static Command CompareCommand(CommandContext context)
    {
        var command = new Command("compare", "Train the same model from the same seed under several clippers, side by side (default: exploding SGD vs clipped).");
        var options = new TrainOptions(CompareDefaults);
        options.AddTo(command);
        var clips = new Option<string>("--clip") { Description = "comma-separated clipper specs; each is " + ClipperSpec.ValidForms, DefaultValueFactory = _ => CompareClips };
        Option<string?> resume = ResumeFolderOption("compare");
        command.Options.Add(clips);
        command.Options.Add(resume);
        command.SetAction(parse =>
        {
            if (parse.GetValue(resume) is string folder)
            {
                return ResumePlan(context, parse, folder, "compare", [.. options.All, clips]);
            }

            string[] specs = parse.GetValue(clips)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (specs.Length == 0)
            {
                throw new ArgumentException($"--clip is empty; give comma-separated clipper specs such as {CompareClips}.");
            }

            if (specs.Distinct(StringComparer.Ordinal).Count() != specs.Length)
            {
                throw new ArgumentException($"--clip lists a clipper twice ('{parse.GetValue(clips)}'); give each spec once.");
            }

            TrainingOptions training = options.Training(parse);
            var runs = specs.Select(spec => new PlannedRun(spec, options.Read(parse, spec))).ToList();
            using RunFolderClaim claim = RunFolder.Claim(parse.GetValue(options.Out), "compare-" + Stamp());
            var plan = new RunPlan("compare", "Exploding versus clipped gradients", runs, training.CheckpointEvery, training.DetectAnomaly, training.StopOnDivergence, [],
                new Dictionary<string, JsonElement>());
            plan.Save(claim.Path);
            return RunPlanned(context, claim.Path, plan, resuming: false);
        });
        return command;
    }

    private static Option<string?> ResumeFolderOption(string command) => new("--resume")
    {
        Description = $"finish the interrupted (or crashed) {command} in this folder: finished runs are kept, the interrupted one continues from its checkpoint",
    };

    /// <summary>Finishes the plan in <paramref name="folder"/>; no other option may be given.</summary>
    private static int ResumePlan(CommandContext context, ParseResult parse, string folder, string command, IEnumerable<Option> others)
    {
        if (others.FirstOrDefault(o => TrainOptions.Given(parse, o)) is Option given)
        {
            throw new ArgumentException($"{given.Name} cannot be given with --resume: a resumed {command} keeps the settings in its plan.json; to change them, start a new {command}.");
        }

        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"--resume '{folder}': no such folder; give the folder of the {command} to finish.");
        }

        RunPlan plan = RunPlan.Load(folder);
        if (plan.Command != command)
        {
            throw new ArgumentException($"--resume '{folder}' holds a {plan.Command}, not a {command}; resume it with 'mininet {plan.Command} --resume {Quote(folder)}'.");
        }

        using RunFolderClaim claim = RunFolder.ClaimExisting(folder);
        return RunPlanned(context, folder, plan, resuming: true);
    }

    /// <summary>Runs a plan (compare, sweep) into its folder, prints the summary, and picks the exit code.</summary>
    private static int RunPlanned(CommandContext context, string folder, RunPlan plan, bool resuming)
    {
        List<RunResult> runs = SeveralRuns.Run(context.Console, folder, plan, resuming, context.Interruption.Token);
        RunDisplay.Summary(context.Console, runs);
        ReportLine(context.Console, folder);
        return ExitCode(context, folder, runs, plan.Runs.Count,
            $"{runs.Count(r => r.Status != RunStatus.Interrupted)} of {plan.Runs.Count} runs finished; resume with: mininet {plan.Command} --resume {Quote(folder)}");
    }

    /// <summary>0, or the anomaly's code 3 (after naming it), or the interruption's 130/143 (after the line that says how to go on).</summary>
    private static int ExitCode(CommandContext context, string folder, IReadOnlyList<RunResult> runs, int planned, string? howToContinue)
    {
        if (runs.FirstOrDefault(r => r.Status == RunStatus.Anomaly) is RunResult anomaly)
        {
            context.Error.WriteLine($"mininet: {OneLine(anomaly.AnomalyMessage ?? anomaly.Verdict)} Parameters: {string.Join(", ", anomaly.AnomalyParameters)}. " +
                $"summary.json and report.html are in {folder}.");
            return AnomalyExitCode;
        }

        if (context.Interruption.Token.IsCancellationRequested && (runs.Count < planned || runs.Any(r => r.Status == RunStatus.Interrupted)))
        {
            RunResult? stopped = runs.LastOrDefault(r => r.Status == RunStatus.Interrupted);
            string where = stopped is null ? "between runs" : $"at step {stopped.LastStep} of {stopped.Config.Steps}{(runs.Count > 1 ? $" of '{stopped.Name}'" : string.Empty)}";
            context.Error.WriteLine($"mininet: interrupted {where}; summary.json and report.html are in {folder}; {howToContinue}");
            return context.Interruption.ExitCode == 0 ? 130 : context.Interruption.ExitCode;
        }

        return 0;
    }

    internal static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) || path.Contains('\'', StringComparison.Ordinal)
        ? "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'"
        : path;

    private static Command SweepCommand(CommandContext context)
    {
        var command = new Command("sweep", "Try global-norm thresholds from high to low (the usual advice), after an unclipped probe suggests one.");
        var options = new TrainOptions(TrainDefaults);
        options.AddTo(command);
        var thresholds = new Option<string>("--thresholds") { Description = "comma-separated global-norm thresholds, tried from high to low", DefaultValueFactory = _ => "100,10,1,0.1" };
        var probe = new Option<int>("--probe-steps") { Description = "steps of the unclipped probe whose gradient norms give the suggested threshold", DefaultValueFactory = _ => 100 };
        Option<string?> resume = ResumeFolderOption("sweep");
        command.Options.Add(thresholds);
        command.Options.Add(probe);
        command.Options.Add(resume);
        command.SetAction(parse =>
        {
            if (parse.GetValue(resume) is string folder)
            {
                return ResumePlan(context, parse, folder, "sweep", [.. options.All, thresholds, probe]);
            }

            float[] values = ParseThresholds(parse.GetValue(thresholds)!);
            int probeSteps = parse.GetValue(probe);
            if (probeSteps < 2)
            {
                throw new ArgumentException($"--probe-steps {probeSteps} is invalid; the probe needs at least 2 steps.");
            }

            // Every run's settings are checked before the probe trains.
            TrainingOptions training = options.Training(parse);
            TrainingConfig config = options.Read(parse, "none");
            TrainingConfig probeConfig = config with { Steps = probeSteps, Clip = "none" };
            probeConfig.Validate();
            var runs = values.Distinct().OrderByDescending(v => v)
                .Select(v => $"global-norm:{v.ToString("R", CultureInfo.InvariantCulture)}")
                .Select(spec => new PlannedRun(spec, options.Read(parse, spec)))
                .ToList();
            using RunFolderClaim claim = RunFolder.Claim(parse.GetValue(options.Out), "sweep-" + Stamp());
            RunResult probeRun = Trainer.Run(probeConfig, "probe (unclipped)", cancellation: context.Interruption.Token);
            if (probeRun.Status == RunStatus.Interrupted)
            {
                context.Error.WriteLine($"mininet: interrupted during the unclipped probe; nothing was kept in {claim.Path}; run the sweep again.");
                return context.Interruption.ExitCode == 0 ? 130 : context.Interruption.ExitCode;
            }

            MiniNet.Clipping.ThresholdAdvice advice = MiniNet.Clipping.ThresholdAdvice.FromProbe(probeRun.Rows.Select(r => r.GradNormBefore));
            context.Console.MarkupLine(Markup.Escape(advice.ToString()));
            var plan = new RunPlan("sweep", "Clipping threshold sweep", runs, training.CheckpointEvery, training.DetectAnomaly, training.StopOnDivergence, [advice.ToString()],
                new Dictionary<string, JsonElement> { ["advice"] = JsonSerializer.SerializeToElement(advice, RunFolder.Json) });
            plan.Save(claim.Path);
            return RunPlanned(context, claim.Path, plan, resuming: false);
        });
        return command;
    }

    private static Command WallCommand(IAnsiConsole console)
    {
        var command = new Command("wall", "Pascanu's one-unit wall: the loss surface over (w, b) and the paths of plain and clipped gradient descent.");
        (double w0, double b0) = WallProblem.DefaultStart;
        var w = new Option<double>("--w") { Description = "starting w", DefaultValueFactory = _ => w0 };
        var b = new Option<double>("--b") { Description = "starting b", DefaultValueFactory = _ => b0 };
        var lr = new Option<double>("--lr") { Description = "learning rate", DefaultValueFactory = _ => 0.1 };
        var threshold = new Option<double>("--threshold") { Description = "global-norm clipping threshold for the clipped path", DefaultValueFactory = _ => 1.0 };
        var steps = new Option<int>("--steps") { Description = "gradient-descent steps", DefaultValueFactory = _ => 50 };
        var output = new Option<string?>("--out") { Description = "output folder (default: runs/wall-<time>); never overwritten" };
        foreach (Option option in new Option[] { w, b, lr, threshold, steps, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            (double startW, double startB, double rate, double c, int n) = (parse.GetValue(w), parse.GetValue(b), parse.GetValue(lr), parse.GetValue(threshold), parse.GetValue(steps));
            Require(double.IsFinite(startW), "--w", startW, "a finite number");
            Require(double.IsFinite(startB), "--b", startB, "a finite number");
            Require(rate > 0 && double.IsFinite(rate), "--lr", rate, "a positive number");
            Require(c > 0 && double.IsFinite(c), "--threshold", c, "a positive number");
            Require(n is > 0 and <= 100_000, "--steps", n, "a whole number from 1 to 100000");
            using RunFolderClaim claim = RunFolder.Claim(parse.GetValue(output), "wall-" + Stamp());
            WallReport.Write(console, claim.Path, new WallProblem(), startW, startB, rate, c, n);
            return 0;
        });
        return command;
    }

    private static void Finish(IAnsiConsole console, string folder, string command, IReadOnlyList<RunResult> runs, string html, IReadOnlyDictionary<string, object?>? extra = null)
    {
        RunFolder.Write(folder, command, runs, html, extra);
        RunDisplay.Summary(console, runs);
        ReportLine(console, folder);
    }

    /// <summary>Where the report is, on a line of its own (a path is never broken between lines), and what lies beside it.</summary>
    internal static void ReportLine(IAnsiConsole console, string folder, string beside = "metrics.csv, metrics.jsonl and summary.json")
    {
        console.MarkupLine($"Report: [link]{Markup.Escape(Path.GetFullPath(Path.Combine(folder, "report.html")))}[/]");
        console.MarkupLine(Markup.Escape($"Beside it: {beside}."));
    }

    private static float[] ParseThresholds(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new ArgumentException("--thresholds is empty; give comma-separated positive numbers such as 100,10,1,0.1.");
        }

        // A threshold is a float32 clip value: one that rounds to 0 or ∞ there (1e-50, 1e39) is refused here, before any training.
        return parts.Select(p => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && v > 0 && float.IsFinite(v)
            ? v
            : throw new ArgumentException($"--thresholds: '{p}' is not a positive number within float32's range (about 1e-38 to 3e38); give comma-separated thresholds such as 100,10,1,0.1.")).ToArray();
    }

    private static void Require(bool valid, string option, double value, string range)
    {
        if (!valid)
        {
            throw new ArgumentException($"{option} {value.ToString(CultureInfo.InvariantCulture)} is invalid; it must be {range}.");
        }
    }

    internal static string Stamp() => DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
}
