using System.Text.Json;
using MiniNet.Autograd;
using MiniNet.Optimizers;
using Xunit;

namespace MiniNet.Optimizers.Tests;

/// <summary>Each schedule gives PyTorch's scheduler's learning rate at every one of 100 steps.</summary>
public sealed class ScheduleFixtureTests
{
    public static TheoryData<string> Cases() => new(OptimizerFixtures.Names("schedule"));

    internal static LrSchedule Create(string name, Optimizer optimizer) => name switch
    {
        "constant" => new ConstantLr(optimizer, factor: 0.5, totalIters: 5),
        "step" => new StepLr(optimizer, stepSize: 10, gamma: 0.5),
        "exponential" => new ExponentialLr(optimizer, gamma: 0.95),
        "cosine" => new CosineAnnealingLr(optimizer, tMax: 30, etaMin: 0.001),
        "warmup_cosine" => new LinearWarmup(optimizer, warmupSteps: 10, startFactor: 0.1, then: new CosineAnnealingLr(optimizer, tMax: 90)),
        "plateau_min_rel" => new ReduceLrOnPlateau(optimizer, factor: 0.5, patience: 3, threshold: 1e-4, cooldown: 2, minLr: 0.005),
        "plateau_max_abs" => new ReduceLrOnPlateau(optimizer, PlateauMode.Max, factor: 0.2, patience: 2, threshold: 0.01, relativeThreshold: false),
        _ => throw new InvalidOperationException($"No MiniNet schedule for '{name}'."),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Learning_rate_matches_PyTorch_for_100_steps(string name)
    {
        JsonElement c = OptimizerFixtures.Cases[name];
        double[] rates = c.GetProperty("rates").EnumerateArray().Select(r => r.GetDouble()).ToArray();
        float[] metrics = c.GetProperty("metrics").EnumerateArray().Select(m => m.GetSingle()).ToArray();
        var optimizer = new Sgd([Tensor.Zeros([1], requiresGrad: true)], learningRate: 0.1f);
        LrSchedule schedule = Create(name, optimizer);

        for (int t = 0; t <= 100; t++)
        {
            if (t > 0)
            {
                optimizer.Step();
                schedule.Step(metrics.Length > 0 ? metrics[t - 1] : null);
            }

            double actual = optimizer.LearningRate;
            if (!(Math.Abs(actual - rates[t]) <= 1e-9 + (1e-6 * rates[t])))
            {
                throw new Xunit.Sdk.XunitException($"{name}: at step {t} the learning rate is {actual:G9}, PyTorch has {rates[t]:G9}.");
            }
        }
    }
}
