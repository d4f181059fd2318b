using System.Text.Json;
using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Optimizers;
using Xunit;

namespace MiniNet.Optimizers.Tests;

/// <summary>Save after 20 steps, load into a fresh optimizer, run 30 more: bit-identical to 50 uninterrupted steps.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mininet-optimizer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Cases() => new(OptimizerFixtures.Names("optimizer"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resumed_run_is_bit_identical(string name)
    {
        JsonElement c = OptimizerFixtures.Cases[name];
        Tensor[] a = c.GetProperty("a").EnumerateArray().Select(e => OptimizerFixtures.ReadTensor(e)).ToArray();
        Tensor[] b = c.GetProperty("b").EnumerateArray().Select(e => OptimizerFixtures.ReadTensor(e)).ToArray();

        Tensor[] straight = OptimizerFixtures.Parameters(c);
        Optimizer uninterrupted = OptimizerFixtures.Create(c, straight);
        LrSchedule straightSchedule = new StepLr(uninterrupted, stepSize: 7, gamma: 0.7);
        Run(uninterrupted, straightSchedule, straight, a, b, 50);

        Tensor[] first = OptimizerFixtures.Parameters(c);
        Optimizer before = OptimizerFixtures.Create(c, first);
        LrSchedule beforeSchedule = new StepLr(before, stepSize: 7, gamma: 0.7);
        Run(before, beforeSchedule, first, a, b, 20);
        string path = Path.Combine(_folder, $"{name}.safetensors");
        before.SaveState(path);
        IReadOnlyDictionary<string, string> scheduleState = beforeSchedule.GetState();

        Tensor[] resumed = OptimizerFixtures.Parameters(c); // a fresh process: parameters restored from the model's own checkpoint
        for (int k = 0; k < resumed.Length; k++)
        {
            first[k].Data.CopyTo(resumed[k].Data, 0);
        }

        Optimizer after = OptimizerFixtures.Create(c, resumed);
        after.LoadState(path);
        LrSchedule afterSchedule = new StepLr(after, stepSize: 7, gamma: 0.7);
        afterSchedule.LoadState(scheduleState);
        Run(after, afterSchedule, resumed, a, b, 30);

        for (int k = 0; k < straight.Length; k++)
        {
            resumed[k].Data.Should().Equal(straight[k].Data, $"{name}: parameter p{k} after 20 + resume + 30 steps");
        }
    }

    [Fact]
    public void Plateau_schedule_state_round_trips()
    {
        var optimizer = new Sgd([Named(Tensor.Zeros([1], requiresGrad: true), "w")], learningRate: 0.1f);
        var schedule = new ReduceLrOnPlateau(optimizer, patience: 1, cooldown: 1);
        foreach (float metric in new[] { 1f, 0.9f, 0.9f, 0.9f })
        {
            schedule.Step(metric);
        }

        var copy = new ReduceLrOnPlateau(new Sgd([Named(Tensor.Zeros([1], requiresGrad: true), "w")], learningRate: 0.1f), patience: 1, cooldown: 1);
        copy.LoadState(schedule.GetState());
        copy.GetState().Should().Equal(schedule.GetState());
    }

    [Fact]
    public void Loading_state_of_another_optimizer_type_is_refused()
    {
        Tensor w = Named(Tensor.Ones([2], requiresGrad: true), "w");
        var sgd = new Sgd([w], learningRate: 0.1f, momentum: 0.9f);
        w.Grad = Tensor.Ones([2]);
        sgd.Step();
        string path = Path.Combine(_folder, "sgd.safetensors");
        sgd.SaveState(path);
        Action act = () => new Adam([w]).LoadState(path);
        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' holds Sgd state, not Adam state.");
    }

    [Fact]
    public void Saving_needs_named_parameters()
    {
        var sgd = new Sgd([Tensor.Ones([2], requiresGrad: true)]);
        Action act = () => sgd.SaveState(Path.Combine(_folder, "x.safetensors"));
        act.Should().Throw<InvalidOperationException>().WithMessage("*a parameter is unnamed*Module's Parameters()*");
    }

    private static Tensor Named(Tensor t, string name)
    {
        t.Name = name;
        return t;
    }

    private static void Run(Optimizer optimizer, LrSchedule schedule, Tensor[] parameters, Tensor[] a, Tensor[] b, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            optimizer.ZeroGrad();
            OptimizerFixtures.SetGradients(parameters, a, b);
            optimizer.Step();
            schedule.Step();
        }
    }
}

/// <summary>Restored optimizer state is checked: a missing or extra buffer, a bad rate or an impossible step count is refused by name.</summary>
public sealed class StateValidationTests
{
    private static (Adam Adam, IReadOnlyList<(string Name, Tensor Tensor)> Tensors, Dictionary<string, string> Metadata) Saved()
    {
        Tensor w = Tensor.Ones([3], requiresGrad: true);
        w.Name = "w";
        var adam = new Adam([w], 0.1f);
        w.Grad = Tensor.Ones([3]);
        adam.Step();
        (IReadOnlyList<(string, Tensor)> tensors, IReadOnlyDictionary<string, string> metadata) = adam.ExportState();
        return (adam, tensors, new Dictionary<string, string>(metadata));
    }

    [Fact]
    public void A_missing_buffer_is_an_error_not_a_buffer_of_zeros()
    {
        (Adam adam, IReadOnlyList<(string Name, Tensor Tensor)> tensors, Dictionary<string, string> metadata) = Saved();
        var withoutOne = tensors.Where(t => t.Name != "w.exp_avg_sq").ToDictionary(t => t.Name, t => t.Tensor);
        Action import = () => adam.ImportState(withoutOne, metadata, "ckpt");
        import.Should().Throw<InvalidDataException>().WithMessage("'ckpt' lacks the Adam buffer 'w.exp_avg_sq'; every updated parameter needs exp_avg, exp_avg_sq.");
    }

    [Theory]
    [InlineData("group.0.lr", "-1e30", "has the learning rate -1e30")]
    [InlineData("group.0.lr", "Infinity", "has the learning rate Infinity")]
    [InlineData("group.0.initial_lr", "NaN", "has the learning rate 0.10000000149011612 (initial NaN) for parameter group 0")]
    [InlineData("step.w", "9223372036854775807", "has the step count 9223372036854775807 for 'w' (key 'step.w'), outside 1 to 100")]
    [InlineData("step.w", "0", "has the step count 0 for 'w'")]
    public void Bad_rates_and_impossible_step_counts_are_errors_naming_the_key(string key, string value, string expected)
    {
        (Adam adam, IReadOnlyList<(string Name, Tensor Tensor)> tensors, Dictionary<string, string> metadata) = Saved();
        metadata[key] = value;
        Action import = () => adam.ImportState(tensors.ToDictionary(t => t.Name, t => t.Tensor), metadata, "ckpt", maxStep: 100);
        import.Should().Throw<InvalidDataException>().WithMessage($"'ckpt' {expected}*");
    }
}
