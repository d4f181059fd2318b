using System.Numerics.Tensors;
using MiniNet.Kernels;

namespace MiniNet.Autograd;

/// <summary>
/// A float32 tensor: contiguous, row-major data plus the autograd bookkeeping that lets
/// <see cref="Backward"/> compute gradients of a scalar with respect to every tensor that
/// requires one.
/// </summary>
/// <remarks>
/// Every op returns a new tensor with its own <see cref="Data"/>; no op returns a view.
/// When an input requires a gradient (and no <see cref="NoGrad.Scope"/> is open), the result
/// remembers its inputs and a backward function: given ∂L/∂out it adds ∂L/∂input to each
/// input's <see cref="Grad"/> by the chain rule. Forward and backward of each op sit side by
/// side in the <c>Ops/</c> files, as in micrograd's <c>engine.py</c>.
/// </remarks>
public sealed partial class Tensor
{
    private readonly int[] _shape;
    private float[]? _data;   // null once a TensorScope gave the array back
    private Tensor? _grad;

    // Graph bookkeeping: set only on results of ops that need a gradient; cleared after Backward.
    private Tensor[]? _parents;
    private Action<float[]>? _backward;
    private string? _op;
    private bool _retainGrad;
    private bool _gradIsEngines;   // _grad's array came from a backward function, so the engine may reuse it at release
    private bool _released;
    private int _visitMark;

    internal Tensor(float[] data, int[] shape, bool requiresGrad)
    {
        _shape = shape;
        _data = data;
        RequiresGrad = requiresGrad;
    }

    /// <summary>The elements in row-major order; its length is the product of <see cref="Shape"/>.</summary>
    /// <exception cref="ObjectDisposedException">The tensor was computed inside a <see cref="TensorScope"/> that has ended.</exception>
    public float[] Data => _data ?? throw new ObjectDisposedException(nameof(Tensor),
        $"This tensor{NameSuffix()} (shape {ShapeText.Format(_shape)}{(_op is null ? "" : $", from {_op}")}) was computed inside a TensorScope that has ended, " +
        "which gave its memory back; call scope.Keep(tensor) before the scope ends (or copy it with Detach() or Item() inside it).");

    /// <summary>Whether a <see cref="TensorScope"/> has given this tensor's memory back.</summary>
    public bool IsDisposed => _data is null;

    /// <summary>The size of each dimension; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The number of dimensions (0 for a scalar).</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>Whether gradients flow to this tensor in <see cref="Backward"/>.</summary>
    public bool RequiresGrad { get; }

    /// <summary>A name used in error messages and reports, such as a parameter's name (<c>fc.weight</c>).</summary>
    public string? Name { get; set; }

    /// <summary>Whether this tensor was created by the user rather than computed by an op that records a graph.</summary>
    public bool IsLeaf => _backward is null;

    /// <summary>The name of the op that produced this tensor (for example <c>MatMul</c>), or null for a leaf.</summary>
    public string? Op => _op;

    /// <summary>The tensors this one was computed from (empty for a leaf); anomaly reports walk them to name parameters.</summary>
    internal IReadOnlyList<Tensor> Parents => _parents ?? [];

    /// <summary>Whether a backward pass already freed this result's graph.</summary>
    internal bool IsReleased => _released;

    /// <summary>
    /// The gradient of the last <see cref="Backward"/> root with respect to this tensor, or null until a
    /// backward pass reaches it. It has the same shape as this tensor.
    /// </summary>
    /// <remarks>
    /// Gradients accumulate: each <see cref="Backward"/> adds to <see cref="Grad"/> rather than replacing it,
    /// as in PyTorch, which is what gradient accumulation over micro-batches relies on. Call
    /// <see cref="ZeroGrad"/> (or an optimizer's <c>ZeroGrad</c>) before each step. Gradients of
    /// intermediate results are freed once used, unless <see cref="RetainGrad"/> was called.
    /// </remarks>
    public Tensor? Grad
    {
        get => _grad;
        set
        {
            if (value is not null && !ShapeEquals(value._shape))
            {
                throw new ArgumentException(
                    $"A gradient must have the tensor's shape: the tensor{NameSuffix()} is {ShapeText.Format(_shape)}, " +
                    $"the gradient is {ShapeText.Format(value._shape)}.", nameof(value));
            }

            _grad = value;
            _gradIsEngines = false;
        }
    }

    /// <summary>
    /// Clears the accumulated gradient. Gradients add up across <see cref="Backward"/> calls, so a training
    /// step starts by clearing them.
    /// </summary>
    /// <param name="setToNone">True (PyTorch's default) drops the buffer so <see cref="Grad"/> becomes null;
    /// false keeps the buffer and fills it with zeros.</param>
    public void ZeroGrad(bool setToNone = true)
    {
        if (setToNone)
        {
            _grad = null;
        }
        else if (_grad is not null)
        {
            Array.Clear(_grad.Data);
        }
    }

