using MiniNet.Kernels;

namespace MiniNet.Autograd;

/// <summary>
/// A region of code, typically one training step, whose intermediate tensors give their memory back when it ends, so
/// that the next step reuses it instead of asking the garbage collector for more (TorchSharp's <c>DisposeScope</c>;
/// PyTorch gets the same from reference counting and its caching allocator).
/// </summary>
/// <remarks>
/// <para>
/// While a scope is open on a thread, every tensor an op creates there (results of ops, of the built-in layers, and
/// their outputs under <see cref="NoGrad"/> too) is noted; leaves — parameters, inputs, anything made with
/// <see cref="Tensor.FromArray(float[], IReadOnlyList{int}, bool)"/>, <see cref="Tensor.Zeros"/> and the like — never
/// are. When the scope is disposed, each noted tensor's array goes back to a pool of exact-length arrays and the
/// tensor becomes unusable: reading its <see cref="Tensor.Data"/> throws <see cref="ObjectDisposedException"/>.
/// A result needed afterwards is taken out with <see cref="Keep"/> (or copied with <see cref="Tensor.Detach"/> or
/// <see cref="Tensor.Item"/> inside the scope). Gradients of parameters are not op results and stay.
/// </para>
/// <para>
/// Scopes nest: a kept tensor moves to the enclosing scope, if there is one. A scope belongs to the thread that
/// opened it; ops on other threads are not noted by it. Small tensors (under 1,024 elements) are left to the garbage
/// collector, for which they are cheap.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// for (int step = 0; step &lt; steps; step++)
/// {
///     using var scope = TensorScope.Open();
///     Tensor loss = Losses.Mse(model.Forward(x), y);
///     loss.Backward();
///     optimizer.Step();
///     optimizer.ZeroGrad();
///     losses.Add(loss.Item());
/// }
/// </code>
/// </example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic]
    private static TensorScope? t_current;

    private readonly TensorScope? _outer;
    private readonly Thread _thread;
    private List<Tensor>? _noted = [];

    private TensorScope()
    {
        _outer = t_current;
        _thread = Thread.CurrentThread;
    }

    /// <summary>The innermost scope open on the current thread, or null.</summary>
    public static TensorScope? Current => t_current;

    /// <summary>Opens a scope on the current thread; dispose it (with <c>using</c>) to give its tensors' memory back.</summary>
    /// <returns>The scope.</returns>
    public static TensorScope Open() => t_current = new TensorScope();

    /// <summary>Takes <paramref name="tensor"/> out of this scope, so it stays usable after the scope ends (it moves to the
    /// enclosing scope, if there is one). A tensor the scope did not note is returned unchanged.</summary>
    /// <param name="tensor">A tensor computed inside the scope.</param>
    /// <returns>The same tensor, for chaining.</returns>
    /// <exception cref="ObjectDisposedException">The scope has ended.</exception>
    public Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        List<Tensor> noted = _noted ?? throw new ObjectDisposedException(nameof(TensorScope), "Keep was called on a TensorScope that has ended; keep a tensor before the scope's end.");
        int at = noted.FindLastIndex(t => ReferenceEquals(t, tensor));
        if (at >= 0)
        {
            noted.RemoveAt(at);
            _outer?.Note(tensor);
        }

        return tensor;
    }

    /// <summary>Ends the scope: the tensors noted in it, and not kept, give their arrays back and become unusable.</summary>
    /// <exception cref="InvalidOperationException">Disposed on another thread, or while a scope opened inside it is still open.</exception>
    public void Dispose()
    {
        if (_noted is null)
        {
            return;
        }

        if (!ReferenceEquals(t_current, this))
        {
            throw new InvalidOperationException(Thread.CurrentThread != _thread
                ? "A TensorScope was disposed on a thread other than the one that opened it; dispose it where it was opened."
                : "A TensorScope was disposed while a scope opened inside it was still open; dispose scopes in reverse order (with using).");
        }

        var returned = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        foreach (Tensor tensor in _noted)
        {
            if (tensor.ReleaseStorage() is { } data && returned.Add(data))
            {
                StoragePool.Return(data);
            }
        }

        _noted = null;
        t_current = _outer;
    }

    /// <summary>Notes a tensor an op just created on this thread, when a scope is open and the tensor is worth pooling.</summary>
    /// <param name="tensor">The new tensor; its array must be its own (an op result, never a user's array).</param>
    internal static void NoteCreated(Tensor tensor)
    {
        if (t_current is { } scope && tensor.Length >= StoragePool.MinimumLength)
        {
            scope.Note(tensor);
        }
    }

    private void Note(Tensor tensor) => _noted?.Add(tensor);
}
