using FluentAssertions;
using MiniNet.Training;
using Xunit;

namespace MiniNet.Training.Tests;

/// <summary>Pascanu's wall: an unclipped step on the wall leaves the valley; a clipped one stays.</summary>
public sealed class WallTests
{
    [Fact]
    public void From_near_the_cliff_the_unclipped_step_jumps_out_of_the_valley_and_the_clipped_step_does_not()
    {
        var wall = new WallProblem();
        (double w, double b) = WallProblem.DefaultStart;
        IReadOnlyList<WallStep> plain = wall.Descend(w, b, learningRate: 0.1, steps: 20, clipThreshold: null);
        IReadOnlyList<WallStep> clipped = wall.Descend(w, b, learningRate: 0.1, steps: 20, clipThreshold: 1.0);

        plain[0].Loss.Should().BeLessThan(0.001, "the start is in the valley");
        plain[0].GradNorm.Should().BeGreaterThan(10, "at the foot of the wall the gradient is huge");

        double plainJump = Math.Sqrt(Math.Pow(plain[1].W - w, 2) + Math.Pow(plain[1].B - b, 2));
        plainJump.Should().BeGreaterThan(1, "the unclipped step is proportional to the huge gradient");
        plain[1].Loss.Should().BeGreaterThan(0.05, "it lands on the plateau: the loss rises");
        plain[^1].Loss.Should().BeGreaterThan(0.05, "and the plateau's vanishing gradient keeps it there");

        plain[^1].GradNorm.Should().BeLessThan(0.01, "the plateau is flat");

        double clippedJump = Math.Sqrt(Math.Pow(clipped[1].W - w, 2) + Math.Pow(clipped[1].B - b, 2));
        clippedJump.Should().BeLessThanOrEqualTo(0.1 * 1.0 + 1e-6, "a clipped step is at most lr · threshold long");
        clipped[1].Loss.Should().BeLessThan(0.05, "the clipped step stays in the valley");
        clipped.Should().OnlyContain(s => Math.Abs(s.W - w) < 0.5 && Math.Abs(s.B - b) < 0.5, "clipped descent never leaves the neighbourhood of the valley");
        // It walks along the cliff's edge: a short step may cross onto the high side, and the gradient there points back.
        clipped.Skip(10).Min(s => s.Loss).Should().BeLessThan(0.01, "the clipped path keeps returning to the valley floor");
    }

    [Fact]
    public void The_autograd_gradient_through_the_unrolled_net_matches_finite_differences()
    {
        var wall = new WallProblem();
        foreach ((double w, double b) in new[] { (3.0, -1.0), (5.5, -3.0), (2.0, 0.5) })
        {
            (double loss, double dw, double db) = wall.LossAndGradient(w, b);
            loss.Should().BeApproximately(wall.Loss(w, b), 1e-5);
            const double h = 1e-5;
            dw.Should().BeApproximately((wall.Loss(w + h, b) - wall.Loss(w - h, b)) / (2 * h), 1e-3 + (1e-2 * Math.Abs(dw)));
            db.Should().BeApproximately((wall.Loss(w, b + h) - wall.Loss(w, b - h)) / (2 * h), 1e-3 + (1e-2 * Math.Abs(db)));
        }
    }
}
