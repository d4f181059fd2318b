using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace MiniNet.Interactive.Tests;

/// <summary>One code cell's run: its source, whether it failed (and why), and what it displayed, by MIME type.</summary>
internal sealed record CellRun(string Source, string? Error, IReadOnlyList<(string MimeType, string Value)> Outputs);

/// <summary>
/// Runs a notebook's code cells in order in an in-process C# kernel, as Polyglot Notebooks would, from the notebook's own
/// folder (so its <c>#load "mininet.csx"</c> resolves as it does for a reader). (tools/render-notebooks.sh runs them in the
/// real Jupyter kernel instead, for pictures.)
/// </summary>
internal static class NotebookRunner
{
    private static readonly SemaphoreSlim OneAtATime = new(1, 1); // the working folder is the process's

    public static async Task<IReadOnlyList<CellRun>> RunAsync(string path)
    {
        InteractiveDocument document = Notebook.Parse(await File.ReadAllTextAsync(path), new KernelInfoCollection { new("csharp", "C#", ["c#", "C#"]) });
        await OneAtATime.WaitAsync();
        string previous = Directory.GetCurrentDirectory();
        try
        {
            Directory.SetCurrentDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using var kernel = new CSharpKernel().UseKernelHelpers();
            var runs = new List<CellRun>();
            foreach (InteractiveDocumentElement cell in document.Elements.Where(e => e.KernelName is "csharp" or "C#" or null))
            {
                KernelCommandResult result = await kernel.SendAsync(new SubmitCode(cell.Contents));
                string? error = result.Events.OfType<CommandFailed>().FirstOrDefault()?.Message;
                var outputs = result.Events.OfType<DisplayEvent>().SelectMany(e => e.FormattedValues).Select(v => (v.MimeType, v.Value)).ToList();
                runs.Add(new CellRun(cell.Contents, error, outputs));
                if (error is not null)
                {
                    break;
                }
            }

            return runs;
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
            Formatter.ResetToDefault();
            OneAtATime.Release();
        }
    }
}
