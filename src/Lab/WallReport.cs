using System.Globalization;
using MiniNet.Training;
using Spectre.Console;

namespace MiniNet.Lab;

/// <summary>Runs both descents on the wall and writes the heat map, the loss chart and a summary.</summary>
internal static class WallReport
{
    public static void Write(IAnsiConsole console, string folder, WallProblem wall, double w, double b, double lr, double threshold, int steps)
    {
        WallCharts charts = WallCharts.For(wall, w, b, lr, threshold, steps);
        (IReadOnlyList<WallStep> plain, IReadOnlyList<WallStep> clipped, IReadOnlyList<string> summary) = (charts.Unclipped, charts.Clipped, charts.Summary);
        RunFolder.WriteText(Path.Combine(folder, "report.html"), charts.ToHtml());
        RunFolder.WriteText(Path.Combine(folder, "metrics.csv"),
            "path,step,w,b,loss,grad_norm,clipped\n" + string.Concat(
                plain.Select((s, i) => Row("unclipped", i, s)).Concat(clipped.Select((s, i) => Row("clipped", i, s)))));
        RunFolder.WriteText(Path.Combine(folder, "summary.json"), System.Text.Json.JsonSerializer.Serialize(new
        {
            command = "wall",
            start = new { w, b },
            learning_rate = lr,
            threshold,
            steps,
            unclipped = new { first_step_loss = plain[1].Loss, final_loss = plain[^1].Loss, first_step_distance = WallCharts.FirstStepLength(plain) },
            clipped = new { first_step_loss = clipped[1].Loss, final_loss = clipped[^1].Loss, first_step_distance = WallCharts.FirstStepLength(clipped) },
        }, RunFolder.Json));
        foreach (string line in summary)
        {
            console.MarkupLine(Markup.Escape(line));
        }

        Cli.ReportLine(console, folder, "metrics.csv (every step of both paths) and summary.json");
    }


    private static string Row(string path, int step, WallStep s) =>
        string.Create(CultureInfo.InvariantCulture, $"{path},{step},{s.W:G9},{s.B:G9},{s.Loss:G9},{s.GradNorm:G9},{(s.Clipped ? 1 : 0)}\n");
}
