using FluentAssertions;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Autograd.Tests;

/// <summary>The custom-op API: forward and backward in one class, several outputs, and checks on what an op returns.</summary>
public sealed class CustomOpTests
{
    [Fact]
    public void A_single_output_op_passes_gradcheck()
    {
        Tensor x = Tensor.RandomNormal([3, 4], seed: 1, requiresGrad: true);
        GradCheck.Check(inputs => new Cube().Apply(inputs[0])[0].Sum(), x).Passed.Should().BeTrue();
    }

    [Fact]
    public void A_two_output_op_passes_gradcheck_through_both_outputs_and_runs_its_backward_once()
    {
        Tensor a = Tensor.RandomNormal([2, 3], seed: 2, requiresGrad: true), b = Tensor.RandomNormal([2, 3], seed: 3, requiresGrad: true);
        GradCheck.Check(inputs =>
        {
            Tensor[] sd = new SumAndProduct().Apply(inputs[0], inputs[1]);
            return (sd[0] * sd[0]).Sum() + sd[1].Sum();
        }, a, b).Passed.Should().BeTrue();

        var op = new SumAndProduct();
        Tensor[] outputs = op.Apply(a, b);
        (outputs[0].Sum() + (outputs[1] * 2f).Sum() + outputs[0].Mean()).Backward();
        op.BackwardCalls.Should().Be(1, "the op's node runs once, after every use of every output");
    }

    [Fact]
    public void An_output_the_loss_does_not_use_gets_a_zero_gradient()
    {
        Tensor a = Tensor.FromArray([1f, 2f], [2], requiresGrad: true), b = Tensor.FromArray([3f, 4f], [2], requiresGrad: true);
        var op = new SumAndProduct();
        Tensor[] outputs = op.Apply(a, b);
        outputs[1].Sum().Backward();   // only the product
        op.SeenGradients![0].Data.Should().Equal(0f, 0f);
        a.Grad!.Data.Should().Equal([3f, 4f], "∂(a·b)/∂a = b");
        b.Grad!.Data.Should().Equal(1f, 2f);
    }

    [Fact]
    public void A_null_input_is_allowed_and_gets_no_gradient()
    {
        Tensor a = Tensor.FromArray([1f, 2f], [2], requiresGrad: true);
        Tensor y = new ScaleOptional().Apply(a, null)[0];
        y.Sum().Backward();
        a.Grad!.Data.Should().Equal(1f, 1f);
    }

    [Fact]
    public void Without_a_gradient_to_compute_nothing_is_recorded()
    {
        Tensor x = Tensor.RandomNormal([2], seed: 1);
        var op = new Cube();
        Tensor y = op.Apply(x)[0];
        y.RequiresGrad.Should().BeFalse();
        op.Recorded.Should().BeFalse("Forward is told no backward will follow");
        using (NoGrad.Scope())
        {
            new Cube().Apply(Tensor.RandomNormal([2], seed: 1, requiresGrad: true))[0].RequiresGrad.Should().BeFalse();
        }
    }

    [Fact]
    public void An_instance_is_applied_once()
    {
        var op = new Cube();
        op.Apply(Tensor.Ones([2]));
        Action again = () => op.Apply(Tensor.Ones([2]));
        again.Should().Throw<InvalidOperationException>().WithMessage("Cube was already applied*create a new Cube for each call*");
    }

    [Fact]
    public void A_gradient_of_the_wrong_shape_is_reported_naming_the_op_and_the_input()
    {
        Tensor x = Tensor.Ones([2, 3], requiresGrad: true);
        x.Name = "w";
        Tensor y = new WrongGradient(wrongShape: true).Apply(x)[0];
        Action act = () => y.Sum().Backward();
        act.Should().Throw<InvalidOperationException>()
            .WithMessage("WrongGradient.Backward returned a gradient of shape [3, 2] for input 0 'w', whose shape is [2, 3]*");
    }

    [Fact]
    public void The_wrong_number_of_gradients_is_reported()
    {
        Tensor x = Tensor.Ones([2], requiresGrad: true);
        Tensor y = new WrongGradient(wrongShape: false).Apply(x)[0];
        Action act = () => y.Sum().Backward();
        act.Should().Throw<InvalidOperationException>().WithMessage("WrongGradient.Backward returned 2 gradients for 1 inputs*");
    }

    [Fact]
    public void Returning_an_input_as_an_output_is_refused()
    {
        Action act = () => new Identity().Apply(Tensor.Ones([2], requiresGrad: true));
        act.Should().Throw<InvalidOperationException>().WithMessage("Identity.Forward returned input data as output 0*Detach*");
    }

