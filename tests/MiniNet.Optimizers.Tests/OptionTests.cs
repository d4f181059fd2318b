using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Optimizers;
using Xunit;

namespace MiniNet.Optimizers.Tests;

/// <summary>Options are validated as PyTorch does, and the messages name the option, the value and the valid range.</summary>
public sealed class OptionTests
{
    private static Tensor[] Params() => [Tensor.Ones([2], requiresGrad: true)];

    [Fact]
    public void Invalid_options_name_the_option_the_value_and_the_range()
    {
        Expect(() => new Sgd(Params(), learningRate: -0.1f), "Sgd option 'lr' is -0.1; it must be a finite value ≥ 0.*");
        Expect(() => new Adam(Params(), beta1: 1f), "Adam option 'betas[0]' is 1; it must be [0, 1).*");
        Expect(() => new AdamW(Params(), beta2: -0.5f), "AdamW option 'betas[1]' is -0.5; it must be [0, 1).*");
        Expect(() => new Adam(Params(), eps: 0f), "Adam option 'eps' is 0; it must be a finite value > 0.*");
        Expect(() => new RmsProp(Params(), eps: -1e-8f), "RmsProp option 'eps' is -1E-08; it must be a finite value > 0.*");
        Expect(() => new Adagrad(Params(), learningRateDecay: -1f), "Adagrad option 'lr_decay' is -1; it must be a finite value ≥ 0.*");
        Expect(() => new Sgd(Params(), weightDecay: float.NaN), "Sgd option 'weight_decay' is NaN; it must be a finite value ≥ 0.*");
        Expect(() => new Sgd(Params(), nesterov: true), "Sgd option 'nesterov' needs momentum > 0 and dampening = 0, but momentum is 0 and dampening is 0.*");
        Expect(() => new Sgd(Params(), momentum: 0.9f, dampening: 0.1f, nesterov: true), "*needs momentum > 0 and dampening = 0*");
        Expect(() => new StepLr(new Sgd(Params()), stepSize: 0), "StepLr option 'stepSize' is 0; it must be > 0.*");
        var opt = new Sgd(Params());
        Action setLr = () => opt.LearningRate = -1f;
        setLr.Should().Throw<ArgumentException>().WithMessage("Sgd option 'lr' is -1*");
    }

    [Fact]
    public void Parameters_must_be_trainable_and_unique()
    {
        Tensor w = Tensor.Ones([2], requiresGrad: true);
        w.Name = "w";
        Expect(() => new Sgd([w, w]), "Sgd: parameter 'w' appears more than once; give each parameter to one group only.*");
        Expect(() => new Adam([Tensor.Ones([2])]), "Adam can only optimize tensors that require a gradient*");
        Expect(() => new Adam(Array.Empty<Tensor>()), "Adam got an empty parameter list*");
    }

    [Fact]
    public void Parameters_without_a_gradient_are_skipped_and_keep_no_state()
    {
        Tensor used = Tensor.Ones([2], requiresGrad: true);
        Tensor unused = Tensor.Ones([2], requiresGrad: true);
        var adam = new Adam([used, unused], learningRate: 0.1f);
        used.Grad = Tensor.Ones([2]);
        adam.Step();
        used.Data.Should().OnlyContain(v => v < 1f);
        unused.Data.Should().Equal(1f, 1f);
        adam.StateOf(unused).Should().BeNull();
        adam.StateOf(used)!.Step.Should().Be(1);

        adam.ZeroGrad();
        used.Grad.Should().BeNull();
    }

