using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MiniNet.Training;

/// <summary>
/// Writes <c>metrics.csv</c> (one row per step and run) and <c>metrics.jsonl</c> (the same, with every parameter's
/// gradient norm) as the steps happen, so a long run's record is on disk, not in memory.
/// </summary>
/// <remarks>
/// Rows are only ever written as whole lines: they collect in memory and go to the files in one write per file at each
/// <see cref="Flush"/> (the trainer flushes before every checkpoint, and this writer at least once a second), so a
/// process killed at any moment leaves whole lines, never a row cut in half. Non-finite numbers are written as the
/// strings <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> in JSON (and as those words in the CSV).
/// </remarks>
public sealed class MetricsWriter : IDisposable
{
    /// <summary>The CSV header.</summary>
    public const string CsvHeader = "run,step,loss,grad_norm_before,grad_norm_after,lr,clipped,skipped,test_loss,test_accuracy";

    /// <summary>The CSV file's name in a run folder.</summary>
    public const string CsvName = "metrics.csv";

    /// <summary>The JSON-lines file's name in a run folder.</summary>
    public const string JsonlName = "metrics.jsonl";

    private static readonly long FlushInterval = Stopwatch.Frequency; // one second
    private readonly FileStream _csv;
    private readonly FileStream _jsonl;
    private readonly StringBuilder _csvPending = new();
    private readonly StringBuilder _jsonlPending = new();
    private long _lastFlush = Stopwatch.GetTimestamp();

    /// <summary>Creates both files in <paramref name="folder"/>, or appends to them.</summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="append">Append to existing files (a resumed run; cut them first with <see cref="MetricsFile.TruncateAfter"/>).</param>
    public MetricsWriter(string folder, bool append = false)
    {
        string csv = Path.Combine(folder, CsvName);
        bool header = !append || !File.Exists(csv) || new FileInfo(csv).Length == 0;
        _csv = Open(csv, append);
        _jsonl = Open(Path.Combine(folder, JsonlName), append);
        if (header)
        {
            _csvPending.Append(CsvHeader).Append('\n');
        }
    }

    /// <summary>Appends one step of one run (written at the next flush).</summary>
    /// <param name="run">The run's name.</param>
    /// <param name="row">The step.</param>
    public void Append(string run, MetricsRow row)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(row);
        _csvPending.Append(string.Create(CultureInfo.InvariantCulture,
            $"{Quote(run)},{row.Step},{F(row.Loss)},{F(row.GradNormBefore)},{F(row.GradNormAfter)},{F(row.LearningRate)},{(row.Clipped ? 1 : 0)},{(row.Skipped ? 1 : 0)},{F(row.TestLoss)},{F(row.TestAccuracy)}\n"));
        var record = new Dictionary<string, object?>
        {
            ["run"] = run,
            ["step"] = row.Step,
            ["loss"] = Finite(row.Loss),
            ["grad_norm_before"] = Finite(row.GradNormBefore),
            ["grad_norm_after"] = Finite(row.GradNormAfter),
            ["lr"] = Finite(row.LearningRate),
            ["clipped"] = row.Clipped,
            ["skipped"] = row.Skipped,
            ["test_loss"] = row.TestLoss is double t ? Finite(t) : null,
            ["test_accuracy"] = row.TestAccuracy is double a ? Finite(a) : null,
            ["parameter_norms"] = row.PerParameter.ToDictionary(p => p.Name, p => new[] { Finite(p.NormBefore), Finite(p.NormAfter) }),
        };
        _jsonlPending.Append(JsonSerializer.Serialize(record)).Append('\n');
        if (Stopwatch.GetTimestamp() - _lastFlush > FlushInterval || _csvPending.Length + _jsonlPending.Length > 1 << 20)
        {
            Flush();
        }
    }

    /// <summary>Writes the rows collected so far, as whole lines, one write per file.</summary>
    /// <param name="toDisk">Also ask the operating system to put them on the disk (before a checkpoint).</param>
    public void Flush(bool toDisk = false)
    {
        Write(_csv, _csvPending, toDisk);
        Write(_jsonl, _jsonlPending, toDisk);
        _lastFlush = Stopwatch.GetTimestamp();
    }

    /// <summary>Flushes and closes both files.</summary>
    public void Dispose()
    {
        Flush();
        _csv.Dispose();
        _jsonl.Dispose();
    }

    /// <summary>A JSON-safe number: non-finite values become the strings "NaN", "Infinity" or "-Infinity".</summary>
    internal static object Finite(double value) => double.IsFinite(value) ? value : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads back a number written by <see cref="Finite"/> (a JSON number, or one of the strings); NaN for anything else (null).</summary>
    /// <param name="element">The JSON value.</param>
    /// <returns>The number.</returns>
    public static double ReadFinite(JsonElement element) => element.ValueKind == JsonValueKind.Number ? element.GetDouble()
        : element.ValueKind == JsonValueKind.String && double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
        : double.NaN;

    private static FileStream Open(string path, bool append) =>
        new(path, append ? FileMode.Append : FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);

    private static void Write(FileStream file, StringBuilder pending, bool toDisk)
    {
        if (pending.Length > 0)
        {
            file.Write(Encoding.UTF8.GetBytes(pending.ToString())); // unbuffered: one write of whole lines
            pending.Clear();
        }

        if (toDisk)
        {
            file.Flush(flushToDisk: true);
        }
    }

    private static string F(double? value) => value is double v ? v.ToString("G7", CultureInfo.InvariantCulture) : string.Empty;

    private static string Quote(string value) => value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
        ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : value;
}
