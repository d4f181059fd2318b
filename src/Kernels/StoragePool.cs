namespace MiniNet.Kernels;

/// <summary>
/// Float arrays of exact lengths that the engine takes back once nothing can read them any more, and hands out again
/// to the next op that needs one of that length. A training step repeats the same shapes, so from the second step on
/// the large arrays of the step come from here instead of from the garbage collector.
/// </summary>
/// <remarks>
/// What comes back: an intermediate tensor's gradient once its backward function has run (the engine owns it: a
/// backward function hands each input a gradient of its own, and a custom op's output gradients are lent to its
/// Backward only for the call); a gradient that was added into an existing one; and, inside a
/// <c>TensorScope</c> (MiniNet.Autograd), the values of the tensors that ops created there, when the scope ends.
/// Arrays shorter than <see cref="MinimumLength"/> are left to the garbage collector (cheap in its youngest
/// generation). At most <see cref="PerLength"/> arrays of one length and <see cref="MaximumPooledFloats"/> floats in
/// all are kept; beyond that a returned array is dropped. The pool is shared by all threads.
/// </remarks>
internal static class StoragePool
{
    /// <summary>Arrays shorter than this (4 KB of floats) are neither pooled nor taken back.</summary>
    internal const int MinimumLength = 1024;

    /// <summary>At most this many free arrays of one length are kept.</summary>
    internal const int PerLength = 8;

    /// <summary>At most this many floats (256 MB) are kept in free arrays in all.</summary>
    internal const long MaximumPooledFloats = 64L << 20;

    private static readonly Dictionary<int, Stack<float[]>> FreeArrays = [];
    private static readonly Lock Gate = new();
    private static long s_pooledFloats;

    /// <summary>An array of exactly <paramref name="length"/> zeros.</summary>
    /// <param name="length">The number of elements.</param>
    /// <returns>A pooled array, cleared, or a new one.</returns>
    internal static float[] Rent(int length)
    {
        float[]? array = TryTake(length);
        if (array is null)
        {
            return new float[length];
        }

        Array.Clear(array);
        return array;
    }

    /// <summary>An array of exactly <paramref name="length"/> elements whose values the caller overwrites entirely.</summary>
    /// <param name="length">The number of elements.</param>
    /// <returns>A pooled array with stale values, or a new uninitialized one.</returns>
    internal static float[] RentUninitialized(int length) => TryTake(length) ?? GC.AllocateUninitializedArray<float>(length);

    /// <summary>A copy of <paramref name="source"/> in an array from the pool.</summary>
    /// <param name="source">The values to copy.</param>
    /// <returns>The copy.</returns>
    internal static float[] Copy(float[] source)
    {
        float[] copy = RentUninitialized(source.Length);
        source.AsSpan().CopyTo(copy);
        return copy;
    }

    /// <summary>Takes back an array that nothing will read or write again.</summary>
    /// <param name="array">The array; short ones, and any beyond the pool's limits, are left to the garbage collector.</param>
    internal static void Return(float[] array)
    {
        if (array.Length < MinimumLength)
        {
            return;
        }

        lock (Gate)
        {
            if (s_pooledFloats + array.Length > MaximumPooledFloats)
            {
                return;
            }

            if (!FreeArrays.TryGetValue(array.Length, out Stack<float[]>? free))
            {
                free = new Stack<float[]>(PerLength);
                FreeArrays[array.Length] = free;
            }

            if (free.Contains(array))
            {
                throw new InvalidOperationException("Internal error: an array went back to the storage pool twice.");
            }

            if (free.Count < PerLength)
            {
                free.Push(array);
                s_pooledFloats += array.Length;
            }
        }
    }

    private static float[]? TryTake(int length)
    {
        if (length < MinimumLength)
        {
            return null;
        }

        lock (Gate)
        {
            if (FreeArrays.TryGetValue(length, out Stack<float[]>? free) && free.TryPop(out float[]? array))
            {
                s_pooledFloats -= length;
                return array;
            }
        }

        return null;
    }
}
