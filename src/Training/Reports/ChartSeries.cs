namespace MiniNet.Training;

/// <summary>One line of a chart: a named series of (x, y) points, with optional event marks, interval bars, dots and an end marker.</summary>
/// <param name="Name">The legend label (and the <c>data-name</c> of its SVG parts).</param>
/// <param name="Points">The points; non-finite or (on a log axis) non-positive values break the line.</param>
/// <param name="Events">x positions to mark under the plot area (for example the steps that were clipped), or null.</param>
/// <param name="Intervals">Vertical interval bars (x, low, high), for example a success rate's 95 % interval, drawn with a marker at each point; or null.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, IReadOnlyList<double>? Events = null,
    IReadOnlyList<(double X, double Low, double High)>? Intervals = null)
{
    /// <summary>The stroke colour (CSS), or null for the chart palette's colour at the series' index.</summary>
    public string? Color { get; init; }

    /// <summary>An SVG <c>stroke-dasharray</c> (for example <c>"6 3"</c>), or null for a solid line.</summary>
    public string? Dash { get; init; }

    /// <summary>The stroke width, or null for the chart's choice (earlier series wider, so a later identical line shows the earlier one as its border).</summary>
    public double? StrokeWidth { get; init; }

    /// <summary>Points drawn as dots without a line, with their values on hover (for example held-out losses), or null.</summary>
    public IReadOnlyList<(double X, double Y)>? Dots { get; init; }

    /// <summary>A labelled marker where the series stopped (for example where a run diverged), or null.</summary>
    public ChartMarker? Marker { get; init; }

    /// <summary>Whether the series has its own legend entry (false for a companion line, such as the post-clip norm of a run already listed).</summary>
    public bool InLegend { get; init; } = true;
}

/// <summary>A labelled point, drawn as a cross with its label beside it and on hover.</summary>
/// <param name="X">Where (the step).</param>
/// <param name="Y">The real value there; a non-finite value or one off the axis is drawn at the plot's edge with an arrow, the label keeping the value.</param>
/// <param name="Label">What happened (for example <c>diverged at step 5: loss 6645</c>).</param>
public sealed record ChartMarker(double X, double Y, string Label);

/// <summary>A horizontal reference line with its label at the right of the plot.</summary>
/// <param name="Y">Where.</param>
/// <param name="Label">What it is (for example <c>baseline</c> or <c>solved: loss &lt; 0.01</c>).</param>
/// <param name="Color">The line's colour, or null for grey.</param>
public sealed record ReferenceLine(double Y, string Label, string? Color = null);
