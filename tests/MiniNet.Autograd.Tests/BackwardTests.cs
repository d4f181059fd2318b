using FluentAssertions;
using MiniNet.Autograd;
using Xunit;
using Xunit.Abstractions;

namespace MiniNet.Autograd.Tests;

/// <summary>Memory figures are per process, so tests that measure them run alone, not beside other test classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurements
{
    public const string Name = "Memory measurements";
}

/// <summary>The engine's contract: accumulation, NoGrad, graph release, deep graphs and flat memory.</summary>
[Collection(MemoryMeasurements.Name)]
public sealed class BackwardTests(ITestOutputHelper output)
{
    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_ZeroGrad()
    {
        Tensor x = Tensor.FromArray([1f, 2f, 3f], [3], requiresGrad: true);
        (x * x).Sum().Backward();
        (x * x).Sum().Backward();
        x.Grad!.Data.Should().Equal(4f, 8f, 12f); // 2 · 2x

        x.ZeroGrad();
        x.Grad.Should().BeNull();
        (x * 3f).Sum().Backward();
        x.Grad!.Data.Should().Equal(3f, 3f, 3f);

        x.ZeroGrad(setToNone: false);
        x.Grad!.Data.Should().Equal(0f, 0f, 0f);
    }

    [Fact]
    public void A_tensor_used_twice_gets_both_contributions_and_siblings_do_not_share_buffers()
    {
        Tensor a = Tensor.FromArray([2f], [1], requiresGrad: true);
        Tensor b = Tensor.FromArray([5f], [1], requiresGrad: true);
        Tensor loss = ((a + b) + (a * a)).Sum(); // ∂/∂a = 1 + 2a = 5, ∂/∂b = 1
        loss.Backward();
        a.Grad!.Data.Should().Equal(5f);
        b.Grad!.Data.Should().Equal(1f);

        (a + b).Sum().Backward(); // must not leak a's accumulation into b's buffer
        a.Grad.Data.Should().Equal(6f);
        b.Grad.Data.Should().Equal(2f);
    }

    [Fact]
    public void Diamond_graph_runs_each_backward_once_after_all_its_users()
    {
        Tensor x = Tensor.FromArray([0.5f], [1], requiresGrad: true);
        Tensor h = x.Tanh();
        Tensor loss = ((h * h) + h.Exp()).Sum();
        loss.Backward();
        float t = MathF.Tanh(0.5f);
        float expected = ((2 * t) + MathF.Exp(t)) * (1 - (t * t));
        x.Grad!.Data[0].Should().BeApproximately(expected, 1e-6f);
    }

    [Fact]
    public void NoGrad_scope_records_no_graph_and_nests()
    {
        Tensor w = Tensor.Ones([2], requiresGrad: true);
        using (NoGrad.Scope())
        {
            using (NoGrad.Scope())
            {
                NoGrad.IsActive.Should().BeTrue();
            }

            NoGrad.IsActive.Should().BeTrue();
            Tensor y = w * 2f;
            y.RequiresGrad.Should().BeFalse();
            y.IsLeaf.Should().BeTrue();
        }

        NoGrad.IsActive.Should().BeFalse();
        (w * 2f).RequiresGrad.Should().BeTrue();
    }

    [Fact]
    public void Detach_cuts_the_graph_and_copies_the_data()
    {
        Tensor w = Tensor.FromArray([3f], [1], requiresGrad: true);
        Tensor d = (w * 2f).Detach();
        d.RequiresGrad.Should().BeFalse();
        d.Data[0] = 100f;
        (w * d).Sum().Backward();
        w.Grad!.Data.Should().Equal(100f);
    }

    [Fact]
    public void Intermediate_gradients_are_freed_unless_retained()
    {
        Tensor x = Tensor.FromArray([1f, -1f], [2], requiresGrad: true);
        Tensor kept = (x * 3f).RetainGrad();
        Tensor dropped = kept.Tanh();
        dropped.Sum().Backward();
        kept.Grad.Should().NotBeNull();
        dropped.Grad.Should().BeNull();
        x.Grad.Should().NotBeNull();
    }

    [Fact]
    public void The_graph_is_released_after_backward_so_intermediates_can_be_collected()
    {
        Tensor x = Tensor.RandomNormal([64, 64], seed: 1, requiresGrad: true);
        (Tensor loss, WeakReference intermediate) = BuildLoss(x);
        loss.Backward();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        intermediate.IsAlive.Should().BeFalse("the loss must not keep its inputs alive once Backward has run");
        GC.KeepAlive(loss);
    }

    private static (Tensor Loss, WeakReference Intermediate) BuildLoss(Tensor x)
    {
        Tensor hidden = x.MatMul(x).Tanh();
        return ((hidden * hidden).Mean(), new WeakReference(hidden));
    }

    [Fact]
    public void A_chain_of_a_million_ops_backpropagates_without_stack_overflow()
    {
        Tensor x = Tensor.FromArray([0.25f], [1], requiresGrad: true);
        Tensor y = x;
        for (int i = 0; i < 1_000_000; i++)
        {
            y = y.Neg();
        }

        y.Sum().Backward();
        x.Grad!.Data.Should().Equal(1f); // (−1)^1,000,000
    }

    [Fact]
    public void Ten_thousand_training_steps_keep_memory_flat()
    {
        // A 2-layer tanh network fitting y = sin(x) with plain SGD written out by hand.
        Tensor inputs = Tensor.RandomUniform([32, 1], seed: 1, low: -3f, high: 3f);
        Tensor targets = Tensor.FromArray(inputs.Data.Select(MathF.Sin).ToArray(), [32, 1]);
        Tensor[] parameters =
        [
            Tensor.RandomNormal([1, 16], seed: 2, std: 0.5f, requiresGrad: true), Tensor.Zeros([16], requiresGrad: true),
            Tensor.RandomNormal([16, 1], seed: 3, std: 0.5f, requiresGrad: true), Tensor.Zeros([1], requiresGrad: true),
        ];

        float Step()
        {
            Tensor prediction = inputs.MatMul(parameters[0]).Add(parameters[1]).Tanh().MatMul(parameters[2]).Add(parameters[3]);
            Tensor loss = (prediction - targets).Pow(2f).Mean();
            loss.Backward();
            using (NoGrad.Scope())
            {
                foreach (Tensor p in parameters)
                {
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p.Grad!.Data, -0.1f, p.Data, p.Data);
                    p.ZeroGrad();
                }
            }

            return loss.Item();
        }

        float first = Step();
        for (int i = 1; i < 1_000; i++)
        {
            Step();
        }

        long atThousand = GC.GetTotalMemory(forceFullCollection: true);
        float last = 0f;
        for (int i = 1_000; i < 10_000; i++)
        {
            last = Step();
        }

        long atTenThousand = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed heap after 1,000 steps: {atThousand / 1024.0:F0} KiB; after 10,000 steps: {atTenThousand / 1024.0:F0} KiB; loss {first:F4} -> {last:F4}");

        last.Should().BeLessThan(first / 10f, "the model must actually train");
        (atTenThousand - atThousand).Should().BeLessThan(256 * 1024, "memory must not grow with the number of steps");
    }
}
