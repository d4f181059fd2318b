using System.Diagnostics;
using System.Globalization;

namespace MiniNet.Bench;

/// <summary>
/// Whether this machine's cores stay cores: the FMA loop on one thread and on every core in alternating short rounds
/// for a while, reporting each second how many cores' worth the threads together got, and at the end the share of the
/// rounds in which they got less than 1.5 cores' worth.
/// </summary>
/// <remarks>
/// On the shared 2-vCPU machines MiniNet is measured on, two threads got two cores' worth for stretches of seconds and
/// one core's worth or less for others (the vCPUs then share a physical core), which is where the benchmark's run-to-run
/// spread came from; <c>KernelOptions.Cores</c> (<c>CoreUse.Measured</c>) follows those stretches. A machine whose
/// cores are its own shows every round near <see cref="Environment.ProcessorCount"/>.
/// </remarks>
public static class CoreSharing
{
    /// <summary>Runs the check for <paramref name="seconds"/> seconds, one line a second to <paramref name="output"/>.</summary>
    public static void Run(double seconds, TextWriter output)
    {
        int cores = Environment.ProcessorCount;
        const long Iterations = 3_000_000;   // about 5 ms a round at 512 bits
        FmaPeak.Run(1, Iterations);
        FmaPeak.Run(cores, Iterations);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {cores} cores; each line: second, rounds, cores' worth the {cores} threads got (min / median / max: their GFLOPS over one thread's just before)"));
        var all = new List<double>();
        long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        for (int second = 1; Stopwatch.GetTimestamp() < end; second++)
        {
            var worth = new List<double>();
            long next = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
            while (Stopwatch.GetTimestamp() < Math.Min(next, end))
            {
                double one = FmaPeak.Run(1, Iterations);
                worth.Add(FmaPeak.Run(cores, Iterations) / one);
            }

            worth.Sort();
            all.AddRange(worth);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{second,4} {worth.Count,4}  {worth[0],5:F2} / {worth[worth.Count / 2],5:F2} / {worth[^1],5:F2}"));
            output.Flush();
        }

        double shared = all.Count(w => w < 1.5) / (double)all.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {all.Count} rounds: in {100 * shared:F0} % the {cores} threads got under 1.5 cores' worth"));
    }
}
