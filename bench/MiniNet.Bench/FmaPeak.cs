using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace MiniNet.Bench;

/// <summary>
/// The machine's measured FMA peak: a loop of independent fused multiply-adds on the widest accelerated vectors, on one
/// thread and on every core. The training workloads' GFLOPS are quoted as a share of it.
/// </summary>
/// <remarks>
/// Twelve accumulators hide the FMA latency (4 cycles, two ports: 8 in flight are needed, 12 leave room); each FMA is two
/// floating-point operations per lane. The best of five 50 ms rounds is kept, so a busy moment does not lower the peak.
/// </remarks>
public static class FmaPeak
{
    /// <summary>The vector width measured, in bits.</summary>
    public static int Width => Vector512.IsHardwareAccelerated ? 512 : 256;

    /// <summary>Measures the peak.</summary>
    /// <returns>GFLOPS on one thread, and on <see cref="Environment.ProcessorCount"/> threads.</returns>
    public static (double OneThread, double AllThreads) Measure()
    {
        double one = Best(() => Run(1));
        double all = Best(() => Run(Environment.ProcessorCount));
        return (one, all);
    }

    private static double Best(Func<double> round)
    {
        double best = 0;
        for (int i = 0; i < 5; i++)
        {
            best = Math.Max(best, round());
        }

        return best;
    }

    private static double Run(int threads)
    {
        const long Iterations = 2_000_000;
        var sink = new float[threads];
        long start = Stopwatch.GetTimestamp();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sink[t] = Vector512.IsHardwareAccelerated ? Loop512(Iterations) : Loop256(Iterations));
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        int lanes = Width / 32;
        return threads * Iterations * 12.0 * 2 * lanes / seconds / 1e9;
    }

    private static float Loop512(long iterations)
    {
        Vector512<float> a = Vector512.Create(0.999999f), b = Vector512.Create(1e-7f);
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector512<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b); c1 = Vector512.FusedMultiplyAdd(c1, a, b); c2 = Vector512.FusedMultiplyAdd(c2, a, b);
            c3 = Vector512.FusedMultiplyAdd(c3, a, b); c4 = Vector512.FusedMultiplyAdd(c4, a, b); c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b); c7 = Vector512.FusedMultiplyAdd(c7, a, b); c8 = Vector512.FusedMultiplyAdd(c8, a, b);
            c9 = Vector512.FusedMultiplyAdd(c9, a, b); c10 = Vector512.FusedMultiplyAdd(c10, a, b); c11 = Vector512.FusedMultiplyAdd(c11, a, b);
        }

        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    private static float Loop256(long iterations)
    {
        Vector256<float> a = Vector256.Create(0.999999f), b = Vector256.Create(1e-7f);
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        Vector256<float> c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, a, b); c1 = Vector256.FusedMultiplyAdd(c1, a, b); c2 = Vector256.FusedMultiplyAdd(c2, a, b);
            c3 = Vector256.FusedMultiplyAdd(c3, a, b); c4 = Vector256.FusedMultiplyAdd(c4, a, b); c5 = Vector256.FusedMultiplyAdd(c5, a, b);
            c6 = Vector256.FusedMultiplyAdd(c6, a, b); c7 = Vector256.FusedMultiplyAdd(c7, a, b); c8 = Vector256.FusedMultiplyAdd(c8, a, b);
            c9 = Vector256.FusedMultiplyAdd(c9, a, b); c10 = Vector256.FusedMultiplyAdd(c10, a, b); c11 = Vector256.FusedMultiplyAdd(c11, a, b);
        }

        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
