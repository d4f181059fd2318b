using System.Text.Json;

namespace MiniNet.Training;

/// <summary>
/// Runs one cell of an experiment in its own folder, wherever it is called from (the local pool's worker, a GNU parallel job,
/// a SLURM array task): a finished cell is skipped, an interrupted one resumes from its checkpoint, a failure is recorded in
/// <c>failed.json</c> without stopping the others.
/// </summary>
public static class CellRunner
{
    /// <summary>Runs (or continues, or skips) the cell <paramref name="id"/> of the experiment in <paramref name="folder"/>.</summary>
    /// <param name="folder">The experiment folder.</param>
    /// <param name="id">The cell's id.</param>
    /// <param name="cancellation">Stops the cell after its current step (it checkpoints and can resume).</param>
    /// <returns>The cell's state afterwards.</returns>
    /// <exception cref="ArgumentException">No such cell in the experiment.</exception>
    public static CellState Run(string folder, string id, CancellationToken cancellation = default)
    {
        ExperimentFile experiment = Experiment.Read(folder);
        ExperimentCell cell = experiment.Cells.FirstOrDefault(c => c.Id == id)
            ?? throw new ArgumentException($"The experiment in '{folder}' has no cell '{id}'; its jobs.txt (from 'mininet experiment plan') lists the cells.");
        string cellFolder = Experiment.CellFolder(folder, id);
        Directory.CreateDirectory(cellFolder);
        RunFolderClaim claim;
        try
        {
            claim = RunFolder.ClaimExisting(cellFolder);
        }
        catch (IOException)
        {
            return CellState.Busy;
        }

        using (claim)
        {
            CellState before = Experiment.StateOf(folder, id);
            if (before == CellState.Done)
            {
                return CellState.Done;
            }

            File.Delete(Path.Combine(cellFolder, "failed.json")); // a failed cell is tried again
            string checkpoint = Path.Combine(cellFolder, "checkpoint.safetensors");
            bool resume = File.Exists(checkpoint);
            try
            {
                CheckpointState? saved = resume ? Checkpoint.Load(checkpoint) : null;
                MetricsFile.TruncateAfter(cellFolder, saved?.Step ?? 0);
                RunResult result;
                using (var metrics = new MetricsWriter(cellFolder, append: true))
                {
                    var options = new TrainingOptions(checkpoint, experiment.CheckpointEvery, resume ? checkpoint : null, HistoryCapacity: RunFolder.ReportRows, Metrics: metrics, KeepParameterNorms: true) { ResumeState = saved };
                    result = Trainer.Run(cell.Config, options, cell.Config.Clip, cancellation: cancellation);
                }

                if (resume)
                {
                    result = result.WithHistory([.. MetricsFile.ReadCsv(Path.Combine(cellFolder, MetricsWriter.CsvName)).Select(r => r.Row)], RunFolder.ReportRows);
                }

                RunFolder.Write(cellFolder, "experiment cell", [result], HtmlReport.ForRuns($"Experiment cell {id}", [result]),
                    new Dictionary<string, object?> { ["cell"] = id });
                return result.Status == RunStatus.Interrupted ? CellState.Interrupted : CellState.Done;
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                RunFolder.WriteText(Path.Combine(cellFolder, "failed.json"), JsonSerializer.Serialize(
                    new Dictionary<string, string> { ["cell"] = id, ["error"] = e.GetType().Name, ["message"] = e.Message }, RunFolder.Json));
                return CellState.Failed;
            }
        }
    }
}
