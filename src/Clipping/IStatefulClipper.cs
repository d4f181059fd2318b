using System.Globalization;

namespace MiniNet.Clipping;

/// <summary>A clipping stage with state that a checkpoint must carry (a history, running averages, a count).</summary>
/// <remarks>State is exact text (doubles in round-trip form), so a resumed run continues bit for bit.</remarks>
public interface IStatefulClipper
{
    /// <summary>The state, as key/value text.</summary>
    /// <returns>The state.</returns>
    IReadOnlyDictionary<string, string> GetState();

    /// <summary>Restores state from <see cref="GetState"/>.</summary>
    /// <param name="state">The state.</param>
    /// <exception cref="FormatException">A value is missing or malformed; the message names it.</exception>
    void LoadState(IReadOnlyDictionary<string, string> state);
}

/// <summary>Text encoding of clipper state.</summary>
internal static class ClipState
{
    public static string Doubles(IEnumerable<double> values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    public static List<double> ParseDoubles(IReadOnlyDictionary<string, string> state, string key)
    {
        string text = Get(state, key);
        if (text.Length == 0)
        {
            return [];
        }

        return text.Split(',').Select(part => double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw new FormatException($"Clipper state '{key}' holds '{part}', which is not a finite number.")).ToList();
    }

    public static double? ParseOptional(IReadOnlyDictionary<string, string> state, string key)
    {
        string text = Get(state, key);
        return text.Length == 0 ? null
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
            : throw new FormatException($"Clipper state '{key}' holds '{text}', which is not a finite number.");
    }

    public static string Get(IReadOnlyDictionary<string, string> state, string key)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.TryGetValue(key, out string? value) ? value : throw new FormatException($"Clipper state lacks '{key}'.");
    }
}
