using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MiniNet.Training;

/// <summary>
/// A run's output folder, <c>runs/&lt;name&gt;/</c>, with <c>metrics.csv</c>, <c>metrics.jsonl</c>, <c>summary.json</c> and
/// <c>report.html</c>. An existing folder is never overwritten: an explicit one is an error, a generated name gets a
/// numbered suffix.
/// </summary>
/// <remarks>
/// A folder is claimed atomically: the claiming process holds an exclusive lock on <c>.mininet.lock</c> inside it for as long as
/// it writes there (an operating-system lock, released even when the process is killed), and a new run also requires the folder
/// to hold nothing else once locked. Two processes given the same <c>--out</c> therefore never both write: the second fails before
/// touching anything, and two generated names never collide.
/// </remarks>
public static class RunFolder
{
    /// <summary>The rows a run folder's report keeps in memory (a longer run is thinned for the charts; its metrics files have every step).</summary>
    public const int ReportRows = 20_000;

    /// <summary>The lock file's name inside a claimed folder.</summary>
    public const string LockName = ".mininet.lock";

    /// <summary>Creates and claims the folder for a new run.</summary>
    /// <param name="explicitPath">The user's --out, or null.</param>
    /// <param name="defaultName">The name to use under <c>runs/</c> when no --out is given.</param>
    /// <returns>The claim; dispose it when the run's files are written.</returns>
    /// <exception cref="IOException">An explicit folder already exists or is being written by another process (the message says how to proceed).</exception>
    public static RunFolderClaim Claim(string? explicitPath, string defaultName)
    {
        if (explicitPath is not null)
        {
            if (Directory.Exists(explicitPath) || File.Exists(explicitPath))
            {
                throw new IOException($"--out '{explicitPath}' already exists; MiniNet never overwrites a run folder. Choose another --out or remove it first.");
            }

            return TryClaimNew(explicitPath) ?? throw new IOException(
                $"--out '{explicitPath}' was just created by another process; MiniNet never lets two runs write one folder. Choose another --out.");
        }

        string baseName = Path.Combine("runs", defaultName);
        for (int i = 1; ; i++)
        {
            string path = i == 1 ? baseName : $"{baseName}-{i.ToString(CultureInfo.InvariantCulture)}";
            if (!Directory.Exists(path) && !File.Exists(path) && TryClaimNew(path) is RunFolderClaim claim)
            {
                return claim;
            }
        }
    }

    /// <summary>Claims an existing run folder to continue its run (a resume), and removes temporary files a killed process left there.</summary>
    /// <param name="folder">The folder.</param>
    /// <returns>The claim.</returns>
    /// <exception cref="IOException">Another process is writing to the folder.</exception>
    public static RunFolderClaim ClaimExisting(string folder)
    {
        FileStream? held = TryLock(folder) ?? throw new IOException(
            $"'{folder}' is being written by another MiniNet process; wait for it to finish (or stop it) before resuming this run.");
        RemoveOrphans(folder);
        return new RunFolderClaim(folder, held);
    }

    /// <summary>Deletes the temporary files of interrupted atomic writes (<c>*.tmp</c>) in <paramref name="folder"/>.</summary>
    /// <param name="folder">A run folder.</param>
    public static void RemoveOrphans(string folder)
    {
        foreach (string orphan in Directory.EnumerateFiles(folder, "*.tmp"))
        {
            File.Delete(orphan);
        }
    }

    private static RunFolderClaim? TryClaimNew(string path)
    {
        Directory.CreateDirectory(path);
        FileStream? held = TryLock(path);
        if (held is null)
        {
            return null;
        }

        if (Directory.EnumerateFileSystemEntries(path).Any(e => Path.GetFileName(e) != LockName))
        {
            held.Dispose(); // another process claimed it, wrote, and finished first
            return null;
        }

        return new RunFolderClaim(path, held);
    }

    private static FileStream? TryLock(string folder)
    {
        try
        {
            return new FileStream(Path.Combine(folder, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
        }
        catch (IOException)
        {
            return null;
        }
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
                ["last_step"] = r.LastStep,
                ["last_loss"] = MetricsWriter.Finite(r.LastLoss),
                ["divergence_reason"] = r.DivergenceReason,
                ["anomaly"] = r.AnomalyMessage,
                ["anomaly_op"] = r.AnomalyOp,
                ["anomaly_parameters"] = r.AnomalyParameters,
                ["stopped_on_divergence"] = r.StoppedOnDivergence,
                ["rows_thinned"] = r.RowsThinned,
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

        WriteText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(summary, Json));
        WriteText(Path.Combine(folder, "report.html"), html);
    }

    /// <summary>Writes text atomically: a temporary file in the same folder, then a rename.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="text">The content.</param>
    public static void WriteText(string path, string text)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(new UTF8Encoding(false).GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The JSON settings of summaries: indented, and non-finite numbers written as "NaN", "Infinity", "-Infinity" rather than refused.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

/// <summary>A run folder this process holds: no other MiniNet process writes there until it is disposed.</summary>
public sealed class RunFolderClaim : IDisposable
{
    private readonly FileStream _lock;

    internal RunFolderClaim(string path, FileStream held)
    {
        Path = path;
        _lock = held;
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>Releases the folder (and removes the lock file).</summary>
    public void Dispose()
    {
        File.Delete(System.IO.Path.Combine(Path, RunFolder.LockName));
        _lock.Dispose();
    }
}
