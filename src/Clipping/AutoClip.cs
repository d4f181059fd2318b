using System.Globalization;
using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Clipping;

/// <summary>
/// AutoClip (Seetharaman, Wichern, Pardo &amp; Le Roux 2020, arXiv 2007.14469): global-norm clipping whose threshold
/// is a percentile of the gradient norms seen so far.
/// </summary>
/// <remarks>
/// Each step appends the pre-clip global L2 norm ‖g_t‖ to the history H (the last <see cref="Window"/> values,
/// or all), sets c_t = the p-th percentile of H (linear interpolation, NumPy's default), and clips as
/// <see cref="ClipByGlobalNorm"/> would with c_t. The first step has a history of one and is left unclipped.
/// Non-finite norms are not added to the history (one NaN would poison every later threshold).
/// The history is kept split at the percentile in two heaps (<see cref="RunningQuantile"/>), so a step costs O(log n)
/// in the history's length n, not the O(n log n) of sorting it: a million-step run costs per step what a thousand-step
/// run does.
/// </remarks>
public sealed class AutoClip : IGradientClipper, IStatefulClipper
{
    private readonly RunningQuantile _quantile;
    private double[] _history = new double[16];   // the window, oldest first, at [_start, _start + _count)
    private int _start, _count;

    /// <summary>Creates the stage.</summary>
    /// <param name="percentile">p in (0, 100]; the paper recommends 10.</param>
    /// <param name="window">How many recent norms to keep, or null for the whole history (the paper's choice).</param>
    public AutoClip(float percentile = 10f, int? window = null)
    {
        if (!(percentile > 0f && percentile <= 100f))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, $"AutoClip percentile is {percentile.ToString(CultureInfo.InvariantCulture)}; it must be in (0, 100].");
        }

        if (window is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "AutoClip window must be a positive number of steps, or null for the whole history.");
        }

        (Percentile, Window) = (percentile, window);
        _quantile = new RunningQuantile(percentile / 100.0);
    }

    /// <summary>p, the percentile of the norm history used as the threshold, in (0, 100].</summary>
    public float Percentile { get; }

    /// <summary>The history length, or null for all.</summary>
    public int? Window { get; }

    /// <summary>The norms remembered, oldest first.</summary>
    public IReadOnlyList<double> History => new ArraySegment<double>(_history, _start, _count);

    /// <summary>The threshold used at the last step (∞ when it was not clipped).</summary>
    public float LastThreshold { get; private set; } = float.PositiveInfinity;

    /// <inheritdoc/>
    public ClipReport Clip(IReadOnlyList<Tensor> parameters)
    {
        int[] indices = ClipInputs.WithGradients(parameters, nameof(AutoClip));
        (float[] norms, float total) = ClipInputs.L2Norms(parameters, indices);
        if (float.IsFinite(total))
        {
            Remember(total);
        }

        float scale = 1f;
        LastThreshold = float.PositiveInfinity;
        if (_count > 1)
        {
            LastThreshold = (float)_quantile.Value;
            scale = ClipThreshold.Coefficient(LastThreshold, total);
            ClipInputs.Scale(parameters, indices, scale);
        }

        return new ClipReport(total, total * scale, scale, false, ClipInputs.Scaled(parameters, indices, norms, _ => scale));
    }

    /// <summary>Restores the history (for resuming a run).</summary>
    /// <param name="history">The norms, oldest first.</param>
    public void LoadHistory(IEnumerable<double> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        (_start, _count) = (0, 0);
        _quantile.Clear();
        foreach (double norm in history)
        {
            if (!double.IsFinite(norm))
            {
                throw new ArgumentException($"AutoClip history holds {norm}; a saved history has only finite norms.", nameof(history));
            }

            Remember(norm);
        }
    }

    /// <summary>Appends a norm, dropping the oldest when the window is full; O(log n), amortised.</summary>
    private void Remember(double norm)
    {
        if (Window is int window && _count == window)
        {
            _quantile.Remove(_history[_start]);
            (_start, _count) = (_start + 1, _count - 1);
        }

        if (_start + _count == _history.Length)
        {
            // Full at the end: slide the window down when at least half the buffer is dropped values, else grow.
            double[] target = _count <= _history.Length / 2 ? _history : new double[_history.Length * 2];
            Array.Copy(_history, _start, target, 0, _count);
            (_history, _start) = (target, 0);
        }

        _history[_start + _count++] = norm;
        _quantile.Add(norm);
    }

    /// <inheritdoc/>
    public ClipperState SaveState() => new AutoClipState([.. History]);

    /// <inheritdoc/>
    public void LoadState(ClipperState state) => LoadHistory(StateOf.Expect<AutoClipState>(state, this).History);

    /// <inheritdoc/>
    public ClipperState ParseState(IReadOnlyDictionary<string, string> text) => AutoClipState.Parse(text);

    /// <inheritdoc/>
    public override string ToString() => "autoclip:" + Percentile.ToString(CultureInfo.InvariantCulture);
}
