using System.Globalization;

namespace MiniNet.Optimizers;

/// <summary>Validation of optimizer options, as PyTorch does it, with messages naming the option, the value and the valid range.</summary>
internal static class OptimizerOptions
{
    public static void NonNegative(string optimizer, string option, float value)
    {
        if (!(value >= 0f) || float.IsPositiveInfinity(value))
        {
            throw Invalid(optimizer, option, value, "a finite value ≥ 0");
        }
    }

    public static void Positive(string optimizer, string option, float value)
    {
        if (!(value > 0f) || float.IsPositiveInfinity(value))
        {
            throw Invalid(optimizer, option, value, "a finite value > 0");
        }
    }

    public static void Beta(string optimizer, string option, float value)
    {
        if (!(value >= 0f && value < 1f))
        {
            throw Invalid(optimizer, option, value, "[0, 1)");
        }
    }

    public static ArgumentException Invalid(string optimizer, string option, float value, string range) =>
        new($"{optimizer} option '{option}' is {value.ToString(CultureInfo.InvariantCulture)}; it must be {range}.", option);
}
