using FluentAssertions;
using Xunit;

namespace MiniNet.Kernels.Tests;

/// <summary>Kernel options: the machine's default, scoped overrides that restore and do not leak, clear errors.</summary>
public sealed class KernelOptionsTests
{
    [Fact]
    public void The_default_is_the_widest_width_the_CPU_accelerates()
    {
        KernelOptions.Default.VectorBits.Should().Be(KernelOptions.HardwareVectorBits);
        KernelOptions.Default.Description.Should().Contain($"{KernelOptions.HardwareVectorBits}-bit vectors").And.NotContain("emulated");
    }

    [Fact]
    public void A_scope_applies_inside_and_restores_on_dispose_even_when_nested()
    {
        KernelOptions before = KernelOptions.Current;
        using (KernelOptions.Use(before with { VectorBits = 128 }))
        {
            KernelOptions.Current.VectorBits.Should().Be(128);
            using (KernelOptions.Use(before with { VectorBits = 512 }))
            {
                KernelOptions.Current.VectorBits.Should().Be(512);
            }

            KernelOptions.Current.VectorBits.Should().Be(128);
        }

        KernelOptions.Current.Should().Be(before);
    }

    [Fact]
    public async Task A_scope_reaches_the_tasks_it_starts_and_not_the_code_beside_it()
    {
        using var inScope = new SemaphoreSlim(0);
        using var checkedOutside = new SemaphoreSlim(0);
        Task<int> scoped = Task.Run(async () =>
        {
            using (KernelOptions.Use(KernelOptions.Default with { VectorBits = 128 }))
            {
                inScope.Release();
                await checkedOutside.WaitAsync();
                return await Task.Run(() => KernelOptions.Current.VectorBits);
            }
        });
        await inScope.WaitAsync();
        KernelOptions.Current.VectorBits.Should().Be(KernelOptions.HardwareVectorBits, "another flow's scope does not apply here");
        checkedOutside.Release();
        (await scoped).Should().Be(128, "a task started inside the scope sees it");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1024)]
    [InlineData(0)]
    public void A_width_other_than_128_256_or_512_is_refused_by_name(int bits)
    {
        Action act = () => _ = KernelOptions.Default with { VectorBits = bits };
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("VectorBits must be 128, 256 or 512.*");
    }

    [Fact]
    public void An_emulated_width_says_so()
    {
        if (KernelOptions.HardwareVectorBits == 512)
        {
            (KernelOptions.Default with { VectorBits = 256 }).Description.Should().NotContain("emulated");
            return;
        }

        (KernelOptions.Default with { VectorBits = 512 }).Description.Should().Contain("512-bit vectors (emulated)");
    }

    [Fact]
    public void The_cores_are_measured_by_default_and_the_description_says_how_they_are_used()
    {
        KernelOptions.Default.Cores.Should().Be(CoreUse.Measured);
        (KernelOptions.Default with { Cores = CoreUse.One }).Description.Should().EndWith(", one core");
        if (Environment.ProcessorCount > 1)
        {
            (KernelOptions.Default with { Cores = CoreUse.All }).Description.Should().EndWith($", all {Environment.ProcessorCount} cores");
            KernelOptions.Default.Description.Should().EndWith($", {Environment.ProcessorCount} cores where measured faster");
        }
    }

    [Fact]
    public void A_core_use_that_is_not_defined_is_refused_by_name()
    {
        Action act = () => _ = KernelOptions.Default with { Cores = (CoreUse)7 };
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Cores must be CoreUse.Measured, CoreUse.All or CoreUse.One.*");
    }
}
