using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Autograd.Tests;

/// <summary>MatMul and every Gemm transpose case against MathNet.Numerics' matrix multiply (double precision).</summary>
public sealed class MatMulOracleTests
{
    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 1, 1, 1 }, { 1, 7, 1 }, { 7, 1, 33 }, { 33, 7, 1 }, { 7, 33, 129 }, { 129, 33, 7 }, { 33, 129, 33 }, { 64, 128, 17 },
        { 130, 257, 70 }, { 129, 1024, 17 }, { 8, 9, 32 }, { 16, 300, 40 },
        { 333, 301, 350 }, { 100, 600, 600 }, // above 2^25 multiply-adds: the two-core path, split by rows, then by panels
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

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gemm_transposed_operands_match_MathNet(int m, int k, int n)
    {
        Matrix<double> a = ToMatrix(Tensor.RandomNormal([m, k], seed: 3 * m));
        Matrix<double> b = ToMatrix(Tensor.RandomNormal([k, n], seed: 5 * n));
        Matrix<double> c0 = ToMatrix(Tensor.RandomNormal([m, n], seed: 7));
        foreach ((bool ta, bool tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            float[] aStored = Flatten(ta ? a.Transpose() : a);
            float[] bStored = Flatten(tb ? b.Transpose() : b);
            float[] c = Flatten(c0);
            Kernels.Gemm(ta, tb, m, n, k, aStored, bStored, c, beta: 0.5f);
            AssertMatches(c, (a * b) + (0.5 * c0), k);
        }
    }

    [Fact]
    public void Gemm_with_beta_zero_ignores_NaN_in_the_destination()
    {
        float[] c = [float.NaN, float.NaN];
        Kernels.Gemm(false, false, 1, 2, 1, [2f], [3f, 4f], c);
        c.Should().Equal(6f, 8f);
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

    [Fact]
    public void Gemm_rejects_spans_too_short_for_the_shape()
    {
        Action act = () => Kernels.Gemm(false, false, 2, 2, 2, new float[3], new float[4], new float[4]);
        act.Should().Throw<ArgumentException>().WithMessage("*'a' has 3 elements but m·k = 4*");
    }

    internal static Matrix<double> ToMatrix(Tensor t) =>
        Matrix<double>.Build.Dense(t.Shape[0], t.Shape[1], (i, j) => t.Data[(i * t.Shape[1]) + j]);

    internal static float[] Flatten(Matrix<double> m)
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

/// <summary>The OpenBLAS backend and the managed kernel agree (and the choice is explained when OpenBLAS is absent).</summary>
/// <remarks>Switching the process-wide backend must not overlap other tests, so this class runs alone.</remarks>
[Collection(MemoryMeasurements.Name)]
public sealed class GemmBackendTests
{
    [Fact]
    public void OpenBLAS_and_the_managed_kernel_agree_on_every_transpose_case()
    {
        if (!GemmBackend.OpenBlasAvailable)
        {
            // Without libopenblas.so.0 the managed kernel must be in use and say why.
            GemmBackend.Current.Should().Be(GemmBackendKind.Managed);
            GemmBackend.Description.Should().Contain("not found");
            return;
        }

        foreach ((int m, int k, int n) in new[] { (1, 1, 1), (7, 33, 129), (130, 257, 70) })
        {
            float[] a = Tensor.RandomNormal([m * k], seed: m).Data;
            float[] b = Tensor.RandomNormal([k * n], seed: n).Data;
            float[] c0 = Tensor.RandomNormal([m * n], seed: k).Data;
            foreach ((bool ta, bool tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            {
                float[] managed = (float[])c0.Clone();
                float[] blas = (float[])c0.Clone();
                GemmBackend.With(GemmBackendKind.Managed, () => Kernels.Gemm(ta, tb, m, n, k, a, b, managed, beta: 0.5f));
                GemmBackend.With(GemmBackendKind.OpenBlas, () => Kernels.Gemm(ta, tb, m, n, k, a, b, blas, beta: 0.5f));
                for (int i = 0; i < managed.Length; i++)
                {
                    blas[i].Should().BeApproximately(managed[i], 1e-4f * (1 + MathF.Abs(managed[i])) * MathF.Sqrt(k), $"[{m}x{k}x{n}] ta={ta} tb={tb} element {i}");
                }
            }
        }
    }

    [Fact]
    public void The_OpenBLAS_description_names_the_kernel_set_the_library_chose()
    {
        if (!GemmBackend.OpenBlasAvailable)
        {
            GemmBackend.OpenBlasCore.Should().BeNull("nothing was loaded");
            return;
        }

        // A DYNAMIC_ARCH OpenBLAS names its kernels; a user pinning them with OPENBLAS_CORETYPE sees that name back.
        GemmBackend.OpenBlasCore.Should().NotBeNullOrWhiteSpace();
        string? pinned = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE");
        if (!string.IsNullOrEmpty(pinned))
        {
            GemmBackend.OpenBlasCore.Should().BeEquivalentTo(pinned);
        }

        GemmBackend.With(GemmBackendKind.OpenBlas, () => GemmBackend.Description.Should().Contain($"{GemmBackend.OpenBlasCore} kernels"));
    }

    [Fact]
    public void Both_backends_ignore_NaN_in_the_destination_when_beta_is_zero()
    {
        // MatMul and Linear fill uninitialized arrays with β = 0, so neither backend may read what is there.
        foreach (GemmBackendKind kind in GemmBackend.OpenBlasAvailable ? new[] { GemmBackendKind.Managed, GemmBackendKind.OpenBlas } : new[] { GemmBackendKind.Managed })
        {
            float[] c = Enumerable.Repeat(float.NaN, 40 * 70).ToArray();
            float[] a = Tensor.RandomNormal([40 * 30], seed: 1).Data, b = Tensor.RandomNormal([30 * 70], seed: 2).Data;
            GemmBackend.With(kind, () => Kernels.Gemm(false, true, 40, 70, 30, a, b, c));
            c.Should().OnlyContain(v => float.IsFinite(v), $"backend {kind}");
        }
    }

    [Fact]
    public void The_256_bit_kernel_matches_MathNet_on_every_shape_and_transpose_case()
    {
        // An AVX-512 machine runs the 8×32 kernel; packing 16-wide panels runs the 6×16 one that AVX2-only CPUs use.
        bool previous = PackedMatrix.UseWide;
        PackedMatrix.UseWide = false;
        try
        {
            PackedMatrix.Pack(new float[6], transposed: false, 2, 3).Width.Should().Be(16);
            foreach (object[] shape in MatMulOracleTests.Shapes())
            {
                (int m, int k, int n) = ((int)shape[0], (int)shape[1], (int)shape[2]);
                Matrix<double> a = MatMulOracleTests.ToMatrix(Tensor.RandomNormal([m, k], seed: 3 * m));
                Matrix<double> b = MatMulOracleTests.ToMatrix(Tensor.RandomNormal([k, n], seed: 5 * n));
                Matrix<double> c0 = MatMulOracleTests.ToMatrix(Tensor.RandomNormal([m, n], seed: 7));
                foreach ((bool ta, bool tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
                {
                    float[] c = MatMulOracleTests.Flatten(c0);
                    GemmBackend.With(GemmBackendKind.Managed, () => Kernels.Gemm(ta, tb, m, n, k,
                        MatMulOracleTests.Flatten(ta ? a.Transpose() : a), MatMulOracleTests.Flatten(tb ? b.Transpose() : b), c, beta: 0.5f));
                    MatMulOracleTests.AssertMatches(c, (a * b) + (0.5 * c0), k);
                }
            }
        }
        finally
        {
            PackedMatrix.UseWide = previous;
        }
    }
}
