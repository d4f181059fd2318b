namespace MiniNet.Kernels;

/// <summary>How the parallel kernels (large GEMMs, the recurrent layers' time loops) use the cores; see <see cref="KernelOptions.Cores"/>.</summary>
public enum CoreUse
{
    /// <summary>
    /// Each kind of parallel work is timed on all cores and on the calling thread alone as it runs, and mostly runs the
    /// faster way (every 32nd call the other, to notice when that changes). The default.
    /// </summary>
    Measured,

    /// <summary>Parallel work always runs on every core.</summary>
    All,

    /// <summary>Everything runs on the calling thread.</summary>
    One,
}
