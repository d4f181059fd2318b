// MiniNet's benchmarks.
//   dotnet run -c Release --project bench/MiniNet.Bench -- workloads [name filter]   the workload table (shared/bench/WORKLOADS.md)
//   dotnet run -c Release --project bench/MiniNet.Bench -- clipper-scaling [name filter] [max steps, default 1000000]
//                                                            per-step time of every clipper from 1,000 to 1,000,000 steps
//   dotnet run -c Release --project bench/MiniNet.Bench -- micro [BenchmarkDotNet options, e.g. --filter *Adam*]
//   dotnet run -c Release --project bench/MiniNet.Bench -- core-sharing [seconds, default 20]
//                                                            whether two threads get two cores' worth, second by second
// MININET_CORES=measured|all|one sets KernelOptions.Cores for the workloads (default measured).
using BenchmarkDotNet.Running;
using MiniNet.Kernels;

if (args.Length > 0 && args[0] == "workloads")
{
    string cores = Environment.GetEnvironmentVariable("MININET_CORES") ?? "measured";
    if (!Enum.TryParse(cores, ignoreCase: true, out CoreUse use) || !Enum.IsDefined(use))
    {
        Console.Error.WriteLine($"MiniNet.Bench: MININET_CORES must be measured, all or one, got '{cores}'");
        return 2;
    }

    using (KernelOptions.Use(KernelOptions.Current with { Cores = use }))
    {
        Console.Error.WriteLine($"# GEMM backend: {KernelOptions.Current.Description}");
        MiniNet.Bench.Workloads.Run(args.Length > 1 ? args[1] : null, Console.Out, Console.Error);
    }

    return 0;
}

if (args.Length > 0 && args[0] == "clipper-scaling")
{
    int maxSteps = args.Length > 2 && int.TryParse(args[2], out int n) && n >= 1000 ? n : 1_000_000;
    MiniNet.Bench.ClipperScaling.Run(args.Length > 1 && args[1] != "all" ? args[1] : null, maxSteps, Console.Out, Console.Error);
    return 0;
}

if (args.Length > 0 && args[0] == "core-sharing")
{
    double seconds = 20;
    if (args.Length > 1 && (!double.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out seconds) || seconds is <= 0 or > 86400))
    {
        Console.Error.WriteLine($"MiniNet.Bench core-sharing: seconds must be a number from 0 to 86400, got '{args[1]}'");
        return 2;
    }

    MiniNet.Bench.CoreSharing.Run(seconds, Console.Out);
    return 0;
}

if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(MiniNet.Bench.AdamStepBenchmark).Assembly).Run(args[1..]);
    return 0;
}

Console.Error.WriteLine("usage: MiniNet.Bench workloads [name filter] | clipper-scaling [name filter|all] [max steps] | core-sharing [seconds] | micro [BenchmarkDotNet options, for example --filter *Adam*]");
return 2;
