using System.Buffers;

namespace MiniNet.Kernels;

/// <summary>
/// The right operand of a GEMM, packed once into column panels for the micro-kernel: panel j holds columns
/// [wj, wj + w) of op(B) as k rows of w contiguous floats, zero-padded past n, where w is two hardware vectors
/// (32 floats with AVX-512, else 16). Packing reads B in either stored layout, so transposes cost nothing later;
/// a weight used at every time step is packed once.
/// </summary>
internal sealed class PackedMatrix
{
    /// <summary>
    /// Columns per panel that new packs use: two vectors of <see cref="KernelOptions.VectorBits"/> (32 floats with
    /// 512-bit vectors, else 16 for the 256-bit micro-kernel). A matrix already packed keeps its own <see cref="Width"/>.
    /// </summary>
    public static int PanelWidth => KernelOptions.Current.VectorBits == 512 ? 32 : 16;

    private readonly bool _pooled;

    private PackedMatrix(int k, int n, int width, float[] data, bool pooled)
    {
        K = k;
        N = n;
        Width = width;
        Data = data;
        _pooled = pooled;
    }

    /// <summary>Rows of op(B) (the shared dimension).</summary>
    public int K { get; }

    /// <summary>Columns of op(B).</summary>
    public int N { get; }

    /// <summary>Columns per panel of this matrix (32 or 16), which picks the micro-kernel that multiplies by it.</summary>
    public int Width { get; }

    /// <summary>Number of panels, ⌈n / width⌉.</summary>
    public int Panels => (N + Width - 1) / Width;

    internal float[] Data { get; }

    /// <summary>Packs op(B) of shape [k, n] from B stored [k, n], or [n, k] when <paramref name="transposed"/>.</summary>
    /// <param name="b">B's elements.</param>
    /// <param name="transposed">Whether B is stored [n, k].</param>
    /// <param name="k">Rows of op(B).</param>
    /// <param name="n">Columns of op(B).</param>
    /// <returns>The packed matrix.</returns>
    public static PackedMatrix Pack(ReadOnlySpan<float> b, bool transposed, int k, int n) => Pack(b, transposed, k, n, pooled: false);

    /// <summary>Packs into a buffer rented from the shared pool; call <see cref="ReturnToPool"/> when done.</summary>
    internal static PackedMatrix PackPooled(ReadOnlySpan<float> b, bool transposed, int k, int n) => Pack(b, transposed, k, n, pooled: true);

    /// <summary>Gives a pooled buffer back (a no-op for a matrix made by <see cref="Pack(ReadOnlySpan{float}, bool, int, int)"/>).</summary>
    internal void ReturnToPool()
    {
        if (_pooled)
        {
            ArrayPool<float>.Shared.Return(Data);
        }
    }

    private static PackedMatrix Pack(ReadOnlySpan<float> b, bool transposed, int k, int n, bool pooled)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        if (b.Length < (long)k * n)
        {
            throw new ArgumentException($"PackedMatrix.Pack: span has {b.Length} elements but k·n = {(long)k * n} are needed.", nameof(b));
        }

        int panelWidth = PanelWidth;
        int panels = (n + panelWidth - 1) / panelWidth;
        int size = panels * k * panelWidth;
        float[] data = pooled ? ArrayPool<float>.Shared.Rent(size) : new float[size];
        for (int panel = 0; panel < panels; panel++)
        {
            int j0 = panel * panelWidth;
            int width = Math.Min(panelWidth, n - j0);
            Span<float> target = data.AsSpan(panel * k * panelWidth, k * panelWidth);
            if (pooled && width < panelWidth)
            {
                target.Clear(); // a rented buffer is not zeroed, and the padding columns must be
            }

            if (!transposed)
            {
                for (int p = 0; p < k; p++)
                {
                    b.Slice((p * n) + j0, width).CopyTo(target.Slice(p * panelWidth, width));
                }
            }
            else
            {
                // B stored [n, k]: read each column of op(B) (a row of B) with stride, write panel rows contiguously.
                ref float source = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b);
                ref float destination = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(target);
                for (int p = 0; p < k; p++)
                {
                    for (int j = 0; j < width; j++)
                    {
                        System.Runtime.CompilerServices.Unsafe.Add(ref destination, (p * panelWidth) + j) =
                            System.Runtime.CompilerServices.Unsafe.Add(ref source, ((j0 + j) * k) + p);
                    }
                }
            }
        }

        return new PackedMatrix(k, n, panelWidth, data, pooled);
    }
}
