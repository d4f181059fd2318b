// MiniNet's benchmarks.
//   dotnet run -c Release --project bench/MiniNet.Bench -- workloads [name filter]   the workload table (shared/bench/WORKLOADS.md)
//   dotnet run -c Release --project bench/MiniNet.Bench -- micro [BenchmarkDotNet options, e.g. --filter *Adam*]
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "workloads")
{
    Console.Error.WriteLine($"# GEMM backend: {MiniNet.Kernels.KernelOptions.Current.Description}");
    MiniNet.Bench.Workloads.Run(args.Length > 1 ? args[1] : null, Console.Out, Console.Error);
    return 0;
}

if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(MiniNet.Bench.AdamStepBenchmark).Assembly).Run(args[1..]);
    return 0;
}

Console.Error.WriteLine("usage: MiniNet.Bench workloads [name filter] | micro [BenchmarkDotNet options, for example --filter *Adam*]");
return 2;
