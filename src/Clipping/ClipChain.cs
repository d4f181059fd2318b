using MiniNet.Autograd;
using MiniNet.Serialization;

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
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        StageNames = [.. stages.Select(stage =>
        {
            string name = stage.ToString() ?? stage.GetType().Name;
            int count = seen[name] = seen.GetValueOrDefault(name) + 1;
            return count == 1 ? name : $"{name}#{count}";
        })];
    }

    /// <summary>
    /// Each stage's name: its spec (<c>ToString()</c>, such as <c>autoclip:90</c>), with <c>#2</c>, <c>#3</c> added to a
    /// repeated one. State is keyed by these names, so a checkpoint restores into the stage it came from.
    /// </summary>
    public IReadOnlyList<string> StageNames { get; }

    /// <summary>The stages in order.</summary>
    public IReadOnlyList<IGradientClipper> Stages => _stages;

    /// <inheritdoc/>
    /// <remarks>
    /// Per-parameter norms are merged by parameter name: each parameter's norm before is the first stage's that reports
    /// it, its norm after the last stage's. A stage may report no per-parameter norms (a custom stage often does); when the
    /// last stage that ran reported none, the norms after are measured from the gradients themselves, so the report is
    /// never stale. A stage whose report names a parameter twice or one that is not among <paramref name="parameters"/>
    /// is rejected, naming the stage.
    /// </remarks>
    /// <exception cref="ArgumentException">A stage returned a malformed per-parameter report.</exception>
    public ClipReport Clip(IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        string[] allNames = [.. Enumerable.Range(0, parameters.Count).Select(i => ClipInputs.NameOf(parameters, i))];
        var names = new HashSet<string>(allNames, StringComparer.Ordinal);
        bool byName = names.Count == allNames.Length; // when two parameters share a name, names cannot tell their norms apart
        var reports = new List<ClipReport>();
        for (int s = 0; s < _stages.Length && (s == 0 || !reports[^1].SkipStep); s++)
        {
            ClipReport report = _stages[s].Clip(parameters) ?? throw new ArgumentException($"Clipping stage {s} ({_stages[s]}) returned no report; a stage must return a ClipReport.", nameof(parameters));
            if (byName)
            {
                Check(s, report, names);
            }

            reports.Add(report);
        }

        ClipReport first = reports[0], last = reports[^1];
        ParameterNorm[] entries = byName ? MergedByName(reports, parameters) : ByPosition(first, parameters);
        if (first.NormOrder != last.NormOrder)
        {
            // The chain's total before is the first stage's and its total after the last's; of different orders they
            // could not be compared, so both are restated in the first stage's order.
            float after = GradientNorms.Total(parameters, first.NormOrder);
            return new ClipReport(first.TotalNormBefore, after, ClipInputs.Ratio(after, first.TotalNormBefore), last.SkipStep, entries) { NormOrder = first.NormOrder };
        }

        return new ClipReport(first.TotalNormBefore, last.TotalNormAfter, ClipInputs.Ratio(last.TotalNormAfter, first.TotalNormBefore), last.SkipStep, entries)
        {
            NormOrder = first.NormOrder,
        };
    }

    /// <summary>Each parameter's norm before from the first stage that reports it, after from the last; measured from the gradients when the last stage reported none.</summary>
    private static ParameterNorm[] MergedByName(List<ClipReport> reports, IReadOnlyList<Tensor> parameters)
    {
        var before = new Dictionary<string, float>(StringComparer.Ordinal);
        var after = new Dictionary<string, float>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (ClipReport report in reports)
        {
            Merge(report, before, after, order);
        }

        if (order.Count > 0 && reports[^1].PerParameter.Count == 0)
        {
            for (int i = 0; i < parameters.Count; i++)
            {
                string name = ClipInputs.NameOf(parameters, i);
                if (after.ContainsKey(name) && parameters[i].Grad is { } grad)
                {
                    after[name] = GradientNorms.Of(grad.Data); // the last stage changed the gradients without saying how much
                }
            }
        }

        return [.. order.Select(name => new ParameterNorm(name, before[name], after[name]))];
    }

    /// <summary>For parameters whose names repeat: the first stage's entries, in parameter order, their norms after measured from the gradients.</summary>
    private static ParameterNorm[] ByPosition(ClipReport first, IReadOnlyList<Tensor> parameters)
    {
        int[] withGradients = [.. Enumerable.Range(0, parameters.Count).Where(i => parameters[i].Grad is not null)];
        return first.PerParameter.Count == withGradients.Length
            ? [.. first.PerParameter.Select((p, k) => p with { NormAfter = GradientNorms.Of(parameters[withGradients[k]].Grad!.Data) })]
            : [];
    }

    /// <summary>A stage's per-parameter report names each parameter once, and only parameters it was given.</summary>
    private void Check(int s, ClipReport report, HashSet<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (ParameterNorm norm in report.PerParameter)
        {
            if (!names.Contains(norm.Name) || !seen.Add(norm.Name))
            {
                throw new ArgumentException(
                    $"Clipping stage {s} ({_stages[s]}) reported the parameter '{norm.Name}' {(names.Contains(norm.Name) ? "twice" : "which is not among the parameters it was given")}; " +
                    "a stage's PerParameter lists each parameter it measured once, by its name, or is empty.", "parameters");
            }
        }
    }

    private static void Merge(ClipReport report, Dictionary<string, float> before, Dictionary<string, float> after, List<string> order)
    {
        foreach (ParameterNorm norm in report.PerParameter)
        {
            if (before.TryAdd(norm.Name, norm.NormBefore))
            {
                order.Add(norm.Name);
            }

            after[norm.Name] = norm.NormAfter;
        }
    }

    /// <inheritdoc/>
    public ClipperState SaveState() => new ClipChainState(
        [.. Stateful().Select(s => KeyValuePair.Create(s.Name, s.Stage.SaveState()))]);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The state lacks a stateful stage of this chain, names a stage it does not
    /// have, or gives a stage another kind's state.</exception>
    public void LoadState(ClipperState state)
    {
        ClipChainState chain = StateOf.Expect<ClipChainState>(state, this);
        var byName = new Dictionary<string, ClipperState>(chain.Stages, StringComparer.Ordinal);
        (string Name, IStatefulClipper Stage)[] stateful = [.. Stateful()];
        foreach (string name in byName.Keys.Where(n => !stateful.Any(s => s.Name == n)))
        {
            throw new ArgumentException($"The state has stage '{name}', which this chain ({this}) does not have.", nameof(state));
        }

        foreach ((string name, IStatefulClipper stage) in stateful)
        {
            stage.LoadState(byName.TryGetValue(name, out ClipperState? own) ? own
                : throw new ArgumentException($"The state lacks stage '{name}' of this chain ({this}); it was saved from another chain.", nameof(state)));
        }
    }

    /// <inheritdoc/>
    public ClipperState ParseState(IReadOnlyDictionary<string, string> text) =>
        new ClipChainState([.. Stateful().Select(s => KeyValuePair.Create(s.Name, s.Stage.ParseState(ClipChainState.StageText(text, s.Name))))]);

    private IEnumerable<(string Name, IStatefulClipper Stage)> Stateful()
    {
        for (int i = 0; i < _stages.Length; i++)
        {
            if (_stages[i] is IStatefulClipper stateful)
            {
                yield return (StageNames[i], stateful);
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join("+", _stages.Select(s => s.ToString()));
}
