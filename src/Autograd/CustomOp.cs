using MiniNet.Kernels;

namespace MiniNet.Autograd;

/// <summary>
/// A differentiable op defined by its forward and its backward in one small class, like PyTorch's
/// <c>torch.autograd.Function</c> or tinygrad's <c>Function</c>: for an op that is not a composition of the
/// primitives, or one that is faster written by hand (the fused RNN and LSTM layers are custom ops).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Apply"/> runs <see cref="Forward"/> on the inputs' values (inside <see cref="NoGrad.Scope"/>, so ops it
/// uses record nothing), then records one graph node for the whole op. An op may have several outputs, each an
/// ordinary tensor of the graph: <see cref="Backward"/> runs once, after every use of every output, with ∂L/∂output for
/// each of them (zeros for an output the loss does not depend on), and returns ∂L/∂input for each input.
/// </para>
/// <para>
/// An instance is its own context (PyTorch's <c>ctx</c>): Forward keeps in fields what Backward needs, so an instance
/// is applied once; create one per call. <see cref="RecordsGraph"/> tells Forward whether a Backward can follow, so it
/// keeps nothing when none will. The engine checks what Backward returns: one gradient per input, each of its input's
/// shape, or null for "no gradient". Test a custom op with <see cref="GradCheck"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// sealed class Cube : CustomOp
/// {
///     private Tensor _x = null!;
///     protected override Tensor[] Forward(IReadOnlyList&lt;Tensor?&gt; inputs)
///     {
///         _x = inputs[0]!;
///         return [Tensor.FromArray(_x.Data.Select(v =&gt; v * v * v).ToArray(), _x.Shape)];
///     }
///     protected override Tensor?[] Backward(IReadOnlyList&lt;Tensor&gt; outputGradients) =&gt;
///         [Tensor.FromArray(_x.Data.Select((v, i) =&gt; 3 * v * v * outputGradients[0].Data[i]).ToArray(), _x.Shape)];
/// }
/// Tensor y = new Cube().Apply(x)[0];
/// </code>
/// </example>
public abstract class CustomOp
{
    private Tensor?[]? _inputs;
    private Tensor[]? _outputs;
    private float[]?[]? _outputGradients;
    private bool[]? _lentGradients;   // which output gradients are the engine's, to go back to the pool after Backward

    /// <summary>
    /// Whether every tensor <see cref="Forward"/> and <see cref="Backward"/> return wraps an array made for that call,
    /// which the engine may reuse once it is spent (outputs when their <see cref="TensorScope"/> ends, gradients once
    /// added up). The built-in fused layers say so; a user's op is not trusted to (it might return an array it keeps),
    /// so its arrays are left to the garbage collector.
    /// </summary>
    internal virtual bool ReturnsOnlyNewArrays => false;

    /// <summary>The op's name in graphs, anomaly reports and errors: the class name unless overridden.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>
    /// Whether the current application records a graph node, so that <see cref="Backward"/> may run: some input
    /// requires a gradient and no <see cref="NoGrad"/> scope is open. Valid from the start of <see cref="Forward"/>.
    /// </summary>
    protected bool RecordsGraph { get; private set; }

    /// <summary>Runs the op on <paramref name="inputs"/> and returns its outputs.</summary>
    /// <param name="inputs">The inputs; an optional one may be null (it gets no gradient).</param>
    /// <returns>The outputs, in the order <see cref="Forward"/> returned them.</returns>
    /// <exception cref="InvalidOperationException">This instance was already applied, or Forward returned no output,
    /// a null one, or one of its inputs unchanged.</exception>
    public Tensor[] Apply(params Tensor?[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_inputs is not null)
        {
            throw new InvalidOperationException(
                $"{Name} was already applied: an instance keeps what its backward needs, so create a new {GetType().Name} for each call.");
        }

        _inputs = (Tensor?[])inputs.Clone();
        Tensor[] recorded = [.. inputs.OfType<Tensor>()];
        RecordsGraph = !NoGrad.IsActive && recorded.Any(input => input.RequiresGrad);
        Tensor[] values;
        using (NoGrad.Scope())
        {
            try
            {
                values = Forward(_inputs);
            }
            catch (AnomalyException e) when (!e.InBackward && e.Op != Name)
            {
                // An op used inside Forward overflowed: say which custom op it was part of.
                throw new AnomalyException(e.Message.Replace($"pass of {e.Op} ", $"pass of {e.Op} inside {Name} ", StringComparison.Ordinal), Name, inBackward: false, e.Parameters);
            }
        }

        CheckOutputs(values);
        if (!RecordsGraph)
        {
            foreach (Tensor value in values)
            {
                if (Anomaly.IsEnabled)
                {
                    Anomaly.CheckForward(Name, value.Data, value.ShapeArray, recorded);
                }

                if (ReturnsOnlyNewArrays)
                {
                    TensorScope.NoteCreated(value);
                }
            }

            return values;
        }

        // One node for the op (no value of its own), and each output a node fed by it. An output's backward hands its
        // gradient to the op's node; the op's node runs after all of them, being their common input.
        _outputGradients = new float[]?[values.Length];
        _lentGradients = new bool[values.Length];
        Tensor node = Tensor.FromOp([], [0], Name, recorded, _ => RunBackward());
        _outputs = new Tensor[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int index = i;
            _outputs[i] = Tensor.FromOp(values[i].Data, values[i].ShapeArray, Name, [node], gradient =>
            {
                _outputGradients[index] = gradient;
                _lentGradients![index] = _outputs![index].LendGrad();
                node.AccumulateGrad([]);
            }, scoped: ReturnsOnlyNewArrays);
        }

        return _outputs;
    }

