using System.Globalization;
using FluentAssertions;
using FluentAssertions.Execution;
using FluentAssertions.Primitives;
using MiniNet.Autograd;

namespace MiniNet.Testing;

/// <summary>Assertions on a <see cref="Tensor"/>: <c>tensor.Should().BeApproximately(expected)</c>, <c>.HaveShape(2, 3)</c>, <c>.BeFinite()</c>.</summary>
/// <param name="subject">The tensor.</param>
public sealed class TensorAssertions(Tensor subject) : ReferenceTypeAssertions<Tensor, TensorAssertions>(subject)
{
    /// <inheritdoc/>
    protected override string Identifier => "tensor";

    /// <summary>
    /// Asserts that every element is close to the expected one, as <c>torch.allclose</c> judges it:
    /// |actual − expected| ≤ <paramref name="atol"/> + <paramref name="rtol"/> · |expected|, with NaN equal only to NaN and
    /// ∞ only to the same ∞. A failure names the shapes when they differ, otherwise the worst element (its index, both
    /// values and its error) and how many elements are off.
    /// </summary>
    /// <param name="expected">The expected tensor (same shape).</param>
    /// <param name="rtol">Relative tolerance (PyTorch's default 1e-5).</param>
    /// <param name="atol">Absolute tolerance (PyTorch's default 1e-8).</param>
    /// <param name="because">Why, for the failure message.</param>
    /// <param name="becauseArgs">Arguments of <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<TensorAssertions> BeApproximately(Tensor expected, double rtol = 1e-5, double atol = 1e-8, string because = "", params object[] becauseArgs)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return BeApproximately(expected.Data, expected.Shape, rtol, atol, because, becauseArgs);
    }

    /// <summary>Asserts closeness to expected values given as a flat array in row-major order (the tensor's own shape is used).</summary>
    /// <param name="expected">The expected values, as many as the tensor has.</param>
    /// <param name="rtol">Relative tolerance.</param>
    /// <param name="atol">Absolute tolerance.</param>
    /// <param name="because">Why, for the failure message.</param>
    /// <param name="becauseArgs">Arguments of <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<TensorAssertions> BeApproximately(float[] expected, double rtol = 1e-5, double atol = 1e-8, string because = "", params object[] becauseArgs)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return BeApproximately(expected, Subject?.Shape ?? [], rtol, atol, because, becauseArgs);
    }

    private AndConstraint<TensorAssertions> BeApproximately(float[] expected, IReadOnlyList<int> expectedShape, double rtol, double atol, string because, object[] becauseArgs)
    {
        bool ok = Execute.Assertion.BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null)
            .FailWith($"Expected {{context:tensor}} to be approximately a tensor of shape {Shape(expectedShape)}{{reason}}, but it was <null>.");
        if (!ok)
        {
            return new AndConstraint<TensorAssertions>(this);
        }

        ok = Execute.Assertion.BecauseOf(because, becauseArgs)
            .ForCondition(Subject!.Shape.SequenceEqual(expectedShape) && expected.Length == Subject.Length)
            .FailWith($"Expected {{context:tensor}} to have shape {Shape(expectedShape)}{{reason}}, but it has shape {Shape(Subject.Shape)}.");
        if (!ok)
        {
            return new AndConstraint<TensorAssertions>(this);
        }

        int worst = -1, off = 0;
        double worstExcess = double.NegativeInfinity;
        for (int i = 0; i < expected.Length; i++)
        {
            float a = Subject.Data[i], e = expected[i];
            bool close = float.IsNaN(e) ? float.IsNaN(a) : float.IsInfinity(e) ? a == e : Math.Abs((double)a - e) <= atol + (rtol * Math.Abs((double)e));
            if (!close)
            {
                off++;
                double excess = float.IsFinite(a) && float.IsFinite(e) ? Math.Abs((double)a - e) - (atol + (rtol * Math.Abs((double)e))) : double.PositiveInfinity;
                if (excess > worstExcess)
                {
                    (worst, worstExcess) = (i, excess);
                }
            }
        }

        if (worst >= 0)
        {
            float a = Subject.Data[worst], e = expected[worst];
            Execute.Assertion.BecauseOf(because, becauseArgs).FailWith(
                $"Expected {{context:tensor}} to be approximately the expected tensor (|actual − expected| ≤ {Number(atol)} + {Number(rtol)}·|expected|){{reason}}, " +
                $"but {off} of {expected.Length} elements differ; the worst is at {Index(worst, Subject.Shape)}: {Number(a)} where {Number(e)} was expected (difference {Number(a - e)}).");
        }

        return new AndConstraint<TensorAssertions>(this);
    }

    /// <summary>Asserts the tensor's shape.</summary>
    /// <param name="shape">The expected sizes.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<TensorAssertions> HaveShape(params int[] shape)
    {
        Execute.Assertion
            .ForCondition(Subject is not null && Subject.Shape.SequenceEqual(shape))
            .FailWith($"Expected {{context:tensor}} to have shape {Shape(shape)}, but it has shape {(Subject is null ? "<null>" : Shape(Subject.Shape))}.");
        return new AndConstraint<TensorAssertions>(this);
    }

    /// <summary>Asserts that no element is NaN or ±∞, naming the first that is.</summary>
    /// <param name="because">Why, for the failure message.</param>
    /// <param name="becauseArgs">Arguments of <paramref name="because"/>.</param>
    /// <returns>The assertions, for chaining.</returns>
    public AndConstraint<TensorAssertions> BeFinite(string because = "", params object[] becauseArgs)
    {
        int bad = Subject is null ? -1 : Array.FindIndex(Subject.Data, v => !float.IsFinite(v));
        Execute.Assertion.BecauseOf(because, becauseArgs)
            .ForCondition(Subject is not null && bad < 0)
            .FailWith($"Expected every element of {{context:tensor}} to be finite{{reason}}, but {(Subject is null ? "it was <null>" : $"the element at {Index(bad, Subject.Shape)} is {Number(Subject.Data[bad])}")}.");
        return new AndConstraint<TensorAssertions>(this);
    }

    /// <summary>The multi-dimensional index of a flat position: <c>[1, 2]</c>.</summary>
    internal static string Index(int flat, IReadOnlyList<int> shape)
    {
        if (shape.Count == 0)
        {
            return "[] (the scalar)";
        }

        var index = new int[shape.Count];
        for (int d = shape.Count - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }

        return "[" + string.Join(", ", index) + "]";
    }

    private static string Shape(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";

    private static string Number(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? (v > 0 ? "∞" : "−∞") : v.ToString("G9", CultureInfo.InvariantCulture);
}
