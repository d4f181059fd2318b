using System.Text.Json;
using MiniNet.Training;
using Spectre.Console;

namespace MiniNet.Lab;

/// <summary>
/// Runs a plan of several runs (compare, sweep) into one folder, each checkpointing to <c>checkpoints/&lt;name&gt;.safetensors</c>,
/// and finishes an interrupted or crashed plan: finished runs are kept (from <c>summary.json</c>, or from a checkpoint at their
/// last step), the first unfinished run continues from its checkpoint (its metric rows after it are cut), the rest run.
/// </summary>
internal static class SeveralRuns
{
    /// <summary>Runs (or, with <paramref name="resuming"/>, finishes) the plan and writes the summary and the report.</summary>
    /// <returns>The runs, in plan order (the last one interrupted when a stop came).</returns>
    public static List<RunResult> Run(IAnsiConsole console, string folder, RunPlan plan, bool resuming, CancellationToken cancellation)
    {
        var done = new List<RunResult>();
        var baseOptions = new TrainingOptions(CheckpointEvery: plan.CheckpointEvery, DetectAnomaly: plan.DetectAnomaly, HistoryCapacity: RunFolder.ReportRows, StopOnDivergence: plan.StopOnDivergence, KeepParameterNorms: true);
        string csv = Path.Combine(folder, MetricsWriter.CsvName);
        CheckpointState? resumeState = null;
        string? resumeFrom = null;
        if (resuming)
        {
            Dictionary<string, JsonElement> summary = Finished(folder);
            foreach (PlannedRun run in plan.Runs)
            {
                if (summary.TryGetValue(run.Name, out JsonElement entry))
                {
                    done.Add(FromSummary(entry, run, Rows(csv, run.Name), baseOptions.HistoryCapacity));
                    continue;
                }

                string checkpoint = CheckpointFor(folder, run.Name);
                CheckpointState? saved = File.Exists(checkpoint) ? Checkpoint.Load(checkpoint) : null;
                if (saved?.Step == run.Config.Steps)
                {
                    // finished, but the summary was not written (a crash): a resume of no steps rebuilds its result
                    RunResult rebuilt = Trainer.Run(run.Config, baseOptions with { ResumeFrom = checkpoint, ResumeState = saved, ResumeSteps = run.Config.Steps }, run.Name);
                    done.Add(rebuilt.WithHistory(Rows(csv, run.Name), baseOptions.HistoryCapacity));
                    continue;
                }

                var earlier = plan.Runs.Take(done.Count).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
                MetricsFile.TruncateAfter(folder, saved?.Step ?? 0, earlier.Contains);
                (resumeFrom, resumeState) = saved is null ? (null, null) : (checkpoint, saved);
                break;
            }
        }

        var remaining = plan.Runs.Skip(done.Count).Select(r => (r.Name, r.Config)).ToList();
        List<RunResult> ran;
        using (var metrics = new MetricsWriter(folder, append: resuming))
        {
            ran = RunDisplay.RunAll(console, remaining, name => baseOptions with
            {
                Metrics = metrics,
                CheckpointPath = CheckpointFor(folder, name),
                ResumeFrom = name == remaining[0].Name ? resumeFrom : null,
                ResumeState = name == remaining[0].Name ? resumeState : null,
            }, cancellation);
        }

        if (resumeFrom is not null && ran.Count > 0)
        {
            ran[0] = ran[0].WithHistory(Rows(csv, ran[0].Name), baseOptions.HistoryCapacity);
        }

        List<RunResult> all = [.. done, .. ran];
        RunFolder.Write(folder, plan.Command, all, HtmlReport.ForRuns(plan.Title, all, plan.Notes),
            plan.Extra.ToDictionary(kv => kv.Key, kv => (object?)kv.Value));
        return all;
    }

    /// <summary>Where a run of a plan checkpoints.</summary>
    public static string CheckpointFor(string folder, string name) =>
        Path.Combine(folder, "checkpoints", string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')) + ".safetensors");

    private static IReadOnlyList<MetricsRow> Rows(string csv, string run) => [.. MetricsFile.ReadCsv(csv, run).Select(r => r.Row)];

    /// <summary>The runs <c>summary.json</c> records as ended (finished, diverged or anomaly), by name; none without a summary.</summary>
    private static Dictionary<string, JsonElement> Finished(string folder)
    {
        string path = Path.Combine(folder, "summary.json");
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }

        try
        {
            using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(path));
            foreach (JsonElement run in summary.RootElement.GetProperty("runs").EnumerateArray())
            {
                if (run.GetProperty("status").GetString() is "finished" or "diverged" or "anomaly")
                {
                    result[run.GetProperty("name").GetString()!] = run.Clone();
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{path}' is not a valid MiniNet summary: {e.Message.TrimEnd('.')}.");
        }

        return result;
    }

    /// <summary>A finished run's result as its summary entry and its metric rows record it.</summary>
    private static RunResult FromSummary(JsonElement entry, PlannedRun run, IReadOnlyList<MetricsRow> rows, int? capacity)
    {
        static double Number(JsonElement e) => MetricsWriter.ReadFinite(e);
        static int? Step(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetInt32() : null;
        RunStatus status = Enum.Parse<RunStatus>(entry.GetProperty("status").GetString()!, ignoreCase: true);
        var result = new RunResult(run.Name, run.Config, TaskCatalog.Create(run.Config.Task, run.Config.SequenceLength), rows, status,
            Step(entry.GetProperty("diverged_at_step")), Step(entry.GetProperty("solved_at_step")),
            Number(entry.GetProperty("final_test_loss")), Number(entry.GetProperty("final_test_accuracy")), Number(entry.GetProperty("seconds")))
        {
            LastStep = entry.GetProperty("last_step").GetInt32(),
            LastLoss = (float)Number(entry.GetProperty("last_loss")),
            DivergenceReason = entry.GetProperty("divergence_reason").GetString(),
            StoppedOnDivergence = entry.GetProperty("stopped_on_divergence").GetBoolean(),
            AnomalyMessage = entry.GetProperty("anomaly").GetString(),
            AnomalyParameters = [.. entry.GetProperty("anomaly_parameters").EnumerateArray().Select(p => p.GetString()!)],
            AnomalyOp = entry.GetProperty("anomaly_op").GetString(),
        };
        return result.WithHistory(rows, capacity);
    }
}
