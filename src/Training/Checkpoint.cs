using System.Globalization;
using System.Text.Json;
using MiniNet.Autograd;
using MiniNet.Clipping;
using MiniNet.Optimizers;
using MiniNet.Serialization;

namespace MiniNet.Training;

/// <summary>Everything a run needs to continue exactly where it stopped.</summary>
/// <param name="Config">The run's settings.</param>
/// <param name="Step">Steps completed.</param>
/// <param name="FirstLoss">The first step's loss (the divergence test compares against it).</param>
/// <param name="SolvedAtStep">The step the task was first solved at, if it was.</param>
/// <param name="Model">The model's parameters by name.</param>
/// <param name="OptimizerTensors">The optimizer's buffers by name.</param>
/// <param name="OptimizerMetadata">The optimizer's step counts and learning rates.</param>
/// <param name="ScheduleState">The schedule's state (empty without a schedule).</param>
/// <param name="ClipperState">The clipper's state (empty for a stateless clipper).</param>
public sealed record CheckpointState(TrainingConfig Config, int Step, float FirstLoss, int? SolvedAtStep,
    IReadOnlyDictionary<string, Tensor> Model, IReadOnlyDictionary<string, Tensor> OptimizerTensors,
    IReadOnlyDictionary<string, string> OptimizerMetadata, IReadOnlyDictionary<string, string> ScheduleState, IReadOnlyDictionary<string, string> ClipperState)
{
    /// <summary>The run's checkpoint interval in steps (0: only at the end and on interrupt); a resume keeps it unless told otherwise.</summary>
    public int CheckpointEvery { get; init; }
}

/// <summary>
/// Checkpoints as one safetensors file: the model's state dict (<c>model.*</c>), the optimizer's buffers
/// (<c>optimizer.*</c>), and in the metadata the step, the settings, the schedule's and the clipper's state.
/// Written atomically (a temporary file, flushed to disk, renamed), so a crash never leaves a half-written checkpoint.
/// </summary>
/// <remarks>
/// The training batches come from a counter-based stream (<see cref="BatchStream"/>) whose state, the next step, is saved
/// (<c>data.generator</c>, <c>data.next_step</c>), so a resumed run continues the stream exactly, without replaying it, and is
/// bit-identical to an uninterrupted one. Reading checks every field before anything large is allocated: the file must be
/// a regular file, every JSON field must have its type, the settings must pass the command line's limits and fit in memory,
/// the tensors must be exactly the model's and the optimizer's; a violation is an <see cref="InvalidDataException"/> naming the
/// file and the field.
/// </remarks>
public static class Checkpoint
{
    private const string Format = "mininet-checkpoint";
    private const string Version = "2"; // 2: the counter-based batch stream and the checkpoint interval

