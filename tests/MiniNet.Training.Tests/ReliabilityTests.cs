using System.Diagnostics;
using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Kernels;
using MiniNet.Serialization;
using MiniNet.Training;
using Xunit;
using Xunit.Abstractions;

namespace MiniNet.Training.Tests;

/// <summary>Exact resume, atomic and validated checkpoints, fuzzed readers, determinism per GEMM backend, anomaly mode.</summary>
[Collection("Reliability")]
public sealed class ReliabilityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-reliability-").FullName;

    private static readonly TrainingConfig Config = new(Task: "adding", Model: "lstm", Hidden: 12, SequenceLength: 12, Batch: 16,
        Optimizer: "adam", LearningRate: 0.01f, Steps: 100, Seed: 3, Clip: "skip-nonfinite+autoclip:50", Schedule: "cosine", EvalEvery: 25, EvalBatch: 64);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Resumed_training_is_bit_identical_to_uninterrupted_training()
    {
        string straight = Path.Combine(_folder, "straight.safetensors");
        RunResult full = Trainer.Run(Config, new TrainingOptions(straight, CheckpointEvery: 100));

        string halfway = Path.Combine(_folder, "halfway.safetensors");
        using var stop = new CancellationTokenSource();
        Trainer.Run(Config, new TrainingOptions(halfway, CheckpointEvery: 50), progress: new StopAfter(50, stop), cancellation: stop.Token);
        Checkpoint.Load(halfway).Step.Should().Be(50);

        string resumedFile = Path.Combine(_folder, "resumed.safetensors");
        RunResult resumed = Trainer.Run(Config, new TrainingOptions(resumedFile, CheckpointEvery: 100, ResumeFrom: halfway));

        resumed.Rows.Select(r => r.Step).Should().Equal(Enumerable.Range(51, 50));
        resumed.Rows.Select(r => (r.Loss, r.GradNormBefore, r.GradNormAfter, r.LearningRate))
            .Should().Equal(full.Rows.Skip(50).Select(r => (r.Loss, r.GradNormBefore, r.GradNormAfter, r.LearningRate)));
        resumed.FinalTestLoss.Should().Be(full.FinalTestLoss);
        CheckpointState a = Checkpoint.Load(straight), b = Checkpoint.Load(resumedFile);
        foreach ((string name, Tensor tensor) in a.Model)
        {
            b.Model[name].Data.Should().Equal(tensor.Data, $"parameter {name} after 100 steps");
        }

        b.ClipperState.Should().Equal(a.ClipperState, "the AutoClip history continues exactly");
    }

    [Fact]
    public void A_write_that_fails_midway_leaves_the_previous_checkpoint_intact()
    {
        string path = Path.Combine(_folder, "ckpt.safetensors");
        Trainer.Run(Config with { Steps = 5 }, new TrainingOptions(path, CheckpointEvery: 5));
        byte[] before = File.ReadAllBytes(path);

        IEnumerable<(string, Tensor)> Failing()
        {
            yield return ("a", Tensor.Ones([1000]));
            throw new IOException("disk full (simulated)");
        }

        Action crash = () => Safetensors.Write(Failing(), path);
        crash.Should().Throw<IOException>().WithMessage("disk full (simulated)");
        File.ReadAllBytes(path).Should().Equal(before);
        Directory.GetFiles(_folder).Should().ContainSingle("no temporary file is left behind");
    }

    [Fact]
    public void Thousands_of_mutated_checkpoints_are_each_loaded_or_rejected_cleanly()
    {
        string path = Path.Combine(_folder, "good.safetensors");
        Trainer.Run(Config with { Steps = 3, Hidden = 4 }, new TrainingOptions(path, CheckpointEvery: 3));
        byte[] good = File.ReadAllBytes(path);
        var random = new Random(20261121);
        string mutated = Path.Combine(_folder, "mutated.safetensors");
        int loaded = 0, rejected = 0;
        var clock = Stopwatch.StartNew();
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] bytes = Mutate(good, random);
            File.WriteAllBytes(mutated, bytes);
            try
            {
                CheckpointState state = Checkpoint.Load(mutated);
                Trainer.Run(state.Config, new TrainingOptions(ResumeFrom: mutated)); // restoring must also fail cleanly or work
                loaded++;
            }
            catch (InvalidDataException e)
            {
                e.Message.Should().Contain(mutated);
                rejected++;
            }
        }

        output.WriteLine($"3000 mutated checkpoints: {loaded} loaded (mutations inside float data or harmless), {rejected} rejected, in {clock.Elapsed.TotalSeconds:F1} s");
        rejected.Should().BeGreaterThan(1000);
    }

    private static byte[] Mutate(byte[] good, Random random)
    {
        byte[] bytes = (byte[])good.Clone();
        switch (random.Next(6))
        {
            case 0: // flip a few random bits anywhere
                for (int i = random.Next(1, 8); i > 0; i--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 1: // truncate
                return bytes[..random.Next(bytes.Length)];
            case 2: // lie about the header length
                BitConverter.GetBytes(random.NextInt64()).CopyTo(bytes, 0);
                return bytes;
            case 3: // overwrite a stretch of the header with random printable text
                int start = 8 + random.Next(Math.Max(1, BitConverter.ToInt32(bytes, 0)));
                for (int i = start; i < Math.Min(bytes.Length, start + random.Next(1, 40)); i++)
                {
                    bytes[i] = (byte)random.Next(32, 127);
                }

                return bytes;
            case 4: // random bytes of the same length
                random.NextBytes(bytes);
                return bytes;
            default: // append garbage
                byte[] tail = new byte[random.Next(1, 64)];
                random.NextBytes(tail);
                return [.. bytes, .. tail];
        }
    }

    [Fact]
    public void The_same_seed_gives_identical_metrics_on_each_GEMM_backend()
    {
        var backends = new List<GemmBackendKind> { GemmBackendKind.Managed };
        if (KernelOptions.OpenBlasAvailable)
        {
            backends.Add(GemmBackendKind.OpenBlas);
        }

        foreach (GemmBackendKind backend in backends)
        {
            RunResult first, second;
            using (KernelOptions.Use(KernelOptions.Default with { Gemm = backend }))
            {
                first = Trainer.Run(Config with { Steps = 30 });
                second = Trainer.Run(Config with { Steps = 30 });
            }

            second.Rows.Select(r => (r.Loss, r.GradNormBefore)).Should().Equal(first.Rows.Select(r => (r.Loss, r.GradNormBefore)), $"backend {backend}");
        }
    }

    [Fact]
    public void Anomaly_mode_names_the_first_op_that_produced_NaN_or_infinity()
    {
        Tensor w = Tensor.FromArray([1f, -1f], requiresGrad: true);
        w.Name = "w";
        using (Anomaly.Scope())
        {
            Action forward = () => w.Log();
            forward.Should().Throw<AnomalyException>().WithMessage("Anomaly: the forward pass of Log produced NaN*inputs are [2] 'w'*")
                .Which.InBackward.Should().BeFalse();

            Tensor zero = Tensor.FromArray([0f, 4f], requiresGrad: true);
            zero.Name = "z";
            Action backward = () => zero.Sqrt().Sum().Backward();
            backward.Should().Throw<AnomalyException>().WithMessage("Anomaly: the backward pass of Sqrt*an infinity in the gradient of 'z'*")
                .Which.Op.Should().Be("Sqrt");
        }

        Tensor quiet = Tensor.FromArray([-1f]).Log();
        float.IsNaN(quiet.Item()).Should().BeTrue("off by default, like PyTorch");
    }

    [Fact]
    public void Anomaly_mode_in_training_reports_the_step()
    {
        RunResult run = Trainer.Run(Config with { Optimizer = "sgd", LearningRate = 1e30f, Clip = "none", Schedule = "none", Steps = 20 }, new TrainingOptions(DetectAnomaly: true));
        run.Status.Should().Be(RunStatus.Anomaly);
        run.AnomalyMessage.Should().Match("*at training step *");
        run.AnomalyOp.Should().NotBeNullOrEmpty();
        run.AnomalyParameters.Should().NotBeEmpty().And.OnlyContain(p => p.Contains("lstm.") || p.Contains("head."), "it names the model's parameters");
        run.Verdict.Should().Contain(run.AnomalyOp!).And.Contain(run.AnomalyParameters[0]);
    }

    /// <summary>Stops a run after a number of steps (the trainer checks the token before each step), like a crash.</summary>
    private sealed class StopAfter(int steps, CancellationTokenSource source) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step >= steps)
            {
                source.Cancel();
            }
        }
    }
}

