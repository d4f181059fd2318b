using System.Runtime.Intrinsics;

namespace MiniNet.Kernels;

/// <summary>
/// How the kernels run: which GEMM backend the one-shot products use, how wide the vectors of the GEMM micro-kernel
/// and the fused recurrent cells are, and whether parallel work uses every core. Immutable: <see cref="Current"/> is the machine's default unless a
/// <see cref="Use"/> scope says otherwise.
/// </summary>
/// <remarks>
/// <para>
/// The default is the fastest correct choice for this CPU: 512-bit vectors where AVX-512 is accelerated, else 256-bit,
/// and the managed GEMM unless <c>MININET_BLAS=openblas</c> asks for OpenBLAS. A scope changes them for the code it
/// encloses, on the calling thread and the tasks it starts (an <see cref="AsyncLocal{T}"/>), so a test that runs the
/// 512-bit path on an AVX2 machine (where .NET emulates <see cref="Vector512{T}"/> in software) cannot disturb a test
/// running beside it.
/// </para>
/// <para>
/// Every width computes the same function: the GEMM sums in the same order whatever the panel width, and a fused
/// cell evaluates one formula at every width (see <c>Lanes</c>), so results agree to the last bit between widths
/// and between machines with the same FMA support.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using (KernelOptions.Use(KernelOptions.Current with { VectorBits = 512 }))
/// {
///     model.Forward(x);   // the 512-bit kernels, emulated where the CPU lacks them
/// }
/// </code>
/// </example>
public sealed record KernelOptions
{
    private static readonly AsyncLocal<KernelOptions?> Scoped = new();
    private static readonly (GemmBackendKind Kind, string? Problem) Requested = GemmBackend.Requested();
    private readonly int _vectorBits = HardwareVectorBits;
    private readonly GemmBackendKind _gemm = Requested.Kind;
    private readonly CoreUse _cores = CoreUse.Measured;

    /// <summary>The options the hardware and <c>MININET_BLAS</c> choose.</summary>
    public static KernelOptions Default { get; } = new();

    /// <summary>The options in force here: the innermost open <see cref="Use"/> scope's, else <see cref="Default"/>.</summary>
    public static KernelOptions Current => Scoped.Value ?? Default;

    /// <summary>The widest vectors this CPU accelerates (512, 256 or 128 bits).</summary>
    public static int HardwareVectorBits =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

    /// <summary>Whether OpenBLAS (<c>libopenblas.so.0</c>, Debian's libopenblas0) could be loaded on this machine.</summary>
    public static bool OpenBlasAvailable => GemmBackend.OpenBlasAvailable;

    /// <summary>
    /// The kernel set the loaded OpenBLAS runs (<c>openblas_get_corename</c>: for example "Haswell" for its AVX2 kernels,
    /// "SkylakeX" or "Cooperlake" for AVX-512), or null when OpenBLAS is not loaded or does not say.
    /// </summary>
    public static string? OpenBlasCore => GemmBackend.OpenBlasCore;

    /// <summary>The GEMM backend of the one-shot products (MatMul, Linear and their gradients).</summary>
    /// <exception cref="ArgumentException">OpenBLAS is asked for but cannot be loaded on this machine.</exception>
    public GemmBackendKind Gemm
    {
        get => _gemm;
        init
        {
            if (value == GemmBackendKind.OpenBlas && !OpenBlasAvailable)
            {
                throw new ArgumentException("The OpenBLAS backend needs libopenblas.so.0 (Debian: apt-get install libopenblas0).", nameof(Gemm));
            }

            _gemm = value;
        }
    }

    /// <summary>
    /// The vector width of the GEMM micro-kernel and the fused cells, in bits: 512 (8×32 tiles, 16 lanes per cell step),
    /// 256 (6×16 tiles, 8 lanes) or 128 (the 256-bit GEMM, 4-lane cells). A width the CPU lacks is emulated: correct, slow.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The width is not 128, 256 or 512.</exception>
    public int VectorBits
    {
        get => _vectorBits;
        init => _vectorBits = value is 128 or 256 or 512
            ? value
            : throw new ArgumentOutOfRangeException(nameof(VectorBits), value, "VectorBits must be 128, 256 or 512.");
    }

    /// <summary>
    /// How the parallel kernels (GEMMs from 2¹⁹ multiply-adds, the recurrent layers' time loops over 16 or more batch
    /// rows) use the cores: <see cref="CoreUse.Measured"/> (the default) times each kind of work both ways as it runs and
    /// takes the faster; <see cref="CoreUse.All"/> always splits it; <see cref="CoreUse.One"/> keeps everything on the
    /// calling thread. The numbers are the same every way.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not one of <see cref="CoreUse"/>'s.</exception>
    public CoreUse Cores
    {
        get => _cores;
        init => _cores = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Cores), value, "Cores must be CoreUse.Measured, CoreUse.All or CoreUse.One.");
    }

    /// <summary>What these options run, for logs: the backend (and why, when it fell back) and the vector width.</summary>
    public string Description => (Gemm == GemmBackendKind.OpenBlas
        ? $"OpenBLAS cblas_sgemm (libopenblas.so.0, {OpenBlasCore ?? "unnamed"} kernels)"
        : Requested.Problem ?? (OpenBlasAvailable ? "managed (the default; MININET_BLAS=openblas selects OpenBLAS)" : "managed (libopenblas.so.0 not found)"))
        + $", {VectorBits}-bit vectors" + (VectorBits > HardwareVectorBits ? " (emulated)" : string.Empty)
        + Cores switch
        {
            CoreUse.All => $", all {Environment.ProcessorCount} cores",
            CoreUse.One => ", one core",
            _ => Environment.ProcessorCount > 1 ? $", {Environment.ProcessorCount} cores where measured faster" : ", one core",
        };

    /// <summary>Runs the kernels with <paramref name="options"/> until the returned scope is disposed.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The scope; disposing it restores the options that were in force before.</returns>
    public static IDisposable Use(KernelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var scope = new Restore(Scoped.Value);
        Scoped.Value = options;
        return scope;
    }

    private sealed class Restore(KernelOptions? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Scoped.Value = previous;
            }
        }
    }
}
