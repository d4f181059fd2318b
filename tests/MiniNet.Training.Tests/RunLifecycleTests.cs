using System.Diagnostics;
using System.Text;
using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Training;
using Xunit;
using Xunit.Abstractions;

namespace MiniNet.Training.Tests;

/// <summary>Resume without replay, whole-line metrics, atomic folder claims and the memory estimate.</summary>
[Collection("Reliability")]
public sealed class RunLifecycleTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-lifecycle-").FullName;

    private static readonly TrainingConfig Tiny = new(Task: "adding", Model: "lstm", Hidden: 4, SequenceLength: 5, Batch: 4,
        Optimizer: "adam", LearningRate: 0.01f, Steps: 100, Seed: 5, Clip: "global-norm:1", EvalEvery: 50, EvalBatch: 16);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_batch_stream_is_counter_based_so_any_step_can_be_drawn_directly()
    {
        ISequenceTask task = TaskCatalog.Create("adding", 10);
        TaskBatch direct = task.Sample(8, BatchStream.For(3, 1_000_000, 0));
        TaskBatch again = task.Sample(8, BatchStream.For(3, 1_000_000, 0));
        direct.Inputs.Data.Should().Equal(again.Inputs.Data);
        task.Sample(8, BatchStream.For(3, 1_000_001, 0)).Inputs.Data.Should().NotEqual(direct.Inputs.Data, "each step has its own batch");
        task.Sample(8, BatchStream.For(3, 1_000_000, 1)).Inputs.Data.Should().NotEqual(direct.Inputs.Data, "each micro-batch too");
        task.Sample(8, BatchStream.For(4, 1_000_000, 0)).Inputs.Data.Should().NotEqual(direct.Inputs.Data, "and each seed");
    }

    [Fact]
    public void Resuming_at_step_a_million_costs_what_resuming_at_step_100_costs()
    {
        string early = Path.Combine(_folder, "early.safetensors");
        Trainer.Run(Tiny, new TrainingOptions(early, CheckpointEvery: 100));
        CheckpointState state = Checkpoint.Load(early);
        string late = Path.Combine(_folder, "late.safetensors");
        Checkpoint.Save(late, state with { Step = 1_000_000, Config = state.Config with { Steps = 1_000_000 } });

        double Resume(string path, int steps)
        {
            var clock = Stopwatch.StartNew();
            RunResult run = Trainer.Run(Tiny, new TrainingOptions(ResumeFrom: path, ResumeSteps: steps));
            run.StepsRun.Should().Be(20);
            return clock.Elapsed.TotalMilliseconds;
        }

        Resume(early, 120); // warm up
        double atHundred = Resume(early, 120), atMillion = Resume(late, 1_000_020);
        output.WriteLine($"resume + 20 steps: {atHundred:F1} ms from step 100, {atMillion:F1} ms from step 1,000,000");
        atMillion.Should().BeLessThan((5 * atHundred) + 500, "nothing is replayed (the old replay drew 1,000,000 batches, several seconds)");
    }

    [Fact]
    public void Metrics_are_written_as_whole_lines_and_a_partial_last_line_is_dropped_by_readers()
    {
        string folder = Path.Combine(_folder, "m");
        Directory.CreateDirectory(folder);
        using (var metrics = new MetricsWriter(folder))
        {
            Trainer.Run(Tiny with { Steps = 30 }, new TrainingOptions(Metrics: metrics));
        }

        string csv = Path.Combine(folder, MetricsWriter.CsvName);
        File.ReadAllText(csv).Should().EndWith("\n");
        File.AppendAllText(csv, "global-norm:1,31,0.5,1,1,0.0"); // a process killed mid-row
        MetricsFile.ReadCsv(csv).Select(r => r.Row.Step).Should().Equal(Enumerable.Range(1, 30));

        MetricsFile.TruncateAfter(folder, 20);
        File.ReadAllLines(csv).Should().HaveCount(21).And.StartWith(MetricsWriter.CsvHeader);
        File.ReadAllText(csv).Should().EndWith("\n");
        File.ReadAllLines(Path.Combine(folder, MetricsWriter.JsonlName)).Should().HaveCount(20);
        MetricsFile.TruncateAfter(folder, 0);
        File.ReadAllLines(csv).Should().Equal(MetricsWriter.CsvHeader);
        File.ReadAllBytes(Path.Combine(folder, MetricsWriter.JsonlName)).Should().BeEmpty();
    }

    [Fact]
    public void A_checkpoint_is_written_only_after_the_metrics_up_to_its_step()
    {
        string folder = Path.Combine(_folder, "order");
        Directory.CreateDirectory(folder);
        string checkpoint = Path.Combine(folder, "checkpoint.safetensors");
        var seen = new List<(int Checkpoint, int Rows)>();
        using var metrics = new MetricsWriter(folder);
        var watcher = new Watch(() =>
        {
            if (File.Exists(checkpoint))
            {
                seen.Add((Checkpoint.Load(checkpoint).Step, MetricsFile.ReadCsv(Path.Combine(folder, MetricsWriter.CsvName)).Count));
            }
        });
        Trainer.Run(Tiny with { Steps = 40 }, new TrainingOptions(checkpoint, CheckpointEvery: 5, Metrics: metrics), progress: watcher);
        seen.Should().NotBeEmpty().And.OnlyContain(s => s.Rows >= s.Checkpoint, "metrics on disk are never behind the checkpoint");
    }

    [Fact]
    public void Fifty_pairs_of_claims_on_one_folder_never_both_win_and_generated_names_never_collide()
    {
        int collisions = 0, refusals = 0;
        for (int pair = 0; pair < 50; pair++)
        {
            string target = Path.Combine(_folder, "race", pair.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var claims = new RunFolderClaim?[2];
            using var start = new Barrier(2);
            Parallel.For(0, 2, i =>
            {
                start.SignalAndWait();
                try
                {
                    claims[i] = RunFolder.Claim(target, "unused");
                }
                catch (IOException)
                {
                    Interlocked.Increment(ref refusals);
                }
            });
            collisions += claims.Count(c => c is not null) == 2 ? 1 : 0;
            claims.Count(c => c is not null).Should().Be(1, $"pair {pair}: exactly one claim wins");
            foreach (RunFolderClaim? claim in claims)
            {
                claim?.Dispose();
            }
        }

        string previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(_folder);
        try
        {
            var paths = new System.Collections.Concurrent.ConcurrentBag<string>();
            var held = new System.Collections.Concurrent.ConcurrentBag<RunFolderClaim>();
            Parallel.For(0, 100, _ =>
            {
                RunFolderClaim claim = RunFolder.Claim(null, "same-second");
                held.Add(claim);
                paths.Add(claim.Path);
            });
            paths.Distinct().Should().HaveCount(100, "generated names never collide");
            foreach (RunFolderClaim claim in held)
            {
                claim.Dispose();
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }

        output.WriteLine($"50 racing pairs: {collisions} collisions, {refusals} refusals");
        collisions.Should().Be(0);
    }

    [Fact]
    public void A_claimed_folder_cannot_be_claimed_again_for_a_resume_and_orphan_temp_files_go()
    {
        using RunFolderClaim claim = RunFolder.Claim(Path.Combine(_folder, "held"), "unused");
        Action second = () => RunFolder.ClaimExisting(claim.Path);
        second.Should().Throw<IOException>().WithMessage("*is being written by another MiniNet process*");

        string other = Path.Combine(_folder, "orphans");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, ".checkpoint.safetensors.0123.tmp"), "half");
        File.WriteAllText(Path.Combine(other, "summary.json.4567.tmp"), "half");
        File.WriteAllText(Path.Combine(other, "metrics.csv"), MetricsWriter.CsvHeader + "\n");
        using (RunFolder.ClaimExisting(other))
        {
            Directory.GetFiles(other).Select(Path.GetFileName).Should().BeEquivalentTo("metrics.csv", RunFolder.LockName);
        }
    }

    [Theory]
    [InlineData(8192, 1, 100, 64, 500, "--hidden")] // the held-out batch dominates, but only a smaller model fits
    [InlineData(8192, 3, 2, 1, 500, "--hidden")]
    [InlineData(1, 1, 1_000_000, 1, 1000, "--eval-batch")] // 7.5 GB of held-out inputs (evaluated a sequence at a time)
    public void The_memory_estimate_refuses_what_does_not_fit_and_names_the_option_that_dominates(int hidden, int layers, int seqLen, int batch, int evalBatch, string option)
    {
        TrainingConfig config = Tiny with { Hidden = hidden, Layers = layers, SequenceLength = seqLen, Batch = batch, EvalBatch = evalBatch };
        config.Validate();
        Action check = () => MemoryEstimate.For(config).ThrowIfTooLarge(available: 4L << 30);
        check.Should().Throw<ArgumentException>().WithMessage($"This run needs about * but 4.0 GB is available; * dominates: {option} * would fit*");
    }

    [Fact]
    public void The_memory_estimate_is_an_upper_bound_of_what_a_run_really_allocates()
    {
        TrainingConfig config = Tiny with { Hidden = 64, SequenceLength = 200, Batch = 32, EvalBatch = 200, Steps = 3, EvalEvery = 1 };
        MemoryEstimate estimate = MemoryEstimate.For(config);
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        Trainer.Run(config);
        long allocatedPerStep = (GC.GetTotalAllocatedBytes(precise: true) - before) / 3;
        output.WriteLine($"estimate: peak {estimate.PeakBytes >> 20} MB (step {estimate.TrainingStepBytes >> 20} MB, eval {estimate.EvaluationBytes >> 20} MB); allocated per step with evaluation {allocatedPerStep >> 20} MB");
        estimate.PeakBytes.Should().BeGreaterThan(allocatedPerStep, "a step (its training and evaluation) never holds more than it allocates");
        estimate.PeakBytes.Should().BeLessThan(20 * Math.Max(allocatedPerStep, 1L << 20) + (64L << 20), "and the estimate is not absurdly loose");
    }

    private sealed class Watch(Action onStep) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onStep();
    }
}
