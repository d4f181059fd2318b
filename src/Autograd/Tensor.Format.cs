using System.Globalization;
using System.Text;

namespace MiniNet.Autograd;

public sealed partial class Tensor
{
    private const int SummarizeAbove = 1000;
    private const int EdgeItems = 3;

    /// <summary>
    /// PyTorch-style text: the values (nested brackets, aligned columns, elided with "..." when large),
    /// then the shape, the name and how the tensor takes part in autograd.
    /// </summary>
    /// <returns>For example <c>tensor([[1.0000, 2.5000], [3.0000, 4.0000]], shape=[2, 2], requires_grad=True)</c>.</returns>
    public override string ToString()
    {
        if (IsDisposed)
        {
            return $"tensor(<disposed: its TensorScope has ended>, shape={ShapeText.Format(_shape)}{(Name is null ? "" : $", name='{Name}'")})";
        }

        bool summarize = Data.Length > SummarizeAbove;
        string[] cells = FormatCells(summarize);
        int width = 0;
        foreach (string cell in cells)
        {
            width = Math.Max(width, cell.Length);
        }

        var text = new StringBuilder("tensor(");
        if (_shape.Length == 0)
        {
            text.Append(cells[0]);
        }
        else
        {
            AppendDimension(text, 0, 0, cells, width, summarize);
        }

        text.Append(", shape=").Append(ShapeText.Format(_shape));
        if (Name is not null)
        {
            text.Append(", name='").Append(Name).Append('\'');
        }

        if (_op is not null)
        {
            text.Append(", grad_fn=<").Append(_op).Append("Backward>");
        }
        else if (RequiresGrad)
        {
            text.Append(", requires_grad=True");
        }

        return text.Append(')').ToString();
    }

    private void AppendDimension(StringBuilder text, int dim, int offset, string[] cells, int width, bool summarize)
    {
        int size = _shape[dim];
        int stride = 1;
        for (int d = dim + 1; d < _shape.Length; d++)
        {
            stride *= _shape[d];
        }

        text.Append('[');
        for (int i = 0; i < size; i++)
        {
            if (summarize && size > 2 * EdgeItems && i == EdgeItems)
            {
                text.Append("..., ");
                i = size - EdgeItems - 1;
                continue;
            }

            if (dim == _shape.Length - 1)
            {
                text.Append(cells[offset + i].PadLeft(width));
            }
            else
            {
                AppendDimension(text, dim + 1, offset + (i * stride), cells, width, summarize);
            }

            if (i < size - 1)
            {
                text.Append(dim == _shape.Length - 1 ? ", " : ",\n" + new string(' ', 8 + dim));
            }
        }

        text.Append(']');
    }

    private string[] FormatCells(bool summarize)
    {
        bool allIntegers = true;
        float maxAbs = 0f;
        float minAbs = float.PositiveInfinity;
        foreach (float v in Data)
        {
            if (!float.IsFinite(v))
            {
                continue;
            }

            allIntegers &= v == MathF.Round(v);
            float a = MathF.Abs(v);
            maxAbs = Math.Max(maxAbs, a);
            if (a > 0f)
            {
                minAbs = Math.Min(minAbs, a);
            }
        }

        bool scientific = !allIntegers && (maxAbs >= 1e8f || (minAbs < 1e-4f) || maxAbs / minAbs > 1000f);
        var cells = new string[Data.Length];
        for (int i = 0; i < Data.Length; i++)
        {
            if (summarize && !IsShown(i))
            {
                continue;
            }

            float v = Data[i];
            cells[i] = float.IsNaN(v) ? "nan"
                : float.IsPositiveInfinity(v) ? "inf"
                : float.IsNegativeInfinity(v) ? "-inf"
                : allIntegers ? v.ToString("0", CultureInfo.InvariantCulture) + "."
                : scientific ? v.ToString("0.0000e+00", CultureInfo.InvariantCulture)
                : v.ToString("0.0000", CultureInfo.InvariantCulture);
        }

        for (int i = 0; i < cells.Length; i++)
        {
            cells[i] ??= string.Empty;
        }

        return cells;
    }

    /// <summary>Whether element <paramref name="index"/> survives the "..." elision of a large tensor.</summary>
    private bool IsShown(int index)
    {
        for (int d = _shape.Length - 1; d >= 0; d--)
        {
            int i = index % _shape[d];
            index /= _shape[d];
            if (_shape[d] > 2 * EdgeItems && i >= EdgeItems && i < _shape[d] - EdgeItems)
            {
                return false;
            }
        }

        return true;
    }
}
