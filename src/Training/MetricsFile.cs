using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MiniNet.Training;

/// <summary>
/// Reads a run folder's <c>metrics.csv</c> back (for reports after a resume, and for aggregation) and cuts the metrics files
/// back to a checkpoint's step when a run resumes. A last line without its newline (a process killed mid-write) is dropped.
/// </summary>
public static class MetricsFile
{
    /// <summary>The rows of <paramref name="run"/> in a <c>metrics.csv</c> (every run's when null), without per-parameter norms.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="run">The run's name, or null for all.</param>
    /// <returns>The rows, in file order.</returns>
    /// <exception cref="InvalidDataException">A whole line is malformed; the message names the file and the line.</exception>
    public static IReadOnlyList<(string Run, MetricsRow Row)> ReadCsv(string path, string? run = null)
    {
        var rows = new List<(string, MetricsRow)>();
        int number = 0;
        foreach (string line in WholeLines(path))
        {
            number++;
            if (number == 1)
            {
                if (line != MetricsWriter.CsvHeader)
                {
                    throw new InvalidDataException($"'{path}' is not a MiniNet metrics file: its first line is not the header '{MetricsWriter.CsvHeader}'.");
                }

                continue;
            }

            List<string> f = SplitCsv(line);
            if (f.Count != 10 || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int step))
            {
                throw new InvalidDataException($"'{path}' line {number} is not a metrics row: '{line}'.");
            }

            if (run is not null && f[0] != run)
            {
                continue;
            }

            rows.Add((f[0], new MetricsRow(step, (float)D(f[2]), (float)D(f[3]), (float)D(f[4]), (float)D(f[5]), f[6] == "1", f[7] == "1", [],
                f[8].Length == 0 ? null : D(f[8]), f[9].Length == 0 ? null : D(f[9]))));
        }

        return rows;
    }

    /// <summary>
    /// Cuts <c>metrics.csv</c> and <c>metrics.jsonl</c> in <paramref name="folder"/> after <paramref name="step"/>: rows of later steps
    /// (written after the checkpoint a run resumes from) and a partial last line go; everything up to the step stays, byte for byte.
    /// </summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="step">The checkpoint's step.</param>
    /// <param name="isEarlierRun">In a folder of several runs (compare, sweep), which runs came before the one resuming: their rows stay,
    /// and every row after the resuming run's checkpoint (its own later rows, and any run after it) goes. Null for a folder of one run.</param>
    /// <remarks>Rows are in run order and, within a run, in step order, so the cut is found by reading back from the end: the cost depends on
    /// the rows removed, not on the run's length. Each file is cut by one truncation, so an interruption leaves it either cut or whole.</remarks>
    public static void TruncateAfter(string folder, int step, Func<string, bool>? isEarlierRun = null)
    {
        Cut(Path.Combine(folder, MetricsWriter.CsvName), step, isEarlierRun, CsvRow);
        Cut(Path.Combine(folder, MetricsWriter.JsonlName), step, isEarlierRun, JsonRow);
    }

    /// <summary>The whole lines of a file (a last line without its newline is not whole and is skipped); none if it does not exist.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The lines without their newlines.</returns>
    public static IEnumerable<string> WholeLines(string path)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        using var reader = new StreamReader(path, new UTF8Encoding(false));
        var line = new StringBuilder();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n')
            {
                yield return line.ToString();
                line.Clear();
            }
            else
            {
                line.Append((char)c);
            }
        }
    }

    private static void Cut(string path, int step, Func<string, bool>? isEarlierRun, Func<string, (string Run, int Step)?> rowOf)
    {
        // A line is kept when it is not a row (the header), a row of an earlier run, or a row of the resuming run up to its step.
        bool Kept(string line) => rowOf(line) is not (string run, int s) || (isEarlierRun?.Invoke(run) ?? false) || s <= step;
        if (!File.Exists(path))
        {
            return;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        long keep = file.Length;
        byte[] buffer = new byte[1 << 16];
        var tail = new List<byte>();
        long position = file.Length;
        bool lastNewlineSeen = false;
        while (position > 0)
        {
            int count = (int)Math.Min(buffer.Length, position);
            position -= count;
            file.Position = position;
            file.ReadExactly(buffer, 0, count);
            for (int i = count - 1; i >= 0; i--)
            {
                if (buffer[i] != (byte)'\n')
                {
                    tail.Add(buffer[i]);
                    continue;
                }

                long end = position + i + 1; // just after this newline
                if (!lastNewlineSeen)
                {
                    lastNewlineSeen = true; // bytes after the last newline are a partial line: always cut
                    keep = end;
                    tail.Clear();
                    continue;
                }

                tail.Reverse();
                string line = Encoding.UTF8.GetString([.. tail]);
                tail.Clear();
                if (Kept(line))
                {
                    file.SetLength(keep);
                    return;
                }

                keep = end; // this line comes after the checkpoint (or is the header of an empty file: kept below)
            }
        }

        // Reached the start: the first line (the CSV header, or a JSON row) decides.
        tail.Reverse();
        string first = Encoding.UTF8.GetString([.. tail]);
        bool firstKept = lastNewlineSeen && Kept(first);
        file.SetLength(firstKept ? keep : 0);
    }

    private static (string Run, int Step)? CsvRow(string line)
    {
        List<string> f = SplitCsv(line);
        return f.Count == 10 && int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int s) ? (f[0], s) : null;
    }

    private static (string Run, int Step)? JsonRow(string line)
    {
        try
        {
            using JsonDocument row = JsonDocument.Parse(line);
            JsonElement root = row.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("step", out JsonElement s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out int v)
                && root.TryGetProperty("run", out JsonElement r) && r.ValueKind == JsonValueKind.String ? (r.GetString()!, v) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static double D(string text) => text switch
    {
        "" => double.NaN,
        "NaN" => double.NaN,
        "Infinity" or "∞" => double.PositiveInfinity,
        "-Infinity" or "-∞" => double.NegativeInfinity,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN,
    };

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
