using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MiniNet.Autograd;

/// <summary>
/// A picture of the graph behind a result, in the spirit of micrograd's <c>draw_dot</c>: every tensor as a box with its
/// name, shape, value and gradient, every op as an oval between its inputs and its output. Take it before
/// <see cref="Tensor.Backward"/> (which frees the graph); it keeps the intermediate gradients, so drawing it afterwards
/// shows ∂loss/∂node at every node.
/// </summary>
/// <remarks>
/// <see cref="ToDot"/> writes Graphviz DOT text, always; <see cref="RenderSvg"/> runs Graphviz's <c>dot</c> when it is
/// installed (Debian: <c>apt-get install graphviz</c>). Meant for small expressions: a graph of more than
/// <see cref="DefaultMaxNodes"/> tensors is refused with an error that says so, rather than a picture nobody can read.
/// </remarks>
public sealed class AutogradGraph
{
    /// <summary>The most tensors a graph may have unless the caller asks for more.</summary>
    public const int DefaultMaxNodes = 200;

    private readonly List<Tensor> _nodes;
    private readonly Dictionary<Tensor, int> _ids = new(ReferenceEqualityComparer.Instance);
    private readonly List<(int From, int To)> _edges = [];
    private readonly Dictionary<int, string> _ops = [];

    private AutogradGraph(List<Tensor> nodes)
    {
        _nodes = nodes;
    }

    /// <summary>The tensors of the graph, inputs first and the root last.</summary>
    public IReadOnlyList<Tensor> Nodes => _nodes;

    /// <summary>Takes the graph that computed <paramref name="root"/>, and asks every intermediate to keep its gradient.</summary>
    /// <param name="root">The result (usually the loss), before <see cref="Tensor.Backward"/>.</param>
    /// <param name="maxNodes">The most tensors to accept.</param>
    /// <returns>The graph.</returns>
    /// <exception cref="InvalidOperationException">The graph was already freed by a backward pass, or has more than <paramref name="maxNodes"/> tensors.</exception>
    public static AutogradGraph Of(Tensor root, int maxNodes = DefaultMaxNodes)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxNodes);
        if (root.IsReleased)
        {
            throw new InvalidOperationException("This tensor's graph was already freed by Backward(); take AutogradGraph.Of(result) before calling Backward, then draw it afterwards to see the gradients.");
        }

        var order = new List<Tensor>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Node, int Next)>();
        stack.Push((root, 0));
        seen.Add(root);
        while (stack.Count > 0)
        {
            (Tensor node, int next) = stack.Pop();
            if (next < node.Parents.Count)
            {
                stack.Push((node, next + 1));
                Tensor parent = node.Parents[next];
                if (seen.Add(parent))
                {
                    if (seen.Count > maxNodes)
                    {
                        throw new InvalidOperationException(
                            $"The graph has more than {maxNodes} tensors, too many to draw legibly; draw a smaller expression (one step of a tiny model), or pass maxNodes to allow more.");
                    }

                    stack.Push((parent, 0));
                }
            }
            else
            {
                order.Add(node);
            }
        }

        var graph = new AutogradGraph(order);
        for (int i = 0; i < order.Count; i++)
        {
            graph._ids[order[i]] = i;
        }

        foreach (Tensor node in order)
        {
            if (!node.IsLeaf)
            {
                graph._ops[graph._ids[node]] = node.Op ?? "op";
                foreach (Tensor parent in node.Parents)
                {
                    graph._edges.Add((graph._ids[parent], graph._ids[node]));
                }

                if (node.RequiresGrad)
                {
                    node.RetainGrad();
                }
            }
        }

        return graph;
    }

    /// <summary>The graph as Graphviz DOT: left to right, a record per tensor (name | shape | value | grad), an oval per op.</summary>
    /// <returns>The DOT text.</returns>
    public string ToDot()
    {
        var dot = new StringBuilder("digraph autograd {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n");
        for (int i = 0; i < _nodes.Count; i++)
        {
            Tensor t = _nodes[i];
            bool leaf = !_ops.ContainsKey(i); // as taken: after Backward every node looks like a leaf
            string fill = leaf ? (t.RequiresGrad ? "#dbeafe" : "#f3f4f6") : "#ffffff";
            string name = t.Name ?? (leaf ? (t.RequiresGrad ? "parameter" : "input") : string.Empty); // an unnamed result is named by its op's oval
            string label = $"{Escape(name)} | {ShapeText.Format(t.Shape)} | value {Escape(Values(t.Data))} | grad {Escape(t.Grad is { } g ? Values(g.Data) : "—")}";
            dot.Append(CultureInfo.InvariantCulture, $"  t{i} [shape=record, style=filled, fillcolor=\"{fill}\", label=\"{{ {label} }}\"];\n");
            if (_ops.TryGetValue(i, out string? op))
            {
                dot.Append(CultureInfo.InvariantCulture, $"  op{i} [shape=ellipse, label=\"{Escape(op)}\"];\n  op{i} -> t{i};\n");
            }
        }

        foreach ((int from, int to) in _edges)
        {
            dot.Append(CultureInfo.InvariantCulture, $"  t{from} -> op{to};\n");
        }

        return dot.Append("}\n").ToString();
    }

    /// <summary>Renders <see cref="ToDot"/> to SVG with Graphviz's <c>dot</c>, or returns null when <c>dot</c> is not installed.</summary>
    /// <param name="timeout">How long <c>dot</c> may take.</param>
    /// <returns>The <c>&lt;svg&gt;</c> document, or null without Graphviz (install it with <c>apt-get install graphviz</c>).</returns>
    /// <exception cref="InvalidOperationException"><c>dot</c> failed or timed out.</exception>
    public string? RenderSvg(TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dot", "-Tsvg") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Graphviz's dot did not start.");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed: the DOT text is still there
        }

        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(ToDot());
            process.StandardInput.Close();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException("Graphviz's dot did not finish in time; the graph is probably too large to draw.");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"Graphviz's dot failed (exit code {process.ExitCode}): {errors.Result.Trim()}");
            }

            string svg = output.Result;
            int at = svg.IndexOf("<svg", StringComparison.Ordinal);
            return at < 0 ? svg : svg[at..]; // without the XML prolog and DOCTYPE, so it can be inlined in HTML
        }
    }

    /// <summary>A scalar as itself; up to four values listed; more as the first three and the count.</summary>
    private static string Values(float[] data)
    {
        static string F(float v) => v.ToString("G4", CultureInfo.InvariantCulture);
        return data.Length switch
        {
            1 => F(data[0]),
            <= 4 => "[" + string.Join(", ", data.Select(F)) + "]",
            _ => "[" + string.Join(", ", data.Take(3).Select(F)) + $", … ({data.Length} values)]",
        };
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("{", "\\{", StringComparison.Ordinal).Replace("}", "\\}", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
        .Replace("<", "\\<", StringComparison.Ordinal).Replace(">", "\\>", StringComparison.Ordinal);
}
