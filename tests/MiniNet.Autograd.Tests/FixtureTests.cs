using FluentAssertions;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Autograd.Tests;

/// <summary>Every op's value and gradient against PyTorch (tests/fixtures/generate.py).</summary>
public sealed class FixtureTests
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in Fixtures.Cases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Op_matches_PyTorch_values_and_gradients(string name)
    {
        OpCase c = Fixtures.Get(name);
        Tensor[] x = Fixtures.FreshInputs(c);

        Tensor y = Fixtures.Apply(c, x);
        Close.Assert(y, c.Output, rtol: 1e-5f, atol: 1e-5f, $"{name} output");

        (y * c.Weight).Sum().Backward();
        for (int i = 0; i < x.Length; i++)
        {
            x[i].Grad.Should().NotBeNull($"{name}: input {i} takes part in the output");
            Close.Assert(x[i].Grad!, c.Grads[i], rtol: 1e-4f, atol: 1e-5f, $"{name} gradient of input {i}");
        }
    }

    [Fact]
    public void Every_fixture_op_is_covered()
    {
        string[] ops = Fixtures.Cases.Values.Select(c => c.Op).Distinct().ToArray();
        ops.Should().Contain(["add", "sub", "mul", "div", "pow", "pow_scalar", "neg", "exp", "log", "tanh", "sigmoid", "relu",
            "clamp", "softplus", "softmax_cross_entropy", "linear", "matmul", "sum_axis", "mean_axis", "max_axis", "softmax", "log_softmax", "reshape", "transpose", "permute",
            "concat", "stack", "slice", "index_select", "gather"]);
    }
}
