using BenchmarkDotNet.Attributes;
using MiniNet.Autograd;
using MiniNet.Kernels;

namespace MiniNet.Bench;

/// <summary>C = A·B for the workload table's shape and the LSTM's per-step shape, on each backend.</summary>
[MemoryDiagnoser]
public class GemmBenchmark
{
    private float[] _a = [], _b = [], _c = [];
    private IDisposable? _options;

    /// <summary>m×k×n.</summary>
    [Params("128x256x1024", "32x128x512")]
    public string Shape { get; set; } = "128x256x1024";

    /// <summary>The backend.</summary>
    [Params(GemmBackendKind.Managed, GemmBackendKind.OpenBlas)]
    public GemmBackendKind Backend { get; set; }

    private (int M, int K, int N) Dimensions => Shape.Split('x').Select(int.Parse).ToArray() is [int m, int k, int n] ? (m, k, n) : default;

    [GlobalSetup]
    public void Setup()
    {
        (int m, int k, int n) = Dimensions;
        _a = Tensor.RandomUniform([m * k], seed: 1).Data;
        _b = Tensor.RandomUniform([k * n], seed: 2).Data;
        _c = new float[m * n];
        if (Backend == GemmBackendKind.OpenBlas && !KernelOptions.OpenBlasAvailable)
        {
            throw new InvalidOperationException("libopenblas.so.0 is not installed; run with --filter for the managed backend only.");
        }

        _options = KernelOptions.Use(KernelOptions.Default with { Gemm = Backend });
    }

    /// <summary>Restores the default options.</summary>
    [GlobalCleanup]
    public void Cleanup() => _options?.Dispose();

    /// <summary>One product.</summary>
    [Benchmark]
    public void Multiply()
    {
        (int m, int k, int n) = Dimensions;
        MiniNet.Kernels.Gemm.Multiply(false, false, m, n, k, _a, _b, _c);
    }
}