    /// <summary>Writes a checkpoint atomically.</summary>
    /// <param name="path">The file.</param>
    /// <param name="state">What to save.</param>
    public static void Save(string path, CheckpointState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var tensors = state.Model.Select(kv => ("model." + kv.Key, kv.Value))
            .Concat(state.OptimizerTensors.Select(kv => ("optimizer." + kv.Key, kv.Value))).ToList();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["version"] = Version,
            ["step"] = state.Step.ToString(CultureInfo.InvariantCulture),
            ["first_loss"] = state.FirstLoss.ToString("R", CultureInfo.InvariantCulture),
            ["solved_at"] = state.SolvedAtStep?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            ["config"] = JsonSerializer.Serialize(state.Config, ConfigJson),
            ["data.generator"] = BatchStream.Name,
            ["data.next_step"] = (state.Step + 1L).ToString(CultureInfo.InvariantCulture),
            ["checkpoint_every"] = state.CheckpointEvery.ToString(CultureInfo.InvariantCulture),
        };
        Prefixed(metadata, "optimizer.", state.OptimizerMetadata);
        Prefixed(metadata, "schedule.", state.ScheduleState);
        Prefixed(metadata, "clipper.", state.ClipperState);
        Safetensors.Write(tensors, path, metadata);
    }

    /// <summary>Reads a checkpoint, checking every field.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The saved state.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid MiniNet checkpoint; the message names the file and the problem.</exception>
    public static CheckpointState Load(string path)
    {
        IReadOnlyDictionary<string, Tensor> tensors = Safetensors.Read(path, out IReadOnlyDictionary<string, string> metadata);
        string Get(string key) => metadata.TryGetValue(key, out string? value)
            ? value : throw Invalid(path, $"it lacks the '{key}' field (is it a MiniNet checkpoint?)");
        if (Get("format") != Format || Get("version") != Version)
        {
            throw Invalid(path, Get("format") == Format && Get("version") == "1"
                ? "it was written by an earlier MiniNet (checkpoint version 1), whose batch stream a resume cannot continue exactly; start the run again"
                : $"its format is '{Get("format")}' version '{Get("version")}', not {Format} version {Version}");
        }

        foreach (string key in metadata.Keys)
        {
            if (!KnownKeys.Contains(key) && !KnownPrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal)))
            {
                throw Invalid(path, $"its metadata has an unknown field '{key}'");
            }
        }

        foreach (string name in tensors.Keys)
        {
            if (!name.StartsWith("model.", StringComparison.Ordinal) && !name.StartsWith("optimizer.", StringComparison.Ordinal))
            {
                throw Invalid(path, $"it has a tensor '{name}' that is neither model.* nor optimizer.*");
            }
        }

        TrainingConfig config;
        try
        {
            config = JsonSerializer.Deserialize<TrainingConfig>(Get("config"), ConfigJson) ?? throw new JsonException("the settings are null");
            config.Validate();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw Invalid(path, $"its settings (field 'config') are not valid ({e.Message.TrimEnd('.')})");
        }

        try
        {
            MemoryEstimate.For(config).ThrowIfTooLarge();
        }
        catch (ArgumentException e)
        {
            throw Invalid(path, $"its settings (field 'config') describe a run too large for this machine ({e.Message.TrimEnd('.')})");
        }

        long modelValues = tensors.Where(t => t.Key.StartsWith("model.", StringComparison.Ordinal)).Sum(t => (long)t.Value.Length);
        long expected = MemoryEstimate.ParameterCount(config);
        if (modelValues != expected)
        {
            throw Invalid(path, $"its settings (field 'config') build a model of {expected} values but its model.* tensors hold {modelValues}");
        }

        if (!int.TryParse(Get("step"), NumberStyles.None, CultureInfo.InvariantCulture, out int step) || step < 1 || step > config.Steps)
        {
            throw Invalid(path, $"its step (field 'step') '{Get("step")}' is not a whole number from 1 to the run's {config.Steps} steps");
        }

        if (Get("data.generator") != BatchStream.Name)
        {
            throw Invalid(path, $"its batch generator (field 'data.generator') is '{Get("data.generator")}', not {BatchStream.Name}");
        }

        if (Get("data.next_step") != (step + 1L).ToString(CultureInfo.InvariantCulture))
        {
            throw Invalid(path, $"its batch stream position (field 'data.next_step') '{Get("data.next_step")}' is not step + 1 = {step + 1L}");
        }

        if (!float.TryParse(Get("first_loss"), NumberStyles.Float, CultureInfo.InvariantCulture, out float firstLoss) || !float.IsFinite(firstLoss) || firstLoss < 0f)
        {
            throw Invalid(path, $"its first loss (field 'first_loss') '{Get("first_loss")}' is not a finite, non-negative number");
        }

        string solved = Get("solved_at");
        int? solvedAt = solved.Length == 0 ? null
            : int.TryParse(solved, NumberStyles.None, CultureInfo.InvariantCulture, out int s) && s >= 1 && s <= step ? s
            : throw Invalid(path, $"its solved step (field 'solved_at') '{solved}' is not a whole number from 1 to its step {step}");

        if (!int.TryParse(Get("checkpoint_every"), NumberStyles.None, CultureInfo.InvariantCulture, out int every))
        {
            throw Invalid(path, $"its checkpoint interval (field 'checkpoint_every') '{Get("checkpoint_every")}' is not a whole number of steps (0 or more)");
        }

        return new CheckpointState(config, step, firstLoss, solvedAt,
            Strip(tensors, "model."), Strip(tensors, "optimizer."),
            Strip(metadata, "optimizer."), Strip(metadata, "schedule."), Strip(metadata, "clipper."))
        {
            CheckpointEvery = every,
        };
    }

    /// <summary>Captures a run's state (used by the trainer).</summary>
    internal static CheckpointState Capture(TrainingConfig config, int step, float firstLoss, int? solvedAt, ISequenceModel model,
        Optimizer optimizer, LrSchedule? schedule, IGradientClipper clipper, int checkpointEvery)
    {
        (IReadOnlyList<(string Name, Tensor Tensor)> optimizerTensors, IReadOnlyDictionary<string, string> optimizerMetadata) = optimizer.ExportState();
        return new CheckpointState(config, step, firstLoss, solvedAt,
            model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Detach(), StringComparer.Ordinal),
            optimizerTensors.ToDictionary(t => t.Name, t => t.Tensor, StringComparer.Ordinal),
            optimizerMetadata,
            schedule?.GetState() ?? new Dictionary<string, string>(),
            (clipper as IStatefulClipper)?.SaveState().ToText() ?? new Dictionary<string, string>())
        {
            CheckpointEvery = checkpointEvery,
        };
    }

    /// <summary>Puts a saved state back into a freshly built run (used by the trainer).</summary>
    internal static void Restore(string path, CheckpointState state, ISequenceModel model, Optimizer optimizer, LrSchedule? schedule, IGradientClipper clipper)
    {
        var parameters = model.NamedParameters().ToList();
        foreach ((string name, Tensor parameter) in parameters)
        {
            if (!state.Model.TryGetValue(name, out Tensor? saved) || !saved.Shape.SequenceEqual(parameter.Shape))
            {
                throw Invalid(path, $"its model has no parameter '{name}' of shape [{string.Join(", ", parameter.Shape)}]");
            }
        }

        if (state.Model.Count != parameters.Count)
        {
            throw Invalid(path, $"its model has {state.Model.Count} parameters but the settings build {parameters.Count}");
        }

        try
        {
            optimizer.ImportState(state.OptimizerTensors, state.OptimizerMetadata, path, maxStep: state.Step);
            schedule?.LoadState(state.ScheduleState);
            if (clipper is IStatefulClipper stateful)
            {
                stateful.LoadState(stateful.ParseState(state.ClipperState));
            }

        }
        catch (Exception e) when (e is FormatException or InvalidDataException or OverflowException or ArgumentException)
        {
            throw Invalid(path, e.Message.TrimEnd('.'));
        }

        foreach ((string name, Tensor parameter) in parameters)
        {
            state.Model[name].Data.CopyTo(parameter.Data, 0);
        }
    }

    private static readonly string[] KnownKeys = ["format", "version", "step", "first_loss", "solved_at", "config", "data.generator", "data.next_step", "checkpoint_every"];

    private static readonly string[] KnownPrefixes = ["optimizer.", "schedule.", "clipper."];

    /// <summary>The settings' JSON: an unknown or missing-type field is an error; non-finite numbers are refused by validation, not by the reader.</summary>
    private static readonly JsonSerializerOptions ConfigJson = new()
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static void Prefixed(Dictionary<string, string> target, string prefix, IReadOnlyDictionary<string, string> source)
    {
        foreach ((string key, string value) in source)
        {
            target[prefix + key] = value;
        }
    }

    private static Dictionary<string, T> Strip<T>(IReadOnlyDictionary<string, T> source, string prefix) =>
        source.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    private static InvalidDataException Invalid(string path, string problem) => new($"'{path}' is not a valid MiniNet checkpoint: {problem}.");
}
