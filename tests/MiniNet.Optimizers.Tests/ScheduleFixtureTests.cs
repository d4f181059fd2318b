using System.Text.Json;
using MiniNet.Autograd;
using MiniNet.Optimizers;
using Xunit;

namespace MiniNet.Optimizers.Tests;

/// <summary>Each schedule gives PyTorch's scheduler's learning rate at every one of 100 steps.</summary>
public sealed class ScheduleFixtureTests
{
    public static TheoryData<string> Cases() => new(OptimizerFixtures.Names("schedule"));

    /// <summary>The schedules of a case, each stepped every step (two for the cases that chain schedules by hand).</summary>
    internal static LrSchedule[] Create(string name, Optimizer optimizer) => name switch
    {
        "chained_step_exponential" => [new StepLr(optimizer, stepSize: 5, gamma: 0.5), new ExponentialLr(optimizer, gamma: 0.9)],
        "cosine_restart_chained" => [new CosineAnnealingLr(optimizer, tMax: 20, etaMin: 0.01), new StepLr(optimizer, stepSize: 30, gamma: 0.5)],
        _ => [CreateOne(name, optimizer)],
    };

    private static LrSchedule CreateOne(string name, Optimizer optimizer) => name switch
    {
        "constant" => new ConstantLr(optimizer, factor: 0.5, totalIters: 5),
        "step" => new StepLr(optimizer, stepSize: 10, gamma: 0.5),
        "exponential" => new ExponentialLr(optimizer, gamma: 0.95),
        "cosine" => new CosineAnnealingLr(optimizer, tMax: 30, etaMin: 0.001),
        "warmup_cosine" => new SequentialLr(optimizer, [new LinearLr(optimizer, startFactor: 0.1, totalIters: 10), new CosineAnnealingLr(optimizer, tMax: 90)], [10]),
        "plateau_min_rel" => new ReduceLrOnPlateau(optimizer, factor: 0.5, patience: 3, threshold: 1e-4, cooldown: 2, minLr: 0.005),
        "plateau_max_abs" => new ReduceLrOnPlateau(optimizer, PlateauMode.Max, factor: 0.2, patience: 2, threshold: 0.01, relativeThreshold: false),
        "chained_scheduler" => new ChainedScheduler(new ConstantLr(optimizer, factor: 0.5, totalIters: 4), new ExponentialLr(optimizer, gamma: 0.97),
            new MultiStepLr(optimizer, [30, 60], gamma: 0.5)),
        "warm_restarts" => new CosineAnnealingWarmRestarts(optimizer, t0: 15, etaMin: 0.005),
        "warm_restarts_mult" => new CosineAnnealingWarmRestarts(optimizer, t0: 5, tMult: 2, etaMin: 0.001),
        "onecycle_sgd" => new OneCycleLr(optimizer, maxLr: 0.5, totalSteps: 100),
        "onecycle_adam_linear_three_phase" => new OneCycleLr(optimizer, maxLr: 0.01, totalSteps: 100, pctStart: 0.25, annealStrategy: AnnealStrategy.Linear,
            baseMomentum: 0.8, maxMomentum: 0.9, threePhase: true),
        "cyclic_sgd_triangular2" => new CyclicLr(optimizer, baseLr: 0.01, maxLr: 0.1, stepSizeUp: 10, mode: CyclicMode.Triangular2),
        "cyclic_sgd_exp_range_uneven" => new CyclicLr(optimizer, baseLr: 0.02, maxLr: 0.2, stepSizeUp: 7, stepSizeDown: 13, mode: CyclicMode.ExpRange,
            gamma: 0.99, baseMomentum: 0.7, maxMomentum: 0.95),
        "multistep" => new MultiStepLr(optimizer, [10, 25, 25, 70], gamma: 0.5),
        "linear_decay" => new LinearLr(optimizer, startFactor: 1.0, endFactor: 0.2, totalIters: 40),
        "polynomial" => new PolynomialLr(optimizer, totalIters: 60, power: 2.0),
        "lambda" => new LambdaLr(optimizer, t => 1.0 / (1.0 + (0.05 * t))),
        "sequential_three" => new SequentialLr(optimizer,
            [new ConstantLr(optimizer, factor: 0.25, totalIters: 100), new ExponentialLr(optimizer, gamma: 0.9), new StepLr(optimizer, stepSize: 7, gamma: 0.5)], [10, 40]),
        _ => throw new InvalidOperationException($"No MiniNet schedule for '{name}'."),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Learning_rate_matches_PyTorch_for_100_steps(string name)
    {
        JsonElement c = OptimizerFixtures.Cases[name];
        double[] rates = c.GetProperty("rates").EnumerateArray().Select(r => r.GetDouble()).ToArray();
        float[] metrics = c.GetProperty("metrics").EnumerateArray().Select(m => m.GetSingle()).ToArray();
        Optimizer optimizer = OptimizerFor(name, Tensor.Zeros([1], requiresGrad: true));
        LrSchedule[] schedules = Create(name, optimizer);
        double[]? momenta = c.TryGetProperty("momenta", out JsonElement m) ? [.. m.EnumerateArray().Select(v => v.GetDouble())] : null;

        for (int t = 0; t <= 100; t++)
        {
            if (t > 0)
            {
                optimizer.Step();
                foreach (LrSchedule schedule in schedules)
                {
                    schedule.Step(metrics.Length > 0 ? metrics[t - 1] : null);
                }
            }

            double actual = optimizer.Groups[0].ExactLearningRate;
            if (!(Math.Abs(actual - rates[t]) <= 1e-9 + (1e-6 * Math.Abs(rates[t]))))
            {
                throw new Xunit.Sdk.XunitException($"{name}: at step {t} the learning rate is {actual:G9}, PyTorch has {rates[t]:G9}.");
            }

            float? momentum = optimizer is AdamOptimizer ? optimizer.Groups[0].Beta1 : optimizer.Groups[0].Momentum;
            if (momenta is not null && !(Math.Abs((momentum ?? float.NaN) - momenta[t]) <= 1e-6))
            {
                throw new Xunit.Sdk.XunitException($"{name}: at step {t} the momentum is {momentum:G9}, PyTorch has {momenta[t]:G9}.");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resuming_at_step_37_from_saved_state_continues_with_PyTorch_rates(string name)
    {
        JsonElement c = OptimizerFixtures.Cases[name];
        double[] rates = c.GetProperty("rates").EnumerateArray().Select(r => r.GetDouble()).ToArray();
        float[] metrics = c.GetProperty("metrics").EnumerateArray().Select(m => m.GetSingle()).ToArray();
        Tensor w = Tensor.Zeros([1], requiresGrad: true);
        w.Name = "w";
        Optimizer before = OptimizerFor(name, w);
        LrSchedule[] first = Create(name, before);
        for (int t = 1; t <= 37; t++)
        {
            StepAll(before, first, metrics, t);
        }

        (IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata) = before.ExportState();
        IReadOnlyDictionary<string, string>[] states = [.. first.Select(s => s.GetState())];

        Optimizer after = OptimizerFor(name, w);
        LrSchedule[] resumed = Create(name, after);
        after.ImportState(tensors.ToDictionary(t => t.Name, t => t.Tensor), metadata, "state");
        for (int i = 0; i < resumed.Length; i++)
        {
            resumed[i].LoadState(states[i]);
        }

        for (int t = 38; t <= 100; t++)
        {
            StepAll(after, resumed, metrics, t);
            double actual = after.Groups[0].ExactLearningRate;
            if (!(Math.Abs(actual - rates[t]) <= 1e-9 + (1e-6 * Math.Abs(rates[t]))))
            {
                throw new Xunit.Sdk.XunitException($"{name}: resumed at 37, at step {t} the learning rate is {actual:G9}, PyTorch has {rates[t]:G9}.");
            }
        }
    }

    /// <summary>The fixture's optimizer: Adam for the Adam cases, SGD (momentum 0.9 for the SGD cases) for the rest, lr 0.1.</summary>
    private static Optimizer OptimizerFor(string name, Tensor parameter) => name.Contains("adam", StringComparison.Ordinal)
        ? new Adam([parameter], learningRate: 0.1f)
        : new Sgd([parameter], learningRate: 0.1f, momentum: name.Contains("sgd", StringComparison.Ordinal) ? 0.9f : 0f);

    private static void StepAll(Optimizer optimizer, LrSchedule[] schedules, float[] metrics, int t)
    {
        optimizer.Step();
        foreach (LrSchedule schedule in schedules)
        {
            schedule.Step(metrics.Length > 0 ? metrics[t - 1] : null);
        }
    }
}
