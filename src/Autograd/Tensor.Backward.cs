using MiniNet.Kernels;

namespace MiniNet.Autograd;

public sealed partial class Tensor
{
    private static int s_visitGeneration;

    /// <summary>
    /// Computes the gradient of this scalar with respect to every tensor in its graph that requires one,
    /// adding it to their <see cref="Grad"/>; then releases the graph.
    /// </summary>
    /// <remarks>
    /// Reverse-mode differentiation: the graph is put in topological order with an explicit stack (so a
    /// graph of millions of nodes cannot overflow the call stack), ∂L/∂L = 1 is seeded, and each node's
    /// backward function runs after every node that uses it, turning ∂L/∂out into ∂L/∂inputs.
    /// Afterwards intermediate gradients and the graph's links are dropped so memory does not grow
    /// across training steps; a second Backward through the same graph is an error, as in PyTorch.
    /// </remarks>
    /// <exception cref="InvalidOperationException">This tensor has more than one element, requires no
    /// gradient, or its graph was already released by an earlier Backward.</exception>
    public void Backward()
    {
        if (!RequiresGrad)
        {
            throw new InvalidOperationException(
                $"Backward was called on a tensor{NameSuffix()} that does not require a gradient: none of the tensors it was computed from " +
                "requires one, or it was computed inside NoGrad.Scope(). Create parameters with requiresGrad: true.");
        }

        if (Data.Length != 1)
        {
            throw new InvalidOperationException(
                $"Backward needs a scalar (one-element) tensor, but this tensor{NameSuffix()} has shape {ShapeText.Format(_shape)}; " +
                "reduce it to a loss first, for example with Sum() or Mean().");
        }

        if (_released)
        {
            throw new InvalidOperationException(
                "Backward was called a second time through the same graph, whose intermediate results were freed by the first call; " +
                "run the forward pass again before each Backward.");
        }

        List<Tensor> order = TopologicalOrder();
        AccumulateGrad([1f]);

        for (int i = order.Count - 1; i >= 0; i--)
        {
            Tensor node = order[i];
            if (node._backward is not null && node._grad is not null)
            {
                node._backward(node._grad.Data);
                if (Anomaly.IsEnabled)
                {
                    Anomaly.CheckBackward(node._op!, node._shape, node._parents!);
                }
            }

            node.ReleaseGraph();
        }
    }

    private void ReleaseGraph()
    {
        if (_backward is null)
        {
            return; // a leaf keeps its gradient
        }

        _backward = null;
        _parents = null;
        _released = true;
        if (!_retainGrad)
        {
            // Nothing reads an intermediate gradient after its node's backward has run: its array can serve the next op.
            if (_grad is not null && _gradIsEngines)
            {
                StoragePool.Return(_grad.Data);
            }

            _grad = null;
        }
    }

    /// <summary>Nodes reachable from this one that require a gradient, each after all of its inputs (iterative DFS).</summary>
    private List<Tensor> TopologicalOrder()
    {
        int mark = Interlocked.Increment(ref s_visitGeneration);
        var order = new List<Tensor>();
        var stack = new Stack<(Tensor Node, int NextParent)>();
        _visitMark = mark;
        stack.Push((this, 0));

        while (stack.Count > 0)
        {
            (Tensor node, int next) = stack.Pop();
            Tensor[]? parents = node._parents;
            if (parents is not null && next < parents.Length)
            {
                stack.Push((node, next + 1));
                Tensor parent = parents[next];
                if (parent.RequiresGrad && parent._visitMark != mark)
                {
                    if (parent._data is null)
                    {
                        throw new InvalidOperationException(
                            $"Backward reached a result of {parent._op ?? "an op"} that was computed inside a TensorScope which has ended " +
                            "and gave its memory back; call Backward before the scope ends (open the scope around the whole step).");
                    }

                    if (parent._released)
                    {
                        throw new InvalidOperationException(
                            $"Backward reached a result of {parent._op} whose graph was already released by an earlier Backward; " +
                            "run the forward pass again (or Detach() values carried over from a previous step).");
                    }

                    parent._visitMark = mark;
                    stack.Push((parent, 0));
                }
            }
            else
            {
                order.Add(node);
            }
        }

        return order;
    }
}
