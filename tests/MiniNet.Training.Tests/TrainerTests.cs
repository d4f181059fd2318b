using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Testing;
using MiniNet.Training;
using Xunit;

namespace MiniNet.Training.Tests;

/// <summary>The trainer is deterministic, detects divergence, clips, and learns.</summary>
public sealed class TrainerTests
{
    private static readonly TrainingConfig Small = new(Task: "adding", Model: "lstm", Hidden: 16, SequenceLength: 10, Batch: 32,
        Optimizer: "adam", LearningRate: 0.01f, Steps: 300, Seed: 5, Clip: "global-norm:1", EvalEvery: 50, EvalBatch: 200);

    [Fact]
    public void The_same_seed_gives_identical_metrics()
    {
        RunResult first = Trainer.Run(Small with { Steps = 40 });
        RunResult second = Trainer.Run(Small with { Steps = 40 });
        first.Rows.Select(r => (r.Loss, r.GradNormBefore)).Should().Equal(second.Rows.Select(r => (r.Loss, r.GradNormBefore)));
        Trainer.Run(Small with { Steps = 40, Seed = 6 }).Rows[0].Loss.Should().NotBe(first.Rows[0].Loss);
    }

    [Fact]
    public void A_small_LSTM_learns_the_short_adding_problem_far_below_its_baseline()
    {
        RunResult run = Trainer.Run(Small);
        run.Status.Should().Be(RunStatus.Finished);
        run.FinalTestLoss.Should().BeLessThan(run.Task.Baseline / 5, "the model must learn, not guess the mean");
        run.Rows.Should().HaveCount(300);
        run.Rows.Where(r => r.TestLoss != null).Should().HaveCount(6);
    }

    [Fact]
    public void Plain_SGD_at_a_high_rate_diverges_and_is_stopped_with_the_step()
    {
        RunResult run = Trainer.Run(Small with { Optimizer = "sgd", LearningRate = 1f, Clip = "none", SequenceLength = 20, Hidden = 64, Batch = 64 });
        run.Should().Diverge();
        run.Verdict.Should().MatchRegex($"^stopped at step {run.DivergedAtStep}: (loss [0-9.E+]+ is over 100 × the first loss [0-9.]+|the loss became (NaN|∞))$");
        run.Rows.Should().HaveCount(run.DivergedAtStep!.Value);
        run.LastLoss.Should().Be(run.Rows[^1].Loss, "the outcome carries the last loss seen");
        run.FinalTestLoss.Should().NotBe(double.NaN, "the held-out loss is evaluated where the run stopped, not made up");
        run.MaxGradNorm.Should().BeGreaterThan(100);
    }

    [Fact]
    public void Without_stopping_on_divergence_a_run_goes_on_to_infinity_and_NaN()
    {
        TrainingConfig config = Small with { Optimizer = "sgd", LearningRate = 1f, Clip = "none", SequenceLength = 20, Hidden = 64, Batch = 64, Steps = 60, EvalEvery = 1000 };
        RunResult run = Trainer.Run(config, new TrainingOptions(StopOnDivergence: false));
        run.Should().Diverge();
        run.Rows.Should().HaveCount(60, "the run was not stopped");
        run.Verdict.Should().StartWith($"diverged at step {run.DivergedAtStep} (").And.Contain("ran on to step 60");
        run.Should().BecomeNonFinite("the learner sees the loss or the norm leave the finite range");
    }

    [Fact]
    public void The_divergence_factor_decides_when_a_run_is_stopped()
    {
        TrainingConfig config = Small with { Optimizer = "sgd", LearningRate = 1f, Clip = "none", SequenceLength = 20, Hidden = 64, Batch = 64 };
        RunResult strict = Trainer.Run(config with { DivergenceFactor = 2f });
        RunResult lax = Trainer.Run(config with { DivergenceFactor = 1e6f });
        strict.DivergedAtStep.Should().BeLessThanOrEqualTo(lax.DivergedAtStep ?? int.MaxValue);
        strict.Verdict.Should().Contain("is over 2 × the first loss");
    }

    [Fact]
    public void Reports_carry_pre_and_post_clip_norms_and_clip_events()
    {
        var rows = new List<MetricsRow>();
        RunResult run = Trainer.Run(Small with { Steps = 30, Clip = "global-norm:0.01" }, progress: new Collect(rows));
        run.Should().NeverExceedPostClipNorm(0.01, tolerance: 1e-4).And.HaveClippedFraction(1, 1);
        run.Rows.Should().OnlyContain(r => r.Clipped && r.GradNormBefore > r.GradNormAfter);
        rows.Should().HaveCount(30);
        rows[0].PerParameter.Select(p => p.Name).Should().Contain(["lstm.weight_ih_l0", "head.weight"], "every step's per-parameter norms reach the metrics sink");
    }

