using System.Text.Json;

namespace MiniNet.Training;

/// <summary>How one cell ended when it was run.</summary>
public enum CellState
{
    /// <summary>Not run yet (or interrupted before its first checkpoint).</summary>
    Pending,

    /// <summary>Ended: solved, diverged, not solved or anomaly; its <c>summary.json</c> says which.</summary>
    Done,

    /// <summary>Stopped by a cancellation; its checkpoint lets it continue.</summary>
    Interrupted,

    /// <summary>It threw; <c>failed.json</c> holds the error.</summary>
    Failed,

    /// <summary>Another process is running it.</summary>
    Busy,
}

/// <summary>
/// An experiment's folder: <c>experiment.json</c> (every cell's id and settings), and one ordinary run folder per cell under
/// <c>cells/&lt;id&gt;/</c> (metrics, checkpoint, summary, report), wherever the cell ran.
/// </summary>
public static class Experiment
{
    /// <summary>The file listing the cells.</summary>
    public const string FileName = "experiment.json";

    private const string Format = "mininet-experiment";

    private static readonly JsonSerializerOptions Json = new(RunFolder.Json)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Writes <c>experiment.json</c> for <paramref name="cells"/> into <paramref name="folder"/> (created if needed), or checks that an
    /// existing one lists the same cells: rerunning the same command continues the same experiment.</summary>
    /// <param name="folder">The experiment folder.</param>
    /// <param name="cells">The cells.</param>
    /// <param name="varied">The settings the grid varies (results are grouped over the seeds of each combination of the others).</param>
    /// <param name="checkpointEvery">Steps between each cell's checkpoints.</param>
    /// <exception cref="IOException">The folder holds a different experiment.</exception>
    public static void Create(string folder, IReadOnlyList<ExperimentCell> cells, IReadOnlyList<string> varied, int checkpointEvery)
    {
        ArgumentNullException.ThrowIfNull(cells);
        Directory.CreateDirectory(Path.Combine(folder, "cells"));
        string path = Path.Combine(folder, FileName);
        var file = new ExperimentFile(Format, 1, checkpointEvery, varied, cells);
        if (File.Exists(path))
        {
            ExperimentFile existing = Read(folder);
            if (!existing.Cells.Select(c => c.Id).SequenceEqual(cells.Select(c => c.Id), StringComparer.Ordinal))
            {
                throw new IOException($"'{folder}' holds a different experiment ({existing.Cells.Count} other cells); choose another --out, or rerun its own command to continue it.");
            }

            return;
        }

        RunFolder.WriteText(path, JsonSerializer.Serialize(file, Json));
    }

    /// <summary>Reads <c>experiment.json</c>, checking every cell's settings.</summary>
    /// <param name="folder">The experiment folder.</param>
    /// <returns>The cells and the checkpoint interval.</returns>
    /// <exception cref="InvalidDataException">No such file, or it is not valid; the message names it.</exception>
    public static ExperimentFile Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"'{folder}' is not an experiment folder: it has no {FileName}.");
        }

        try
        {
            ExperimentFile file = JsonSerializer.Deserialize<ExperimentFile>(File.ReadAllText(path), Json) ?? throw new JsonException("it is null");
            if (file.Format != Format || file.Version != 1 || file.Cells is null || file.Varied is null || file.Varied.Any(k => !ExperimentGrid.Keys.Contains(k)))
            {
                throw new JsonException($"its format is '{file.Format}' version {file.Version}, not {Format} version 1");
            }

            foreach (ExperimentCell cell in file.Cells)
            {
                cell.Config.Validate();
                if (ExperimentCell.For(cell.Config).Id != cell.Id)
                {
                    throw new JsonException($"cell '{cell.Id}' does not match its settings");
                }
            }

            return file;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"'{path}' is not a valid MiniNet experiment: {e.Message.TrimEnd('.')}.");
        }
    }

    /// <summary>A cell's run folder.</summary>
    public static string CellFolder(string folder, string id) => Path.Combine(folder, "cells", id);

    /// <summary>What a cell's folder says about it (without running it).</summary>
    /// <param name="folder">The experiment folder.</param>
    /// <param name="id">The cell.</param>
    /// <returns>Its state.</returns>
    public static CellState StateOf(string folder, string id)
    {
        string cell = CellFolder(folder, id);
        if (File.Exists(Path.Combine(cell, "failed.json")))
        {
            return CellState.Failed;
        }

        string summary = Path.Combine(cell, "summary.json");
        if (!File.Exists(summary))
        {
            return File.Exists(Path.Combine(cell, "checkpoint.safetensors")) ? CellState.Interrupted : CellState.Pending;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(summary));
            return document.RootElement.GetProperty("runs")[0].GetProperty("status").GetString() == "interrupted" ? CellState.Interrupted : CellState.Done;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return CellState.Pending; // a summary cut short: run the cell again
        }
    }
}

/// <summary>The content of <c>experiment.json</c>.</summary>
/// <param name="Format">mininet-experiment.</param>
/// <param name="Version">1.</param>
/// <param name="CheckpointEvery">Steps between each cell's checkpoints.</param>
/// <param name="Varied">The settings the grid varies.</param>
/// <param name="Cells">The cells, in grid order.</param>
public sealed record ExperimentFile(string Format, int Version, int CheckpointEvery, IReadOnlyList<string> Varied, IReadOnlyList<ExperimentCell> Cells);
