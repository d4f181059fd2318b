using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace MiniNet.Kernels.Tests;

/// <summary>The vector widths every kernel test runs at: all three on every machine, the ones the CPU lacks emulated by .NET.</summary>
internal static class Widths
{
    public static readonly int[] All = [512, 256, 128];

    public static TheoryData<int> Data() => [.. All];

    /// <summary>
    /// Runs <paramref name="action"/> with the kernels at <paramref name="bits"/> (and the managed GEMM), parallel work on
    /// every core, so that the large shapes always take the two-core path (measured, they might run on one).
    /// </summary>
    public static T At<T>(int bits, Func<T> action)
    {
        using (KernelOptions.Use(KernelOptions.Default with { VectorBits = bits, Gemm = GemmBackendKind.Managed, Cores = CoreUse.All }))
        {
            return action();
        }
    }

    /// <summary>Normally distributed floats from a fixed seed.</summary>
    public static float[] Normal(int count, int seed)
    {
        var normal = new Normal(0, 1, new Random(seed));
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)normal.Sample();
        }

        return values;
    }

    public static Matrix<double> Matrix(int rows, int columns, int seed)
    {
        float[] values = Normal(rows * columns, seed);
        return Matrix<double>.Build.Dense(rows, columns, (i, j) => values[(i * columns) + j]);
    }

    public static float[] Flatten(Matrix<double> m)
    {
        var data = new float[m.RowCount * m.ColumnCount];
        for (int i = 0; i < m.RowCount; i++)
        {
            for (int j = 0; j < m.ColumnCount; j++)
            {
                data[(i * m.ColumnCount) + j] = (float)m[i, j];
            }
        }

        return data;
    }
}
