using BenchmarkDotNet.Attributes;

namespace MiniNet.Bench;

/// <summary>
/// One full training step of the adding workloads (zero grad, forward, loss, backward, global-norm clip, Adam), with
/// BenchmarkDotNet's memory diagnoser: the bytes each step allocates.
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmark
{
    private Action _step = () => { };

    /// <summary>A workload of shared/bench/WORKLOADS.md.</summary>
    [Params("adding-lstm-h128-b32-t100", "adding-lstm-h64-b64-t50", "adding-rnn-h128-b32-t100")]
    public string Workload { get; set; } = "adding-lstm-h128-b32-t100";

    [GlobalSetup]
    public void Setup() => _step = Workloads.All.Single(w => w.Name == Workload).Build();

    /// <summary>One step.</summary>
    [Benchmark]
    public void Step() => _step();
}
