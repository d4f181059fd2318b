using System.Runtime.InteropServices;

namespace MiniNet.Autograd;

/// <summary>Which implementation <see cref="Kernels.Gemm(bool, bool, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, float)"/> uses.</summary>
public enum GemmBackendKind
{
    /// <summary>MiniNet's own packed, register-blocked kernel.</summary>
    Managed,

    /// <summary><c>cblas_sgemm</c> from OpenBLAS (<c>libopenblas.so.0</c>, Debian's libopenblas0), through P/Invoke.</summary>
    OpenBlas,
}

/// <summary>
/// Chooses the GEMM backend: the managed kernel by default; <c>MININET_BLAS=openblas</c> switches to OpenBLAS when
/// <c>libopenblas.so.0</c> can be loaded.
/// </summary>
/// <remarks>
/// <para>
/// Managed is the default because it measured at least as fast on MiniNet's workloads here (compare.sh, three runs per
/// backend on a 2-vCPU Zen 5 machine: gemm-128x256x1024 0.28–0.50 ms managed against 0.39–0.55 ms through cblas_sgemm;
/// the char-LM step 27–31 ms against 30–39 ms, where OpenBLAS's own threads compete with MiniNet's for the two cores).
/// Those OpenBLAS figures are its AVX2 "Haswell" kernels, which that machine's environment pins with
/// <c>OPENBLAS_CORETYPE</c>; its AVX-512 kernels took 0.21 ms there (see <see cref="OpenBlasCore"/>).
/// OpenBLAS stays available and is tested against the managed kernel.
/// </para>
/// <para>
/// The backend serves the one-shot <c>Kernels.Gemm</c> (every MatMul, Linear and their gradients). The fused recurrent
/// loops multiply by a weight packed once per pass (<see cref="PackedMatrix"/>), which is always the managed kernel.
/// Both backends are tested against each other and against MathNet.Numerics.
/// </para>
/// </remarks>
public static unsafe class GemmBackend
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;
    private static readonly nint Library = LoadLibrary();
    private static readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm =
        (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)Export("cblas_sgemm");
    private static readonly string? OpenBlasCoreType = CoreName();

    /// <summary>Whether OpenBLAS could be loaded on this machine.</summary>
    public static bool OpenBlasAvailable => Sgemm != null;

    /// <summary>
    /// The kernel set the loaded OpenBLAS runs (<c>openblas_get_corename</c>: for example "Haswell" for its AVX2 kernels,
    /// "SkylakeX" or "Cooperlake" for AVX-512), or null when OpenBLAS is not loaded or does not say. OpenBLAS picks it from
    /// the CPU when it loads, or takes it from <c>OPENBLAS_CORETYPE</c>.
    /// </summary>
    public static string? OpenBlasCore => OpenBlasCoreType;

    /// <summary>The backend in use; set it to switch (OpenBLAS only when available).</summary>
    public static GemmBackendKind Current { get; set; } = Initial();

    /// <summary>Why the current backend was chosen, for logs.</summary>
    public static string Description => Current == GemmBackendKind.OpenBlas
        ? $"OpenBLAS cblas_sgemm (libopenblas.so.0, {OpenBlasCoreType ?? "unnamed"} kernels)"
        : s_problem ?? (OpenBlasAvailable ? "managed (the default; MININET_BLAS=openblas selects OpenBLAS)" : "managed (libopenblas.so.0 not found)");

    private static string? s_problem;

    /// <summary>Runs <paramref name="action"/> with <paramref name="kind"/> as the backend, then restores the previous one.</summary>
    /// <param name="kind">The backend.</param>
    /// <param name="action">The work.</param>
    public static void With(GemmBackendKind kind, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (kind == GemmBackendKind.OpenBlas && !OpenBlasAvailable)
        {
            throw new InvalidOperationException("The OpenBLAS backend needs libopenblas.so.0 (Debian: apt-get install libopenblas0).");
        }

        GemmBackendKind previous = Current;
        Current = kind;
        try
        {
            action();
        }
        finally
        {
            Current = previous;
        }
    }

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

    private static GemmBackendKind Initial()
    {
        string? requested = Environment.GetEnvironmentVariable("MININET_BLAS");
        return requested?.Trim().ToLowerInvariant() switch
        {
            "managed" => GemmBackendKind.Managed,
            "openblas" when OpenBlasAvailable => GemmBackendKind.OpenBlas,
            "openblas" => Fallback("managed: MININET_BLAS=openblas, but libopenblas.so.0 cannot be loaded (Debian: apt-get install libopenblas0)"),
            null or "" => GemmBackendKind.Managed,
            _ => Fallback($"managed: MININET_BLAS='{requested}' is not a backend (use managed or openblas)"),
        };
    }

    /// <summary>A bad MININET_BLAS must not stop a program at type initialization: fall back and say why.</summary>
    private static GemmBackendKind Fallback(string problem)
    {
        s_problem = problem;
        return GemmBackendKind.Managed;
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
