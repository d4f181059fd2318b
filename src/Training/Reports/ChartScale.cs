using System.Globalization;

namespace MiniNet.Training;

/// <summary>A chart axis: a data range mapped onto a pixel range, linearly or by log10, with round tick positions.</summary>
/// <param name="Min">The smallest value shown.</param>
/// <param name="Max">The largest value shown.</param>
/// <param name="Log">Whether the mapping is log10 (<paramref name="Min"/> then is positive).</param>
/// <param name="From">The pixel of <paramref name="Min"/>.</param>
/// <param name="To">The pixel of <paramref name="Max"/> (smaller than <paramref name="From"/> on a y axis).</param>
internal readonly record struct ChartScale(double Min, double Max, bool Log, double From, double To)
{
    /// <summary>The pixel of a value.</summary>
    public double this[double value] => From + ((To - From) * (Log
        ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
        : (value - Min) / (Max - Min)));

    /// <summary>Whether a value can be drawn on this axis (finite, and positive on a log axis).</summary>
    public bool Usable(double value) => double.IsFinite(value) && (!Log || value > 0);

    /// <summary>Whether a value lies in the shown range.</summary>
    public bool Contains(double value) => value >= Min - (1e-9 * Math.Abs(Max - Min)) && value <= Max + (1e-9 * Math.Abs(Max - Min));

    /// <summary>A range that holds the values, rounded out to powers of ten on a log axis and to zero below on a linear one (when <paramref name="fromZero"/>).</summary>
    public static (double Min, double Max) Fit(IEnumerable<double> values, bool log, bool fromZero)
    {
        var usable = values.Where(v => double.IsFinite(v) && (!log || v > 0)).ToList();
        double min = usable.Count > 0 ? usable.Min() : (log ? 0.1 : 0), max = usable.Count > 0 ? usable.Max() : 1;
        if (log)
        {
            (min, max) = (Math.Pow(10, Math.Floor(Math.Log10(min))), Math.Pow(10, Math.Ceiling(Math.Log10(max))));
            return max <= min ? (min, min * 10) : (min, max);
        }

        if (fromZero)
        {
            min = Math.Min(min, 0);
        }

        return max <= min ? (min, min + 1) : (min, max);
    }

    /// <summary>Round tick positions: about five on a linear axis; on a log axis the powers of ten, with 2 and 5 between them when the axis spans at most three decades.</summary>
    public IEnumerable<double> Ticks() => Ticks(Min, Max, Log);

    /// <inheritdoc cref="Ticks()"/>
    public static IEnumerable<double> Ticks(double min, double max, bool log)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || max <= min || (log && min <= 0))
        {
            yield break; // no sensible ticks (for example a chart without data): draw none rather than loop forever
        }

        if (log)
        {
            bool fine = Math.Log10(max / min) <= 3.01;
            for (double p = Math.Floor(Math.Log10(min)); p <= Math.Log10(max) + 1e-9; p++)
            {
                foreach (double f in fine ? new[] { 1.0, 2, 5 } : [1.0])
                {
                    double t = f * Math.Pow(10, p);
                    if (t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9))
                    {
                        yield return t;
                    }
                }
            }

            yield break;
        }

        double raw = (max - min) / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 5, 10 }.Select(f => f * magnitude).First(s => s >= raw);
        for (double t = Math.Ceiling(min / step) * step; t <= max + (step * 1e-9); t += step)
        {
            yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
        }
    }

    /// <summary>A tick label: plain for ordinary magnitudes, <c>1e+4</c> style for large and small ones.</summary>
    public static string Label(double v) => Math.Abs(v) >= 1e5 || (Math.Abs(v) < 1e-2 && v != 0)
        ? v.ToString("0.#e+0", CultureInfo.InvariantCulture)
        : v.ToString("0.###", CultureInfo.InvariantCulture);
}
