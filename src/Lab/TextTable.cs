using Spectre.Console;

namespace MiniNet.Lab;

/// <summary>
/// A plain text table for the terminal that never breaks a word: columns padded to their widest cell and two spaces
/// apart when they fit the console (80 columns when output is redirected); otherwise one block of lines per row, the
/// first cell as its heading and the other cells as "header value" fields, broken between fields, never inside one.
/// </summary>
internal static class TextTable
{
    /// <summary>Writes the table.</summary>
    /// <param name="console">Where it goes.</param>
    /// <param name="header">The column headers.</param>
    /// <param name="rows">The rows, one cell per header.</param>
    /// <param name="leftColumns">How many leading columns are text (left-aligned); the rest are numbers (right-aligned).</param>
    /// <param name="markup">A Spectre style for a row's second cell (its outcome), or null; applied only on a terminal with colours.</param>
    public static void Write(IAnsiConsole console, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, int leftColumns, Func<int, string?>? markup = null)
    {
        int width = Math.Max(40, console.Profile.Width - 1);
        int[] widths = [.. header.Select((h, c) => rows.Select(r => r[c].Length).Append(h.Length).Max())];
        int total = widths.Sum() + (2 * (widths.Length - 1));
        if (total <= width)
        {
            console.MarkupLine(Markup.Escape(Line([.. header], widths, leftColumns)));
            console.MarkupLine(new string('─', total));
            for (int r = 0; r < rows.Count; r++)
            {
                string line = Line(rows[r], widths, leftColumns);
                int at = widths[0] + 2, length = Math.Min(widths[1], line.Length - at);
                string? style = markup?.Invoke(r);
                console.MarkupLine(style is null || length <= 0
                    ? Markup.Escape(line)
                    : Markup.Escape(line[..at]) + $"[{style}]" + Markup.Escape(line.Substring(at, length)) + "[/]" + Markup.Escape(line[(at + length)..]));
            }

            return;
        }

        foreach (string[] row in rows)
        {
            console.MarkupLine($"[bold]{Markup.Escape(row[0])}[/]");
            var line = new System.Text.StringBuilder(" ");
            foreach (string field in header.Skip(1).Zip(row.Skip(1), (h, v) => $"{h} {v}"))
            {
                if (line.Length > 1 && line.Length + 2 + field.Length > width)
                {
                    console.MarkupLine(Markup.Escape(line.ToString()));
                    line.Clear().Append(' ');
                }

                line.Append(line.Length > 1 ? ", " : " ").Append(field);
            }

            console.MarkupLine(Markup.Escape(line.ToString()));
        }
    }

    /// <summary>Writes text in lines of at most the console's width, broken between words, continued with an indent.</summary>
    public static void Wrapped(IAnsiConsole console, string text)
    {
        foreach (string line in Wrap(text, Math.Max(40, console.Profile.Width - 1)))
        {
            console.MarkupLine(Markup.Escape(line));
        }
    }

    /// <summary>Lines of at most <paramref name="width"/> characters, broken between words (a single longer word keeps its own line), later lines indented by two.</summary>
    public static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new System.Text.StringBuilder();
        bool hasWord = false; // whether the current line holds a word yet (a continuation line starts with its indent only)
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (hasWord && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear().Append("  ");
                hasWord = false;
            }

            line.Append(hasWord ? " " : string.Empty).Append(word);
            hasWord = true;
        }

        if (hasWord)
        {
            yield return line.ToString();
        }
    }

    private static string Line(string[] cells, int[] widths, int leftColumns) =>
        string.Join("  ", cells.Select((c, i) => i < leftColumns ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
}
