// Measures ScottPlot, Plotly.NET and OxyPlot against MiniNet's hand-written SVG on what MiniNet's reports need:
// a self-contained offline page, its size for 5,000 and 1,000,000 steps, determinism (two renders byte for byte),
// time to render, and whether native code is needed. Run: bench/plotting-libraries.sh
using System.Diagnostics;
using System.Security.Cryptography;
using MiniNet.Training;

string outFolder = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "mininet-plotting");
Directory.CreateDirectory(outFolder);
Console.WriteLine("library      steps      bytes  render_ms  deterministic  offline  notes");
foreach (int steps in new[] { 5_000, 1_000_000 })
{
    // three noisy loss curves, one with a spike, like a compare report
    double[] x = [.. Enumerable.Range(1, steps).Select(i => (double)i)];
    double[][] ys = [.. Enumerable.Range(0, 3).Select(s => x.Select(i => (0.2 / (1 + (i / (steps / 5.0)))) * (1 + (0.3 * Math.Sin((i * 12.9898) + s) * Math.Sin(i * 78.233))) + (i == steps / 3 + s ? 50 : 0)).ToArray())];

    Measure("MiniNet SVG", steps, () => MiniNetSvg(x, ys), "static; hover titles; no dependencies");
    Measure("ScottPlot", steps, () => ScottPlotSvg(x, ys), "static SVG; needs libSkiaSharp.so (native)");
    Measure("Plotly.NET", steps, () => PlotlyHtml(x, ys, inline: false), "zoom/pan; loads plotly.js from a CDN");
    Measure("Plotly.NET*", steps, () => PlotlyHtml(x, ys, inline: true), "zoom/pan; plotly.js inlined (offline)");
    Measure("OxyPlot", steps, () => OxySvg(x, ys), "static SVG; managed");
}

void Measure(string name, int steps, Func<string> render, string notes)
{
    try
    {
        var watch = Stopwatch.StartNew();
        string first = render();
        long ms = watch.ElapsedMilliseconds;
        string second = render();
        bool same = first == second;
        bool offline = !System.Text.RegularExpressions.Regex.IsMatch(first, "<script[^>]+src=\"https?://"); // no script fetched from the network
        File.WriteAllText(Path.Combine(outFolder, $"{name.Replace(' ', '-').Replace("*", "-inline")}-{steps}.html"), first);
        Console.WriteLine($"{name,-12} {steps,7} {System.Text.Encoding.UTF8.GetByteCount(first),10} {ms,10} {(same ? "yes" : "no"),14} {(offline ? "yes" : "no"),8}  {notes}");
    }
    catch (Exception e)
    {
        Exception inner = e;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        Console.WriteLine($"{name,-12} {steps,7}  failed: {inner.GetType().Name}: {inner.Message.Split('\n')[0]}");
    }
}

string Page(string body) => $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>{body}</body></html>";

string MiniNetSvg(double[] x, double[][] ys)
{
    var chart = new SvgChart { Title = "loss", YLabel = "loss", LogY = true };
    for (int s = 0; s < ys.Length; s++)
    {
        chart.Series.Add(new ChartSeries($"run {s}", [.. x.Zip(ys[s])]));
    }

    return Page(chart.Render());
}

string ScottPlotSvg(double[] x, double[][] ys)
{
    var plot = new ScottPlot.Plot();
    foreach (double[] y in ys)
    {
        plot.Add.SignalXY(x, y.Select(Math.Log10).ToArray());
    }

    plot.Title("loss");
    return Page(plot.GetSvgXml(900, 360));
}

string PlotlyHtml(double[] x, double[][] ys, bool inline)
{
    // Plotly.NET is F# first: from C# its optional arguments all have to be passed, so this uses its C# layer, Plotly.NET.CSharp.
    var charts = ys.Select((y, s) => Plotly.NET.CSharp.Chart.Line<double, double, string>(x: x, y: y, Name: $"run {s}")).ToArray();
    Plotly.NET.GenericChart chart = Plotly.NET.CSharp.Chart.Combine(charts);
    chart = Plotly.NET.CSharp.GenericChartExtensions.WithYAxisStyle<double, double, string>(chart, TitleText: "loss", AxisType: Plotly.NET.StyleParam.AxisType.Log);
    if (inline)
    {
        var display = Plotly.NET.DisplayOptions.init(null, null, null, null, null, null, Microsoft.FSharp.Core.FSharpOption<Plotly.NET.PlotlyJSReference>.Some(Plotly.NET.PlotlyJSReference.Full));
        chart = Plotly.NET.GenericChart.setDisplayOptions(display, chart);
    }

    return Plotly.NET.GenericChart.toEmbeddedHTML(chart);
}

string OxySvg(double[] x, double[][] ys)
{
    var model = new OxyPlot.PlotModel { Title = "loss" };
    model.Axes.Add(new OxyPlot.Axes.LogarithmicAxis { Position = OxyPlot.Axes.AxisPosition.Left });
    foreach (double[] y in ys)
    {
        var series = new OxyPlot.Series.LineSeries();
        for (int i = 0; i < x.Length; i++)
        {
            series.Points.Add(new OxyPlot.DataPoint(x[i], y[i]));
        }

        model.Series.Add(series);
    }

    return Page(OxyPlot.SvgExporter.ExportToString(model, 900, 360, isDocument: false));
}
