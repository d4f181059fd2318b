using System.Text.Json;
using System.Text.Json.Serialization;
using MiniNet.Training;

namespace MiniNet.Lab;

/// <summary>
/// What a <c>compare</c> or <c>sweep</c> will run, written to <c>plan.json</c> before the first step so that
/// <c>--resume &lt;folder&gt;</c> can finish it after an interrupt or a crash.
/// </summary>
/// <param name="Command">compare or sweep.</param>
/// <param name="Title">The report's title.</param>
/// <param name="Runs">The runs, in order.</param>
/// <param name="CheckpointEvery">Steps between checkpoints (0: only at each run's end and on interrupt).</param>
/// <param name="DetectAnomaly">Anomaly mode.</param>
/// <param name="StopOnDivergence">Whether a diverging run is stopped.</param>
/// <param name="Notes">Extra paragraphs for the report (the sweep's advice).</param>
/// <param name="Extra">Extra summary fields (the sweep's advice), as JSON.</param>
internal sealed record RunPlan(string Command, string Title, IReadOnlyList<PlannedRun> Runs, int CheckpointEvery, bool DetectAnomaly, bool StopOnDivergence,
    IReadOnlyList<string> Notes, IReadOnlyDictionary<string, JsonElement> Extra)
{
    public const string FileName = "plan.json";

    private static readonly JsonSerializerOptions Json = new(RunFolder.Json) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public void Save(string folder) => RunFolder.WriteText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));

    /// <summary>Reads a folder's plan, checking every run's settings.</summary>
    /// <exception cref="InvalidDataException">There is no plan, or it is not valid; the message names the file.</exception>
    public static RunPlan Load(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"'{folder}' has no {FileName}: it is not a compare or sweep folder (a train run resumes with train --resume <checkpoint>).");
        }

        try
        {
            RunPlan plan = JsonSerializer.Deserialize<RunPlan>(File.ReadAllText(path), Json) ?? throw new JsonException("the plan is null");
            if (plan.Runs is null || plan.Runs.Count == 0 || plan.Runs.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count() != plan.Runs.Count)
            {
                throw new JsonException("it lists no runs, or a run twice");
            }

            foreach (PlannedRun run in plan.Runs)
            {
                run.Config.Validate();
            }

            return plan;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{path}' is not a valid MiniNet plan: {e.Message.TrimEnd('.')}.");
        }
    }
}

/// <summary>One run of a plan.</summary>
/// <param name="Name">Its label (the clipper spec).</param>
/// <param name="Config">Its settings.</param>
internal sealed record PlannedRun(string Name, TrainingConfig Config);
