using System.Diagnostics;
using FluentAssertions;
using Xunit;

namespace MiniNet.Kernels.Tests;

/// <summary>Tests that steer the process-wide choice of <see cref="CoreChoice"/>, or need <see cref="CoreTeam"/> to themselves, run alone.</summary>
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

    [Fact]
    public void A_close_call_does_not_leave_all_cores_and_a_clear_one_does()
    {
        CoreChoice choice = CoreChoice.For("test margin", CoreChoice.Shape(4, 5, 7));
        long oneSecond = Stopwatch.Frequency;
        try
        {
            // All cores 10 % slower, within the margin: the process stays on all cores.
            (_, bool preferred) = Run(choice, 4 * CoreChoice.Period, allCoresTicks: oneSecond * 11 / 10, oneCoreTicks: oneSecond);
            preferred.Should().BeTrue($"all cores took 1.1 times one core's time, under the margin of {CoreChoice.LeaveMargin}");

            // Half as slow again, past the margin: it leaves them.
            (_, preferred) = Run(choice, 4 * CoreChoice.Period, allCoresTicks: oneSecond * 3 / 2, oneCoreTicks: oneSecond);
            preferred.Should().BeFalse("all cores took 1.5 times one core's time");

            // On one core, all cores come back as soon as they are as fast, without a margin.
            (_, preferred) = Run(choice, 4 * CoreChoice.Period, allCoresTicks: oneSecond * 99 / 100, oneCoreTicks: oneSecond);
            preferred.Should().BeTrue("all cores took 0.99 times one core's time");
        }
        finally
        {
            Run(choice, 2 * CoreChoice.Period, allCoresTicks: 0, oneCoreTicks: 0);
            CoreChoice.AllCoresPreferred.Should().BeTrue();
        }
    }

    [Fact]
    public void A_kinds_first_calls_are_not_timed()
    {
        CoreChoice choice = CoreChoice.For("test warm-up", CoreChoice.Shape(4, 5, 8));
        long oneSecond = Stopwatch.Frequency;
        using (KernelOptions.Use(KernelOptions.Current with { Cores = CoreUse.Measured }))
        {
            for (int i = 0; i < CoreChoice.WarmUpCalls; i++)
            {
                bool way = choice.UseAllCores();
                choice.Record(way, Stopwatch.GetTimestamp() - (1000 * oneSecond));   // compiling, first touches
            }

            double.IsNaN(choice.Means.AllCores).Should().BeTrue("the warm-up calls keep no time");
            double.IsNaN(choice.Means.OneCore).Should().BeTrue("the warm-up calls keep no time");
            for (int i = 0; i < 4 && double.IsNaN(choice.Means.AllCores) && double.IsNaN(choice.Means.OneCore); i++)
            {
                bool way = choice.UseAllCores();
                choice.Record(way, Stopwatch.GetTimestamp() - oneSecond);   // (a call just after a switch is not timed either)
            }
        }

        (double all, double one) = choice.Means;
        (double.IsNaN(all) ? one : all).Should().BeApproximately(oneSecond, oneSecond * 0.01, "the first timed call sets the mean alone");
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
