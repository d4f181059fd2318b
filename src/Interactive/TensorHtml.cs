using System.Globalization;
using System.Net;
using System.Text;
using MiniNet.Autograd;

namespace MiniNet.Interactive;

/// <summary>A tensor as an HTML table: its shape, whether it requires a gradient, and its values, the middle cut out when large.</summary>
/// <remarks>
/// A scalar is one cell; a vector one row; a matrix rows × columns; a tensor of higher rank shows its first matrix slices.
/// At most <see cref="MaxRows"/> rows and <see cref="MaxColumns"/> columns are shown: the first and last few, with "…" between,
/// as PyTorch prints a large tensor.
/// </remarks>
public static class TensorHtml
{
    /// <summary>The most rows shown; more are cut to the first and last half of this.</summary>
    public const int MaxRows = 10;

    /// <summary>The most columns shown; more are cut to the first and last half of this.</summary>
    public const int MaxColumns = 10;

    /// <summary>The most matrix slices of a rank-3+ tensor shown.</summary>
    public const int MaxSlices = 3;

    /// <summary>Renders a tensor.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <returns>An HTML fragment.</returns>
    public static string Render(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var html = new StringBuilder("<div class=\"mininet-tensor\">");
        string shape = "[" + string.Join(", ", tensor.Shape) + "]";
        string name = tensor.Name is null ? string.Empty : $"<b>{E(tensor.Name)}</b> ";
        string grad = tensor.RequiresGrad ? (tensor.Grad is null ? ", requires grad" : ", requires grad (grad set)") : string.Empty;
        string op = tensor.Op is null ? string.Empty : $", from {E(tensor.Op)}";
        html.Append(CultureInfo.InvariantCulture, $"<div style=\"font-family:monospace\">{name}Tensor shape {shape} ({tensor.Length} value{(tensor.Length == 1 ? string.Empty : "s")}{grad}{op})</div>");
        int rank = tensor.Rank;
        int rows = rank >= 2 ? tensor.Shape[rank - 2] : 1, columns = rank >= 1 ? tensor.Shape[rank - 1] : 1;
        int slices = tensor.Length / Math.Max(1, rows * columns);
        foreach (int slice in Cut(slices, MaxSlices))
        {
            if (slice < 0)
            {
                html.Append("<div>⋮</div>");
                continue;
            }

            if (rank > 2)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div style=\"font-family:monospace;color:#555\">[{SliceIndex(tensor, slice)}, :, :]</div>");
            }

            html.Append("<table style=\"border-collapse:collapse;font-family:monospace;margin:2px 0 8px\">");
            foreach (int r in Cut(rows, MaxRows))
            {
                html.Append("<tr>");
                foreach (int c in Cut(columns, MaxColumns))
                {
                    string cell = r < 0 ? (c < 0 ? "⋱" : "⋮") : c < 0 ? "…" : tensor.Data[(slice * rows * columns) + (r * columns) + c].ToString("G5", CultureInfo.InvariantCulture);
                    html.Append("<td style=\"border:1px solid #ddd;padding:2px 6px;text-align:right\">").Append(cell).Append("</td>");
                }

                html.Append("</tr>");
            }

            html.Append("</table>");
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>The indices to show of <paramref name="count"/>: all when few, else the first and last halves of <paramref name="max"/> with −1 for the gap.</summary>
    internal static IEnumerable<int> Cut(int count, int max)
    {
        if (count <= max)
        {
            return Enumerable.Range(0, count);
        }

        int half = max / 2;
        return Enumerable.Range(0, half).Append(-1).Concat(Enumerable.Range(count - half, half));
    }

    private static string SliceIndex(Tensor tensor, int slice)
    {
        var index = new int[tensor.Rank - 2];
        for (int d = index.Length - 1; d >= 0; d--)
        {
            index[d] = slice % tensor.Shape[d];
            slice /= tensor.Shape[d];
        }

        return string.Join(", ", index);
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
