namespace MiniNet.Autograd;

/// <summary>The first op whose forward value or backward gradient became NaN or ∞ under <see cref="Anomaly.Scope"/>.</summary>
public sealed class AnomalyException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full report.</param>
    /// <param name="op">The op's name.</param>
    /// <param name="inBackward">True when the non-finite value appeared in the backward pass.</param>
    public AnomalyException(string message, string op, bool inBackward)
        : this(message, op, inBackward, [])
    {
    }

    /// <summary>Creates the exception, naming the parameters the op depends on.</summary>
    /// <param name="message">The full report.</param>
    /// <param name="op">The op's name.</param>
    /// <param name="inBackward">True when the non-finite value appeared in the backward pass.</param>
    /// <param name="parameters">The named parameters (leaves that require a gradient) upstream of the op.</param>
    public AnomalyException(string message, string op, bool inBackward, IReadOnlyList<string> parameters)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Op = op;
        InBackward = inBackward;
        Parameters = parameters;
    }

    /// <summary>The op that produced the first non-finite value.</summary>
    public string Op { get; }

    /// <summary>Whether it happened in the backward pass.</summary>
    public bool InBackward { get; }

    /// <summary>The named parameters (leaves that require a gradient) the op's inputs depend on: where to look first.</summary>
    public IReadOnlyList<string> Parameters { get; } = [];
}

/// <summary>
/// Anomaly mode, like PyTorch's <c>torch.autograd.detect_anomaly</c>: while a scope is open, every op checks its
/// result and every backward function checks the gradients it produced, and the first NaN or ∞ throws an
/// <see cref="AnomalyException"/> naming the op, the shapes, the parameters it touches and the training step.
/// </summary>
/// <remarks>Off by default: each check is one vectorized pass over the values, which costs time (see the benchmarks).</remarks>
public static class Anomaly
{
    [ThreadStatic]
    private static int t_depth;

    [ThreadStatic]
    private static int? t_step;

    /// <summary>Whether anomaly mode is on for the current thread.</summary>
    public static bool IsEnabled => t_depth > 0;

    /// <summary>The training step the innermost open scope names in its messages, or null.</summary>
    public static int? Step => t_step;

    /// <summary>Turns anomaly mode on until the returned scope is disposed.</summary>
    /// <param name="step">The training step to name in anomaly messages (the trainer opens one scope per step), or null.</param>
    /// <returns>The scope; disposing it restores the mode and the step that were in force before.</returns>
    public static IDisposable Scope(int? step = null)
    {
        int? previous = t_step;
        t_depth++;
        t_step = step ?? previous;
        return new ThreadScope(() =>
        {
            t_depth--;
            t_step = previous;
        });
    }

    internal static void CheckForward(string op, float[] data, int[] shape, Tensor[] inputs)
    {
        if (data.Length > 0 && !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(data))   // IsFiniteAll is false for no values; a custom op's node has none
        {
            throw new AnomalyException(
                $"Anomaly: the forward pass of {op} produced {Kind(data)}{At()}; its result has shape {ShapeText.Format(shape)} and its inputs " +
                $"are {Describe(inputs)}. Look at the values entering this op (a large learning rate, a log or division near 0, an overflow).",
                op, inBackward: false, ParametersUpstream(inputs));
        }
    }

    internal static void CheckBackward(string op, int[] shape, Tensor[] inputs)
    {
        foreach (Tensor input in inputs)
        {
            if (input.Grad is Tensor grad && grad.Length > 0 && !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(grad.Data))
            {
                throw new AnomalyException(
                    $"Anomaly: the backward pass of {op} (result shape {ShapeText.Format(shape)}) produced {Kind(grad.Data)} in the gradient of " +
                    $"{(input.Name is null ? "an input" : $"'{input.Name}'")} of shape {ShapeText.Format(input.ShapeArray)}{At()}; the op's inputs are {Describe(inputs)}. " +
                    "The gradient exploded or an op's derivative is undefined here; clipping (SkipNonFinite, ClipByGlobalNorm) or a smaller learning rate may help.",
                    op, inBackward: true, ParametersUpstream(inputs));
            }
        }
    }

    /// <summary>The names of the parameters (named leaves that require a gradient) reachable from <paramref name="inputs"/>, in graph order.</summary>
    private static List<string> ParametersUpstream(Tensor[] inputs)
    {
        var names = new List<string>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<Tensor>(inputs);
        while (pending.Count > 0)
        {
            Tensor node = pending.Pop();
            if (!seen.Add(node))
            {
                continue;
            }

            if (node.IsLeaf && node.RequiresGrad && node.Name is string name && !names.Contains(name))
            {
                names.Add(name);
            }

            foreach (Tensor parent in node.Parents)
            {
                pending.Push(parent);
            }
        }

        return names;
    }

    private static string Kind(float[] data) => System.Numerics.Tensors.TensorPrimitives.IsNaNAny(data) ? "NaN" : "an infinity";

    private static string At() => Step is int step ? $" at training step {step}" : string.Empty;

    private static string Describe(Tensor[] inputs) => string.Join(", ", inputs.Select(x =>
        ShapeText.Format(x.ShapeArray) + (x.Name is null ? string.Empty : $" '{x.Name}'") + (x.Op is null ? string.Empty : $" (from {x.Op})")));
}
