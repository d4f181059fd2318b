using System.Globalization;
using MiniNet.Clipping;

namespace MiniNet.Training;

/// <summary>
/// Parses the clipper specs of the command line: <c>none</c>, <c>value:C</c>, <c>norm:C</c>, <c>global-norm:C[:P]</c>,
/// <c>agc:L</c>, <c>autoclip:P</c>, <c>zclip:Z</c>, <c>skip-nonfinite</c>, chained with <c>+</c>
/// (for example <c>skip-nonfinite+global-norm:1</c>).
/// </summary>
public static class ClipperSpec
{
    /// <summary>The forms a stage may take, for error messages.</summary>
    public const string ValidForms = "none, value:C, norm:C, global-norm:C[:P], agc:L, autoclip:P, zclip:Z, skip-nonfinite (chain stages with '+')";

    /// <summary>Builds the clipper a spec describes.</summary>
    /// <param name="spec">The spec.</param>
    /// <returns>The clipper (a <see cref="ClipChain"/> for several stages).</returns>
    /// <exception cref="ArgumentException">The spec is malformed; the message names it and lists the valid forms.</exception>
    public static IGradientClipper Parse(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            throw new ArgumentException($"The clipper spec is empty; valid forms are {ValidForms}.", nameof(spec));
        }

        IGradientClipper[] parsed = Stages(spec).Select(stage => ParseStage(stage.Trim(), spec)).ToArray();
        return parsed.Length == 1 ? parsed[0] : new ClipChain(parsed);
    }

    /// <summary>The stages of a chain: split at '+', except the '+' of an exponent such as <c>1e+20</c>.</summary>
    private static List<string> Stages(string spec)
    {
        var stages = new List<string>();
        int start = 0;
        for (int i = 0; i < spec.Length; i++)
        {
            bool exponent = i >= 2 && (spec[i - 1] is 'e' or 'E') && (char.IsAsciiDigit(spec[i - 2]) || spec[i - 2] == '.');
            if (spec[i] == '+' && !exponent)
            {
                stages.Add(spec[start..i]);
                start = i + 1;
            }
        }

        stages.Add(spec[start..]);
        return stages;
    }

    private static IGradientClipper ParseStage(string stage, string spec)
    {
        string[] parts = stage.Split(':');
        string kind = parts[0];
        int arguments = parts.Length - 1;
        float Number(int index, string what)
        {
            if (!float.TryParse(parts[index], NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value) || value <= 0f)
            {
                throw new ArgumentException(
                    $"Clipper spec '{spec}': '{parts[index]}' in '{stage}' is not a valid {what}; it must be a positive number (for example {kind}:1).", nameof(spec));
            }

            return value;
        }

        void Expect(int min, int max)
        {
            if (arguments < min || arguments > max)
            {
                throw new ArgumentException($"Clipper spec '{spec}': '{stage}' has {arguments} argument(s); valid forms are {ValidForms}.", nameof(spec));
            }
        }

        switch (kind)
        {
            case "none":
                Expect(0, 0);
                return new NoClip();
            case "skip-nonfinite":
                Expect(0, 0);
                return new SkipNonFinite();
            case "value":
                Expect(1, 1);
                return new ClipByValue(Number(1, "threshold"));
            case "norm":
                Expect(1, 1);
                return new ClipByNorm(Number(1, "threshold"));
            case "global-norm":
                Expect(1, 2);
                float p = arguments == 2 ? (parts[2] is "inf" ? float.PositiveInfinity : Number(2, "norm order")) : 2f;
                if (p < 1f)
                {
                    throw new ArgumentException($"Clipper spec '{spec}': the norm order {parts[2]} is below 1, where ‖·‖ₚ is not a norm; valid orders are 1 ≤ P (any finite value) or inf.", nameof(spec));
                }

                return new ClipByGlobalNorm(Number(1, "threshold"), p);
            case "agc":
                Expect(1, 1);
                return new AdaptiveGradClip(Number(1, "clipping ratio"));
            case "autoclip":
                Expect(1, 1);
                float percentile = Number(1, "percentile");
                if (percentile > 100f)
                {
                    throw new ArgumentException($"Clipper spec '{spec}': the AutoClip percentile {parts[1]} must be in (0, 100].", nameof(spec));
                }

                return new AutoClip(percentile);
            case "zclip":
                Expect(1, 1);
                return new ZClip(Number(1, "z threshold"));
            default:
                throw new ArgumentException($"Clipper spec '{spec}': unknown stage '{kind}'; valid forms are {ValidForms}.", nameof(spec));
        }
    }
}
