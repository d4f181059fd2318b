using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MiniNet.Autograd;

/// <summary>The numeric kernels every op runs on: spans in, a destination span last.</summary>
public static partial class Kernels
{
    private const int Rows = 6;                                        // micro-tile rows (MR)
    private static readonly int Width = PackedMatrix.PanelWidth;       // micro-tile columns (NR): two vectors
    private static readonly bool Wide = Width == 32;                   // 512-bit micro-kernel
    private const long ParallelThreshold = 1L << 22;                   // multiply-adds below which one core is faster than two

    /// <summary>
    /// General matrix multiply on row-major matrices: C ← op(A)·op(B) + β·C, the one entry point every
    /// matmul (forward and backward) goes through.
    /// </summary>
    /// <remarks>
    /// op(A) is [m, k]: A is stored [m, k], or [k, m] when <paramref name="transposeA"/>.
    /// op(B) is [k, n]: B is stored [k, n], or [n, k] when <paramref name="transposeB"/>.
    /// C is [m, n]. B is packed into panels of two vectors' width (<see cref="PackedMatrix"/>), which absorbs its
    /// transpose; a register-blocked micro-kernel of 6 rows × 2 vectors (12 vector accumulators, fused multiply-add;
    /// 512-bit where the CPU has it) computes each tile, reading A in place in either layout. Large products split
    /// the panels between the cores.
    /// With β = 0, C's previous contents are ignored (NaN in C does not leak through).
    /// </remarks>
    /// <param name="transposeA">Whether A is stored transposed ([k, m]).</param>
    /// <param name="transposeB">Whether B is stored transposed ([n, k]).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">The shared dimension.</param>
    /// <param name="a">A's m·k elements.</param>
    /// <param name="b">B's k·n elements.</param>
    /// <param name="c">C's m·n elements, overwritten (β = 0) or accumulated into.</param>
    /// <param name="beta">The factor on C's previous contents.</param>
    public static void Gemm(bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, float beta = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        CheckLength(a.Length, (long)m * k, "a", "m·k");
        CheckLength(b.Length, (long)k * n, "b", "k·n");
        PackedMatrix packed = PackedMatrix.PackPooled(b, transposeB, k, n);
        try
        {
            Gemm(transposeA, m, a, packed, c, beta);
        }
        finally
        {
            packed.ReturnToPool();
        }
    }

