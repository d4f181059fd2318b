using System.Globalization;
using MiniNet.Autograd;
using MiniNet.Serialization;

namespace MiniNet.Optimizers;

// Saving and restoring an optimizer's state: every parameter's buffers under PyTorch's names, keyed by parameter name.
public abstract partial class Optimizer
{
    /// <summary>
    /// Writes the optimizer's state (every buffer, step count and group learning rate) to a safetensors file,
    /// keyed by parameter name, so a resumed run continues exactly.
    /// </summary>
    /// <param name="path">The file; written atomically.</param>
    public void SaveState(string path)
    {
        (IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata) = ExportState();
        Safetensors.Write(tensors, path, metadata);
    }

    /// <summary>Restores state written by <see cref="SaveState"/> into this optimizer (built over the same parameters).</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">The file was written by another optimizer type or for other parameters.</exception>
    public void LoadState(string path)
    {
        IReadOnlyDictionary<string, Tensor> tensors = Safetensors.Read(path, out IReadOnlyDictionary<string, string> metadata);
        ImportState(tensors, metadata, path);
    }

    /// <summary>The optimizer's state as named tensors (<c>{parameter}.{buffer}</c>) and exact text metadata, for checkpoints.</summary>
    /// <returns>The tensors and metadata.</returns>
    public (IReadOnlyList<(string Name, Tensor Tensor)> Tensors, IReadOnlyDictionary<string, string> Metadata) ExportState()
    {
        var tensors = new List<(string, Tensor)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["optimizer"] = Name };
        for (int g = 0; g < _groups.Length; g++)
        {
            metadata[$"group.{g}.lr"] = _groups[g].ExactLearningRate.ToString("R", CultureInfo.InvariantCulture);
            metadata[$"group.{g}.initial_lr"] = _groups[g].InitialLearningRate.ToString("R", CultureInfo.InvariantCulture);
        }

        foreach ((string name, Tensor p) in NamedParameters())
        {
            if (_state.TryGetValue(p, out ParameterState? state))
            {
                metadata[$"step.{name}"] = state.Step.ToString(CultureInfo.InvariantCulture);
                foreach (StateBuffer buffer in state.Buffers.OrderBy(b => b.Name, StringComparer.Ordinal))
                {
                    tensors.Add(($"{name}.{buffer.Name}", Tensor.FromArray(buffer.Data, p.Shape)));
                }
            }
        }

