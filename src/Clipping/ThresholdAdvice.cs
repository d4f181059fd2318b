using System.Globalization;
using MathNet.Numerics.Statistics;

namespace MiniNet.Clipping;

/// <summary>A clipping threshold suggested from the gradient norms of a short unclipped probe run.</summary>
/// <param name="Steps">How many finite norms the probe gave.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="Median">Their median.</param>
/// <param name="Percentile90">Their 90th percentile.</param>
/// <param name="Max">The largest.</param>
/// <param name="SuggestedThreshold">The suggestion for global-norm clipping: the mean norm (Pascanu et al. 2013).</param>
/// <param name="RangeLow">The low end of the safe range, ½ × the mean.</param>
/// <param name="RangeHigh">The high end, 10 × the mean.</param>
/// <param name="AutoClipThreshold">The AutoClip threshold at the requested percentile of the probe's norms.</param>
public sealed record ThresholdAdvice(int Steps, double Mean, double Median, double Percentile90, double Max,
    double SuggestedThreshold, double RangeLow, double RangeHigh, double AutoClipThreshold)
{
    /// <summary>
    /// Advice from the pre-clip norms of an unclipped probe. Pascanu et al. (2013) suggest looking at the
    /// average norm over many updates and note that thresholds from half to ten times it still converge; AutoClip
    /// (Seetharaman et al. 2020) takes a low percentile (10th by default) of the norms seen.
    /// </summary>
    /// <param name="preClipNorms">The probe's pre-clip global norms (non-finite ones are ignored).</param>
    /// <param name="autoClipPercentile">The percentile for <see cref="AutoClipThreshold"/>, in (0, 100].</param>
    /// <returns>The advice.</returns>
    public static ThresholdAdvice FromProbe(IEnumerable<float> preClipNorms, float autoClipPercentile = 10f)
    {
        ArgumentNullException.ThrowIfNull(preClipNorms);
        if (!(autoClipPercentile > 0f && autoClipPercentile <= 100f))
        {
            throw new ArgumentOutOfRangeException(nameof(autoClipPercentile), autoClipPercentile, "The AutoClip percentile must be in (0, 100].");
        }

        double[] norms = preClipNorms.Where(float.IsFinite).Select(n => (double)n).ToArray();
        if (norms.Length < 2)
        {
            throw new ArgumentException(
                $"Threshold advice needs at least 2 finite gradient norms from the probe, but got {norms.Length}; run the probe for more steps or with a smaller learning rate.",
                nameof(preClipNorms));
        }

        double mean = norms.Mean();
        return new ThresholdAdvice(
            norms.Length, mean, norms.Median(), norms.QuantileCustom(0.9, QuantileDefinition.R7), norms.Max(),
            mean, 0.5 * mean, 10 * mean, norms.QuantileCustom(autoClipPercentile / 100.0, QuantileDefinition.R7));
    }

    /// <summary>One line a person can read: the statistics and the suggestion.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Format(
        CultureInfo.InvariantCulture,
        "probe of {0} steps: mean norm {1:G4}, median {2:G4}, p90 {3:G4}, max {4:G4}; suggested global-norm threshold {5:G3} (safe range {6:G3} to {7:G3}), AutoClip threshold {8:G3}",
        Steps, Mean, Median, Percentile90, Max, SuggestedThreshold, RangeLow, RangeHigh, AutoClipThreshold);
}
