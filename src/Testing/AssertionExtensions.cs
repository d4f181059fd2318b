using MiniNet.Autograd;
using MiniNet.Training;

namespace MiniNet.Testing;

/// <summary>The entry points: <c>tensor.Should()</c> and <c>run.Should()</c> (FluentAssertions' <c>Should()</c> for everything else).</summary>
public static class AssertionExtensions
{
    /// <summary>Assertions on a tensor.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <returns>Its assertions.</returns>
    public static TensorAssertions Should(this Tensor tensor) => new(tensor);

    /// <summary>Assertions on a training run.</summary>
    /// <param name="run">The run.</param>
    /// <returns>Its assertions.</returns>
    public static RunAssertions Should(this RunResult run) => new(run);
}
