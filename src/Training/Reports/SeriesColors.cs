namespace MiniNet.Training;

/// <summary>
/// One colour per clipper across every chart of a report: the first time a clipper is named it takes the next palette
/// colour, and keeps it. Unclipped runs (<c>none</c>) are always vermillion, the colour a reader learns for "exploded".
/// </summary>
/// <remarks>Past the palette's seven colours the colours repeat with a dash pattern, so every key still looks different.</remarks>
public sealed class SeriesColors
{
    /// <summary>The colour of unclipped runs.</summary>
    public const string Unclipped = "#D55E00";

    /// <summary>The dash patterns that tell apart lines of one colour: solid first.</summary>
    internal static readonly IReadOnlyList<string?> Dashes = [null, "7 3", "2 2", "9 3 2 3"];
    private readonly Dictionary<string, int> _index = [];

    /// <summary>The colour of a key (a clipper spec): vermillion for <c>none</c>, otherwise its palette colour.</summary>
    /// <param name="key">The clipper spec (or another series key).</param>
    public string this[string key] => key == "none" ? Unclipped : SvgChart.Palette[Index(key) % (SvgChart.Palette.Count - 1)];

    /// <summary>The dash pattern a key needs to stay distinct once the palette has repeated, or null (solid).</summary>
    /// <param name="key">The clipper spec (or another series key).</param>
    public string? Dash(string key) => key == "none" ? null : Dashes[(Index(key) / (SvgChart.Palette.Count - 1)) % Dashes.Count];

    private int Index(string key)
    {
        if (!_index.TryGetValue(key, out int i))
        {
            i = _index.Count;
            _index[key] = i;
        }

        return i;
    }
}
