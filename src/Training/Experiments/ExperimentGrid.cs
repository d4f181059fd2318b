using System.Globalization;
using System.Text.Json;

namespace MiniNet.Training;

/// <summary>
/// An experiment's grid: for each setting (named as the <c>train</c> option: <c>seq-len</c>, <c>clip</c>, <c>lr</c>, …) the list of
/// values to try; its cells are every combination. Given as comma lists on the command line or as a JSON experiment file.
/// </summary>
/// <remarks>
/// Seeds are a list (<c>1,2,3</c>) or a range (<c>1-10</c>). The values of one setting are kept in the order given; the cells are
/// ordered by the settings in <see cref="Keys"/> order, the last one varying fastest. A grid of more than <c>maxCells</c> cells is
/// refused (10,000 unless raised), before anything is written.
/// </remarks>
public sealed class ExperimentGrid
{
    /// <summary>The settings a grid may vary, in the order cells are enumerated.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["task", "model", "hidden", "layers", "seq-len", "batch", "optimizer", "lr", "schedule", "clip", "accumulation", "steps", "eval-every", "eval-batch", "divergence-factor", "seeds"];

    /// <summary>The largest grid accepted unless the caller raises it.</summary>
    public const int DefaultMaxCells = 10_000;

    private readonly Dictionary<string, string[]> _axes;

    private ExperimentGrid(Dictionary<string, string[]> axes) => _axes = axes;

    /// <summary>The values of each setting the grid varies (settings not listed keep the base configuration's value).</summary>
    public IReadOnlyDictionary<string, string[]> Axes => _axes;

    /// <summary>The settings that take more than one value (the seeds included), in <see cref="Keys"/> order: results are grouped over the seeds of each combination of the others.</summary>
    public IReadOnlyList<string> Varied => [.. Keys.Where(k => _axes.TryGetValue(k, out string[]? v) && v.Distinct().Count() > 1)];

    /// <summary>A grid from comma lists, one per setting (for example <c>["seq-len"] = "25,50,100"</c>).</summary>
    /// <param name="lists">Setting name → comma-separated values.</param>
    /// <returns>The grid.</returns>
    /// <exception cref="ArgumentException">An unknown setting (named, with the valid ones), or an empty list.</exception>
    public static ExperimentGrid FromLists(IReadOnlyDictionary<string, string> lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var axes = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach ((string key, string text) in lists)
        {
            CheckKey(key, "option --");
            string[] values = key == "seeds" ? Seeds(text) : text.Split(',', StringSplitOptions.TrimEntries);
            if (values.Length == 0 || values.Any(v => v.Length == 0))
            {
                throw new ArgumentException($"--{key} '{text}' has an empty value; give comma-separated values such as {Example(key)}.");
            }

            axes[key] = values;
        }

        return new ExperimentGrid(axes);
    }

    /// <summary>A grid from an experiment file: a JSON object whose keys are settings and whose values are a value or a list of values
    /// (<c>"seeds"</c> may also be a range string such as <c>"1-10"</c>); a <c>"$schema"</c> key is allowed and ignored.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The grid.</returns>
    /// <exception cref="InvalidDataException">The file is not such an object; an unknown key is named with the valid ones.</exception>
    public static ExperimentGrid FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No experiment file at '{path}'.", path);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"'{path}' is not an experiment file: it must be a JSON object of settings, such as {{\"seq-len\": [25, 50], \"clip\": [\"none\", \"global-norm:1\"], \"seeds\": \"1-10\"}}.");
            }