    /// <summary>Keeps this intermediate tensor's <see cref="Grad"/> after <see cref="Backward"/> (leaves always keep theirs).</summary>
    /// <returns>This tensor, for chaining.</returns>
    public Tensor RetainGrad()
    {
        _retainGrad = true;
        return this;
    }

    /// <summary>A new tensor with a copy of this tensor's data, cut off from the graph (it requires no gradient).</summary>
    /// <returns>The detached copy.</returns>
    public Tensor Detach() => new((float[])Data.Clone(), (int[])_shape.Clone(), requiresGrad: false) { Name = Name };

    /// <summary>The single value of a one-element tensor.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public float Item()
    {
        if (Data.Length != 1)
        {
            throw new InvalidOperationException(
                $"Item() needs a one-element tensor, but this tensor{NameSuffix()} has shape {ShapeText.Format(_shape)}; " +
                "index an element with tensor[i, j, ...] or reduce it first with Sum() or Mean().");
        }

        return Data[0];
    }

    /// <summary>Reads one element by its index in each dimension.</summary>
    /// <param name="indices">One index per dimension.</param>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public float this[params int[] indices]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(indices);
            if (indices.Length != _shape.Length)
            {
                throw new ArgumentException(
                    $"A tensor of shape {ShapeText.Format(_shape)} needs {_shape.Length} indices, but {indices.Length} were given.",
                    nameof(indices));
            }

            int offset = 0;
            for (int d = 0; d < indices.Length; d++)
            {
                if ((uint)indices[d] >= (uint)_shape[d])
                {
                    throw new ArgumentOutOfRangeException(
                        nameof(indices),
                        $"Index {indices[d]} is out of range for dimension {d} of size {_shape[d]} (shape {ShapeText.Format(_shape)}).");
                }

                offset = (offset * _shape[d]) + indices[d];
            }

            return Data[offset];
        }
    }

    internal int[] ShapeArray => _shape;

    internal bool ShapeEquals(int[] other) => _shape.AsSpan().SequenceEqual(other);

    internal string NameSuffix() => Name is null ? string.Empty : $" '{Name}'";

    /// <summary>
    /// Builds an op's result. When any input requires a gradient and no <see cref="NoGrad"/> scope is open,
    /// the result records its inputs and <paramref name="backward"/>, which receives ∂L/∂result.
    /// </summary>
    internal static Tensor FromOp(float[] data, int[] shape, string op, Tensor[] inputs, Action<float[]> backward, bool scoped = true)
    {
        bool needsGrad = false;
        if (!NoGrad.IsActive)
        {
            foreach (Tensor input in inputs)
            {
                needsGrad |= input.RequiresGrad;
            }
        }

        if (Anomaly.IsEnabled)
        {
            Anomaly.CheckForward(op, data, shape, inputs);
        }

        var result = new Tensor(data, shape, needsGrad);
        if (needsGrad)
        {
            result._parents = inputs;
            result._backward = backward;
            result._op = op;
        }

        if (scoped)
        {
            TensorScope.NoteCreated(result);
        }

        return result;
    }

    /// <summary>
    /// Adds <paramref name="gradient"/>, which a backward function has just computed, to <see cref="Grad"/>: the first
    /// gradient to arrive becomes <see cref="Grad"/> itself (no copy), later ones are added to it and their arrays go
    /// back to the <see cref="StoragePool"/>.
    /// </summary>
    /// <param name="gradient">The gradient, an array no one else holds.</param>
    /// <param name="engines">Whether the engine may reuse the array once it is spent (false for an array a user's
    /// custom op returned, which that op might still hold).</param>
    internal void AccumulateGrad(float[] gradient, bool engines = true)
    {
        if (gradient.Length != Data.Length)
        {
            throw new InvalidOperationException(
                $"Internal error: a gradient of {gradient.Length} elements reached a tensor{NameSuffix()} of shape " +
                $"{ShapeText.Format(_shape)} ({Data.Length} elements) from op {_op ?? "leaf"}.");
        }

        if (_grad is null)
        {
            _grad = new Tensor(gradient, _shape, requiresGrad: false);
            _gradIsEngines = engines;
        }
        else
        {
            TensorPrimitives.Add(_grad.Data, gradient, _grad.Data);
            if (engines)
            {
                StoragePool.Return(gradient);
            }
        }
    }

    /// <summary>Makes this tensor unusable and hands back its array for the pool (its graph links and gradient go as well).</summary>
    /// <returns>The array, or null when it was already handed back.</returns>
    internal float[]? ReleaseStorage()
    {
        float[]? data = _data;
        _data = null;
        ReleaseGraph();   // the links and an unretained intermediate gradient go, as after Backward
        _grad = null;     // and a retained one too: the tensor is gone
        return data;
    }

    /// <summary>
    /// Hands this node's gradient array to a custom op, which reads it after this node is released and returns it to the
    /// pool itself: the release must not.
    /// </summary>
    /// <returns>Whether the array was the engine's (so the op may return it to the pool once spent).</returns>
    internal bool LendGrad()
    {
        bool engines = _gradIsEngines;
        _gradIsEngines = false;
        return engines;
    }
}
