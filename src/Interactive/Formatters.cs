using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.DotNet.Interactive.Formatting;
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Training;

namespace MiniNet.Interactive;

/// <summary>
/// Registers how MiniNet's objects display in a .NET Interactive notebook (Polyglot Notebooks in VS Code, or Jupyter with the
/// <c>dotnet-interactive</c> kernel): a <see cref="Tensor"/> as an HTML table, a <see cref="ClipReport"/> as a table of
/// norms, a <see cref="RunResult"/> or a list of them as the report's summary and charts, a chart or heat map as inline SVG,
/// an <see cref="AutogradGraph"/> as its picture (SVG through Graphviz when installed, DOT text otherwise), Pascanu's wall as
/// its surface, loss chart and summary, an <see cref="ExperimentResults"/> as the experiment report's charts and tables.
/// </summary>
public static class Formatters
{
    private const string Html = "text/html";

    /// <summary>The summary table's look from the report page, scoped to MiniNet's output so the notebook's own styles are untouched.</summary>
    private const string TableStyle = "<style>.mininet-runs table.summary{border-collapse:collapse;margin:.5em 0}.mininet-runs table.summary td,.mininet-runs table.summary th{border:1px solid #ccc;padding:3px 8px;text-align:right;white-space:nowrap}" +
        ".mininet-runs table.heatmap{border-collapse:collapse}.mininet-runs table.heatmap td,.mininet-runs table.heatmap th{border:1px solid #ccc;padding:4px 10px;text-align:center}" +
        ".mininet-runs table.summary td:first-child,.mininet-runs table.summary td.wrap{text-align:left}.mininet-runs table.summary td.wrap{white-space:normal}.mininet-runs tr.diverged td{background:#fde8e4}.mininet-runs tr.solved td{background:#e6f4ea}</style>";

    /// <summary>Registers the formatters (idempotent: a second call changes nothing).</summary>
    public static void Register()
    {
        Formatter.Register<Tensor>((tensor, writer) => writer.Write(TensorHtml.Render(tensor)), Html);
        Formatter.Register<ClipReport>((report, writer) => writer.Write(ClipReportHtml(report)), Html);
        Formatter.Register<RunResult>((run, writer) => writer.Write(Runs([run])), Html);
        Formatter.Register<List<RunResult>>((runs, writer) => writer.Write(Runs(runs)), Html);
        Formatter.Register<RunResult[]>((runs, writer) => writer.Write(Runs(runs)), Html);
        Formatter.Register<RunCharts>((charts, writer) => writer.Write(Charts(charts)), Html);
        Formatter.Register<SvgChart>((chart, writer) => writer.Write(chart.Render()), Html);
        Formatter.Register<SvgHeatMap>((map, writer) => writer.Write(map.Render()), Html);
        Formatter.Register<WallCharts>((wall, writer) => writer.Write(Wall(wall)), Html);
        Formatter.Register<ExperimentResults>((experiment, writer) => writer.Write("<div class=\"mininet-runs\">" + TableStyle + experiment.ToHtml() + "</div>"), Html);
        Formatter.Register<AutogradGraph>((graph, writer) => writer.Write(Graph(graph)), Html);
    }

    /// <summary>A set of runs as in their report: the summary table and every chart, each clipper in its colour.</summary>
    /// <param name="runs">The runs.</param>
    /// <returns>An HTML fragment.</returns>
    public static string Runs(IReadOnlyList<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return "<div class=\"mininet-runs\">" + TableStyle + HtmlReport.SummaryTable(runs) + Charts(HtmlReport.Charts(runs)) + "</div>";
    }

    /// <summary>Every chart of a set of runs, then the per-parameter heat maps.</summary>
    /// <param name="charts">The charts.</param>
    /// <returns>An HTML fragment.</returns>
    public static string Charts(RunCharts charts)
    {
        ArgumentNullException.ThrowIfNull(charts);
        var html = new StringBuilder();
        foreach (SvgChart chart in charts.Lines)
        {
            html.Append("<div>").Append(chart.Render()).Append("</div>");
        }

        foreach (SvgHeatMap map in charts.ParameterNorms)
        {
            html.Append("<div>").Append(map.Render()).Append("</div>");
        }

        return html.ToString();
    }

    /// <summary>A clip report: the global norm before and after, the scale, and each parameter's norms.</summary>
    /// <param name="report">The report.</param>
    /// <returns>An HTML fragment.</returns>
    public static string ClipReportHtml(ClipReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        static string F(float v) => v.ToString("G4", CultureInfo.InvariantCulture);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture,
            $"<div class=\"mininet-clip\"><div>‖g‖ {F(report.TotalNormBefore)} → {F(report.TotalNormAfter)} (scale {F(report.Scale)}){(report.Clipped ? ", clipped" : ", unchanged")}{(report.SkipStep ? ", the step is skipped" : string.Empty)}</div>");
        html.Append("<table style=\"border-collapse:collapse\"><tr><th style=\"text-align:left;padding:2px 8px\">parameter</th><th style=\"padding:2px 8px\">‖g‖ before</th><th style=\"padding:2px 8px\">after</th></tr>");
        foreach (ParameterNorm p in report.PerParameter)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td style=\"padding:2px 8px\">{WebUtility.HtmlEncode(p.Name)}</td><td style=\"padding:2px 8px;text-align:right\">{F(p.NormBefore)}</td><td style=\"padding:2px 8px;text-align:right\">{F(p.NormAfter)}</td></tr>");
        }

        return html.Append("</table></div>").ToString();
    }

    /// <summary>The wall: what happened in sentences, the surface with both paths, and the loss along them.</summary>
    /// <param name="wall">The wall's charts.</param>
    /// <returns>An HTML fragment.</returns>
    public static string Wall(WallCharts wall)
    {
        ArgumentNullException.ThrowIfNull(wall);
        return "<div class=\"mininet-wall\">" + string.Concat(wall.Summary.Select(s => $"<p>{WebUtility.HtmlEncode(s)}</p>")) + wall.Surface.Render() + wall.Losses.Render() + "</div>";
    }

    /// <summary>An autograd graph as SVG when Graphviz is installed, else its DOT text with the hint to install Graphviz.</summary>
    /// <param name="graph">The graph.</param>
    /// <returns>An HTML fragment.</returns>
    public static string Graph(AutogradGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return graph.RenderSvg() is string svg
            ? "<div class=\"mininet-graph\">" + svg + "</div>"
            : "<div class=\"mininet-graph\"><p>Graphviz is not installed (apt-get install graphviz), so here is the graph's DOT text:</p><pre>" + WebUtility.HtmlEncode(graph.ToDot()) + "</pre></div>";
    }
}
