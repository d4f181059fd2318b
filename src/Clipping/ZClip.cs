using System.Globalization;
using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Clipping;

/// <summary>
/// ZClip (Kumar, Owen, Roy Chowdhury &amp; Güra 2025, arXiv 2504.02507): clips the global norm when it is an
/// outlier against exponential moving averages of its mean and variance — a spike detector.
/// </summary>
/// <remarks>
/// Warmup: the first <c>warmup</c> norms are only recorded; then μ = their mean and σ² = their (population) variance.
/// Each later step: z = (‖g‖ − μ) / (σ + 1e-6). If z &gt; z_thr the gradients are rescaled to the norm
/// c = μ + z_thr·σ / (z / z_thr) = μ + z_thr²·σ / z ("adaptive scaling": larger spikes are cut harder), with
/// factor c / (‖g‖ + 1e-6). The averages are then updated with the norm kept (c when clipped, else ‖g‖):
/// μ ← αμ + (1 − α)x, σ² ← ασ² + (1 − α)(x − μ)², using the updated μ, as the reference implementation does.
/// </remarks>
public sealed class ZClip : IGradientClipper, IStatefulClipper
{
    private const double Epsilon = 1e-6;
    private readonly List<double> _warmupNorms = [];

    /// <summary>Creates the stage.</summary>
    /// <param name="zThreshold">z_thr &gt; 0.</param>
    /// <param name="alpha">α in (0, 1), the EMA smoothing factor.</param>
    /// <param name="warmup">Steps recorded before any clipping, ≥ 1.</param>
    public ZClip(float zThreshold = 2.5f, float alpha = 0.97f, int warmup = 25)
    {
        ClipThreshold.RequirePositive(zThreshold, nameof(zThreshold), nameof(ZClip));
        if (!(alpha > 0f && alpha < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"ZClip alpha is {alpha.ToString(CultureInfo.InvariantCulture)}; it must be in (0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(warmup);
        (ZThreshold, Alpha, Warmup) = (zThreshold, alpha, warmup);
    }

    /// <summary>z_thr, the z-score of the norm above which a step is clipped.</summary>
    public float ZThreshold { get; }

    /// <summary>α, the EMA factor of the running mean and variance of the norm.</summary>
    public float Alpha { get; }

    /// <summary>Warmup steps.</summary>
    public int Warmup { get; }

    /// <summary>The EMA of the norm, or null during warmup.</summary>
    public double? Mean { get; private set; }

    /// <summary>The EMA of the norm's variance, or null during warmup.</summary>
    public double? Variance { get; private set; }

    /// <summary>The norms recorded so far during warmup.</summary>
    public IReadOnlyList<double> WarmupNorms => _warmupNorms;

    /// <inheritdoc/>
    public ClipReport Clip(IReadOnlyList<Tensor> parameters)
    {
        int[] indices = ClipInputs.WithGradients(parameters, nameof(ZClip));
        (float[] norms, float total) = ClipInputs.L2Norms(parameters, indices);
        float scale = 1f;
        if (!float.IsFinite(total))
        {
            // a non-finite norm carries no statistics: it is left to SkipNonFinite, and the averages stay clean
            return new ClipReport(total, total, scale, false, ClipInputs.Scaled(parameters, indices, norms, _ => scale));
        }

        if (Mean is not double mean || Variance is not double variance)
        {
            _warmupNorms.Add(total);
            if (_warmupNorms.Count >= Warmup)
            {
                double m = _warmupNorms.Average();
                Mean = m;
                Variance = _warmupNorms.Sum(x => (x - m) * (x - m)) / _warmupNorms.Count;
                _warmupNorms.Clear();
            }
        }
        else
        {
            double std = Math.Sqrt(variance);
            double z = (total - mean) / (std + Epsilon);
            double kept = total;
            if (z > ZThreshold)
            {
                kept = mean + (ZThreshold * std / (z / ZThreshold));
                scale = ClipThreshold.Coefficient((float)kept, total);
                ClipInputs.Scale(parameters, indices, scale);
            }

            double newMean = (Alpha * mean) + ((1 - Alpha) * kept);
            Mean = newMean;
            Variance = (Alpha * variance) + ((1 - Alpha) * (kept - newMean) * (kept - newMean));
        }

        return new ClipReport(total, total * scale, scale, false, ClipInputs.Scaled(parameters, indices, norms, _ => scale));
    }

    /// <summary>Restores the statistics (for resuming a run).</summary>
    /// <param name="mean">μ, or null while still in warmup.</param>
    /// <param name="variance">σ², or null while still in warmup.</param>
    /// <param name="warmupNorms">The norms recorded so far in warmup.</param>
    public void LoadState(double? mean, double? variance, IEnumerable<double> warmupNorms)
    {
        ArgumentNullException.ThrowIfNull(warmupNorms);
        if (mean.HasValue != variance.HasValue)
        {
            throw new ArgumentException("ZClip state needs both the mean and the variance, or neither (still in warmup).", nameof(variance));
        }

        (Mean, Variance) = (mean, variance);
        _warmupNorms.Clear();
        _warmupNorms.AddRange(warmupNorms);
    }

    /// <inheritdoc/>
    public ClipperState SaveState() => new ZClipState(Mean, Variance, [.. _warmupNorms]);

    /// <inheritdoc/>
    public void LoadState(ClipperState state)
    {
        ZClipState z = StateOf.Expect<ZClipState>(state, this);
        LoadState(z.Mean, z.Variance, z.WarmupNorms);
    }

    /// <inheritdoc/>
    public ClipperState ParseState(IReadOnlyDictionary<string, string> text) => ZClipState.Parse(text);

    /// <inheritdoc/>
    public override string ToString() => "zclip:" + ZThreshold.ToString(CultureInfo.InvariantCulture);
}
