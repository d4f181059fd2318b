using System.Xml.Linq;
using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Tests.Shared;
using Xunit;

namespace MiniNet.Autograd.Tests;

/// <summary>The graph view of micrograd's draw_dot: every tensor and op of a small expression, with values and gradients.</summary>
public sealed class AutogradGraphTests
{
    /// <summary>micrograd's first example: L = (a·b + c)·f, with a = 2, b = −3, c = 10, f = −2.</summary>
    private static (Tensor A, Tensor B, Tensor C, Tensor F, Tensor L) Expression()
    {
        Tensor a = Tensor.Scalar(2f, requiresGrad: true);
        a.Name = "a";
        Tensor b = Tensor.Scalar(-3f, requiresGrad: true);
        b.Name = "b";
        Tensor c = Tensor.Scalar(10f, requiresGrad: true);
        c.Name = "c";
        Tensor f = Tensor.Scalar(-2f, requiresGrad: true);
        f.Name = "f";
        Tensor l = ((a * b) + c) * f;
        l.Name = "L";
        return (a, b, c, f, l);
    }

    [Fact]
    public void The_dot_text_has_a_box_per_tensor_an_oval_per_op_and_the_gradients_after_backward()
    {
        (Tensor a, Tensor b, _, _, Tensor l) = Expression();
        AutogradGraph graph = AutogradGraph.Of(l);
        graph.Nodes.Should().HaveCount(7, "a, b, a·b, c, a·b + c, f and L");
        l.Backward();
        string dot = graph.ToDot();
        dot.Should().StartWith("digraph autograd {");
        System.Text.RegularExpressions.Regex.Matches(dot, "shape=record").Should().HaveCount(7);
        System.Text.RegularExpressions.Regex.Matches(dot, "shape=ellipse").Should().HaveCount(3, "two products and a sum");
        dot.Should().Contain("{ a | [] | value 2 | grad 6 }", "∂L/∂a = b·f = 6");
        dot.Should().Contain("{ b | [] | value -3 | grad -4 }", "∂L/∂b = a·f = −4");
        dot.Should().Contain("{ L | [] | value -8 | grad 1 }");
        dot.Should().Contain("| value 4 | grad -2 }", "a·b + c = 4 and ∂L/∂(a·b + c) = f = −2: intermediates keep their gradients for the picture");
        dot.Should().NotContain("parameter", "every leaf here is named, and results are not leaves even after Backward freed the graph");
        a.Grad!.Item().Should().Be(6f);
        b.Grad!.Item().Should().Be(-4f);
    }

    [Fact]
    public void Graphviz_renders_it_to_an_svg_that_can_be_inlined()
    {
        (_, _, _, _, Tensor l) = Expression();
        AutogradGraph graph = AutogradGraph.Of(l);
        l.Backward();
        DebianTools.Ensure("dot").Should().BeTrue("Graphviz is needed; tools/install-test-deps.sh installs it (apt-get install -y graphviz)");
        string svg = graph.RenderSvg()!;
        svg.Should().StartWith("<svg");
        XElement parsed = XElement.Parse(svg);
        parsed.Descendants().Count(e => e.Name.LocalName == "g" && (string?)e.Attribute("class") == "node").Should().Be(10, "7 tensors and 3 ops");
        parsed.Value.Should().Contain("grad 6");
    }

    [Fact]
    public void Tensors_with_many_values_show_their_shape_and_the_first_values()
    {
        Tensor w = Tensor.FromArray([1, 2, 3, 4, 5, 6], [2, 3], requiresGrad: true);
        w.Name = "w";
        Tensor loss = w.Sum();
        AutogradGraph graph = AutogradGraph.Of(loss);
        loss.Backward();
        graph.ToDot().Should().Contain("{ w | [2, 3] | value [1, 2, 3, … (6 values)] | grad [1, 1, 1, … (6 values)] }");
    }

    [Fact]
    public void A_graph_already_freed_or_too_large_is_refused_with_the_fix()
    {
        (_, _, _, _, Tensor l) = Expression();
        l.Backward();
        Action freed = () => AutogradGraph.Of(l);
        freed.Should().Throw<InvalidOperationException>().WithMessage("*already freed by Backward()*take AutogradGraph.Of(result) before calling Backward*");

        Tensor x = Tensor.Scalar(1f, requiresGrad: true);
        Tensor y = x;
        for (int i = 0; i < 300; i++)
        {
            y = y * x;
        }

        Action large = () => AutogradGraph.Of(y);
        large.Should().Throw<InvalidOperationException>().WithMessage("The graph has more than 200 tensors*draw a smaller expression*");
        AutogradGraph.Of(y, maxNodes: 1000).Nodes.Should().HaveCount(301, "x and 300 products");
    }
}