    /// <summary>C ← op(A)·B + β·C with B already packed (reuse a packed weight across many products).</summary>
    /// <param name="transposeA">Whether A is stored transposed ([k, m]).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="a">A's m·k elements.</param>
    /// <param name="b">The packed right operand, [k, n].</param>
    /// <param name="c">C's m·n elements.</param>
    /// <param name="beta">The factor on C's previous contents.</param>
    public static void Gemm(bool transposeA, int m, ReadOnlySpan<float> a, PackedMatrix b, Span<float> c, float beta = 0f)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m);
        int n = b.N;
        int k = b.K;
        CheckLength(a.Length, (long)m * k, "a", "m·k");
        CheckLength(c.Length, (long)m * n, "c", "m·n");
        int panels = b.Panels;
        if ((long)m * n * k >= ParallelThreshold && panels > 1 && Environment.ProcessorCount > 1)
        {
            GemmParallel(transposeA, m, a, b, c, beta);
            return;
        }

        GemmPanels(transposeA, m, a, b, c, beta, 0, panels);
    }

    private static unsafe void GemmParallel(bool transposeA, int m, ReadOnlySpan<float> a, PackedMatrix b, Span<float> c, float beta)
    {
        int workers = Math.Min(Environment.ProcessorCount, b.Panels);
        int panels = b.Panels;
        fixed (float* aPtr = a)
        fixed (float* cPtr = c)
        {
            nint aAddress = (nint)aPtr;
            nint cAddress = (nint)cPtr;
            int aLength = a.Length;
            int cLength = c.Length;
            Parallel.For(0, workers, w =>
            {
                int first = panels * w / workers;
                int last = panels * (w + 1) / workers;
                var aSpan = new ReadOnlySpan<float>((float*)aAddress, aLength);
                var cSpan = new Span<float>((float*)cAddress, cLength);
                GemmPanels(transposeA, m, aSpan, b, cSpan, beta, first, last);
            });
        }
    }

    private static void GemmPanels(bool transposeA, int m, ReadOnlySpan<float> a, PackedMatrix b, Span<float> c, float beta, int firstPanel, int lastPanel)
    {
        int n = b.N;
        int k = b.K;
        Span<float> tile = stackalloc float[Rows * 32];
        for (int panel = firstPanel; panel < lastPanel; panel++)
        {
            ReadOnlySpan<float> packed = b.Data.AsSpan(panel * k * Width, k * Width);
            int j0 = panel * Width;
            int width = Math.Min(Width, n - j0);
            int i = 0;
            for (; i + Rows <= m; i += Rows)
            {
                if (Wide)
                {
                    MicroKernel6Wide(transposeA, m, k, a, i, packed, tile);
                }
                else
                {
                    MicroKernel6(transposeA, m, k, a, i, packed, tile);
                }

                Store(tile, Rows, c, i, j0, n, width, beta);
            }

            for (; i < m; i++)
            {
                MicroKernel1(transposeA, m, k, a, i, packed, tile);
                Store(tile, 1, c, i, j0, n, width, beta);
            }
        }
    }

    /// <summary>The 6×16 tile of op(A)[i..i+6, :]·panel with 256-bit vectors, accumulated in 12 registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel6(bool transposeA, int m, int k, ReadOnlySpan<float> a, int i, ReadOnlySpan<float> panel, Span<float> tile)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref float b0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(panel);
        ref float a0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a);
        // A[i + r, p] sits at (i + r)·k + p, or at p·m + i + r when A is stored transposed.
        nint rowStride = transposeA ? 1 : k;
        nint stepStride = transposeA ? m : 1;
        nint origin = transposeA ? i : (nint)i * k;
        for (int p = 0; p < k; p++)
        {
            Vector256<float> b_lo = Vector256.LoadUnsafe(ref b0, (nuint)(p * Width));
            Vector256<float> b_hi = Vector256.LoadUnsafe(ref b0, (nuint)((p * Width) + 8));
            nint at = origin + (p * stepStride);
            Vector256<float> x = Vector256.Create(Unsafe.Add(ref a0, at));
            c00 = Vector256.FusedMultiplyAdd(x, b_lo, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b_hi, c01);
            x = Vector256.Create(Unsafe.Add(ref a0, at + rowStride));
            c10 = Vector256.FusedMultiplyAdd(x, b_lo, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b_hi, c11);
            x = Vector256.Create(Unsafe.Add(ref a0, at + (2 * rowStride)));
            c20 = Vector256.FusedMultiplyAdd(x, b_lo, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b_hi, c21);
            x = Vector256.Create(Unsafe.Add(ref a0, at + (3 * rowStride)));
            c30 = Vector256.FusedMultiplyAdd(x, b_lo, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b_hi, c31);
            x = Vector256.Create(Unsafe.Add(ref a0, at + (4 * rowStride)));
            c40 = Vector256.FusedMultiplyAdd(x, b_lo, c40);
            c41 = Vector256.FusedMultiplyAdd(x, b_hi, c41);
            x = Vector256.Create(Unsafe.Add(ref a0, at + (5 * rowStride)));
            c50 = Vector256.FusedMultiplyAdd(x, b_lo, c50);
            c51 = Vector256.FusedMultiplyAdd(x, b_hi, c51);
        }

        ref float t = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(tile);
        c00.StoreUnsafe(ref t, 0); c01.StoreUnsafe(ref t, 8);
        c10.StoreUnsafe(ref t, 16); c11.StoreUnsafe(ref t, 24);
        c20.StoreUnsafe(ref t, 32); c21.StoreUnsafe(ref t, 40);
        c30.StoreUnsafe(ref t, 48); c31.StoreUnsafe(ref t, 56);
        c40.StoreUnsafe(ref t, 64); c41.StoreUnsafe(ref t, 72);
        c50.StoreUnsafe(ref t, 80); c51.StoreUnsafe(ref t, 88);
    }

    /// <summary>The 6×32 tile with 512-bit vectors: the same loop as <see cref="MicroKernel6"/>, twice as wide.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel6Wide(bool transposeA, int m, int k, ReadOnlySpan<float> a, int i, ReadOnlySpan<float> panel, Span<float> tile)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref float b0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(panel);
        ref float a0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a);
        nint rowStride = transposeA ? 1 : k;
        nint stepStride = transposeA ? m : 1;
        nint origin = transposeA ? i : (nint)i * k;
        for (int p = 0; p < k; p++)
        {
            Vector512<float> b_lo = Vector512.LoadUnsafe(ref b0, (nuint)(p * 32));
            Vector512<float> b_hi = Vector512.LoadUnsafe(ref b0, (nuint)((p * 32) + 16));
            nint at = origin + (p * stepStride);
            Vector512<float> x = Vector512.Create(Unsafe.Add(ref a0, at));
            c00 = Vector512.FusedMultiplyAdd(x, b_lo, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b_hi, c01);
            x = Vector512.Create(Unsafe.Add(ref a0, at + rowStride));
            c10 = Vector512.FusedMultiplyAdd(x, b_lo, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b_hi, c11);
            x = Vector512.Create(Unsafe.Add(ref a0, at + (2 * rowStride)));
            c20 = Vector512.FusedMultiplyAdd(x, b_lo, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b_hi, c21);
            x = Vector512.Create(Unsafe.Add(ref a0, at + (3 * rowStride)));
            c30 = Vector512.FusedMultiplyAdd(x, b_lo, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b_hi, c31);
            x = Vector512.Create(Unsafe.Add(ref a0, at + (4 * rowStride)));
            c40 = Vector512.FusedMultiplyAdd(x, b_lo, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b_hi, c41);
            x = Vector512.Create(Unsafe.Add(ref a0, at + (5 * rowStride)));
            c50 = Vector512.FusedMultiplyAdd(x, b_lo, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b_hi, c51);
        }

        ref float t = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(tile);
        c00.StoreUnsafe(ref t, 0); c01.StoreUnsafe(ref t, 16);
        c10.StoreUnsafe(ref t, 32); c11.StoreUnsafe(ref t, 48);
        c20.StoreUnsafe(ref t, 64); c21.StoreUnsafe(ref t, 80);
        c30.StoreUnsafe(ref t, 96); c31.StoreUnsafe(ref t, 112);
        c40.StoreUnsafe(ref t, 128); c41.StoreUnsafe(ref t, 144);
        c50.StoreUnsafe(ref t, 160); c51.StoreUnsafe(ref t, 176);
    }

    /// <summary>The 1×(two vectors) tile of row i of op(A) times the panel (for the rows left over after 6-row tiles).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel1(bool transposeA, int m, int k, ReadOnlySpan<float> a, int i, ReadOnlySpan<float> panel, Span<float> tile)
    {
        ref float b0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(panel);
        ref float t = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(tile);
        int width = Width;
        for (int v = 0; v < width; v += 8)
        {
            Vector256<float> sum = default;
            for (int p = 0; p < k; p++)
            {
                var x = Vector256.Create(transposeA ? a[(p * m) + i] : a[(i * k) + p]);
                sum = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref b0, (nuint)((p * width) + v)), sum);
            }

            sum.StoreUnsafe(ref t, (nuint)v);
        }
    }

    /// <summary>C[i.., j0..] ← tile + β·C for the tile's valid rows and columns.</summary>
    private static void Store(ReadOnlySpan<float> tile, int rows, Span<float> c, int i, int j0, int n, int width, float beta)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> source = tile.Slice(r * Width, width);
            Span<float> target = c.Slice(((i + r) * n) + j0, width);
            if (beta == 0f)
            {
                source.CopyTo(target);
            }
            else
            {
                for (int j = 0; j < width; j++)
                {
                    target[j] = source[j] + (beta * target[j]);
                }
            }
        }
    }

    private static void CheckLength(int actual, long needed, string name, string formula)
    {
        if (actual < needed)
        {
            throw new ArgumentException($"Gemm: span '{name}' has {actual} elements but {formula} = {needed} are needed.", name);
        }
    }
}