    [Fact]
    public void Groups_keep_their_own_rates_and_LearningRate_sets_all()
    {
        Tensor a = Tensor.Ones([1], requiresGrad: true);
        Tensor b = Tensor.Ones([1], requiresGrad: true);
        var sgd = new Sgd([new ParameterGroup([a], learningRate: 0.5f), new ParameterGroup([b], weightDecay: 0.1f)], learningRate: 0.1f);
        sgd.Groups[0].LearningRate.Should().Be(0.5f);
        sgd.Groups[1].LearningRate.Should().Be(0.1f);
        sgd.Groups[1].WeightDecay.Should().Be(0.1f);
        sgd.LearningRate = 0.01f;
        sgd.Groups.Should().OnlyContain(g => g.LearningRate == 0.01f);
    }

    [Fact]
    public void Plateau_schedule_needs_its_metric()
    {
        var schedule = new ReduceLrOnPlateau(new Sgd(Params()));
        Action act = () => schedule.Step();
        act.Should().Throw<ArgumentException>().WithMessage("ReduceLrOnPlateau.Step needs the metric it watches*");
    }

    private static void Expect(Func<object> create, string message) =>
        create.Should().Throw<ArgumentException>().WithMessage(message);
}

/// <summary>Optimizer state is typed: each optimizer's record names its buffers as properties, and PyTorch's names for files.</summary>
public sealed class TypedStateTests
{
    [Fact]
    public void Adam_state_holds_its_moments_as_properties_under_PyTorch_names()
    {
        Tensor w = Tensor.Ones([3], requiresGrad: true);
        var adam = new MiniNet.Optimizers.Adam([w], learningRate: 0.1f, amsgrad: true);
        w.Grad = Tensor.Full([3], 2f);
        adam.Step();
        MiniNet.Serialization.AdamState state = adam.StateOf(w)!;
        state.Step.Should().Be(1);
        state.ExpAvg.Should().OnlyContain(v => Math.Abs(v - 0.2f) < 1e-6f, "m = (1 − β₁)·g");
        state.MaxExpAvgSq.Should().NotBeNull();
        state.Buffers.Select(b => b.Name).Should().Equal("exp_avg", "exp_avg_sq", "max_exp_avg_sq");
    }

    [Fact]
    public void Each_optimizer_keeps_only_the_buffers_its_settings_need()
    {
        Tensor w = Tensor.Ones([2], requiresGrad: true);
        new MiniNet.Serialization.SgdState(2, momentum: false).Buffers.Should().BeEmpty();
        new MiniNet.Serialization.RmsPropState(2, centered: true, momentum: false).Buffers.Select(b => b.Name).Should().Equal("square_avg", "grad_avg");
        new MiniNet.Serialization.AdagradState(2, 0.1f).Sum.Should().Equal(0.1f, 0.1f);
        var sgd = new MiniNet.Optimizers.Sgd([w], learningRate: 0.1f, momentum: 0.9f);
        w.Grad = Tensor.Full([2], 1f);
        sgd.Step();
        sgd.StateOf(w)!.MomentumBuffer.Should().Equal([1f, 1f], "PyTorch starts the buffer at the first gradient");
    }
}

/// <summary>Per-group options are checked like the optimizer's own, naming the option.</summary>
public sealed class GroupOptionTests
{
    [Fact]
    public void A_bad_per_group_option_is_refused_by_name()
    {
        Tensor a = Tensor.Ones([2], requiresGrad: true), b = Tensor.Ones([2], requiresGrad: true);
        Action beta = () => _ = new Adam([new ParameterGroup([a], beta1: 1.5f), new ParameterGroup([b])]);
        beta.Should().Throw<ArgumentException>().WithMessage("*betas[0]*");
        Action nesterov = () => _ = new Sgd([new ParameterGroup([a], momentum: 0f), new ParameterGroup([b])], momentum: 0.9f, nesterov: true);
        nesterov.Should().Throw<ArgumentException>().WithMessage("Sgd option 'nesterov' needs momentum > 0 and dampening = 0 in every group*");
        Action eps = () => _ = new RmsProp([new ParameterGroup([a], eps: -1f)]);
        eps.Should().Throw<ArgumentException>().WithMessage("*eps*");
    }
}
