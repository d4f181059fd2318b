using BenchmarkDotNet.Attributes;
using MiniNet.Autograd;
using MiniNet.Clipping;

namespace MiniNet.Bench;

/// <summary>Global-norm clipping (threshold 1.0) over many small or a few large gradients, as in the workload table.</summary>
[MemoryDiagnoser]
public class ClipBenchmark
{
    private Tensor[] _parameters = [];
    private readonly ClipByGlobalNorm _clip = new(1f);

    /// <summary>(count, size) of the gradients: 1000 × 1000 or 10 × 1,000,000.</summary>
    [Params("1000x1000", "10x1000000")]
    public string Shape { get; set; } = "1000x1000";

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Shape.Split('x');
        int count = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int size = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        _parameters = new Tensor[count];
        for (int i = 0; i < count; i++)
        {
            _parameters[i] = Tensor.Zeros([size], requiresGrad: true);
            _parameters[i].Grad = Tensor.RandomNormal([size], seed: i);
        }
    }

    /// <summary>One clip: a norm pass and (when above the threshold) a scaling pass.</summary>
    [Benchmark]
    public ClipReport GlobalNorm() => _clip.Clip(_parameters);
}
