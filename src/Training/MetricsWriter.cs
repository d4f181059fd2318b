using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MiniNet.Training;

/// <summary>
/// Writes <c>metrics.csv</c> (one row per step and run) and <c>metrics.jsonl</c> (the same, with every parameter's
/// gradient norm) as the steps happen, so a long run's record is on disk, not in memory.
/// </summary>
public sealed class MetricsWriter : IDisposable
{
    /// <summary>The CSV header.</summary>
    public const string CsvHeader = "run,step,loss,grad_norm_before,grad_norm_after,lr,clipped,skipped,test_loss,test_accuracy";

    private readonly StreamWriter _csv;
    private readonly StreamWriter _jsonl;

    /// <summary>Creates both files in <paramref name="folder"/>.</summary>
    /// <param name="folder">The run folder.</param>
    public MetricsWriter(string folder)
    {
        _csv = new StreamWriter(Path.Combine(folder, "metrics.csv"), append: false, new UTF8Encoding(false));
        _jsonl = new StreamWriter(Path.Combine(folder, "metrics.jsonl"), append: false, new UTF8Encoding(false));
        _csv.Write(CsvHeader + "\n");
    }

    /// <summary>Appends one step of one run.</summary>
    /// <param name="run">The run's name.</param>
    /// <param name="row">The step.</param>
    public void Append(string run, MetricsRow row)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(row);
        _csv.Write(string.Create(CultureInfo.InvariantCulture,
            $"{Quote(run)},{row.Step},{F(row.Loss)},{F(row.GradNormBefore)},{F(row.GradNormAfter)},{F(row.LearningRate)},{(row.Clipped ? 1 : 0)},{(row.Skipped ? 1 : 0)},{F(row.TestLoss)},{F(row.TestAccuracy)}\n"));
        var record = new Dictionary<string, object?>
        {
            ["run"] = run,
            ["step"] = row.Step,
            ["loss"] = Finite(row.Loss),
            ["grad_norm_before"] = Finite(row.GradNormBefore),
            ["grad_norm_after"] = Finite(row.GradNormAfter),
            ["lr"] = row.LearningRate,
            ["clipped"] = row.Clipped,
            ["skipped"] = row.Skipped,
            ["test_loss"] = row.TestLoss is double t ? Finite(t) : null,
            ["test_accuracy"] = row.TestAccuracy,
            ["parameter_norms"] = row.PerParameter.ToDictionary(p => p.Name, p => new[] { Finite(p.NormBefore), Finite(p.NormAfter) }),
        };
        _jsonl.Write(JsonSerializer.Serialize(record));
        _jsonl.Write('\n');
    }

    /// <summary>A progress sink that appends every step of run <paramref name="run"/> and forwards it to <paramref name="next"/>.</summary>
    /// <param name="run">The run's name.</param>
    /// <param name="next">Another sink (a progress display), or null.</param>
    /// <returns>The sink.</returns>
    public IProgress<TrainingProgress> For(string run, IProgress<TrainingProgress>? next = null) => new Sink(this, run, next);

    /// <summary>Flushes and closes both files.</summary>
    public void Dispose()
    {
        _csv.Dispose();
        _jsonl.Dispose();
    }

    /// <summary>A JSON-safe number: non-finite values become the strings "NaN", "Infinity" or "-Infinity".</summary>
    internal static object Finite(double value) => double.IsFinite(value) ? value : value.ToString(CultureInfo.InvariantCulture);

    private static string F(double? value) => value is double v ? v.ToString("G7", CultureInfo.InvariantCulture) : string.Empty;

    private static string Quote(string value) => value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
        ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : value;

    private sealed class Sink(MetricsWriter writer, string run, IProgress<TrainingProgress>? next) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            writer.Append(run, value.Row);
            next?.Report(value);
        }
    }
}
