using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Layers;
using MiniNet.Training;
using Xunit;
using Xunit.Sdk;

namespace MiniNet.Testing.Tests;

/// <summary>Every assertion of MiniNet.Testing: it passes when it should, and its failure message says what happened instead.</summary>
public sealed class AssertionTests
{
    private static string Failure(Action assertion) => assertion.Should().Throw<XunitException>().Which.Message;

    [Fact]
    public void Close_tensors_pass_and_the_failure_names_the_worst_element_its_index_and_both_values()
    {
        Tensor actual = Tensor.FromArray([1f, 2f, 3f, 4.5f, 5f, 6.01f], [2, 3]);
        actual.Should().BeApproximately(Tensor.FromArray([1f, 2f, 3f, 4.5f, 5f, 6.01f], [2, 3]));
        actual.Should().BeApproximately([1f, 2f, 3f, 4.5f, 5f, 6f], rtol: 0, atol: 0.02);

        string message = Failure(() => actual.Should().BeApproximately(Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]), rtol: 1e-3, atol: 1e-3, "the layer is linear"));
        message.Should().Contain("because the layer is linear").And.Contain("2 of 6 elements differ")
            .And.Contain("the worst is at [1, 0]: 4.5 where 4 was expected (difference 0.5)");
    }

    [Fact]
    public void A_shape_mismatch_is_named_before_any_value()
    {
        string message = Failure(() => Tensor.Zeros([2, 3]).Should().BeApproximately(Tensor.Zeros([3, 2])));
        message.Should().Contain("to have shape [3, 2]").And.Contain("but it has shape [2, 3]");
        Failure(() => Tensor.Zeros([2, 3]).Should().HaveShape(2, 2)).Should().Contain("to have shape [2, 2], but it has shape [2, 3]");
    }

    [Fact]
    public void NaN_matches_only_NaN_and_infinity_only_the_same_infinity()
    {
        Tensor.FromArray([float.NaN, float.PositiveInfinity]).Should().BeApproximately([float.NaN, float.PositiveInfinity]);
        Failure(() => Tensor.FromArray([1f, float.NaN]).Should().BeApproximately([1f, 1f])).Should().Contain("the worst is at [1]: NaN where 1 was expected");
        Failure(() => Tensor.FromArray([0f, 1f, float.NegativeInfinity]).Should().BeFinite()).Should().Contain("the element at [2] is −∞");
    }

    [Fact]
    public void A_correct_op_passes_the_gradient_check_and_a_wrong_backward_fails_naming_the_input()
    {
        Func<Tensor[], Tensor> op = v => v[0].MatMul(v[1]).Tanh().Sum();
        op.Should().PassGradCheck(Tensor.RandomNormal([3, 4], seed: 1, requiresGrad: true), Tensor.RandomNormal([4, 2], seed: 2, requiresGrad: true));

        // a function whose value uses Data directly has no graph for that term: its analytic gradient misses it
        Func<Tensor[], Tensor> wrong = v => v[0].Pow(2f).Sum() + Tensor.Scalar(v[0].Data.Sum() * 3f);
        Tensor x = Tensor.RandomNormal([3], seed: 3, requiresGrad: true);
        x.Name = "x";
        string message = Failure(() => wrong.Should().PassGradCheck(x));
        message.Should().Contain("to match finite differences").And.Contain("input 0 'x': MISMATCH");
    }

    [Fact]
    public void A_module_passes_the_gradient_check_for_its_input_and_parameters()
    {
        Initializers.ManualSeed(1);
        var layer = new Linear(3, 2);
        GradCheckResult result = layer.Should().PassGradCheck(Tensor.RandomNormal([4, 3], seed: 4, requiresGrad: true));
        result.Inputs.Should().HaveCount(3, "the input, the weight and the bias");
    }

    [Fact]
    public void An_unclipped_run_diverges_and_a_clipped_one_does_not()
    {
        RunResult unclipped = Lab.RunSteps(50);
        unclipped.Should().Diverge();
        Failure(() => unclipped.Should().NotDiverge()).Should().Contain("not to diverge, but it stopped at step");

        RunResult clipped = Lab.RunSteps(50, clip: "global-norm:0.1");
        clipped.Should().NotDiverge();
        Failure(() => clipped.Should().Diverge("the learning rate is high")).Should()
            .Contain("to diverge because the learning rate is high, but it finished without solving after 50 steps");
    }

    [Fact]
    public void Clipped_runs_stay_under_their_threshold_and_the_failure_names_the_first_worst_step()
    {
        RunResult clipped = Lab.RunSteps(40, clip: "global-norm:0.1");
        clipped.Should().NeverExceedPostClipNorm(0.1);
        clipped.Rows.Should().HaveCount(40, "RunSteps keeps every step");

        RunResult unclipped = Lab.RunSteps(40, clip: "none", stopOnDivergence: false);
        string message = Failure(() => unclipped.Should().NeverExceedPostClipNorm(1.0));
        message.Should().Contain("never to exceed 1, but at step").And.MatchRegex(@"\(\d+ of 40 recorded steps exceed it\)");
    }

    [Fact]
    public void The_clipped_fraction_is_checked_against_its_range()
    {
        RunResult run = Lab.RunSteps(40, clip: "global-norm:0.1");
        run.Should().HaveClippedFraction(0.5, 1.0);
        Failure(() => run.Should().HaveClippedFraction(0, 0.1)).Should().MatchRegex(@"to clip between 0 % and 10 % of its steps, but it clipped \d+(\.\d)? % \(\d+ of 40\)");
    }

    [Fact]
    public void Watching_an_unclipped_run_past_its_divergence_shows_it_become_non_finite()
    {
        RunResult run = Lab.RunSteps(60, clip: "none", stopOnDivergence: false);
        run.Should().BecomeNonFinite();
        Failure(() => Lab.RunSteps(20, clip: "global-norm:0.1").Should().BecomeNonFinite()).Should().Contain("but every recorded step was finite (largest loss");
    }

    [Fact]
    public void Solve_within_a_step_budget()
    {
        RunResult run = Lab.RunSteps(200, clip: "global-norm:1", task: "temporal-order", model: "rnn", hidden: 32, seqLen: 10, optimizer: "adam", lr: 0.01f);
        run.Should().Solve(within: 200);
        Failure(() => run.Should().Solve(within: run.SolvedAtStep!.Value - 1)).Should().Contain($"within {run.SolvedAtStep!.Value - 1} steps, but it solved at step {run.SolvedAtStep}");
        Failure(() => Lab.RunSteps(20, clip: "global-norm:0.1").Should().Solve()).Should().Contain("to solve the task (test MSE < 0.01), but it finished without solving after 20 steps");
    }
}
