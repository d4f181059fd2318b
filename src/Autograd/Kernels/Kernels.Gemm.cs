using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MiniNet.Autograd;

/// <summary>The numeric kernels every op runs on: spans in, a destination span last, no allocation.</summary>
public static partial class Kernels
{
    /// <summary>
    /// General matrix multiply on row-major matrices: C ← op(A)·op(B) + β·C, the one entry point every
    /// matmul (forward and backward) goes through.
    /// </summary>
    /// <remarks>
    /// op(A) is [m, k]: A is stored [m, k], or [k, m] when <paramref name="transposeA"/>.
    /// op(B) is [k, n]: B is stored [k, n], or [n, k] when <paramref name="transposeB"/>.
    /// C is [m, n]. Transposes are never materialized: each case walks memory in the order it is stored.
    /// With β = 0, C's previous contents are ignored (NaN in C does not leak through).
    /// </remarks>
    /// <param name="transposeA">Whether A is stored transposed ([k, m]).</param>
    /// <param name="transposeB">Whether B is stored transposed ([n, k]).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">The shared dimension.</param>
    /// <param name="a">A's m·k elements.</param>
    /// <param name="b">B's k·n elements.</param>
    /// <param name="c">C's m·n elements, overwritten (β = 0) or accumulated into.</param>
    /// <param name="beta">The factor on C's previous contents.</param>
    public static void Gemm(bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, float beta = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        CheckLength(a.Length, (long)m * k, "a", "m·k");
        CheckLength(b.Length, (long)k * n, "b", "k·n");
        CheckLength(c.Length, (long)m * n, "c", "m·n");

        c = c[..(m * n)];
        if (beta == 0f)
        {
            c.Clear();
        }
        else if (beta != 1f)
        {
            TensorPrimitives.Multiply(c, beta, c);
        }

        switch (transposeA, transposeB)
        {
            case (false, false):
                GemmNN(m, n, k, a, b, c);
                break;
            case (false, true):
                GemmNT(m, n, k, a, b, c);
                break;
            case (true, false):
                GemmTN(m, n, k, a, b, c);
                break;
            default:
                GemmTT(m, n, k, a, b, c);
                break;
        }
    }

    private static void CheckLength(int actual, long needed, string name, string formula)
    {
        if (actual < needed)
        {
            throw new ArgumentException($"Gemm: span '{name}' has {actual} elements but {formula} = {needed} are needed.", name);
        }
    }

    // C[i, :] += A[i, p] · B[p, :], vectorized along C's row.
    private static void GemmNN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> cRow = c.Slice(i * n, n);
            ReadOnlySpan<float> aRow = a.Slice(i * k, k);
            for (int p = 0; p < k; p++)
            {
                AxpyRow(aRow[p], b.Slice(p * n, n), cRow);
            }
        }
    }

    // C[i, j] += dot(A[i, :], B[j, :]): both rows contiguous.
    private static void GemmNT(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> aRow = a.Slice(i * k, k);
            Span<float> cRow = c.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                cRow[j] += TensorPrimitives.Dot(aRow, b.Slice(j * k, k));
            }
        }
    }

    // C[i, :] += A[p, i] · B[p, :]: walk A and B by their stored rows p.
    private static void GemmTN(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        for (int p = 0; p < k; p++)
        {
            ReadOnlySpan<float> aRow = a.Slice(p * m, m);
            ReadOnlySpan<float> bRow = b.Slice(p * n, n);
            for (int i = 0; i < m; i++)
            {
                AxpyRow(aRow[i], bRow, c.Slice(i * n, n));
            }
        }
    }

    // C[i, j] += Σ_p A[p, i] · B[j, p]: rare (no op of MiniNet needs it); C = (B·A)ᵀ computed row by row.
    private static void GemmTT(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        for (int j = 0; j < n; j++)
        {
            ReadOnlySpan<float> bRow = b.Slice(j * k, k);
            for (int p = 0; p < k; p++)
            {
                float bjp = bRow[p];
                ReadOnlySpan<float> aRow = a.Slice(p * m, m);
                for (int i = 0; i < m; i++)
                {
                    c[(i * n) + j] += aRow[i] * bjp;
                }
            }
        }
    }

    /// <summary>y ← y + α·x with hardware vectors and fused multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AxpyRow(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        if (alpha == 0f)
        {
            return;
        }

        int i = 0;
        if (Vector.IsHardwareAccelerated && y.Length >= Vector<float>.Count)
        {
            var va = new Vector<float>(alpha);
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            Span<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int v = 0; v < yv.Length; v++)
            {
                yv[v] = Vector.FusedMultiplyAdd(xv[v], va, yv[v]);
            }

            i = yv.Length * Vector<float>.Count;
        }

        for (; i < y.Length; i++)
        {
            y[i] = MathF.FusedMultiplyAdd(x[i], alpha, y[i]);
        }
    }
}
