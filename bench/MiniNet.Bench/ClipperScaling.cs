using System.Diagnostics;
using System.Globalization;
using MiniNet.Autograd;
using MiniNet.Clipping;

namespace MiniNet.Bench;

/// <summary>
/// Per-step time of every clipper as a run grows from 1,000 to 1,000,000 steps, on a tiny model's gradients (so the
/// clipper's own bookkeeping, not the norm pass, is what is timed). A clipper whose cost depends on the step count —
/// AutoClip sorting its whole history, say — shows as a ratio well above 1 in the last column.
/// </summary>
/// <remarks>
/// Steps run in blocks of 250; the time quoted at N steps is the median block's per-step time over steps (N/2, N],
/// robust to a GC pause or a noisy neighbour. Each step writes fresh gradients (the norm varying from step to step,
/// sometimes spiking), then clips them.
/// </remarks>
internal static class ClipperScaling
{
    private const int Block = 250;

    /// <summary>The clippers timed: every kind the command line offers, AutoClip also windowed, and a chain.</summary>
    private static readonly (string Name, Func<IGradientClipper> Create)[] Clippers =
    [
        ("none", () => new NoClip()),
        ("value:1", () => new ClipByValue(1f)),
        ("norm:1", () => new ClipByNorm(1f)),
        ("global-norm:1", () => new ClipByGlobalNorm(1f)),
        ("global-norm:1:inf", () => new ClipByGlobalNorm(1f, float.PositiveInfinity)),
        ("agc:0.01", () => new AdaptiveGradClip(0.01f)),
        ("autoclip:10", () => new AutoClip(10f)),
        ("autoclip:10 (window 1000)", () => new AutoClip(10f, window: 1000)),
        ("zclip:2.5", () => new ZClip(2.5f)),
        ("skip-nonfinite", () => new SkipNonFinite()),
        ("skip-nonfinite+autoclip:10", () => new ClipChain(new SkipNonFinite(), new AutoClip(10f))),
    ];

    /// <summary>Times every clipper (or those whose name contains <paramref name="filter"/>) and prints the table.</summary>
    public static void Run(string? filter, int maxSteps, TextWriter output, TextWriter progress)
    {
        int[] checkpoints = [.. new[] { 1_000, 10_000, 100_000, 1_000_000, 10_000_000 }.Where(n => n <= maxSteps)];
        output.WriteLine("# per-step time (µs, median block over the second half of the first N steps)");
        output.WriteLine($"{"clipper",-28}{string.Concat(checkpoints.Select(n => $"{Steps(n),10}"))}{"last/first",12}");
        Tensor[] parameters = [.. Enumerable.Range(0, 4).Select(i => Tensor.Zeros([32], requiresGrad: true))];
        foreach (Tensor p in parameters)
        {
            p.Grad = Tensor.Zeros(p.Shape);
        }

        foreach ((string name, Func<IGradientClipper> create) in Clippers.Where(c => filter is null || c.Name.Contains(filter, StringComparison.Ordinal)))
        {
            progress.Write($"# {name}: ");
            double[] perStep = Time(create(), parameters, checkpoints, progress);
            progress.WriteLine();
            output.WriteLine($"{name,-28}{string.Concat(perStep.Select(us => $"{us,10:F2}"))}{perStep[^1] / perStep[0],12:F2}");
        }
    }

    private static double[] Time(IGradientClipper clipper, Tensor[] parameters, int[] checkpoints, TextWriter progress)
    {
        var blocks = new List<double>();
        var result = new double[checkpoints.Length];
        var random = new Random(1);
        var watch = new Stopwatch();
        int step = 0;
        for (int c = 0; c < checkpoints.Length; c++)
        {
            while (step < checkpoints[c])
            {
                watch.Restart();
                for (int i = 0; i < Block; i++, step++)
                {
                    float scale = random.Next(50) == 0 ? 100f : 0.5f + (float)random.NextDouble();   // a spike one step in 50
                    foreach (Tensor p in parameters)
                    {
                        p.Grad!.Data.AsSpan().Fill(scale * 0.1f);
                    }

                    clipper.Clip(parameters);
                }

                blocks.Add(watch.Elapsed.TotalMicroseconds / Block);
            }

            result[c] = Median(blocks.Skip(blocks.Count / 2));
            progress.Write($"{Steps(checkpoints[c])} ");
        }

        return result;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }

    private static string Steps(int n) => n >= 1_000_000 ? $"{n / 1_000_000}M" : $"{(n / 1000).ToString(CultureInfo.InvariantCulture)}k";
}
