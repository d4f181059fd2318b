using System.Diagnostics;
using FluentAssertions;
using Xunit;

namespace MiniNet.Kernels.Tests;

/// <summary>These tests steer the process-wide choice of <see cref="CoreChoice"/>, so they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CoreChoiceCollection
{
    public const string Name = "Core choice";
}

/// <summary>
/// Whether parallel work runs on every core or on the caller alone: fixed by <see cref="KernelOptions.Cores"/>, or
/// measured — the preferred way except for a short exploring stretch of every period, the preference following the
/// times — and never a different number either way.
/// </summary>
[Collection(CoreChoiceCollection.Name)]
public sealed class CoreChoiceTests
{
    [Theory]
    [InlineData(CoreUse.All, true)]
    [InlineData(CoreUse.One, false)]
    public void A_fixed_choice_is_kept_and_keeps_no_times(CoreUse use, bool allCores)
    {
        CoreChoice choice = CoreChoice.For("test fixed", CoreChoice.Shape(1, 2, 3, (int)use));
        using (KernelOptions.Use(KernelOptions.Current with { Cores = use }))
        {
            for (int i = 0; i < 3 * CoreChoice.Period; i++)
            {
                choice.UseAllCores().Should().Be(allCores);
                choice.Record(allCores, Stopwatch.GetTimestamp() - 1000);
                using CoreChoice.Call call = CoreChoice.Start("test fixed", CoreChoice.Shape(1, 2, 3, (int)use));
                call.AllCores.Should().Be(allCores);
            }
        }

        CoreChoice.Call.OneCoreUntimed.AllCores.Should().BeFalse();

        double.IsNaN(choice.Means.AllCores).Should().BeTrue();
        double.IsNaN(choice.Means.OneCore).Should().BeTrue();
    }

    [Fact]
    public void Measured_the_preferred_way_runs_but_for_an_exploring_stretch_and_the_faster_way_becomes_preferred()
    {
        CoreChoice choice = CoreChoice.For("test measured", CoreChoice.Shape(4, 5, 6));
        long oneSecond = Stopwatch.Frequency;
        try
        {
            // One core takes a second a call, all cores ten (far above any real kind's times, so they decide the sum).
            (int other, bool preferred) = Run(choice, 4 * CoreChoice.Period, allCoresTicks: 10 * oneSecond, oneCoreTicks: oneSecond);
            preferred.Should().BeFalse("one core was timed the faster");
            other.Should().Be(2 * CoreChoice.ExploreCalls, "of the last two periods' calls, each period's exploring stretch went the other way");
            choice.Means.OneCore.Should().BeApproximately(oneSecond, oneSecond * 0.01);

            (_, preferred) = Run(choice, 4 * CoreChoice.Period, allCoresTicks: oneSecond, oneCoreTicks: 100 * oneSecond);
            preferred.Should().BeTrue("all cores became the faster");
        }
        finally
        {
            // Leave the process preferring all cores with a kind that no longer outweighs the real ones.
            Run(choice, 2 * CoreChoice.Period, allCoresTicks: 0, oneCoreTicks: 0);
            CoreChoice.AllCoresPreferred.Should().BeTrue();
        }
    }

    [Theory]
    [InlineData(false, 160, 300, 200)]   // 9.6 million multiply-adds: split by panels
    [InlineData(true, 160, 300, 200)]
    [InlineData(true, 256, 67, 3200)]    // an LSTM's weight gradient: 3 panels, the last nearly empty, so split by rows
    [InlineData(false, 700, 40, 100)]    // many rows: split by rows
    public void A_large_product_gives_the_same_bits_on_one_core_and_on_all(bool transposeA, int m, int n, int k)
    {
        float[] a = Widths.Normal(m * k, 1), b = Widths.Normal(k * n, 2);
        float[] Product(CoreUse use)
        {
            using (KernelOptions.Use(KernelOptions.Default with { Gemm = GemmBackendKind.Managed, Cores = use }))
            {
                var c = new float[m * n];
                Gemm.Multiply(transposeA, false, m, n, k, a, b, c);
                var packed = new float[m * n];
                PackedMatrix weights = PackedMatrix.PackPooled(b, transposed: false, k, n);
                Gemm.Multiply(transposeA, m, a, weights, packed);
                weights.ReturnToPool();
                packed.Should().Equal(c, "the packed-operand product computes the same");
                return c;
            }
        }

        Product(CoreUse.One).Should().Equal(Product(CoreUse.All));
    }

    [Fact]
    public void Helpers_sent_to_rest_still_run_the_next_call()
    {
        int cores = Math.Max(2, Environment.ProcessorCount);
        for (int round = 0; round < 200; round++)
        {
            CoreTeam.Rest();
            int sum = 0;
            CoreTeam.For(cores, i => Interlocked.Add(ref sum, i + 1));
            sum.Should().Be(cores * (cores + 1) / 2, $"round {round}");
        }
    }

    /// <summary>Calls the choice <paramref name="calls"/> times with the given times; returns how many of the last two periods' calls went the way not preferred at the end, and that preference.</summary>
    private static (int Other, bool Preferred) Run(CoreChoice choice, int calls, long allCoresTicks, long oneCoreTicks)
    {
        var ways = new bool[calls];
        using (KernelOptions.Use(KernelOptions.Current with { Cores = CoreUse.Measured }))
        {
            for (int i = 0; i < calls; i++)
            {
                ways[i] = choice.UseAllCores();
                choice.Record(ways[i], Stopwatch.GetTimestamp() - (ways[i] ? allCoresTicks : oneCoreTicks));
            }
        }

        bool preferred = CoreChoice.AllCoresPreferred;
        return (ways.TakeLast(2 * CoreChoice.Period).Count(way => way != preferred), preferred);
    }
}
