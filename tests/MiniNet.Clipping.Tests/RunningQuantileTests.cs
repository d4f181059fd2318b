using FluentAssertions;
using MathNet.Numerics.Statistics;
using Xunit;

namespace MiniNet.Clipping.Tests;

/// <summary>
/// The two-heap running quantile AutoClip keeps its history in gives, after every insertion and removal, exactly what
/// sorting the values and interpolating (MathNet's R7, NumPy's default) gives.
/// </summary>
public sealed class RunningQuantileTests
{
    [Theory]
    [InlineData(0.0, null)]
    [InlineData(0.1, null)]
    [InlineData(0.5, null)]
    [InlineData(0.999, null)]
    [InlineData(1.0, null)]
    [InlineData(0.1, 1)]
    [InlineData(0.1, 7)]
    [InlineData(0.5, 50)]
    [InlineData(0.9, 64)]
    [InlineData(1.0, 3)]
    public void Matches_sorting_the_window_after_every_step(double tau, int? window)
    {
        var random = new Random(17);
        var quantile = new RunningQuantile(tau);
        var values = new List<double>();
        for (int step = 0; step < 3000; step++)
        {
            // Few distinct values, so duplicates (and removing one copy of several) are common; and drifting upward,
            // so stale values pile up at the bottom of the lower heap and force rebuilds.
            double value = random.Next(8) + (step / 500.0);
            values.Add(value);
            quantile.Add(value);
            if (window is int w && values.Count > w)
            {
                quantile.Remove(values[0]);
                values.RemoveAt(0);
            }

            quantile.Count.Should().Be(values.Count);
            quantile.Value.Should().Be(values.QuantileCustom(tau, QuantileDefinition.R7), $"step {step}");
        }
    }

    [Fact]
    public void Is_empty_NaN_and_refuses_what_has_no_order_or_is_not_there()
    {
        var quantile = new RunningQuantile(0.5);
        double.IsNaN(quantile.Value).Should().BeTrue();
        quantile.Invoking(q => q.Add(double.NaN)).Should().Throw<ArgumentOutOfRangeException>();
        quantile.Add(2);
        quantile.Invoking(q => q.Remove(3)).Should().Throw<ArgumentException>().WithMessage("*not in the set*");
        quantile.Value.Should().Be(2);
        quantile.Clear();
        quantile.Count.Should().Be(0);
        FluentActions.Invoking(() => new RunningQuantile(1.5)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
