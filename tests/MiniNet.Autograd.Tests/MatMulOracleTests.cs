using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Autograd.Tests;

/// <summary>MatMul (plain, batched, broadcast) against MathNet.Numerics' matrix multiply (double precision); the GEMM beneath it is tested at every width in MiniNet.Kernels.Tests.</summary>
public sealed class MatMulOracleTests
{
    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 1, 1, 1 }, { 1, 7, 1 }, { 7, 1, 33 }, { 33, 7, 1 }, { 7, 33, 129 }, { 129, 33, 7 }, { 33, 129, 33 }, { 64, 128, 17 },
        { 130, 257, 70 }, { 129, 1024, 17 }, { 8, 9, 32 }, { 16, 300, 40 },
        { 333, 301, 350 }, { 100, 600, 600 }, // the two-core path, split by rows, then by panels
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatMul_matches_MathNet(int m, int k, int n)
    {
        Tensor a = Tensor.RandomNormal([m, k], seed: m + (31 * k));
        Tensor b = Tensor.RandomNormal([k, n], seed: n + (17 * k));
        Tensor c = a.MatMul(b);

        Matrix<double> expected = ToMatrix(a) * ToMatrix(b);
        c.Shape.Should().Equal(m, n);
        AssertMatches(c.Data, expected, k);
    }

    [Fact]
    public void Batched_and_broadcast_MatMul_match_per_item_products()
    {
        Tensor a = Tensor.RandomNormal([3, 5, 7], seed: 1);
        Tensor b = Tensor.RandomNormal([3, 7, 2], seed: 2);
        Tensor shared = Tensor.RandomNormal([7, 2], seed: 3);
        Tensor batched = a.MatMul(b);
        Tensor broadcast = a.MatMul(shared);
        for (int i = 0; i < 3; i++)
        {
            Matrix<double> ai = ToMatrix(a.Select(0, i));
            AssertMatches(batched.Select(0, i).Data, ai * ToMatrix(b.Select(0, i)), 7);
            AssertMatches(broadcast.Select(0, i).Data, ai * ToMatrix(shared), 7);
        }
    }

    internal static Matrix<double> ToMatrix(Tensor t) =>
        Matrix<double>.Build.Dense(t.Shape[0], t.Shape[1], (i, j) => t.Data[(i * t.Shape[1]) + j]);

    internal static void AssertMatches(float[] actual, Matrix<double> expected, int k)
    {
        // float32 accumulation over k products of N(0, 1) values: error grows like √k·ε·|terms|.
        double tolerance = 1e-5 * Math.Sqrt(k) * 4;
        for (int i = 0; i < expected.RowCount; i++)
        {
            for (int j = 0; j < expected.ColumnCount; j++)
            {
                double e = expected[i, j];
                double a = actual[(i * expected.ColumnCount) + j];
                Math.Abs(a - e).Should().BeLessThanOrEqualTo(tolerance * (1 + Math.Abs(e)), $"element [{i}, {j}]");
            }
        }
    }
}
