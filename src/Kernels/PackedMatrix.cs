using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MiniNet.Kernels;

/// <summary>
/// The right operand of a GEMM, packed once into column panels for the micro-kernel: panel j holds columns
/// [wj, wj + w) of op(B) as k rows of w contiguous floats, zero-padded past n, where w is two hardware vectors
/// (32 floats with AVX-512, else 16). Packing reads B in either stored layout, so transposes cost nothing later;
/// a weight used at every time step is packed once. A matrix already stored [k, n] with n a multiple of the panel
/// width can also be read where it lies (<see cref="InPlace"/>): panel j is then columns [wj, wj + w) of each row.
/// </summary>
internal sealed class PackedMatrix
{
    /// <summary>
    /// Columns per panel that new packs use: two vectors of <see cref="KernelOptions.VectorBits"/> (32 floats with
    /// 512-bit vectors, else 16 for the 256-bit micro-kernel). A matrix already packed keeps its own <see cref="Width"/>.
    /// </summary>
    public static int PanelWidth => KernelOptions.Current.VectorBits == 512 ? 32 : 16;

    private readonly bool _pooled;

    private PackedMatrix(int k, int n, int width, float[] data, bool pooled, bool inPlace = false)
    {
        K = k;
        N = n;
        Width = width;
        Data = data;
        _pooled = pooled;
        IsInPlace = inPlace;
        RowStride = inPlace ? n : width;
        PanelStride = inPlace ? width : (long)k * width;
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

    /// <summary>Whether <see cref="Data"/> is B itself, stored [k, n], rather than a packed copy (see <see cref="InPlace"/>).</summary>
    internal bool IsInPlace { get; }

    /// <summary>Floats from one row p of a panel to the next: the panel width when packed, n in place.</summary>
    internal int RowStride { get; }

    /// <summary>Floats from the start of one panel to the next: k·width when packed, the width in place.</summary>
    internal long PanelStride { get; }

    /// <summary>
    /// B stored [k, n] read where it lies, without a packed copy: panel j is columns [wj, wj + w) of every row, one
    /// row of n floats apart. For an operand read once (a weight gradient's δ), where the copy is a pass over all of B
    /// that the product does not need; a weight read at every step is better packed (<see cref="Pack(ReadOnlySpan{float}, bool, int, int)"/>).
    /// </summary>
    /// <param name="b">B's elements, stored [k, n]; the matrix reads it and does not own it.</param>
    /// <param name="k">Rows of B.</param>
    /// <param name="n">Columns of B: a multiple of <see cref="PanelWidth"/> (see <see cref="CanReadInPlace"/>).</param>
    /// <returns>The view.</returns>
    internal static PackedMatrix InPlace(float[] b, int k, int n)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (!CanReadInPlace(n))
        {
            throw new ArgumentException($"PackedMatrix.InPlace: n = {n} is not a positive multiple of the panel width {PanelWidth}; pack B instead.", nameof(n));
        }

        if (b.Length < (long)k * n)
        {
            throw new ArgumentException($"PackedMatrix.InPlace: array has {b.Length} elements but k·n = {(long)k * n} are needed.", nameof(b));
        }

        return new PackedMatrix(k, n, PanelWidth, b, pooled: false, inPlace: true);
    }

