using System.Globalization;

namespace MiniNet.Clipping;

/// <summary>Checks of clipper settings, with messages naming the stage, the setting, the value and the valid range.</summary>
internal static class ClipThreshold
{
    /// <summary>The ε PyTorch adds to the norm in the clip coefficient c / (‖g‖ + ε).</summary>
    public const float NormEpsilon = 1e-6f;

    public static void RequirePositive(float value, string name, string stage)
    {
        if (!(value > 0f) || float.IsPositiveInfinity(value))
        {
            throw new ArgumentOutOfRangeException(
                name, value, $"{stage} {name} is {value.ToString(CultureInfo.InvariantCulture)}; it must be a finite number > 0.");
        }
    }

    /// <summary>min(1, c / (norm + 1e-6)): PyTorch's clip coefficient (NaN when the norm is NaN).</summary>
    public static float Coefficient(float maxNorm, float norm)
    {
        float coefficient = maxNorm / (norm + NormEpsilon);
        return float.IsNaN(coefficient) ? float.NaN : MathF.Min(coefficient, 1f);
    }
}
