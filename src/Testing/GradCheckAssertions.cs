using FluentAssertions;
using FluentAssertions.Execution;
using MiniNet.Autograd;
using MiniNet.Layers;

namespace MiniNet.Testing;

/// <summary>
/// Finite-difference gradient checks as assertions: <c>op.Should().PassGradCheck(x, w)</c> for a function of tensors, and
/// <c>module.Should().PassGradCheck(input)</c> for a module (its parameters and the input).
/// </summary>
public static class GradCheckAssertions
{
    /// <summary>Asserts that backward of the function (the subject) matches central finite differences for every input.</summary>
    /// <param name="assertions">The function's assertions.</param>
    /// <param name="inputs">The inputs (those that require a gradient are checked).</param>
    /// <returns>The check's result, for further inspection.</returns>
    public static GradCheckResult PassGradCheck(this FluentAssertions.Primitives.ObjectAssertions assertions, params Tensor[] inputs) =>
        PassGradCheck(assertions, GradCheckOptions.Default, inputs);

    /// <summary>Asserts a gradient check with explicit tolerances.</summary>
    /// <param name="assertions">The function's (or module's) assertions.</param>
    /// <param name="options">Step and tolerances.</param>
    /// <param name="inputs">The inputs.</param>
    /// <returns>The check's result.</returns>
    public static GradCheckResult PassGradCheck(this FluentAssertions.Primitives.ObjectAssertions assertions, GradCheckOptions options, params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(assertions);
        ArgumentNullException.ThrowIfNull(inputs);
        (Func<Tensor[], Tensor> function, Tensor[] checkedTensors, string what) = assertions.Subject switch
        {
            Func<Tensor[], Tensor> f => (f, inputs, "the function"),
            Module m => (ModuleLoss(m, inputs), [.. inputs, .. m.Parameters()], $"the module {m.GetType().Name}"),
            _ => throw new ArgumentException($"PassGradCheck needs a Func<Tensor[], Tensor> or a Module, not {assertions.Subject?.GetType().Name ?? "null"}.", nameof(assertions)),
        };
        GradCheckResult result = GradCheck.Check(function, options, checkedTensors);
        Execute.Assertion
            .ForCondition(result.Passed)
            .FailWith($"Expected the gradients of {what} to match finite differences (atol {options.AbsoluteTolerance}, rtol {options.RelativeTolerance}), but:{Environment.NewLine}{result.ToString().Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal)}");
        return result;
    }

    /// <summary>A module as a scalar function: the sum of its output times fixed weights (so every output element matters differently).</summary>
    private static Func<Tensor[], Tensor> ModuleLoss(Module module, Tensor[] inputs)
    {
        if (module is not ILayer layer)
        {
            throw new ArgumentException($"PassGradCheck on a module needs an ILayer (one input, one output); {module.GetType().Name} is not one. Check a function instead.", nameof(module));
        }

        Tensor? weights = null;
        return values =>
        {
            Tensor output = layer.Forward(values[0]);
            weights ??= Tensor.RandomNormal(output.Shape, seed: 12345);
            return (output * weights).Sum();
        };
    }
}
