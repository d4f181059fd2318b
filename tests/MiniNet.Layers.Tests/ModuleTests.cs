using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Layers;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>Parameter names, counts, modes and the module listing.</summary>
public sealed class ModuleTests
{
    [Fact]
    public void Lstm_parameters_have_PyTorch_names_shapes_and_order()
    {
        var lstm = new Lstm(5, 4, numLayers: 2);
        lstm.NamedParameters().Select(p => (p.Name, string.Join("x", p.Parameter.Shape))).Should().Equal(
            ("weight_ih_l0", "16x5"), ("weight_hh_l0", "16x4"), ("bias_ih_l0", "16"), ("bias_hh_l0", "16"),
            ("weight_ih_l1", "16x4"), ("weight_hh_l1", "16x4"), ("bias_ih_l1", "16"), ("bias_hh_l1", "16"));
        lstm.ParameterCount.Should().Be((16 * 5) + (16 * 4) + 16 + 16 + (16 * 4) + (16 * 4) + 16 + 16);
    }

    [Fact]
    public void Nested_modules_get_dotted_names_and_tensors_carry_them()
    {
        var model = new Sequential(new Linear(2, 3), new Tanh(), new Linear(3, 1, bias: false));
        model.NamedParameters().Select(p => p.Name).Should().Equal("0.weight", "0.bias", "2.weight");
        model.NamedParameters().Should().OnlyContain(p => p.Parameter.Name == p.Name, "errors and reports name parameters by Tensor.Name");
    }

    [Fact]
    public void ToString_lists_the_tree_with_settings_and_parameter_counts()
    {
        var model = new Sequential(new Linear(2, 3), new Tanh(), new Linear(3, 1, bias: false));
        model.ToString().Should().Be(
            "Sequential(\n" +
            "  (0): Linear(in_features=2, out_features=3, bias=True)  # 9 parameters\n" +
            "  (1): Tanh()\n" +
            "  (2): Linear(in_features=3, out_features=1, bias=False)  # 3 parameters\n" +
            ")\nTotal parameters: 12");
        new Lstm(2, 4, numLayers: 2, batchFirst: true, dropout: 0.25f).ToString().Should()
            .StartWith("Lstm(2, 4, num_layers=2, batch_first=True, dropout=0.25)  # 288 parameters");
    }

    [Fact]
    public void Train_and_Eval_reach_every_submodule_and_ZeroGrad_every_parameter()
    {
        var dropout = new Dropout(0.5f);
        var model = new Sequential(new Linear(2, 2), dropout);
        model.Eval();
        dropout.IsTraining.Should().BeFalse();
        model.Train();
        dropout.IsTraining.Should().BeTrue();

        model.Forward(Tensor.Ones([1, 2])).Sum().Backward();
        model.Parameters().Should().OnlyContain(p => p.Grad != null);
        model.ZeroGrad();
        model.Parameters().Should().OnlyContain(p => p.Grad == null);
    }

    [Fact]
    public void Sequential_rejects_a_layer_that_is_not_a_module()
    {
        Action act = () => _ = new Sequential(new Linear(1, 1), new NotAModule());
        act.Should().Throw<ArgumentException>().WithMessage("Sequential layer 1 (NotAModule) must be a Module.*");
    }

    private sealed class NotAModule : ILayer
    {
        public Tensor Forward(Tensor input) => input;
    }
}
