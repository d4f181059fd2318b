using System.Diagnostics;
using System.Globalization;
using MathNet.Numerics.Random;
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Kernels;
using MiniNet.Layers;
using MiniNet.Optimizers;

namespace MiniNet.Bench;

/// <summary>
/// The workload table of shared/bench/WORKLOADS.md, timed the way shared/bench/torch_reference.py times PyTorch:
/// the median of 15 timed repetitions after 3 warm-ups, in milliseconds, printed as <c>name&lt;TAB&gt;ms</c>.
/// </summary>
/// <remarks>
/// A training-step workload is one full step: zero the gradients, forward, loss, backward, global-norm clip
/// (threshold 1.0), Adam step (lr 1e-3). Inputs are random: uniform [0, 1) values and random tokens.
/// </remarks>
public static class Workloads
{
    /// <summary>
    /// Every workload by name, built lazily so a filter only pays for what it runs, with the useful floating-point work
    /// of one repetition (the matrix products, forward and backward; 0 where the work is memory traffic).
    /// </summary>
    public static IReadOnlyList<(string Name, Func<Action> Build, double Flops)> All { get; } =
    [
        ("adding-lstm-h128-b32-t100", () => SequenceRegression("lstm", hidden: 128, batch: 32, steps: 100), RecurrentFlops(4, 2, 128, 32, 100, 1, everyStep: false)),
        ("adding-lstm-h64-b64-t50", () => SequenceRegression("lstm", hidden: 64, batch: 64, steps: 50), RecurrentFlops(4, 2, 64, 64, 50, 1, everyStep: false)),
        ("adding-lstm-h32-b16-t200", () => SequenceRegression("lstm", hidden: 32, batch: 16, steps: 200), RecurrentFlops(4, 2, 32, 16, 200, 1, everyStep: false)),
        ("adding-rnn-h128-b32-t100", () => SequenceRegression("rnn", hidden: 128, batch: 32, steps: 100), RecurrentFlops(1, 2, 128, 32, 100, 1, everyStep: false)),
        ("adding-gru-h128-b32-t100", () => SequenceRegression("gru", hidden: 128, batch: 32, steps: 100), RecurrentFlops(3, 2, 128, 32, 100, 1, everyStep: false)),
        ("bptt-lstm-h128-b8-t1000", () => SequenceRegression("lstm", hidden: 128, batch: 8, steps: 1000), RecurrentFlops(4, 2, 128, 8, 1000, 1, everyStep: false)),
        ("charlm-lstm-v65-e32-h256-b32-t64", () => CharLm(vocab: 65, embed: 32, hidden: 256, batch: 32, steps: 64), RecurrentFlops(4, 32, 256, 32, 64, 65, everyStep: true)),
        ("clip-globalnorm-1000x1000", () => GlobalNormClip(count: 1000, size: 1000), 0),
        ("clip-globalnorm-10x1000000", () => GlobalNormClip(count: 10, size: 1_000_000), 0),
        ("gemm-128x256x1024", () => Gemm(128, 256, 1024), 2.0 * 128 * 256 * 1024),
    ];

    /// <summary>
    /// Runs the workloads whose name contains <paramref name="filter"/> (all when null) and prints one line each to
    /// <paramref name="output"/>; to <paramref name="details"/>, the machine's FMA peak first, then per workload its useful
    /// GFLOP per step, the GFLOPS achieved, the share of the two-thread peak, the bytes allocated per step, the share of
    /// the step spent on all cores and the share of that core time a core waited for the other (see <see cref="Profile"/>).
    /// </summary>
    /// <param name="filter">A substring of the names to run, or null.</param>
    /// <param name="output">Where the table goes (<c>name&lt;TAB&gt;ms</c>, what compare.sh reads).</param>
    /// <param name="details">Where the diagnostics go, as <c>#</c> lines, or null for none.</param>
    public static void Run(string? filter, TextWriter output, TextWriter? details = null)
    {
        double peak = 0;
        if (details is not null)
        {
            (double one, double two) = FmaPeak.Measure();
            peak = two;
            details.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# FMA peak ({FmaPeak.Width}-bit vectors): {one:F1} GFLOPS on 1 thread, {two:F1} on {Environment.ProcessorCount}"));
            details.WriteLine("# workload                             GFLOP/step    GFLOPS  % of peak   KB allocated/step  % on all cores  % waiting");
        }

        foreach ((string name, Func<Action> build, double flops) in All)
        {
            if (filter is null || name.Contains(filter, StringComparison.Ordinal))
            {
                Action step = build();
                double ms = MedianMilliseconds(step);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{ms:F3}"));
                output.Flush();
                if (details is not null)
                {
                    (double bytes, double parallelShare, double waitingShare) = Profile(step);
                    double gflops = flops / (ms * 1e6);
                    details.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"# {name,-36} {flops / 1e9,10:F3} {gflops,9:F1} {(flops == 0 ? "-" : (100 * gflops / peak).ToString("F0", CultureInfo.InvariantCulture) + " %"),10} {bytes / 1024,19:F1} {100 * parallelShare,15:F0} {100 * waitingShare,10:F0}"));
                    if (ClipFloats(name) is int floats)
                    {
                        (double bound, double bandwidth) = MemoryBound.ForClip(floats);
                        details.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"# bound {name}: {bound:F3} ms (12 bytes a value at {bandwidth:F1} GB/s, the same passes as plain vector loops); the clip takes {ms / bound:F2}x the bound"));
                    }

