using System.Globalization;

namespace MiniNet.Serialization;

/// <summary>
/// The state of a stateful clipping stage (a history, running statistics, a count) as a typed record, and its exact
/// text form for checkpoints: doubles in round-trip notation, so a resumed run continues bit for bit.
/// </summary>
public abstract record ClipperState
{
    /// <summary>The state as key/value text, for a checkpoint's metadata.</summary>
    /// <returns>The text.</returns>
    public abstract IReadOnlyDictionary<string, string> ToText();

    /// <summary>A list of doubles as round-trip text, comma-separated.</summary>
    private protected static string Doubles(IEnumerable<double> values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>An optional double as round-trip text (empty for null).</summary>
    private protected static string Optional(double? value) => value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty;

    /// <summary>Reads a comma-separated list of finite doubles.</summary>
    private protected static List<double> ParseDoubles(IReadOnlyDictionary<string, string> text, string key)
    {
        string value = Get(text, key);
        return value.Length == 0 ? [] : [.. value.Split(',').Select(part => Finite(part, key))];
    }

    /// <summary>Reads an optional finite double (empty for null).</summary>
    private protected static double? ParseOptional(IReadOnlyDictionary<string, string> text, string key)
    {
        string value = Get(text, key);
        return value.Length == 0 ? null : Finite(value, key);
    }

    /// <summary>The value under <paramref name="key"/>, or a <see cref="FormatException"/> naming it.</summary>
    private protected static string Get(IReadOnlyDictionary<string, string> text, string key)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.TryGetValue(key, out string? value) ? value : throw new FormatException($"Clipper state lacks '{key}'.");
    }

    private static double Finite(string part, string key) =>
        double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw new FormatException($"Clipper state '{key}' holds '{part}', which is not a finite number.");
}

/// <summary>AutoClip's state: the history of pre-clip norms, oldest first.</summary>
/// <param name="History">The norms.</param>
public sealed record AutoClipState(IReadOnlyList<double> History) : ClipperState
{
    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> ToText() => new Dictionary<string, string> { ["history"] = Doubles(History) };

    /// <summary>Reads the state from <see cref="ToText"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The state.</returns>
    /// <exception cref="FormatException">A value is missing or malformed; the message names it.</exception>
    public static AutoClipState Parse(IReadOnlyDictionary<string, string> text) => new(ParseDoubles(text, "history"));
}

/// <summary>ZClip's state: the EMA mean μ and variance σ² of the norm (null while in warmup) and the warmup norms so far.</summary>
/// <param name="Mean">μ, or null in warmup.</param>
/// <param name="Variance">σ², or null in warmup.</param>
/// <param name="WarmupNorms">The norms recorded in warmup.</param>
public sealed record ZClipState(double? Mean, double? Variance, IReadOnlyList<double> WarmupNorms) : ClipperState
{
    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> ToText() => new Dictionary<string, string>
    {
        ["mean"] = Optional(Mean),
        ["variance"] = Optional(Variance),
        ["warmup"] = Doubles(WarmupNorms),
    };

    /// <summary>Reads the state from <see cref="ToText"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The state.</returns>
    /// <exception cref="FormatException">A value is missing or malformed; the message names it.</exception>
    public static ZClipState Parse(IReadOnlyDictionary<string, string> text) =>
        new(ParseOptional(text, "mean"), ParseOptional(text, "variance"), ParseDoubles(text, "warmup"));
}

/// <summary>SkipNonFinite's state: how many steps it skipped.</summary>
/// <param name="SkippedSteps">The count.</param>
public sealed record SkipNonFiniteState(int SkippedSteps) : ClipperState
{
    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> ToText() =>
        new Dictionary<string, string> { ["skipped"] = SkippedSteps.ToString(CultureInfo.InvariantCulture) };

    /// <summary>Reads the state from <see cref="ToText"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The state.</returns>
    /// <exception cref="FormatException">The count is missing or not a whole number.</exception>
    public static SkipNonFiniteState Parse(IReadOnlyDictionary<string, string> text) =>
        new(int.TryParse(Get(text, "skipped"), NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? n : throw new FormatException("Clipper state 'skipped' is not a whole number."));
}

/// <summary>A chain's state: each stateful stage's, keyed by the stage's name (its spec, such as <c>autoclip:90</c>).</summary>
/// <param name="Stages">The stages' states by name, in chain order.</param>
public sealed record ClipChainState(IReadOnlyList<KeyValuePair<string, ClipperState>> Stages) : ClipperState
{
    /// <summary>Separates a stage's name from its keys in the text form (a spec never contains it).</summary>
    public const char Separator = '/';

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> ToText()
    {
        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, ClipperState state) in Stages)
        {
            foreach ((string key, string value) in state.ToText())
            {
                text[$"{name}{Separator}{key}"] = value;
            }
        }

        return text;
    }

    /// <summary>The keys of stage <paramref name="name"/> in a chain's text, with the stage's prefix removed.</summary>
    /// <param name="text">The chain's text.</param>
    /// <param name="name">The stage's name.</param>
    /// <returns>That stage's text.</returns>
    public static IReadOnlyDictionary<string, string> StageText(IReadOnlyDictionary<string, string> text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        string prefix = name + Separator;
        return text.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
    }
}