        return (tensors, metadata);
    }

    /// <summary>Restores state from <see cref="ExportState"/>; nothing changes unless all of it matches this optimizer.</summary>
    /// <param name="tensors">The buffers by name.</param>
    /// <param name="metadata">The metadata.</param>
    /// <param name="source">Where the state came from, for error messages.</param>
    /// <param name="maxStep">The largest step count a parameter may have (a checkpoint's step), or null for no limit.</param>
    /// <exception cref="InvalidDataException">The state belongs to another optimizer type or other parameters, lacks a buffer,
    /// has a negative or non-finite learning rate, or an impossible step count; the message names the source and the key.</exception>
    public void ImportState(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata, string source, long? maxStep = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue("optimizer", out string? kind) || kind != Name)
        {
            throw new InvalidDataException($"'{source}' holds {(kind is null ? "no optimizer state" : $"{kind} state")}, not {Name} state.");
        }

        var named = NamedParameters().ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        var restored = new Dictionary<Tensor, ParameterState>(ReferenceEqualityComparer.Instance);
        foreach ((string key, string value) in metadata.Where(m => m.Key.StartsWith("step.", StringComparison.Ordinal)))
        {
            string name = key["step.".Length..];
            if (!named.TryGetValue(name, out Tensor? p) || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long step))
            {
                throw new InvalidDataException($"'{source}' has state for '{name}', which this {Name} does not optimize (or a bad step count '{value}').");
            }

            if (step < 1 || step > (maxStep ?? long.MaxValue))
            {
                throw new InvalidDataException($"'{source}' has the step count {value} for '{name}' (key '{key}'), outside 1 to {maxStep ?? long.MaxValue}.");
            }

            ParameterState fresh = NewState(p.Length, _groups.First(g => g.Parameters.Contains(p)));
            fresh.Step = step;
            restored[p] = fresh;
        }

        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string key, Tensor tensor) in tensors)
        {
            int dot = key.LastIndexOf('.');
            string name = dot > 0 ? key[..dot] : key;
            if (!named.TryGetValue(name, out Tensor? p) || !restored.TryGetValue(p, out ParameterState? state) || !tensor.Shape.SequenceEqual(p.Shape))
            {
                throw new InvalidDataException($"'{source}' has buffer '{key}' that matches no parameter of this {Name} (by name and shape).");
            }

            string bufferName = key[(dot + 1)..];
            StateBuffer? buffer = state.Buffers.Select(b => (StateBuffer?)b).FirstOrDefault(b => b!.Value.Name == bufferName);
            if (buffer is not { } kept)
            {
                throw new InvalidDataException($"'{source}' has the buffer '{key}', which this {Name} does not keep ({KeptBuffers(state)}).");
            }

            tensor.Data.CopyTo(kept.Data, 0);
            found.Add(key);
        }

        foreach ((Tensor p, ParameterState state) in restored)
        {
            foreach (StateBuffer buffer in state.Buffers.Where(b => !found.Contains($"{p.Name}.{b.Name}")))
            {
                throw new InvalidDataException($"'{source}' lacks the {Name} buffer '{p.Name}.{buffer.Name}'; every updated parameter needs {KeptBuffers(state)}.");
            }
        }

        var rates = new (double Lr, float Initial)[_groups.Length];
        for (int g = 0; g < _groups.Length; g++)
        {
            if (!metadata.TryGetValue($"group.{g}.lr", out string? lr) || !metadata.TryGetValue($"group.{g}.initial_lr", out string? initial)
                || !double.TryParse(lr, NumberStyles.Float, CultureInfo.InvariantCulture, out rates[g].Lr)
                || !float.TryParse(initial, NumberStyles.Float, CultureInfo.InvariantCulture, out rates[g].Initial))
            {
                throw new InvalidDataException($"'{source}' lacks the learning rate of parameter group {g}; it was saved from an optimizer with other groups.");
            }

            if (!double.IsFinite(rates[g].Lr) || rates[g].Lr < 0 || !float.IsFinite(rates[g].Initial) || rates[g].Initial < 0f)
            {
                throw new InvalidDataException($"'{source}' has the learning rate {lr} (initial {initial}) for parameter group {g} (key 'group.{g}.lr'); a rate must be finite and not negative.");
            }
        }

        _state.Clear();
        foreach ((Tensor p, ParameterState state) in restored)
        {
            _state[p] = state;
        }

        for (int g = 0; g < _groups.Length; g++)
        {
            _groups[g].ExactLearningRate = rates[g].Lr;
            _groups[g].InitialLearningRate = rates[g].Initial;
        }
    }

    private static string KeptBuffers(ParameterState state) =>
        state.Buffers.Count == 0 ? "it keeps none" : string.Join(", ", state.Buffers.Select(b => b.Name));

    private IEnumerable<(string Name, Tensor Parameter)> NamedParameters()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterGroup group in _groups)
        {
            foreach (Tensor p in group.Parameters)
            {
                if (string.IsNullOrEmpty(p.Name) || !names.Add(p.Name))
                {
                    throw new InvalidOperationException(
                        $"{Name} state is saved by parameter name, but a parameter is {(string.IsNullOrEmpty(p.Name) ? "unnamed" : $"named '{p.Name}' twice")}; " +
                        "build the optimizer from a Module's Parameters() (they carry their names) or set Tensor.Name.");
                }

                yield return (p.Name, p);
            }
        }
    }
}
