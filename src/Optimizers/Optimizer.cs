using System.Globalization;
using MiniNet.Autograd;

namespace MiniNet.Optimizers;

/// <summary>The state an optimizer keeps for one parameter: its step count and named buffers (PyTorch's names).</summary>
public sealed class ParameterState
{
    /// <summary>How many updates this parameter has received.</summary>
    public long Step { get; set; }

    /// <summary>Buffers such as <c>exp_avg</c>, <c>exp_avg_sq</c> or <c>momentum_buffer</c>, each the parameter's size.</summary>
    public Dictionary<string, float[]> Buffers { get; } = new(StringComparer.Ordinal);

    /// <summary>The named buffer, created filled with <paramref name="initialValue"/> on first use.</summary>
    /// <param name="name">The buffer's name.</param>
    /// <param name="length">The parameter's element count.</param>
    /// <param name="initialValue">The value a new buffer starts with.</param>
    /// <returns>The buffer.</returns>
    public float[] Buffer(string name, int length, float initialValue = 0f)
    {
        if (!Buffers.TryGetValue(name, out float[]? buffer))
        {
            buffer = new float[length];
            if (initialValue != 0f)
            {
                Array.Fill(buffer, initialValue);
            }

            Buffers[name] = buffer;
        }

        return buffer;
    }
}

/// <summary>
/// The base of every optimizer: parameter groups, <see cref="Step"/> over the parameters that have a gradient,
/// <see cref="ZeroGrad"/>, and per-parameter state that can be saved and restored by parameter name.
/// </summary>
/// <remarks>
/// An optimizer knows nothing of clipping: the training step calls Backward, then the clipper, then
/// <see cref="Step"/>. Gradients accumulate in <see cref="Tensor.Grad"/>, so call <see cref="ZeroGrad"/>
/// once per step. Parameters whose gradient is null are skipped, and their state is not advanced.
/// </remarks>
public abstract class Optimizer
{
    private readonly ParameterGroup[] _groups;
    private readonly Dictionary<Tensor, ParameterState> _state = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the optimizer over groups, filling unset group settings with the defaults.</summary>
    /// <param name="groups">The parameter groups; every parameter must appear once.</param>
    /// <param name="learningRate">The default learning rate.</param>
    /// <param name="weightDecay">The default weight decay.</param>
    private protected Optimizer(IEnumerable<ParameterGroup> groups, float learningRate, float weightDecay)
    {
        ArgumentNullException.ThrowIfNull(groups);
        _groups = groups.ToArray();
        if (_groups.Length == 0 || _groups.All(g => g.Parameters.Count == 0))
        {
            throw new ArgumentException($"{Name} got an empty parameter list; pass the model's Parameters().", nameof(groups));
        }

        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (ParameterGroup group in _groups)
        {
            foreach (Tensor p in group.Parameters)
            {
                if (p is null || !p.RequiresGrad)
                {
                    throw new ArgumentException(
                        $"{Name} can only optimize tensors that require a gradient; {(p is null ? "a null parameter" : $"'{p.Name ?? "unnamed"}'")} was given.", nameof(groups));
                }

                if (!seen.Add(p))
                {
                    throw new ArgumentException($"{Name}: parameter '{p.Name ?? "unnamed"}' appears more than once; give each parameter to one group only.", nameof(groups));
                }
            }

            group.LearningRate = group.RequestedLearningRate ?? learningRate;
            group.InitialLearningRate = group.LearningRate;
            group.WeightDecay = group.RequestedWeightDecay ?? weightDecay;
            OptimizerOptions.NonNegative(Name, "lr", group.LearningRate);
            OptimizerOptions.NonNegative(Name, "weight_decay", group.WeightDecay);
        }
    }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParameterGroup> Groups => _groups;

    /// <summary>The first group's learning rate; setting it sets every group's.</summary>
    public float LearningRate
    {
        get => _groups[0].LearningRate;
        set
        {
            OptimizerOptions.NonNegative(Name, "lr", value);
            foreach (ParameterGroup group in _groups)
            {
                group.LearningRate = value;
            }
        }
    }

    /// <summary>The optimizer's name in messages.</summary>
    protected string Name => GetType().Name;

    /// <summary>Updates every parameter that has a gradient, by the optimizer's rule.</summary>
    public void Step()
    {
        foreach (ParameterGroup group in _groups)
        {
            foreach (Tensor p in group.Parameters)
            {
                if (p.Grad is null)
                {
                    continue;
                }

                if (!_state.TryGetValue(p, out ParameterState? state))
                {
                    state = new ParameterState();
                    _state[p] = state;
                }

                state.Step++;
                Update(p.Data, p.Grad.Data, group, state);
            }
        }
    }

