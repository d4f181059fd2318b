using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MiniNet.Training;

/// <summary>
/// A run's output folder, <c>runs/&lt;name&gt;/</c>, with <c>metrics.csv</c>, <c>metrics.jsonl</c>, <c>summary.json</c> and
/// <c>report.html</c>. An existing folder is never overwritten: an explicit one is an error, a generated name gets a
/// numbered suffix.
/// </summary>
public static class RunFolder
{
    /// <summary>Creates the folder for a run.</summary>
    /// <param name="explicitPath">The user's --out, or null.</param>
    /// <param name="defaultName">The name to use under <c>runs/</c> when no --out is given.</param>
    /// <returns>The created folder's path.</returns>
    /// <exception cref="IOException">An explicit folder already exists (the message says how to proceed).</exception>
    public static string Create(string? explicitPath, string defaultName)
    {
        if (explicitPath is not null)
        {
            if (Directory.Exists(explicitPath) || File.Exists(explicitPath))
            {
                throw new IOException($"--out '{explicitPath}' already exists; MiniNet never overwrites a run folder. Choose another --out or remove it first.");
            }

            Directory.CreateDirectory(explicitPath);
            return explicitPath;
        }

        string baseName = Path.Combine("runs", defaultName);
        string path = baseName;
        for (int i = 2; Directory.Exists(path) || File.Exists(path); i++)
        {
            path = $"{baseName}-{i.ToString(CultureInfo.InvariantCulture)}";
        }

        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Writes the summary and the report of a set of runs into <paramref name="folder"/> (the metrics files were streamed by <see cref="MetricsWriter"/>).</summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="command">train, compare or sweep.</param>
    /// <param name="runs">The runs.</param>
    /// <param name="html">The report.</param>
    /// <param name="extra">Extra summary fields (for example the sweep's advice), or null.</param>
    public static void Write(string folder, string command, IReadOnlyList<RunResult> runs, string html, IReadOnlyDictionary<string, object?>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var summary = new Dictionary<string, object?>
        {
            ["command"] = command,
            ["runs"] = runs.Select(r => new Dictionary<string, object?>
            {
                ["name"] = r.Name,
                ["config"] = r.Config,
                ["status"] = r.Status.ToString().ToLowerInvariant(),
                ["verdict"] = r.Verdict,
                ["diverged_at_step"] = r.DivergedAtStep,
                ["solved_at_step"] = r.SolvedAtStep,
                ["final_test_loss"] = MetricsWriter.Finite(r.FinalTestLoss),
                ["final_test_accuracy"] = MetricsWriter.Finite(r.FinalTestAccuracy),
                ["baseline"] = r.Task.Baseline,
                ["max_grad_norm"] = MetricsWriter.Finite(r.MaxGradNorm),
                ["clip_fraction"] = r.ClipFraction,
                ["steps_run"] = r.StepsRun,
                ["seconds"] = r.Seconds,
            }).ToList(),
        };
        foreach ((string key, object? value) in extra ?? new Dictionary<string, object?>())
        {
            summary[key] = value;
        }

        WriteText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        WriteText(Path.Combine(folder, "report.html"), html);
    }

    /// <summary>Writes text atomically: a temporary file in the same folder, then a rename.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="text">The content.</param>
    public static void WriteText(string path, string text)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text, new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }
}
