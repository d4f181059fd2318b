using FluentAssertions;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace MiniNet.Kernels.Tests;

/// <summary>Every transpose case of the GEMM against MathNet.Numerics (double precision), at every vector width.</summary>
public sealed class GemmTests
{
    public static TheoryData<int, int, int, int> ShapesAtEveryWidth()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (int bits in Widths.All)
        {
            foreach ((int m, int k, int n) in new[]
            {
                (1, 1, 1), (1, 7, 1), (7, 1, 33), (33, 7, 1), (7, 33, 129), (129, 33, 7), (33, 129, 33), (64, 128, 17),
                (130, 257, 70), (129, 1024, 17), (8, 9, 32), (16, 300, 40),
                (333, 301, 350), (100, 600, 600), // above 2^19 multiply-adds: the two-core path, split by rows, then by panels
                (1100, 300, 20), (1030, 40, 7),   // more rows than one packed chunk of A (512 or 384), the last chunk partial; one panel, split by rows
                (2000, 2, 300), (600, 32, 101),   // k of 32 or less (an input projection, tiled rows first) on both cores, several chunks and panels
                (40, 288, 50), (20, 544, 33),     // a last k block up to 32 past 256 taken whole: 288 in one block, 544 as 256 + 288
            })
            {
                data.Add(bits, m, k, n);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShapesAtEveryWidth))]
    public void Every_transpose_case_matches_MathNet(int bits, int m, int k, int n)
    {
        Matrix<double> a = Widths.Matrix(m, k, seed: 3 * m), b = Widths.Matrix(k, n, seed: 5 * n), c0 = Widths.Matrix(m, n, seed: 7);
        foreach ((bool ta, bool tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            float[] c = Widths.Flatten(c0);
            float[] aStored = Widths.Flatten(ta ? a.Transpose() : a), bStored = Widths.Flatten(tb ? b.Transpose() : b);
            Widths.At(bits, () =>
            {
                Gemm.Multiply(ta, tb, m, n, k, aStored, bStored, c, beta: 0.5f);
                return 0;
            });
            AssertMatches(c, (a * b) + (0.5 * c0), k, $"{bits}-bit, ta={ta}, tb={tb}");
        }
    }

    public static TheoryData<int> RowCounts() => [.. Enumerable.Range(1, 26), 32, 35, 47, 64, 65, 383, 385, 390, 515, 520];

    [Theory]
    [MemberData(nameof(RowCounts))]
    public void Every_row_count_is_tiled_whole(int m)
    {
        // 256-bit tiles are 6 rows tall, and the last one or two of every chunk 4 (32 = 6·4 + 4·2); 512-bit ones 8, and
        // a last 1–4 rows 4: each count of rows, each residue mod 6 and mod 8, and chunks of 384 and 512 rows with some
        // left over, must come out every row right, from A stored either way, through whole panels and last ones of
        // every kind: n = 24 (at 512 bits a partial panel, at 256 a whole one and a half), 40 (at 512 a whole one and
        // a quarter of 8 columns), 44 (at 512 a whole one and a half of 12).
        const int k = 19;
        foreach (int n in new[] { 24, 40, 44 })
        {
            Matrix<double> a = Widths.Matrix(m, k, seed: m), b = Widths.Matrix(k, n, seed: 2), c0 = Widths.Matrix(m, n, seed: 3);
            foreach (bool ta in new[] { false, true })
            {
                foreach (int bits in Widths.All)
                {
                    float[] c = Widths.Flatten(c0);
                    float[] aStored = Widths.Flatten(ta ? a.Transpose() : a), bStored = Widths.Flatten(b);
                    Widths.At(bits, () =>
                    {
                        Gemm.Multiply(ta, false, m, n, k, aStored, bStored, c, beta: 0.5f);
                        return 0;
                    });
                    AssertMatches(c, (a * b) + (0.5 * c0), k, $"{bits}-bit, ta={ta}, m={m}, n={n}");
                }
            }
        }
    }

    [Theory]
    [InlineData(7, 33, 129)]
    [InlineData(130, 257, 70)]
    [InlineData(33, 600, 50)]
    [InlineData(4, 300, 72)]
    [InlineData(12, 129, 40)]
    public void Every_width_gives_the_same_bits(int m, int k, int n)
    {
        // Each element is the same chain of fused multiply-adds over p whatever the tile: 512-bit tiles are 8×32 and
        // 4×32, 256-bit ones 6×16 and 4×16, and the sums must not notice.
        float[] a = Widths.Normal(m * k, 1), b = Widths.Normal(k * n, 2), c0 = Widths.Normal(m * n, 3);
        float[][] results = [.. Widths.All.Select(bits => Widths.At(bits, () =>
        {
            float[] c = (float[])c0.Clone();
            Gemm.Multiply(true, false, m, n, k, a, b, c, beta: 0.5f);
            return c;
        }))];
        results[1].Should().Equal(results[0], "the 256-bit kernel sums as the 512-bit one does");
        results[2].Should().Equal(results[0]);
    }

    [Theory]
    [MemberData(nameof(Widths.Data), MemberType = typeof(Widths))]
    public void Beta_zero_ignores_NaN_in_the_destination(int bits)
    {
        float[] c = Enumerable.Repeat(float.NaN, 40 * 70).ToArray();
        float[] a = Widths.Normal(40 * 30, 1), b = Widths.Normal(30 * 70, 2);
        Widths.At(bits, () =>
        {
            Gemm.Multiply(false, true, 40, 70, 30, a, b, c);
            return 0;
        });
        c.Should().OnlyContain(v => float.IsFinite(v));
    }

    public static TheoryData<int, int, int, int> InPlaceShapes()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (int bits in Widths.All)
        {
            int width = bits == 512 ? 32 : 16;
            // one panel and several; k within one depth block and across several; rows that leave partial tiles; a
            // product of 67×256×600 large enough for the two cores (split by panels) and one of 400 rows (by rows)
            foreach ((int m, int k, int n) in new[] { (1, 1, width), (7, 19, width), (35, 300, 4 * width), (67, 600, 256), (400, 40, 2 * width) })
            {
                data.Add(bits, m, k, n);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InPlaceShapes))]
    public void B_read_in_place_gives_the_bits_of_B_packed(int bits, int m, int k, int n)
    {
        // The weight gradients read δ [k, n] where it lies (PackedMatrix.InPlace) instead of packing it: the same FMAs
        // in the same order, so the same bits, from A stored either way.
        float[] b = Widths.Normal(k * n, 2), c0 = Widths.Normal(m * n, 3);
        foreach (bool ta in new[] { false, true })
        {
            float[] a = Widths.Normal(m * k, ta ? 4 : 1);
            (float[] packed, float[] inPlace) = Widths.At(bits, () =>
            {
                float[] viaPack = (float[])c0.Clone(), viaView = (float[])c0.Clone();
                Gemm.Multiply(ta, m, a, PackedMatrix.Pack(b, transposed: false, k, n), viaPack, beta: 0.5f);
                PackedMatrix view = PackedMatrix.InPlace(b, k, n);
                view.IsInPlace.Should().BeTrue();
                Gemm.Multiply(ta, m, a, view, viaView, beta: 0.5f);
                return (viaPack, viaView);
            });
            inPlace.Should().Equal(packed, $"{bits}-bit, ta={ta}, {m}×{k}×{n}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Data), MemberType = typeof(Widths))]
    public void Multiply_once_gives_the_bits_of_the_packing_product_with_whole_panels_or_not(int bits)
    {
        // MultiplyOnce reads B in place when n is whole panels (64 at every width) and packs it otherwise (40).
        foreach (int n in new[] { 64, 40 })
        {
            const int m = 35, k = 300;
            float[] a = Widths.Normal(k * m, 1), b = Widths.Normal(k * n, 2), c0 = Widths.Normal(m * n, 3);
            (float[] once, float[] packing) = Widths.At(bits, () =>
            {
                float[] viaOnce = (float[])c0.Clone(), viaPacking = (float[])c0.Clone();
                Gemm.MultiplyOnce(true, m, n, k, a, b, viaOnce, beta: 0.5f);
                Gemm.Multiply(true, false, m, n, k, a, b, viaPacking, beta: 0.5f);
                return (viaOnce, viaPacking);
            });
            once.Should().Equal(packing, $"{bits}-bit, n={n}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths.Data), MemberType = typeof(Widths))]
    public void A_product_and_its_transpose_give_the_same_bits(int bits)
    {
        // A weight gradient δᵀ·Z is computed as (Zᵀ·δ)ᵀ when that is faster (FusedLayerGradients): each element must be
        // the same chain of FMAs either way. δ [k, w] and Z [k, c] as an RNN's (w = 128, c = 131) and an LSTM's
        // (w = 64, c = 37), k past one depth block; Zᵀ·δ reads δ in place (MultiplyOnce) when w is whole panels.
        foreach ((int w, int c) in new[] { (128, 131), (64, 37), (40, 45) })
        {
            const int k = 600;
            float[] delta = Widths.Normal(k * w, 1), z = Widths.Normal(k * c, 2);
            (float[] direct, float[] transposed) = Widths.At(bits, () =>
            {
                float[] viaDelta = new float[w * c], viaZ = new float[c * w];
                Gemm.Multiply(true, false, w, c, k, delta, z, viaDelta);   // δᵀ·Z, [w, c]
                Gemm.MultiplyOnce(true, c, w, k, z, delta, viaZ);          // Zᵀ·δ, [c, w]
                return (viaDelta, viaZ);
            });
            float[] back = new float[w * c];
            for (int i = 0; i < w; i++)
            {
                for (int j = 0; j < c; j++)
                {
                    back[(i * c) + j] = transposed[(j * w) + i];
                }
            }

            back.Should().Equal(direct, $"{bits}-bit, δ {k}×{w}, Z {k}×{c}");
        }
    }

    [Fact]
    public void B_in_place_needs_whole_panels_and_all_its_elements()
    {
        Widths.At(512, () => PackedMatrix.CanReadInPlace(48)).Should().BeFalse("48 columns are a panel and a half at 512 bits");
        Widths.At(256, () => PackedMatrix.CanReadInPlace(48)).Should().BeTrue();
        Action partial = () => Widths.At(512, () => PackedMatrix.InPlace(new float[4 * 48], 4, 48));
        partial.Should().Throw<ArgumentException>().WithMessage("*n = 48 is not a positive multiple of the panel width 32; pack B instead*");
        Action tooShort = () => Widths.At(256, () => PackedMatrix.InPlace(new float[10], 4, 16));
        tooShort.Should().Throw<ArgumentException>().WithMessage("*array has 10 elements but k·n = 64 are needed*");
        Action repack = () => Widths.At(256, () => { PackedMatrix.InPlace(new float[64], 4, 16).PackPanels(new float[64], false, 0, 1); return 0; });
        repack.Should().Throw<InvalidOperationException>().WithMessage("*reads B in place*");
    }

    [Theory]
    [InlineData(512, 32)]
    [InlineData(256, 16)]
    [InlineData(128, 16)]
    public void A_pack_is_two_vectors_wide(int bits, int width) =>
        Widths.At(bits, () => PackedMatrix.Pack(new float[6], transposed: false, 2, 3)).Width.Should().Be(width);

    [Fact]
    public void Spans_too_short_for_the_shape_are_rejected()
    {
        Action act = () => Gemm.Multiply(false, false, 2, 2, 2, new float[3], new float[4], new float[4]);
        act.Should().Throw<ArgumentException>().WithMessage("*'a' has 3 elements but m·k = 4*");
    }

    internal static void AssertMatches(float[] actual, Matrix<double> expected, int k, string because)
    {
        // float32 accumulation over k products of N(0, 1) values: error grows like √k·ε·|terms|.
        double tolerance = 1e-5 * Math.Sqrt(k) * 4;
        for (int i = 0; i < expected.RowCount; i++)
        {
            for (int j = 0; j < expected.ColumnCount; j++)
            {
                double e = expected[i, j];
                double a = actual[(i * expected.ColumnCount) + j];
                Math.Abs(a - e).Should().BeLessThanOrEqualTo(tolerance * (1 + Math.Abs(e)), $"element [{i}, {j}], {because}");
            }
        }
    }
}

/// <summary>The OpenBLAS backend and the managed kernel agree, and the choice is explained.</summary>
public sealed class GemmBackendTests
{
    [Fact]
    public void OpenBLAS_and_the_managed_kernel_agree_on_every_transpose_case()
    {
        if (!KernelOptions.OpenBlasAvailable)
        {
            // Without libopenblas.so.0 the managed kernel must be in use, say why, and refuse OpenBLAS by name.
            KernelOptions.Default.Gemm.Should().Be(GemmBackendKind.Managed);
            KernelOptions.Default.Description.Should().Contain("not found");
            Action ask = () => _ = KernelOptions.Default with { Gemm = GemmBackendKind.OpenBlas };
            ask.Should().Throw<ArgumentException>().WithMessage("*libopenblas.so.0*apt-get install libopenblas0*");
            return;
        }

        foreach ((int m, int k, int n) in new[] { (1, 1, 1), (7, 33, 129), (130, 257, 70) })
        {
            float[] a = Widths.Normal(m * k, m), b = Widths.Normal(k * n, n), c0 = Widths.Normal(m * n, k);
            foreach ((bool ta, bool tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            {
                float[] managed = Run(GemmBackendKind.Managed, ta, tb, m, n, k, a, b, c0);
                float[] blas = Run(GemmBackendKind.OpenBlas, ta, tb, m, n, k, a, b, c0);
                for (int i = 0; i < managed.Length; i++)
                {
                    blas[i].Should().BeApproximately(managed[i], 1e-4f * (1 + MathF.Abs(managed[i])) * MathF.Sqrt(k), $"[{m}x{k}x{n}] ta={ta} tb={tb} element {i}");
                }
            }
        }
    }

    [Fact]
    public void OpenBLAS_also_ignores_NaN_in_the_destination_when_beta_is_zero()
    {
        if (!KernelOptions.OpenBlasAvailable)
        {
            KernelOptions.OpenBlasCore.Should().BeNull("nothing was loaded");
            return;
        }

        float[] c = Run(GemmBackendKind.OpenBlas, false, true, 40, 70, 30, Widths.Normal(1200, 1), Widths.Normal(2100, 2), Enumerable.Repeat(float.NaN, 2800).ToArray(), beta: 0f);
        c.Should().OnlyContain(v => float.IsFinite(v));
    }

    [Fact]
    public void The_OpenBLAS_description_names_the_kernel_set_the_library_chose()
    {
        if (!KernelOptions.OpenBlasAvailable)
        {
            KernelOptions.OpenBlasCore.Should().BeNull("nothing was loaded");
            return;
        }

        // A DYNAMIC_ARCH OpenBLAS names its kernels; a user pinning them with OPENBLAS_CORETYPE sees that name back.
        KernelOptions.OpenBlasCore.Should().NotBeNullOrWhiteSpace();
        string? pinned = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE");
        if (!string.IsNullOrEmpty(pinned))
        {
            KernelOptions.OpenBlasCore.Should().BeEquivalentTo(pinned);
        }

        (KernelOptions.Default with { Gemm = GemmBackendKind.OpenBlas }).Description.Should().Contain($"{KernelOptions.OpenBlasCore} kernels");
    }

    private static float[] Run(GemmBackendKind kind, bool ta, bool tb, int m, int n, int k, float[] a, float[] b, float[] c0, float beta = 0.5f)
    {
        float[] c = (float[])c0.Clone();
        using (KernelOptions.Use(KernelOptions.Default with { Gemm = kind }))
        {
            Gemm.Multiply(ta, tb, m, n, k, a, b, c, beta);
        }

        return c;
    }
}