    /// <summary>Computes the outputs from the inputs' values (no graph is recorded here).</summary>
    /// <param name="inputs">The inputs given to <see cref="Apply"/> (null where an optional one was left out).</param>
    /// <returns>The outputs: new tensors, at least one.</returns>
    protected abstract Tensor[] Forward(IReadOnlyList<Tensor?> inputs);

    /// <summary>The chain rule for this op: from ∂L/∂output of every output, ∂L/∂input of every input.</summary>
    /// <param name="outputGradients">∂L/∂output, one per output, each of its output's shape (zeros where the loss does
    /// not depend on that output). They belong to the engine, which reuses their memory once Backward returns: read
    /// them, do not keep them.</param>
    /// <returns>One entry per input: its gradient (a new tensor of its shape), or null for none (a null or constant input).</returns>
    protected abstract Tensor?[] Backward(IReadOnlyList<Tensor> outputGradients);

    /// <summary>Whether input <paramref name="index"/> needs a gradient (PyTorch's <c>ctx.needs_input_grad</c>): compute only those.</summary>
    /// <param name="index">The input's position in <see cref="Apply"/>.</param>
    /// <returns>True when that input is a tensor that requires a gradient and a graph is being recorded.</returns>
    protected bool NeedsInputGradient(int index) =>
        RecordsGraph && _inputs is not null && (uint)index < (uint)_inputs.Length && (_inputs[index]?.RequiresGrad ?? false);

    private void CheckOutputs(Tensor[] values)
    {
        if (values is null || values.Length == 0)
        {
            throw new InvalidOperationException($"{Name}.Forward returned no output; a custom op returns at least one tensor.");
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] is null)
            {
                throw new InvalidOperationException($"{Name}.Forward returned null as output {i}.");
            }

            if (_inputs!.Any(input => ReferenceEquals(input, values[i]) || (input is not null && ReferenceEquals(input.Data, values[i].Data))))
            {
                throw new InvalidOperationException(
                    $"{Name}.Forward returned input data as output {i}; return a new tensor (for example input.Detach()).");
            }
        }
    }

    private void RunBackward()
    {
        Tensor[] outputs = _outputs!;
        var gradients = new Tensor[outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            gradients[i] = _outputGradients![i] is { } gradient
                ? Tensor.FromBuffer(gradient, outputs[i].ShapeArray)
                : Tensor.Zeros(outputs[i].ShapeArray);
        }

        Tensor?[] inputGradients = Backward(gradients)
            ?? throw new InvalidOperationException($"{Name}.Backward returned null; return one gradient (or null) per input.");
        Tensor?[] inputs = _inputs!;
        if (inputGradients.Length != inputs.Length)
        {
            throw new InvalidOperationException(
                $"{Name}.Backward returned {inputGradients.Length} gradients for {inputs.Length} inputs; return one per input, null where there is none.");
        }

        var adopted = new List<float[]>();
        for (int i = 0; i < inputs.Length; i++)
        {
            (Tensor? input, Tensor? gradient) = (inputs[i], inputGradients[i]);
            if (input is null || gradient is null || !input.RequiresGrad)
            {
                continue;
            }

            if (!input.ShapeEquals(gradient.ShapeArray))
            {
                throw new InvalidOperationException(
                    $"{Name}.Backward returned a gradient of shape {ShapeText.Format(gradient.ShapeArray)} for input {i}{input.NameSuffix()}, " +
                    $"whose shape is {ShapeText.Format(input.ShapeArray)}; a gradient has its input's shape.");
            }

            // A fresh array becomes the input's gradient as it is; one the op also returned elsewhere, or that the engine
            // or an input holds, is copied.
            bool fresh = !adopted.Contains(gradient.Data) && !gradients.Any(g => ReferenceEquals(g.Data, gradient.Data))
                && !inputs.Any(x => x is not null && (ReferenceEquals(x.Data, gradient.Data) || ReferenceEquals(x.Grad?.Data, gradient.Data)));
            input.AccumulateGrad(fresh ? gradient.Data : (float[])gradient.Data.Clone(), engines: !fresh || ReturnsOnlyNewArrays);
            adopted.Add(gradient.Data);
        }

        // The output gradients were lent to Backward for the call; their arrays serve the next ops.
        for (int i = 0; i < outputs.Length; i++)
        {
            if (_lentGradients![i] && _outputGradients![i] is { } spent)
            {
                StoragePool.Return(spent);
            }
        }

        _outputGradients = null;
        _lentGradients = null;
    }
}