    [Fact]
    public void A_gradient_array_returned_for_two_inputs_is_not_shared_between_them()
    {
        Tensor a = Tensor.Ones([2], requiresGrad: true), b = Tensor.Ones([2], requiresGrad: true);
        new SharedGradient().Apply(a, b)[0].Sum().Backward();
        a.Grad!.Data.Should().NotBeSameAs(b.Grad!.Data);
        a.Grad.Data[0] = 5f;
        b.Grad.Data[0].Should().Be(1f);
    }

    [Fact]
    public void The_outputs_carry_the_op_name_into_the_graph()
    {
        Tensor x = Tensor.Ones([2], requiresGrad: true);
        Tensor[] outputs = new SumAndProduct().Apply(x, x);
        outputs.Should().OnlyContain(o => o.Op == "SumAndProduct");
    }

    [Fact]
    public void Anomaly_mode_checks_a_custom_op_and_names_it()
    {
        using (Anomaly.Scope(step: 7))
        {
            Tensor x = Tensor.FromArray([1f, 2f], [2], requiresGrad: true);
            Tensor[] outputs = new SumAndProduct().Apply(x, x);
            (outputs[0].Sum() + outputs[1].Sum()).Backward();   // finite: no false alarm from the op's own node
            x.Grad!.Data.Should().Equal(4f, 6f);

            Tensor big = Tensor.FromArray([3e38f], [1], requiresGrad: true);
            Action overflow = () => new SumAndProduct().Apply(big, big);
            overflow.Should().Throw<AnomalyException>().WithMessage("*forward pass of Add inside SumAndProduct produced an infinity at training step 7*")
                .Which.Op.Should().Be("SumAndProduct");
        }
    }

    private sealed class Cube : CustomOp
    {
        private Tensor _x = null!;

        public bool Recorded { get; private set; }

        protected override Tensor[] Forward(IReadOnlyList<Tensor?> inputs)
        {
            Recorded = RecordsGraph;
            _x = inputs[0]!;
            return [Tensor.FromArray([.. _x.Data.Select(v => v * v * v)], _x.Shape)];
        }

        protected override Tensor?[] Backward(IReadOnlyList<Tensor> outputGradients) =>
            [Tensor.FromArray([.. _x.Data.Select((v, i) => 3 * v * v * outputGradients[0].Data[i])], _x.Shape)];
    }

    /// <summary>(a + b, a ⊙ b): two outputs from one node.</summary>
    private sealed class SumAndProduct : CustomOp
    {
        private Tensor _a = null!, _b = null!;

        public int BackwardCalls { get; private set; }

        public IReadOnlyList<Tensor>? SeenGradients { get; private set; }

        protected override Tensor[] Forward(IReadOnlyList<Tensor?> inputs)
        {
            (_a, _b) = (inputs[0]!, inputs[1]!);
            return [_a + _b, _a * _b];
        }

        protected override Tensor?[] Backward(IReadOnlyList<Tensor> outputGradients)
        {
            BackwardCalls++;
            SeenGradients = [.. outputGradients.Select(g => g.Detach())];
            (Tensor dSum, Tensor dProduct) = (outputGradients[0], outputGradients[1]);
            return [NeedsInputGradient(0) ? dSum + (dProduct * _b) : null, NeedsInputGradient(1) ? dSum + (dProduct * _a) : null];
        }
    }

    private sealed class ScaleOptional : CustomOp
    {
        protected override Tensor[] Forward(IReadOnlyList<Tensor?> inputs) => [inputs[0]! * (inputs[1]?.Item() ?? 1f)];

        protected override Tensor?[] Backward(IReadOnlyList<Tensor> outputGradients) => [outputGradients[0].Detach(), null];
    }

    private sealed class WrongGradient(bool wrongShape) : CustomOp
    {
        protected override Tensor[] Forward(IReadOnlyList<Tensor?> inputs) => [inputs[0]!.Detach()];

        protected override Tensor?[] Backward(IReadOnlyList<Tensor> outputGradients) =>
            wrongShape ? [Tensor.Ones([3, 2])] : [Tensor.Ones([2]), Tensor.Ones([2])];
    }

    private sealed class Identity : CustomOp
    {
        protected override Tensor[] Forward(IReadOnlyList<Tensor?> inputs) => [inputs[0]!];

        protected override Tensor?[] Backward(IReadOnlyList<Tensor> outputGradients) => [outputGradients[0]];
    }

    private sealed class SharedGradient : CustomOp
    {
        protected override Tensor[] Forward(IReadOnlyList<Tensor?> inputs) => [inputs[0]! + inputs[1]!];

        protected override Tensor?[] Backward(IReadOnlyList<Tensor> outputGradients)
        {
            Tensor shared = outputGradients[0].Detach();
            return [shared, shared];
        }
    }
}
