namespace MiniNet.Training;

/// <summary>
/// An experiment's aggregated results, as a value: what <c>mininet experiment aggregate</c> writes to the folder, for use
/// from code and notebooks (where it displays as the experiment report's charts and table).
/// </summary>
/// <param name="Folder">The experiment folder.</param>
/// <param name="Results">One result per cell that ended.</param>
/// <param name="Summary">One summary per setting, over its seeds.</param>
/// <param name="Pending">Cells without a result yet.</param>
public sealed record ExperimentResults(string Folder, IReadOnlyList<CellResult> Results, IReadOnlyList<SettingSummary> Summary, int Pending)
{
    /// <summary>Aggregates an experiment folder (writing results.csv, results.json, summary.csv and report.html into it).</summary>
    /// <param name="folder">The experiment folder.</param>
    /// <returns>The results.</returns>
    public static ExperimentResults Aggregate(string folder)
    {
        (IReadOnlyList<CellResult> results, IReadOnlyList<SettingSummary> summary, int pending) = Aggregation.Write(folder);
        return new ExperimentResults(folder, results, summary, pending);
    }

    /// <summary>
    /// Runs a grid in this process, one cell after another, into <paramref name="folder"/> and aggregates it: the in-process
    /// form of <c>mininet experiment</c> (which runs cells in worker processes). Rerunning continues the cells not yet ended.
    /// </summary>
    /// <param name="folder">The experiment folder (created if needed; an existing one must hold the same grid).</param>
    /// <param name="grid">The grid (for example <c>ExperimentGrid.FromLists(new Dictionary&lt;string, string&gt; { ["clip"] = "none,global-norm:1", ["seeds"] = "1-4" })</c>).</param>
    /// <param name="baseConfig">The settings the grid does not vary.</param>
    /// <param name="progress">Told the id of each cell as it ends, or null.</param>
    /// <param name="cancellation">Stops after the current cell's current step (the cell checkpoints and resumes on a rerun).</param>
    /// <returns>The results.</returns>
    public static ExperimentResults Run(string folder, ExperimentGrid grid, TrainingConfig baseConfig, IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(grid);
        IReadOnlyList<ExperimentCell> cells = grid.Cells(baseConfig);
        Experiment.Create(folder, cells, grid.Varied, checkpointEvery: 0);
        foreach (ExperimentCell cell in cells)
        {
            if (cancellation.IsCancellationRequested)
            {
                break;
            }

            if (Experiment.StateOf(folder, cell.Id) is not (CellState.Done or CellState.Failed))
            {
                CellRunner.Run(folder, cell.Id, cancellation);
            }

            progress?.Report(cell.Id);
        }

        return Aggregate(folder);
    }

    /// <summary>The report's content without the page around it (for a notebook): its charts and tables.</summary>
    /// <returns>An HTML fragment.</returns>
    public string ToHtml() => ExperimentReport.Body(Folder, Results, Summary, Pending);
}