[CollectionDefinition("Reliability", DisableParallelization = true)]
public sealed class ReliabilityCollection
{
}

/// <summary>A 100,000-step run with a bounded history (as the command line keeps) holds its memory flat: the full record is streamed, the in-memory history is bounded.</summary>
[Collection("Reliability")]
public sealed class LongRunTests(ITestOutputHelper output)
{
    [Fact]
    public void A_hundred_thousand_steps_keep_the_managed_heap_flat()
    {
        var config = new TrainingConfig(Task: "adding", Model: "rnn", Hidden: 8, SequenceLength: 5, Batch: 8, Optimizer: "adam", LearningRate: 1e-3f,
            Steps: 100_000, EvalEvery: 10_000, EvalBatch: 32, Clip: "global-norm:1");
        long atThousand = 0;
        var progress = new AtStep(1000, () => atThousand = GC.GetTotalMemory(forceFullCollection: true));
        RunResult run = Trainer.Run(config, new TrainingOptions(HistoryCapacity: RunFolder.ReportRows), progress: progress);
        long atEnd = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed heap at step 1,000: {atThousand / 1048576.0:F2} MiB; at step 100,000: {atEnd / 1048576.0:F2} MiB; " +
                         $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB; rows kept {run.Rows.Count}");
        run.StepsRun.Should().Be(100_000);
        run.Rows.Count.Should().BeLessThanOrEqualTo(RunFolder.ReportRows + 10);
        run.RowsThinned.Should().BeTrue("the result says its rows were thinned");
        run.Rows[^1].Step.Should().Be(100_000);
        (atEnd - atThousand).Should().BeLessThan(8 * 1024 * 1024, "a long run must not grow with its number of steps");
    }

    private sealed class AtStep(int step, Action action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == step)
            {
                action();
            }
        }
    }
}
