using System.Diagnostics;
using System.Runtime.Intrinsics;
using MiniNet.Kernels;

namespace MiniNet.Bench;

/// <summary>
/// The machine's measured FMA peak: a loop of independent fused multiply-adds on the widest accelerated vectors, on one
/// thread and on every core. The training workloads' GFLOPS are quoted as a share of it.
/// </summary>
/// <remarks>
/// Twelve accumulators hide the FMA latency (4 cycles, two ports: 8 in flight are needed, 12 leave room); each FMA is two
/// floating-point operations per lane. The best of seven rounds of about 20 ms (at 512 bits) is kept, so a busy moment
/// does not lower the peak. Rounds of 3 ms made the two-thread figure come out below the one-thread one in every run on
/// a 2-vCPU machine whose workloads ran faster than one thread's peak: a just-started helper thread had not yet been
/// given a core of its own.
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
        for (int i = 0; i < 7; i++)
        {
            best = Math.Max(best, round());
        }

        return best;
    }

    /// <summary>One round of the FMA loop on <paramref name="threads"/> threads at once (about 20 ms at 512 bits), in GFLOPS over them all.</summary>
    public static double Run(int threads, long iterations = 12_000_000)
    {
        var sink = new float[threads];
        // On the team the products run on (the caller and one helper per other core, started together): Parallel.For
        // could run both of two iterations on the calling thread, one after the other, and then reported the
        // two-thread peak below the one-thread one.
        long start = Stopwatch.GetTimestamp();
        CoreTeam.For(threads, t => sink[t] = Vector512.IsHardwareAccelerated ? Loop<Lanes512>(iterations) : Loop<Lanes256>(iterations));
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        int lanes = Width / 32;
        return threads * iterations * 12.0 * 2 * lanes / seconds / 1e9;
    }

    /// <summary>Twelve independent chains c ← c·a + b, <paramref name="iterations"/> times, at the width of <typeparamref name="T"/>.</summary>
    private static float Loop<T>(long iterations)
        where T : struct, ILanes<T>
    {
        T a = T.Create(0.999999f), b = T.Create(1e-7f);
        T c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b;
        for (long i = 0; i < iterations; i++)
        {
            c0 = T.FusedMultiplyAdd(c0, a, b); c1 = T.FusedMultiplyAdd(c1, a, b); c2 = T.FusedMultiplyAdd(c2, a, b);
            c3 = T.FusedMultiplyAdd(c3, a, b); c4 = T.FusedMultiplyAdd(c4, a, b); c5 = T.FusedMultiplyAdd(c5, a, b);
            c6 = T.FusedMultiplyAdd(c6, a, b); c7 = T.FusedMultiplyAdd(c7, a, b); c8 = T.FusedMultiplyAdd(c8, a, b);
            c9 = T.FusedMultiplyAdd(c9, a, b); c10 = T.FusedMultiplyAdd(c10, a, b); c11 = T.FusedMultiplyAdd(c11, a, b);
        }

        Span<float> sum = stackalloc float[T.Count];
        (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).Store(sum, 0);
        return sum[0];
    }
}
