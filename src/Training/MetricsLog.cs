using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MiniNet.Training;

/// <summary>Writes a run's metrics as <c>metrics.csv</c> (one row per step) and <c>metrics.jsonl</c> (one JSON object per step, with per-parameter norms).</summary>
public static class MetricsLog
{
    /// <summary>The CSV header.</summary>
    public const string CsvHeader = "run,step,loss,grad_norm_before,grad_norm_after,lr,clipped,skipped,test_loss,test_accuracy";

    /// <summary>Writes the CSV rows of several runs into one file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="runs">The runs.</param>
    public static void WriteCsv(string path, IEnumerable<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (RunResult run in runs)
        {
            foreach (MetricsRow row in run.Rows)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"{Quote(run.Name)},{row.Step},{F(row.Loss)},{F(row.GradNormBefore)},{F(row.GradNormAfter)},{F(row.LearningRate)},{(row.Clipped ? 1 : 0)},{(row.Skipped ? 1 : 0)},{F(row.TestLoss)},{F(row.TestAccuracy)}\n");
            }
        }

        File.WriteAllText(path, text.ToString());
    }

    /// <summary>Writes one JSON object per step and run, with the per-parameter gradient norms.</summary>
    /// <param name="path">The file.</param>
    /// <param name="runs">The runs.</param>
    public static void WriteJsonLines(string path, IEnumerable<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        foreach (RunResult run in runs)
        {
            foreach (MetricsRow row in run.Rows)
            {
                var record = new Dictionary<string, object?>
                {
                    ["run"] = run.Name,
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
                writer.Write(JsonSerializer.Serialize(record));
                writer.Write('\n');
            }
        }
    }

    /// <summary>A JSON-safe number: non-finite values become the strings "NaN", "Infinity" or "-Infinity".</summary>
    internal static object Finite(double value) => double.IsFinite(value) ? value : value.ToString(CultureInfo.InvariantCulture);

    private static string F(double? value) => value is double v ? v.ToString("G7", CultureInfo.InvariantCulture) : string.Empty;

    private static string Quote(string value) => value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
        ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : value;
}
