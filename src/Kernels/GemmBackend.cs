using System.Runtime.InteropServices;

namespace MiniNet.Kernels;

/// <summary>Which implementation the one-shot GEMM (every MatMul, Linear and their gradients) uses; see <see cref="KernelOptions.Gemm"/>.</summary>
public enum GemmBackendKind
{
    /// <summary>MiniNet's own packed, register-blocked kernel.</summary>
    Managed,

    /// <summary><c>cblas_sgemm</c> from OpenBLAS (<c>libopenblas.so.0</c>, Debian's libopenblas0), through P/Invoke.</summary>
    OpenBlas,
}

/// <summary>
/// OpenBLAS's <c>cblas_sgemm</c>, loaded once when <c>libopenblas.so.0</c> is present, and the backend
/// <c>MININET_BLAS</c> asks for.
/// </summary>
/// <remarks>
/// <para>
/// Managed is the default because it measured at least as fast on MiniNet's workloads (compare.sh over several runs per
/// backend on two cores), where OpenBLAS's own threads compete with MiniNet's for the cores.
/// OpenBLAS stays available and is tested against the managed kernel.
/// </para>
/// <para>
/// The backend serves the one-shot <see cref="Gemm.Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, float)"/>.
/// The fused recurrent loops multiply by a weight packed once per pass (<see cref="PackedMatrix"/>), which is always the
/// managed kernel.
/// </para>
/// </remarks>
internal static unsafe class GemmBackend
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;
    private static readonly nint Library = LoadLibrary();
    private static readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm =
        (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)Export("cblas_sgemm");

    /// <summary>Whether OpenBLAS could be loaded on this machine.</summary>
    public static bool OpenBlasAvailable => Sgemm != null;

    /// <summary>The kernel set the loaded OpenBLAS runs (<c>openblas_get_corename</c>), or null.</summary>
    public static string? OpenBlasCore { get; } = CoreName();

    /// <summary>C ← op(A)·op(B) + β·C through cblas_sgemm (row-major, tightly packed).</summary>
    internal static void OpenBlasGemm(bool transposeA, bool transposeB, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, float beta)
    {
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Sgemm(RowMajor, transposeA ? Trans : NoTrans, transposeB ? Trans : NoTrans, m, n, k, 1f,
                pa, transposeA ? m : k, pb, transposeB ? k : n, beta, pc, n);
        }
    }

    /// <summary>The backend <c>MININET_BLAS</c> asks for (managed when unset), and why it fell back when it could not be had.</summary>
    public static (GemmBackendKind Kind, string? Problem) Requested()
    {
        string? requested = Environment.GetEnvironmentVariable("MININET_BLAS");
        return requested?.Trim().ToLowerInvariant() switch
        {
            "managed" or null or "" => (GemmBackendKind.Managed, null),
            "openblas" when OpenBlasAvailable => (GemmBackendKind.OpenBlas, null),
            "openblas" => (GemmBackendKind.Managed, "managed: MININET_BLAS=openblas, but libopenblas.so.0 cannot be loaded (Debian: apt-get install libopenblas0)"),
            _ => (GemmBackendKind.Managed, $"managed: MININET_BLAS='{requested}' is not a backend (use managed or openblas)"),
        };
    }

    /// <summary>libopenblas.so.0's handle, or 0 when it cannot be loaded (or the OS is not Linux).</summary>
    private static nint LoadLibrary() =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libopenblas.so.0", out nint library) ? library : 0;

    /// <summary>The address of an exported function of the loaded OpenBLAS, or 0.</summary>
    private static nint Export(string name) =>
        Library != 0 && NativeLibrary.TryGetExport(Library, name, out nint address) ? address : 0;

    /// <summary>What <c>openblas_get_corename</c> says of the loaded OpenBLAS, or null.</summary>
    private static string? CoreName()
    {
        nint corename = Sgemm == null ? 0 : Export("openblas_get_corename");
        return corename == 0 ? null : Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<nint>)corename)());
    }
}