                    details.Flush();
                }
            }
        }
    }

    /// <summary>
    /// The useful floating-point work of a training step of a recurrent model with a linear head: the matrix products
    /// forward (input projection 2·B·T·I·G·H, recurrence 2·B·T·H·G·H, head 2·rows·H·O) and twice as much backward (the
    /// gradients of the inputs and of the weights), 3× in all. Elementwise work is not counted.
    /// </summary>
    private static double RecurrentFlops(int gates, int input, int hidden, int batch, int steps, int outputs, bool everyStep)
    {
        double rows = (double)batch * steps;
        double recurrent = 2 * rows * gates * hidden * (input + hidden);
        double head = 2 * (everyStep ? rows : batch) * hidden * outputs;
        return 3 * (recurrent + head);
    }

    /// <summary>
    /// Over 10 repetitions in the steady state: the bytes allocated per repetition (every thread), the share of the wall
    /// time spent in calls on all cores (<see cref="CoreTeam"/>: the time loops' batch blocks, the large GEMMs), and the
    /// share of those calls' core time that a core spent done and waiting for the other (<see cref="CoreTeam.Totals"/>).
    /// </summary>
    private static (double Bytes, double ParallelShare, double WaitingShare) Profile(Action step)
    {
        step();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        CoreTeam.Balance team = CoreTeam.Totals;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 10; i++)
        {
            step();
        }

        long elapsed = Stopwatch.GetTimestamp() - start;
        CoreTeam.Balance calls = CoreTeam.Totals.Since(team);
        return ((GC.GetTotalAllocatedBytes(precise: true) - before) / 10.0, (double)calls.WallTicks / elapsed, calls.WaitingShare);
    }

    /// <summary>The median of <paramref name="reps"/> timings after <paramref name="warmup"/> untimed runs.</summary>
    public static double MedianMilliseconds(Action step, int reps = 15, int warmup = 3)
    {
        for (int i = 0; i < warmup; i++)
        {
            step();
        }

        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            step();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[reps / 2];
    }

    private static Action SequenceRegression(string cell, int hidden, int batch, int steps)
    {
        var random = new MersenneTwister(0);
        RecurrentLayer rnn = cell switch
        {
            "lstm" => new Lstm(2, hidden, batchFirst: true, random: random),
            "gru" => new Gru(2, hidden, batchFirst: true, random: random),
            _ => new Rnn(2, hidden, batchFirst: true, random: random),
        };
        var head = new Linear(hidden, 1, random: random);
        Tensor[] parameters = [.. rnn.Parameters(), .. head.Parameters()];
        var adam = new Adam(parameters, learningRate: 1e-3f);
        var clip = new ClipByGlobalNorm(1f);
        Tensor x = Tensor.RandomUniform([batch, steps, 2], random);
        Tensor y = Tensor.RandomUniform([batch, 1], random);
        return () =>
        {
            using var scope = TensorScope.Open();
            adam.ZeroGrad();
            Tensor output = rnn.Forward(x);
            Tensor loss = Losses.Mse(head.Forward(output.Select(1, -1)), y);
            loss.Backward();
            clip.Clip(parameters);
            adam.Step();
        };
    }

    private static Action CharLm(int vocab, int embed, int hidden, int batch, int steps)
    {
        var random = new MersenneTwister(0);
        var embedding = new Embedding(vocab, embed, random);
        var lstm = new Lstm(embed, hidden, batchFirst: true, random: random);
        var head = new Linear(hidden, vocab, random: random);
        Tensor[] parameters = [.. embedding.Parameters(), .. lstm.Parameters(), .. head.Parameters()];
        var adam = new Adam(parameters, learningRate: 1e-3f);
        var clip = new ClipByGlobalNorm(1f);
        int[] tokens = Enumerable.Range(0, batch * steps).Select(_ => random.Next(vocab)).ToArray();
        int[] targets = Enumerable.Range(0, batch * steps).Select(_ => random.Next(vocab)).ToArray();
        return () =>
        {
            using var scope = TensorScope.Open();
            adam.ZeroGrad();
            Tensor hiddenStates = lstm.Forward(embedding.Forward(tokens, [batch, steps]));
            Tensor logits = head.Forward(hiddenStates).Reshape(batch * steps, vocab);
            Tensor loss = Losses.CrossEntropy(logits, targets);
            loss.Backward();
            clip.Clip(parameters);
            adam.Step();
        };
    }

    /// <summary>The number of gradient values a clip workload holds (count × size in its name), or null for the others.</summary>
    private static int? ClipFloats(string name)
    {
        if (!name.StartsWith("clip-", StringComparison.Ordinal))
        {
            return null;
        }

        string[] shape = name[(name.LastIndexOf('-') + 1)..].Split('x');
        return int.Parse(shape[0], CultureInfo.InvariantCulture) * int.Parse(shape[1], CultureInfo.InvariantCulture);
    }

    private static Action GlobalNormClip(int count, int size)
    {
        var parameters = new Tensor[count];
        for (int i = 0; i < count; i++)
        {
            parameters[i] = Tensor.Zeros([size], requiresGrad: true);
            parameters[i].Grad = Tensor.RandomNormal([size], seed: i);
        }

        var clip = new ClipByGlobalNorm(1f);
        return () => clip.Clip(parameters);
    }

    private static Action Gemm(int m, int k, int n)
    {
        Tensor a = Tensor.RandomUniform([m, k], seed: 1);
        Tensor b = Tensor.RandomUniform([k, n], seed: 2);
        return () =>
        {
            using var scope = TensorScope.Open();   // C's array serves the next repetition, as in a training step
            a.MatMul(b);
        };
    }
}
