namespace MiniNet.Training;

/// <summary>
/// Per-pixel downsampling of a long series: the points that fall in one pixel column become one column with the mean
/// and the extremes of their values, so a million steps draw as a few hundred columns and a one-step spike still shows
/// in the min/max envelope.
/// </summary>
/// <remarks>On a log y axis the mean is geometric (the mean of log10 y), which is the middle of the column as drawn.</remarks>
internal static class Downsample
{
    /// <summary>One pixel column: its x (the mean of its points' x), the mean value and the range of values.</summary>
    internal readonly record struct Column(double X, double Mean, double Min, double Max);

    /// <summary>
    /// Columns of the usable points, in runs: a point the axis cannot draw (NaN, ∞, ≤ 0 on a log axis) ends a run, as it
    /// breaks the line when drawn point by point.
    /// </summary>
    /// <param name="points">The series.</param>
    /// <param name="pixel">The pixel column of an x.</param>
    /// <param name="usable">Whether a point can be drawn.</param>
    /// <param name="log">Whether the mean is taken of log10 y.</param>
    /// <returns>Runs of consecutive columns.</returns>
    public static List<List<Column>> Columns(IReadOnlyList<(double X, double Y)> points, Func<double, int> pixel, Func<(double X, double Y), bool> usable, bool log)
    {
        var runs = new List<List<Column>>();
        List<Column>? run = null;
        int column = int.MinValue, count = 0;
        double sumX = 0, sumY = 0, min = 0, max = 0;

        void Close()
        {
            if (count > 0)
            {
                double mean = sumY / count;
                run!.Add(new Column(sumX / count, log ? Math.Pow(10, mean) : mean, min, max));
            }

            count = 0;
        }

        foreach ((double x, double y) p in points)
        {
            if (!usable(p))
            {
                Close();
                run = null;
                column = int.MinValue;
                continue;
            }

            int c = pixel(p.x);
            if (run is null)
            {
                run = [];
                runs.Add(run);
            }
            else if (c != column)
            {
                Close();
            }

            if (count == 0)
            {
                (column, sumX, sumY, min, max) = (c, 0, 0, p.y, p.y);
            }

            sumX += p.x;
            sumY += log ? Math.Log10(p.y) : p.y;
            (min, max) = (Math.Min(min, p.y), Math.Max(max, p.y));
            count++;
        }

        Close();
        return runs;
    }
}