            var lists = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "$schema")
                {
                    continue;
                }

                if (!Keys.Contains(property.Name))
                {
                    throw new InvalidDataException($"'{path}': unknown key '{property.Name}'; valid keys are {string.Join(", ", Keys)} (and $schema).");
                }

                IEnumerable<JsonElement> items = property.Value.ValueKind == JsonValueKind.Array ? property.Value.EnumerateArray() : [property.Value];
                lists[property.Name] = string.Join(',', items.Select(item => item.ValueKind switch
                {
                    JsonValueKind.String => item.GetString()!,
                    JsonValueKind.Number => item.GetRawText(),
                    _ => throw new InvalidDataException($"'{path}': '{property.Name}' holds {item.ValueKind.ToString().ToLowerInvariant()} {item.GetRawText()}; give a number, a string, or a list of them."),
                }));
            }

            return FromLists(lists);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON ({e.Message}).");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}");
        }
    }

    /// <summary>The number of cells.</summary>
    public long CellCount => _axes.Values.Aggregate(1L, (n, values) => n * values.Length);

    /// <summary>Every cell's configuration, validated, in grid order.</summary>
    /// <param name="baseConfig">The settings the grid does not vary.</param>
    /// <param name="maxCells">The largest grid accepted.</param>
    /// <returns>The cells.</returns>
    /// <exception cref="ArgumentException">Too many cells (with how to raise the limit), or a cell whose settings are invalid (named).</exception>
    public IReadOnlyList<ExperimentCell> Cells(TrainingConfig baseConfig, int maxCells = DefaultMaxCells)
    {
        ArgumentNullException.ThrowIfNull(baseConfig);
        if (CellCount > maxCells)
        {
            throw new ArgumentException(
                $"The grid has {CellCount} cells ({string.Join(" × ", _axes.Select(a => $"{a.Value.Length} {a.Key}"))}), more than --max-cells {maxCells}; narrow it, or raise --max-cells.");
        }

        var configs = new List<TrainingConfig> { baseConfig };
        foreach (string key in Keys.Where(_axes.ContainsKey))
        {
            configs = [.. configs.SelectMany(c => _axes[key].Select(value => With(c, key, value)))];
        }

        var cells = new List<ExperimentCell>(configs.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (TrainingConfig config in configs)
        {
            config.Validate();
            MemoryEstimate.For(config).ThrowIfTooLarge();
            var cell = ExperimentCell.For(config);
            if (ids.Add(cell.Id))
            {
                cells.Add(cell); // a value listed twice gives the same cell once
            }
        }

        return cells;
    }

    private static TrainingConfig With(TrainingConfig c, string key, string value) => key switch
    {
        "task" => c with { Task = value },
        "model" => c with { Model = value },
        "hidden" => c with { Hidden = Int(key, value) },
        "layers" => c with { Layers = Int(key, value) },
        "seq-len" => c with { SequenceLength = Int(key, value) },
        "batch" => c with { Batch = Int(key, value) },
        "optimizer" => c with { Optimizer = value },
        "lr" => c with { LearningRate = Float(key, value) },
        "schedule" => c with { Schedule = value },
        "clip" => c with { Clip = value },
        "accumulation" => c with { AccumulationSteps = Int(key, value) },
        "steps" => c with { Steps = Int(key, value) },
        "eval-every" => c with { EvalEvery = Int(key, value) },
        "eval-batch" => c with { EvalBatch = Int(key, value) },
        "divergence-factor" => c with { DivergenceFactor = Float(key, value) },
        "seeds" => c with { Seed = Int(key, value) },
        _ => throw new ArgumentException($"Unknown setting '{key}'."),
    };

    private static int Int(string key, string value) => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)
        ? v : throw new ArgumentException($"--{key}: '{value}' is not a whole number.");

    private static float Float(string key, string value) => float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float v)
        ? v : throw new ArgumentException($"--{key}: '{value}' is not a number.");

    private static string[] Seeds(string text)
    {
        string[] parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int last))
        {
            if (last < first || last - first >= 1_000_000)
            {
                throw new ArgumentException($"--seeds '{text}' is not a range from a smaller to a larger seed (at most 1,000,000 seeds), such as 1-10.");
            }

            return [.. Enumerable.Range(first, last - first + 1).Select(s => s.ToString(CultureInfo.InvariantCulture))];
        }

        return text.Split(',', StringSplitOptions.TrimEntries);
    }

    private static void CheckKey(string key, string prefix)
    {
        if (!Keys.Contains(key))
        {
            throw new ArgumentException($"Unknown {prefix}{key}; an experiment varies {string.Join(", ", Keys)}.");
        }
    }

    private static string Example(string key) => key switch
    {
        "seq-len" => "25,50,100",
        "clip" => "none,global-norm:1",
        "seeds" => "1-10 or 1,2,3",
        "lr" => "0.01,0.1",
        _ => "a,b",
    };
}
