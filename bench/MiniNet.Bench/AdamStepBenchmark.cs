using BenchmarkDotNet.Attributes;
using MiniNet.Autograd;
using MiniNet.Optimizers;

namespace MiniNet.Bench;

/// <summary>
/// One Adam step over 10 parameters of 1,000,000 elements, beside a STREAM-style triad over the same
/// bytes, so the step's effective bandwidth can be read against the machine's.
/// </summary>
/// <remarks>
/// An Adam step reads p, g, m, v and writes p, m, v: 7 floats = 28 bytes per element, 280 MB per step.
/// The triad a ← b + s·c reads 2 and writes 1 array: 12 bytes per element. Effective GB/s = bytes / time.
/// </remarks>
[MemoryDiagnoser]
public class AdamStepBenchmark
{
    private const int Count = 10;
    private const int Size = 1_000_000;
    private Tensor[] _parameters = [];
    private Adam _adam = null!;
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];

    [GlobalSetup]
    public void Setup()
    {
        _parameters = new Tensor[Count];
        for (int i = 0; i < Count; i++)
        {
            _parameters[i] = Tensor.RandomNormal([Size], seed: i, requiresGrad: true);
            _parameters[i].Grad = Tensor.RandomNormal([Size], seed: 100 + i);
        }

        _adam = new Adam(_parameters, learningRate: 1e-3f);
        _adam.Step(); // allocate the moment buffers outside the measurement
        _a = new float[Count * Size];
        _b = Tensor.RandomNormal([Count * Size], seed: 1).Data;
        _c = Tensor.RandomNormal([Count * Size], seed: 2).Data;
    }

    /// <summary>One Adam step over 10 × 1,000,000 elements (280 MB of traffic).</summary>
    [Benchmark]
    public void AdamStep() => _adam.Step();

    /// <summary>STREAM triad over 10,000,000 elements (120 MB of traffic): the machine's reachable bandwidth.</summary>
    [Benchmark(Baseline = true)]
    public void StreamTriad() => System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_c, 3f, _b, _a);
}