    /// <summary>Clears every parameter's gradient; gradients accumulate across Backward calls, so each step starts with this.</summary>
    /// <param name="setToNone">True (PyTorch's default) sets <see cref="Tensor.Grad"/> to null; false fills it with zeros.</param>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (ParameterGroup group in _groups)
        {
            foreach (Tensor p in group.Parameters)
            {
                p.ZeroGrad(setToNone);
            }
        }
    }

    /// <summary>The state kept for <paramref name="parameter"/>, or null before its first update.</summary>
    /// <param name="parameter">A parameter of this optimizer.</param>
    /// <returns>The state.</returns>
    public ParameterState? StateOf(Tensor parameter) => _state.GetValueOrDefault(parameter);

    /// <summary>The buffers every updated parameter has under this optimizer's settings (PyTorch's names); a restored state must have exactly these.</summary>
    protected abstract IReadOnlyList<string> StateBuffers { get; }

    /// <summary>Applies the update rule to one parameter.</summary>
    /// <param name="parameter">The parameter's data, updated in place.</param>
    /// <param name="gradient">Its gradient.</param>
    /// <param name="group">Its group (learning rate, weight decay).</param>
    /// <param name="state">Its state; <see cref="ParameterState.Step"/> already counts this update.</param>
    protected abstract void Update(Span<float> parameter, ReadOnlySpan<float> gradient, ParameterGroup group, ParameterState state);

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
            metadata[$"group.{g}.lr"] = _groups[g].LearningRate.ToString("R", CultureInfo.InvariantCulture);
            metadata[$"group.{g}.initial_lr"] = _groups[g].InitialLearningRate.ToString("R", CultureInfo.InvariantCulture);
        }

        foreach ((string name, Tensor p) in NamedParameters())
        {
            if (_state.TryGetValue(p, out ParameterState? state))
            {
                metadata[$"step.{name}"] = state.Step.ToString(CultureInfo.InvariantCulture);
                foreach ((string buffer, float[] data) in state.Buffers.OrderBy(b => b.Key, StringComparer.Ordinal))
                {
                    tensors.Add(($"{name}.{buffer}", Tensor.FromArray(data, p.Shape)));
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

            restored[p] = new ParameterState { Step = step };
        }

        foreach ((string key, Tensor tensor) in tensors)
        {
            int dot = key.LastIndexOf('.');
            string name = dot > 0 ? key[..dot] : key;
            if (!named.TryGetValue(name, out Tensor? p) || !restored.TryGetValue(p, out ParameterState? state) || !tensor.Shape.SequenceEqual(p.Shape))
            {
                throw new InvalidDataException($"'{source}' has buffer '{key}' that matches no parameter of this {Name} (by name and shape).");
            }

            state.Buffers[key[(dot + 1)..]] = (float[])tensor.Data.Clone();
        }

        foreach ((Tensor p, ParameterState state) in restored)
        {
            string name = p.Name!;
            foreach (string buffer in StateBuffers)
            {
                if (!state.Buffers.ContainsKey(buffer))
                {
                    throw new InvalidDataException($"'{source}' lacks the {Name} buffer '{name}.{buffer}'; every updated parameter needs {string.Join(", ", StateBuffers)}.");
                }
            }

            foreach (string buffer in state.Buffers.Keys)
            {
                if (!StateBuffers.Contains(buffer))
                {
                    throw new InvalidDataException($"'{source}' has the buffer '{name}.{buffer}', which this {Name} does not keep ({(StateBuffers.Count == 0 ? "it keeps none" : string.Join(", ", StateBuffers))}).");
                }
            }
        }

        var rates = new (float Lr, float Initial)[_groups.Length];
        for (int g = 0; g < _groups.Length; g++)
        {
            if (!metadata.TryGetValue($"group.{g}.lr", out string? lr) || !metadata.TryGetValue($"group.{g}.initial_lr", out string? initial)
                || !float.TryParse(lr, NumberStyles.Float, CultureInfo.InvariantCulture, out rates[g].Lr)
                || !float.TryParse(initial, NumberStyles.Float, CultureInfo.InvariantCulture, out rates[g].Initial))
            {
                throw new InvalidDataException($"'{source}' lacks the learning rate of parameter group {g}; it was saved from an optimizer with other groups.");
            }

            if (!float.IsFinite(rates[g].Lr) || rates[g].Lr < 0f || !float.IsFinite(rates[g].Initial) || rates[g].Initial < 0f)
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
            _groups[g].LearningRate = rates[g].Lr;
            _groups[g].InitialLearningRate = rates[g].Initial;
        }
    }

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
