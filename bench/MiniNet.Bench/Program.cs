// MiniNet's benchmarks.
//   dotnet run -c Release --project bench/MiniNet.Bench -- micro [BenchmarkDotNet options, e.g. --filter *Adam*]
using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(MiniNet.Bench.AdamStepBenchmark).Assembly).Run(args[1..]);
    return 0;
}

Console.Error.WriteLine("usage: MiniNet.Bench micro [BenchmarkDotNet options]   (for example: micro --filter *Adam*)");
return 2;
