using System.CommandLine;
using System.Globalization;
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

    /// <summary>The defaults of <c>train</c> and <c>sweep</c>.</summary>
    public static TrainingConfig TrainDefaults { get; } = new(
        Task: "adding", Model: "lstm", Hidden: 64, SequenceLength: 100, Batch: 64, Optimizer: "adam", LearningRate: 0.01f, Steps: 2000, EvalEvery: 100);

    public static int Run(string[] args, IAnsiConsole console, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        RootCommand root = Build(console);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // An unrecognized word explains more than the errors it causes ("required command was not provided").
            System.CommandLine.Parsing.ParseError first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            string command = parse.CommandResult.Command.Name;
            error.WriteLine($"mininet: {OneLine(first.Message)} (see 'mininet {(command == root.Name ? string.Empty : command + " ")}--help' for the options)");
            return 2;
        }

        try
        {
            // Our own handler below turns bad input into one line and exit code 2; System.CommandLine's would print a stack trace.
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or FormatException or InvalidDataException or MiniNet.Autograd.AnomalyException)
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

    private static RootCommand Build(IAnsiConsole console)
    {
        var root = new RootCommand("MiniNet: train recurrent nets on toy tasks and see exploding versus clipped gradients.");
        root.Subcommands.Add(TrainCommand(console));
        root.Subcommands.Add(CompareCommand(console));
        root.Subcommands.Add(SweepCommand(console));
        root.Subcommands.Add(WallCommand(console));
        return root;
    }

    private static Command TrainCommand(IAnsiConsole console)
    {
        var command = new Command("train", "Train one configuration and write runs/<name>/ with metrics and a report.");
        var options = new TrainOptions(TrainDefaults);
        options.AddTo(command);
        var clip = new Option<string>("--clip") { Description = ClipperSpec.ValidForms, DefaultValueFactory = _ => "global-norm:1" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "write <out>/checkpoint.safetensors every N steps (atomically); 0 for none", DefaultValueFactory = _ => 0 };
        var resume = new Option<string?>("--resume") { Description = "continue the run saved in this checkpoint (its settings are used)" };
        var anomaly = new Option<bool>("--anomaly") { Description = "anomaly mode: stop at the first op whose value or gradient becomes NaN or ∞, naming it" };
        command.Options.Add(clip);
        command.Options.Add(checkpointEvery);
        command.Options.Add(resume);
        command.Options.Add(anomaly);
        command.SetAction(parse =>
        {
            int every = parse.GetValue(checkpointEvery);
            if (every < 0)
            {
                throw new ArgumentException($"--checkpoint-every {every} is invalid; it must be 0 (no checkpoints) or a positive number of steps.");
            }

            string? resumeFrom = parse.GetValue(resume);
            if (resumeFrom is not null && !File.Exists(resumeFrom))
            {
                throw new ArgumentException($"--resume '{resumeFrom}': no such checkpoint file.");
            }

            TrainingConfig config = resumeFrom is null ? options.Read(parse, parse.GetValue(clip)!) : Checkpoint.Load(resumeFrom).Config;
            string folder = RunFolder.Create(parse.GetValue(options.Out), "train-" + Stamp());
            var training = new TrainingOptions(every > 0 ? Path.Combine(folder, "checkpoint.safetensors") : null, every, resumeFrom, parse.GetValue(anomaly));
            List<RunResult> runs = RunDisplay.RunAll(console, folder, [(config.Clip, config)], training);
            Finish(console, folder, "train", runs, HtmlReport.ForRuns("MiniNet training run", runs));
            return 0;
        });
        return command;
    }

    private static Command CompareCommand(IAnsiConsole console)
    {
        var command = new Command("compare", "Train the same model from the same seed under several clippers, side by side (default: exploding SGD vs clipped).");
        var options = new TrainOptions(CompareDefaults);
        options.AddTo(command);
        var clips = new Option<string>("--clip") { Description = "comma-separated clipper specs; each is " + ClipperSpec.ValidForms, DefaultValueFactory = _ => CompareClips };
        command.Options.Add(clips);
        command.SetAction(parse =>
        {
            string[] specs = parse.GetValue(clips)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (specs.Length == 0)
            {
                throw new ArgumentException($"--clip is empty; give comma-separated clipper specs such as {CompareClips}.");
            }

            var configs = specs.Select(spec => (spec, options.Read(parse, spec))).ToList();
            string folder = RunFolder.Create(parse.GetValue(options.Out), "compare-" + Stamp());
            List<RunResult> runs = RunDisplay.RunAll(console, folder, configs);
            Finish(console, folder, "compare", runs, HtmlReport.ForRuns("Exploding versus clipped gradients", runs));
            return 0;
        });
        return command;
    }

    private static Command SweepCommand(IAnsiConsole console)
    {
        var command = new Command("sweep", "Try global-norm thresholds from high to low (the usual advice), after an unclipped probe suggests one.");
        var options = new TrainOptions(TrainDefaults);
        options.AddTo(command);
        var thresholds = new Option<string>("--thresholds") { Description = "comma-separated global-norm thresholds, tried from high to low", DefaultValueFactory = _ => "100,10,1,0.1" };
        var probe = new Option<int>("--probe-steps") { Description = "steps of the unclipped probe whose gradient norms give the suggested threshold", DefaultValueFactory = _ => 100 };
        command.Options.Add(thresholds);
        command.Options.Add(probe);
        command.SetAction(parse =>
        {
            double[] values = ParseThresholds(parse.GetValue(thresholds)!);
            int probeSteps = parse.GetValue(probe);
            if (probeSteps < 2)
            {
                throw new ArgumentException($"--probe-steps {probeSteps} is invalid; the probe needs at least 2 steps.");
            }

            TrainingConfig config = options.Read(parse, "none");
            string folder = RunFolder.Create(parse.GetValue(options.Out), "sweep-" + Stamp());
            RunResult probeRun = Trainer.Run(config with { Steps = probeSteps, Clip = "none" }, "probe (unclipped)");
            MiniNet.Clipping.ThresholdAdvice advice = MiniNet.Clipping.ThresholdAdvice.FromProbe(probeRun.Rows.Select(r => r.GradNormBefore));
            console.MarkupLine(Markup.Escape(advice.ToString()));
            var configs = values.OrderByDescending(v => v)
                .Select(v => ($"global-norm:{v.ToString(CultureInfo.InvariantCulture)}", config with { Clip = $"global-norm:{v.ToString(CultureInfo.InvariantCulture)}" }))
                .ToList();
            List<RunResult> runs = RunDisplay.RunAll(console, folder, configs);
            Finish(console, folder, "sweep", runs, HtmlReport.ForRuns("Clipping threshold sweep", runs, [advice.ToString()]),
                new Dictionary<string, object?> { ["advice"] = advice });
            return 0;
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
            string folder = RunFolder.Create(parse.GetValue(output), "wall-" + Stamp());
            WallReport.Write(console, folder, new WallProblem(), startW, startB, rate, c, n);
            return 0;
        });
        return command;
    }

    private static void Finish(IAnsiConsole console, string folder, string command, IReadOnlyList<RunResult> runs, string html, IReadOnlyDictionary<string, object?>? extra = null)
    {
        RunFolder.Write(folder, command, runs, html, extra);
        RunDisplay.Summary(console, runs);
        console.MarkupLine($"Report: [link]{Markup.Escape(Path.GetFullPath(Path.Combine(folder, "report.html")))}[/]  (metrics.csv, metrics.jsonl, summary.json beside it)");
    }

    private static double[] ParseThresholds(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new ArgumentException("--thresholds is empty; give comma-separated positive numbers such as 100,10,1,0.1.");
        }

        return parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && double.IsFinite(v)
            ? v
            : throw new ArgumentException($"--thresholds: '{p}' is not a positive number; give comma-separated thresholds such as 100,10,1,0.1.")).ToArray();
    }

    private static void Require(bool valid, string option, double value, string range)
    {
        if (!valid)
        {
            throw new ArgumentException($"{option} {value.ToString(CultureInfo.InvariantCulture)} is invalid; it must be {range}.");
        }
    }

    private static string Stamp() => DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
}
