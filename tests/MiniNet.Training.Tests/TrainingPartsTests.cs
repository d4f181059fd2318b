using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Optimizers;
using MiniNet.Training;
using Xunit;

namespace MiniNet.Training.Tests;

/// <summary>The Trainer takes objects: a custom clipper, model, task or optimizer in place of a name, and returns the trained model.</summary>
public sealed class TrainingPartsTests
{
    private static readonly TrainingConfig Small = new(Hidden: 8, SequenceLength: 8, Batch: 16, Steps: 30, EvalEvery: 10, EvalBatch: 50, Optimizer: "sgd", LearningRate: 0.5f);

    /// <summary>Halves every gradient and counts its calls.</summary>
    private sealed class Halving : IGradientClipper
    {
        public int Calls { get; private set; }

        public ClipReport Clip(IReadOnlyList<Tensor> parameters)
        {
            Calls++;
            float before = GradientNorms.Total(parameters);
            foreach (Tensor p in parameters)
            {
                for (int i = 0; i < p.Length; i++)
                {
                    p.Grad!.Data[i] *= 0.5f;
                }
            }

            return new ClipReport(before, before * 0.5f, 0.5f, SkipStep: false, PerParameter: []);
        }

        public override string ToString() => "halving";
    }

    [Fact]
    public void A_custom_clipper_runs_every_step_and_names_the_run()
    {
        var clipper = new Halving();
        RunResult run = Trainer.Run(Small, new TrainingParts(Clipper: clipper));
        clipper.Calls.Should().Be(30);
        run.Name.Should().Be("halving");
        run.Config.Clip.Should().Be("halving", "reports label the run with the object's name");
        run.ClipFraction.Should().Be(1);
        run.Rows.Should().OnlyContain(r => Math.Abs(r.GradNormAfter - (0.5f * r.GradNormBefore)) <= 1e-5f * r.GradNormBefore);
        HtmlReport.ForRuns("custom", [run]).Should().Contain("halving");
    }

    [Fact]
    public void A_custom_clipper_gives_the_same_run_as_the_built_in_stage_it_reimplements()
    {
        RunResult builtIn = Trainer.Run(Small with { Clip = "global-norm:0.5" });
        RunResult asObject = Trainer.Run(Small, new TrainingParts(Clipper: new ClipByGlobalNorm(0.5f)));
        asObject.Rows.Select(r => r.Loss).Should().Equal(builtIn.Rows.Select(r => r.Loss));
        asObject.Config.Clip.Should().Be(builtIn.Config.Clip, "a built-in stage's ToString is its spec");
    }

    [Fact]
    public void Custom_model_task_and_optimizer_are_used_and_the_trained_model_comes_back()
    {
        ISequenceModel? built = null;
        int optimizers = 0;
        var parts = new TrainingParts(
            Task: new AddingTask(6),
            Model: (task, random) => built = new SequenceModel("rnn", task.InputSize, 4, 1, task.OutputSize, task.Readout, random),
            Optimizer: (parameters, lr) => { optimizers++; return new Sgd(parameters, lr); });
        RunResult run = Trainer.Run(Small with { Model = "custom-rnn", Task = "custom-adding" }, parts, "mine");
        optimizers.Should().Be(1);
        run.Model.Should().BeSameAs(built);
        run.Task.SequenceLength.Should().Be(6);
        run.Rows.Should().HaveCount(30);
        Trainer.Evaluate(run.Model!, run.Task, run.Task.Sample(50, new Random(3))).Loss.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Names_replaced_by_objects_are_not_checked_but_the_other_settings_are()
    {
        Action unknownClipName = () => Trainer.Run(Small with { Clip = "no-such-clipper" }, new TrainingParts(Clipper: new Halving()));
        unknownClipName.Should().NotThrow();
        Action badSteps = () => Trainer.Run(Small with { Steps = 0 }, new TrainingParts(Clipper: new Halving()));
        badSteps.Should().Throw<ArgumentException>().WithMessage("--steps 0 is invalid*");
    }

    [Fact]
    public void Every_step_is_kept_unless_a_capacity_is_asked_for_and_then_the_result_says_it_thinned()
    {
        RunResult all = Trainer.Run(Small);
        all.Rows.Should().HaveCount(30);
        all.RowsThinned.Should().BeFalse();
        all.Rows.Should().OnlyContain(r => r.PerParameter.Count == 0, "per-parameter norms are kept only on request");
        Trainer.Run(Small, new TrainingOptions(KeepParameterNorms: true)).Rows
            .Should().OnlyContain(r => r.PerParameter.Count == 6, "the LSTM's four tensors and the head's two");

        RunResult thinned = Trainer.Run(Small, new TrainingOptions(HistoryCapacity: 10));
        thinned.RowsThinned.Should().BeTrue();
        thinned.Rows.Count.Should().BeLessThanOrEqualTo(10 + 3);
    }

    [Fact]
    public void The_library_defaults_are_the_command_line_s()
    {
        var defaults = new TrainingConfig();
        (defaults.Batch, defaults.LearningRate, defaults.Clip, defaults.EvalEvery, defaults.Optimizer).Should().Be((64, 0.01f, "global-norm:1", 100, "adam"));
    }
}
