using MiniNet.Autograd;

namespace MiniNet.Clipping;

/// <summary>Runs clipping stages in order, each on the previous one's output (optax's <c>chain</c>).</summary>
/// <remarks>
/// The chain's report carries the first stage's pre-clip norms and the last stage's post-clip norms; its scale is
/// after / before. When a stage asks to skip the step (for example <see cref="SkipNonFinite"/>), the later stages
/// do not run and the chain asks to skip too.
/// </remarks>
public sealed class ClipChain : IGradientClipper, IStatefulClipper
{
    private readonly IGradientClipper[] _stages;

    /// <summary>Creates the chain.</summary>
    /// <param name="stages">The stages, applied first to last; at least one.</param>
    public ClipChain(params IGradientClipper[] stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Length == 0 || stages.Any(s => s is null))
        {
            throw new ArgumentException("ClipChain needs at least one stage and no null stages (use NoClip for no clipping).", nameof(stages));
        }

        _stages = stages;
    }

    /// <summary>The stages in order.</summary>
    public IReadOnlyList<IGradientClipper> Stages => _stages;

    /// <inheritdoc/>
    public ClipReport Clip(IReadOnlyList<Tensor> parameters)
    {
        ClipReport first = _stages[0].Clip(parameters);
        ClipReport last = first;
        for (int s = 1; s < _stages.Length && !last.SkipStep; s++)
        {
            last = _stages[s].Clip(parameters);
        }

        var entries = new ParameterNorm[first.PerParameter.Count];
        for (int k = 0; k < entries.Length; k++)
        {
            entries[k] = first.PerParameter[k] with { NormAfter = last.PerParameter[k].NormAfter };
        }

        return new ClipReport(first.TotalNormBefore, last.TotalNormAfter, ClipInputs.Ratio(last.TotalNormAfter, first.TotalNormBefore), last.SkipStep, entries);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> GetState()
    {
        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < _stages.Length; i++)
        {
            if (_stages[i] is IStatefulClipper stateful)
            {
                foreach ((string key, string value) in stateful.GetState())
                {
                    state[$"stage{i}.{key}"] = value;
                }
            }
        }

        return state;
    }

    /// <inheritdoc/>
    public void LoadState(IReadOnlyDictionary<string, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (int i = 0; i < _stages.Length; i++)
        {
            if (_stages[i] is IStatefulClipper stateful)
            {
                string prefix = $"stage{i}.";
                stateful.LoadState(state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value));
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join("+", _stages.Select(s => s.ToString()));
}
