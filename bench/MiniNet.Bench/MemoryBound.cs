using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MiniNet.Bench;

/// <summary>
/// The memory-bandwidth bound of a global-norm clip: the time the same two passes over the same number of floats take
/// as straight 256-bit vector loops over one contiguous array — a sum of squares (read everything once, four
/// accumulators) and an in-place scale (read and write everything once) — on one thread and split between all cores,
/// whichever is faster.
/// </summary>
/// <remarks>
/// A clip of n floats moves at least 12·n bytes (the norm pass reads 4·n, the scale pass reads and writes 4·n each), so
/// no clipper can beat these loops; the clip workloads are quoted as a multiple of this bound. The median of 15 rounds
/// is kept, as for the workloads.
/// </remarks>
public static class MemoryBound
{
    /// <summary>The bound, in milliseconds, for clipping <paramref name="floats"/> values.</summary>
    /// <param name="floats">The number of gradient values.</param>
    /// <returns>The bound and the bandwidth it implies (12 bytes per value), in GB/s.</returns>
    public static (double Milliseconds, double GigabytesPerSecond) ForClip(int floats)
    {
        float[] values = new float[floats];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (i % 17) * 1e-3f;
        }

        double ms = Math.Min(Median(() => Passes(values, 0, values.Length)), Median(() => Split(values)));
        return (ms, 12.0 * floats / (ms * 1e6));
    }

    private static void Split(float[] values)
    {
        int workers = Environment.ProcessorCount;
        Parallel.For(0, workers, w =>
        {
            int first = (int)((long)values.Length * w / workers), end = (int)((long)values.Length * (w + 1) / workers);
            Passes(values, first, end - first);
        });
    }

    private static void Passes(float[] values, int first, int count)
    {
        ref float start = ref values[first];
        int vectors = count / (4 * Vector256<float>.Count) * 4 * Vector256<float>.Count;
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int i = 0; i < vectors; i += 4 * Vector256<float>.Count)
        {
            // Four independent accumulators, so the loop is bound by the loads, not by the add latency.
            Vector256<float> v0 = Vector256.LoadUnsafe(ref start, (nuint)i), v1 = Vector256.LoadUnsafe(ref start, (nuint)(i + 8));
            Vector256<float> v2 = Vector256.LoadUnsafe(ref start, (nuint)(i + 16)), v3 = Vector256.LoadUnsafe(ref start, (nuint)(i + 24));
            (s0, s1, s2, s3) = (Vector256.FusedMultiplyAdd(v0, v0, s0), Vector256.FusedMultiplyAdd(v1, v1, s1), Vector256.FusedMultiplyAdd(v2, v2, s2), Vector256.FusedMultiplyAdd(v3, v3, s3));
        }

        float scale = Vector256.Sum(s0 + s1 + s2 + s3) >= 0 ? 1f : 0.5f;   // scale by 1: the values stay the same every round
        var factor = Vector256.Create(scale);
        for (int i = 0; i < vectors; i += Vector256<float>.Count)
        {
            (Vector256.LoadUnsafe(ref start, (nuint)i) * factor).StoreUnsafe(ref start, (nuint)i);
        }

        for (int i = vectors; i < count; i++)
        {
            Unsafe.Add(ref start, i) *= scale;
        }
    }

    private static double Median(Action pass)
    {
        for (int i = 0; i < 3; i++)
        {
            pass();
        }

        var times = new double[15];
        var clock = new Stopwatch();
        for (int i = 0; i < times.Length; i++)
        {
            clock.Restart();
            pass();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[times.Length / 2];
    }
}
