using System.Globalization;

namespace MiniNet.Training;

/// <summary>
/// Pascanu's wall, drawn: both descents (unclipped and clipped) from one start over the loss surface, the loss along each
/// path, and sentences that say what happened with the numbers (and, when the clipped loss zig-zags, why).
/// </summary>
/// <param name="Surface">The loss surface as a heat map with both paths.</param>
/// <param name="Losses">The loss per step of both paths, clipped steps ticked.</param>
/// <param name="Summary">What happened, in sentences.</param>
/// <param name="Unclipped">The unclipped path.</param>
/// <param name="Clipped">The clipped path.</param>
public sealed record WallCharts(SvgHeatMap Surface, SvgChart Losses, IReadOnlyList<string> Summary, IReadOnlyList<WallStep> Unclipped, IReadOnlyList<WallStep> Clipped)
{
    /// <summary>Runs both descents and draws them.</summary>
    /// <param name="wall">The problem.</param>
    /// <param name="w">Start w.</param>
    /// <param name="b">Start b.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="threshold">The clipped path's threshold on ‖∇E‖.</param>
    /// <param name="steps">Steps of each descent.</param>
    /// <returns>The charts and the summary.</returns>
    public static WallCharts For(WallProblem wall, double w, double b, double lr, double threshold, int steps)
    {
        ArgumentNullException.ThrowIfNull(wall);
        IReadOnlyList<WallStep> plain = wall.Descend(w, b, lr, steps, null);
        IReadOnlyList<WallStep> clipped = wall.Descend(w, b, lr, steps, threshold);
        var allW = plain.Concat(clipped).Select(s => s.W).Where(double.IsFinite).Append(w).ToList();
        var allB = plain.Concat(clipped).Select(s => s.B).Where(double.IsFinite).Append(b).ToList();
        (double wMin, double wMax) = Padded(Math.Min(allW.Min(), w - 1.5), Math.Max(allW.Max(), w + 1.5));
        (double bMin, double bMax) = Padded(Math.Min(allB.Min(), b - 1.5), Math.Max(allB.Max(), b + 1.5));
        string threshText = threshold.ToString(CultureInfo.InvariantCulture);
        var map = new SvgHeatMap
        {
            Title = $"Loss surface E(w, b) and {steps} steps of gradient descent (lr {lr.ToString(CultureInfo.InvariantCulture)}) from ({w.ToString(CultureInfo.InvariantCulture)}, {b.ToString(CultureInfo.InvariantCulture)})",
            XLabel = "w",
            YLabel = "b",
            Values = wall.Surface((wMin, wMax), (bMin, bMax)),
            XRange = (wMin, wMax),
            YRange = (bMin, bMax),
            ColorLabel = "E (log colour)",
        };
        string clippedName = $"clipped (norm ≤ {threshText})", clippedColor = SvgChart.Palette[0];
        map.Paths.Add(new ChartSeries("unclipped", plain.Select(s => (s.W, s.B)).ToList()) { Color = SeriesColors.Unclipped });
        map.Paths.Add(new ChartSeries(clippedName, clipped.Select(s => (s.W, s.B)).ToList()) { Color = clippedColor });
        var losses = new SvgChart { Title = "Loss along each path (ticks below: steps that were clipped)", YLabel = "E", LogY = true };
        losses.Series.Add(new ChartSeries("unclipped", plain.Select((s, i) => ((double)i, s.Loss)).ToList()) { Color = SeriesColors.Unclipped });
        List<double> clippedSteps = [.. clipped.Select((s, i) => (s, i)).Where(x => x.s.Clipped).Select(x => (double)x.i)];
        losses.Series.Add(new ChartSeries(clippedName, [.. clipped.Select((s, i) => ((double)i, s.Loss))], clippedSteps) { Color = clippedColor });

        string[] summary =
        [
            $"Start: w = {w:G4}, b = {b:G4}, E = {plain[0].Loss:G3}, ‖∇E‖ = {plain[0].GradNorm:G3}.",
            $"Unclipped: the first step moves {FirstStepLength(plain):G3} in parameter space and the loss goes {plain[0].Loss:G3} → {plain[1].Loss:G3}; after {steps} steps E = {plain[^1].Loss:G3}.",
            $"Clipped (‖g‖ ≤ {threshText}): the first step moves {FirstStepLength(clipped):G3} and the loss goes {clipped[0].Loss:G3} → {clipped[1].Loss:G3}; after {steps} steps E = {clipped[^1].Loss:G3}.",
            .. ZigZag(plain, clipped, lr, threshold),
        ];
        return new WallCharts(map, losses, summary, plain, clipped);
    }

    /// <summary>The report page of the wall.</summary>
    /// <returns>The HTML document.</returns>
    public string ToHtml() => HtmlReport.ForWall(Surface, Losses, Summary);

    /// <summary>Why the clipped loss goes up and down, when it does: it follows the foot of the wall and its small steps cross the edge and back.</summary>
    private static IEnumerable<string> ZigZag(IReadOnlyList<WallStep> plain, IReadOnlyList<WallStep> clipped, double lr, double threshold)
    {
        int turns = 0;
        for (int i = 2; i < clipped.Count; i++)
        {
            turns += Math.Sign(clipped[i].Loss - clipped[i - 1].Loss) * Math.Sign(clipped[i - 1].Loss - clipped[i - 2].Loss) < 0 ? 1 : 0;
        }

        if (turns < 4)
        {
            yield break;
        }

        double plateau = plain[^1].Loss;
        var later = clipped.Skip(1).ToList();
        int above = later.Count(s => s.Loss > plateau);
        yield return string.Create(CultureInfo.InvariantCulture,
            $"Why the clipped loss zig-zags: the lowest loss lies along the foot of the wall, and the clipped path follows it. Each clipped step is at most lr × threshold = {lr * threshold:G3} long, enough to cross the wall's edge, and the next step comes back, so E alternates between {later.Min(s => s.Loss):G2} below the edge and {later.Max(s => s.Loss):G2} on it ({above} of {later.Count} steps above the unclipped {plateau:G2}). " +
            $"The unclipped path never comes back: its first step jumped {FirstStepLength(plain):G3} onto a plateau where ‖∇E‖ = {plain[1].GradNorm:G2}, too flat to leave. Clipping kept the descent where the gradient still points to a solution.");
    }

    /// <summary>How far a path's first step moves in (w, b): the length the clipping threshold bounds.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The Euclidean length of its first step (0 for a path of one point).</returns>
    public static double FirstStepLength(IReadOnlyList<WallStep> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Count < 2 ? 0 : Math.Sqrt(Math.Pow(path[1].W - path[0].W, 2) + Math.Pow(path[1].B - path[0].B, 2));
    }

    private static (double, double) Padded(double min, double max) => (min - (0.05 * (max - min)), max + (0.05 * (max - min)));
}