    private sealed class Collect(List<MetricsRow> rows) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => rows.Add(value.Row);
    }

    [Fact]
    public void Gradient_accumulation_averages_micro_batches_before_one_clip()
    {
        RunResult run = Trainer.Run(Small with { Steps = 5, AccumulationSteps = 3, Clip = "global-norm:0.5" });
        run.Rows.Should().HaveCount(5).And.OnlyContain(r => r.GradNormAfter <= 0.5f * 1.0001f);
    }

    [Theory]
    [InlineData("gru", "gru.weight_hh_l0", 3)]
    [InlineData("rnn-relu", "rnn.weight_hh_l0", 1)]
    public void Every_model_trains_and_saves_under_its_PyTorch_names(string model, string parameter, int gates)
    {
        RunResult run = Trainer.Run(Small with { Model = model, Steps = 5 });
        run.Rows.Should().HaveCount(5).And.OnlyContain(r => float.IsFinite(r.Loss));
        Tensor weight = run.Model!.NamedParameters().Single(p => p.Name == parameter).Parameter;
        weight.Shape[0].Should().Be(gates * Small.Hidden);
        MemoryEstimate.ParameterCount(Small with { Model = model }).Should().Be(run.Model.NamedParameters().Sum(p => (long)p.Parameter.Length));
    }

    [Fact]
    public void Bad_settings_name_the_option_and_the_valid_choices()
    {
        Action model = () => Trainer.Run(Small with { Model = "transformer" });
        model.Should().Throw<ArgumentException>().WithMessage("Unknown model 'transformer'; valid models are rnn, rnn-relu, gru, lstm.*");
        Action lr = () => Trainer.Run(Small with { LearningRate = -1f });
        lr.Should().Throw<ArgumentException>().WithMessage("--lr -1 is invalid*");
        Action clip = () => Trainer.Run(Small with { Clip = "global-norm:-1" });
        clip.Should().Throw<ArgumentException>().WithMessage("Clipper spec 'global-norm:-1': '-1' in 'global-norm:-1' is not a valid threshold*");
        Action steps = () => Trainer.Run(Small with { Steps = 0 });
        steps.Should().Throw<ArgumentException>().WithMessage("--steps 0 is invalid; it must be a positive whole number up to 1000000000.*");
    }

    [Theory]
    [InlineData("none", typeof(NoClip))]
    [InlineData("value:0.5", typeof(ClipByValue))]
    [InlineData("norm:1", typeof(ClipByNorm))]
    [InlineData("global-norm:1.0", typeof(ClipByGlobalNorm))]
    [InlineData("global-norm:1:inf", typeof(ClipByGlobalNorm))]
    [InlineData("agc:0.01", typeof(AdaptiveGradClip))]
    [InlineData("autoclip:10", typeof(AutoClip))]
    [InlineData("zclip:2.5", typeof(ZClip))]
    [InlineData("skip-nonfinite+global-norm:1", typeof(ClipChain))]
    public void Clipper_specs_build_their_stages(string spec, Type expected)
    {
        IGradientClipper clipper = ClipperSpec.Parse(spec);
        clipper.Should().BeOfType(expected);
        clipper.ToString().Should().Be(spec.Replace("1.0", "1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "The clipper spec is empty*")]
    [InlineData("clip:1", "Clipper spec 'clip:1': unknown stage 'clip'; valid forms are none, value:C*")]
    [InlineData("value", "Clipper spec 'value': 'value' has 0 argument(s); valid forms are*")]
    [InlineData("value:abc", "*'abc' in 'value:abc' is not a valid threshold*")]
    [InlineData("global-norm:1:0", "*'0' in 'global-norm:1:0' is not a valid norm order*")]
    [InlineData("autoclip:150", "*AutoClip percentile 150 must be in (0, 100]*")]
    [InlineData("none+value:NaN", "*'NaN' in 'value:NaN' is not a valid threshold*")]
    public void Malformed_clipper_specs_say_what_is_wrong(string spec, string message)
    {
        Action act = () => ClipperSpec.Parse(spec);
        act.Should().Throw<ArgumentException>().WithMessage(message);
    }
}