    /// <summary>Whether a B of <paramref name="n"/> columns can be read in place (<see cref="InPlace"/>): whole panels only.</summary>
    internal static bool CanReadInPlace(int n) => n > 0 && n % PanelWidth == 0;

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
        PackedMatrix packed = Allocate(k, n, pooled);
        packed.PackPanels(b, transposed, 0, packed.Panels);
        return packed;
    }

    /// <summary>
    /// A matrix of op(B)'s shape whose panels are not filled yet (a pooled buffer): each worker of a parallel product fills
    /// the panels it multiplies by with <see cref="PackPanels"/>, so the packing is split between the cores too.
    /// </summary>
    /// <param name="k">Rows of op(B).</param>
    /// <param name="n">Columns of op(B).</param>
    /// <returns>The unfilled matrix; call <see cref="ReturnToPool"/> when done.</returns>
    internal static PackedMatrix RentUnfilled(int k, int n) => Allocate(k, n, pooled: true);

    private static PackedMatrix Allocate(int k, int n, bool pooled)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        int panelWidth = PanelWidth;
        int panels = (n + panelWidth - 1) / panelWidth;
        long size = (long)panels * k * panelWidth;
        if (size > Array.MaxLength)
        {
            throw new ArgumentException($"PackedMatrix: op(B) of [{k}, {n}] needs {size} packed floats, more than an array can hold.", nameof(n));
        }

        float[] data = pooled ? ArrayPool<float>.Shared.Rent((int)size) : new float[size];
        return new PackedMatrix(k, n, panelWidth, data, pooled);
    }

    /// <summary>Fills panels [<paramref name="firstPanel"/>, <paramref name="lastPanel"/>) from op(B).</summary>
    /// <param name="b">B's elements, stored [k, n], or [n, k] when <paramref name="transposed"/>.</param>
    /// <param name="transposed">Whether B is stored [n, k].</param>
    /// <param name="firstPanel">The first panel to fill.</param>
    /// <param name="lastPanel">One past the last.</param>
    internal void PackPanels(ReadOnlySpan<float> b, bool transposed, int firstPanel, int lastPanel)
    {
        if (IsInPlace)
        {
            throw new InvalidOperationException("PackedMatrix.PackPanels: this matrix reads B in place and has no panels to fill.");
        }

        (int k, int n, int panelWidth) = (K, N, Width);
        if (b.Length < (long)k * n)
        {
            throw new ArgumentException($"PackedMatrix.Pack: span has {b.Length} elements but k·n = {(long)k * n} are needed.", nameof(b));
        }

        int fullEnd = transposed ? firstPanel : Math.Clamp(n / panelWidth, firstPanel, lastPanel);
        PackFullPanels(b, firstPanel, fullEnd);
        ref float source = ref MemoryMarshal.GetReference(b);
        for (int panel = fullEnd; panel < lastPanel; panel++)
        {
            int j0 = panel * panelWidth;
            int width = Math.Min(panelWidth, n - j0);
            Span<float> target = Data.AsSpan(panel * k * panelWidth, k * panelWidth);
            ref float destination = ref MemoryMarshal.GetReference(target);
            if (width < panelWidth)
            {
                target.Clear(); // the padding columns must be 0 (a rented buffer holds anything)
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
                // B stored [n, k]: each column of op(B) is a row of B, read front to back and written at a stride of the
                // panel width (the panel, k·width floats, stays in cache while its columns are dealt in).
                for (int j = 0; j < width; j++)
                {
                    ref float column = ref Unsafe.Add(ref source, (j0 + j) * k);
                    for (int p = 0; p < k; p++)
                    {
                        Unsafe.Add(ref destination, (p * panelWidth) + j) = Unsafe.Add(ref column, p);
                    }
                }
            }
        }
    }

    /// <summary>Fills the full panels [<paramref name="firstPanel"/>, <paramref name="lastPanel"/>) from B stored [k, n].</summary>
    /// <remarks>
    /// Each p of a full panel is panelWidth contiguous floats of B's row p, copied as whole vectors, eight rows of one
    /// panel at a time across all the panels: B is read a few rows at once, front to back, and each panel gets 8
    /// consecutive p (2 KB at 512 bits, 512 bytes at 256) per visit. One panel at a time, all its k rows, read B a
    /// cache line per row of n floats, one 4 KB page apart when n = 1024, which the prefetchers do not follow
    /// (256×1024 on one Zen 3 core: 0.081 ms that way, 0.042–0.047 ms eight rows at a time; one row or 16 at a time
    /// were as slow as panel by panel).
    /// </remarks>
    private void PackFullPanels(ReadOnlySpan<float> b, int firstPanel, int lastPanel)
    {
        const int RowsPerVisit = 8;
        (int k, int n, int panelWidth) = (K, N, Width);
        ref float source = ref MemoryMarshal.GetReference(b);
        ref float packed = ref MemoryMarshal.GetReference(Data.AsSpan());
        for (int p0 = 0; p0 < k; p0 += RowsPerVisit)
        {
            int pEnd = Math.Min(k, p0 + RowsPerVisit);
            for (int panel = firstPanel; panel < lastPanel; panel++)
            {
                int j0 = panel * panelWidth;
                ref float destination = ref Unsafe.Add(ref packed, (nint)panel * k * panelWidth);
                for (int p = p0; p < pEnd; p++)
                {
                    ref float row = ref Unsafe.Add(ref source, ((nint)p * n) + j0);
                    ref float into = ref Unsafe.Add(ref destination, (nint)p * panelWidth);
                    for (int v = 0; v < panelWidth; v += 8)
                    {
                        Vector256.LoadUnsafe(ref row, (nuint)v).StoreUnsafe(ref into, (nuint)v);
                    }
                }
            }
        }
    }
}
