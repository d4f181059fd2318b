using FluentAssertions;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>Allocation figures are per process, so the test that measures them runs alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    public const string Name = "Allocation measurements";
}

/// <summary>
/// The fused recurrent layers inside a <see cref="TensorScope"/>: their outputs and gradients come from and go back to
/// the storage pool, the numbers are the same bits as without a scope, and a steady training step allocates little
/// beyond the parameters' gradients (which ZeroGrad drops, as in PyTorch).
/// </summary>
[Collection(AllocationMeasurements.Name)]
public sealed class FusedScopeTests
{
    private const int Batch = 32, Steps = 50, Hidden = 64, InputSize = 3;

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn")]
    public void Training_steps_in_scopes_give_the_same_bits_and_allocate_about_the_parameter_gradients_alone(string kind)
    {
        (float[][] plain, double plainBytes) = Train(kind, scoped: false);
        (float[][] scoped, double scopedBytes) = Train(kind, scoped: true);
        for (int p = 0; p < plain.Length; p++)
        {
            scoped[p].Should().Equal(plain[p], $"parameter {p}");
        }

        long parameterBytes = plain.Sum(p => (long)p.Length * sizeof(float));
        long outputBytes = (long)Batch * Steps * Hidden * sizeof(float);
        plainBytes.Should().BeGreaterThan(outputBytes, "without a scope the output sequence is allocated every step");
        scopedBytes.Should().BeLessThan(parameterBytes + (outputBytes / 4),
            $"in a scope a step allocates its parameters' new gradients ({parameterBytes} bytes) and small bookkeeping, " +
            $"not its output sequence ({outputBytes} bytes); without the scope it allocated {plainBytes:F0}");
    }

    [Fact]
    public void The_output_sequence_is_disposed_with_its_scope_and_a_kept_one_is_not()
    {
        var lstm = new Lstm(InputSize, Hidden, batchFirst: true, random: new Random(1));
        Tensor x = Tensor.RandomNormal([Batch, Steps, InputSize], seed: 2);
        Tensor dropped, kept;
        using (TensorScope scope = TensorScope.Open())
        {
            dropped = lstm.Forward(x);
            kept = scope.Keep(lstm.Forward(x));
        }

        dropped.IsDisposed.Should().BeTrue();
        kept.IsDisposed.Should().BeFalse();
        using (NoGrad.Scope())
        {
            kept.Data.Should().Equal(lstm.Forward(x).Data);
        }
    }

    private static (float[][] Parameters, double BytesPerStep) Train(string kind, bool scoped)
    {
        var random = new Random(3);
        RecurrentLayer layer = kind switch
        {
            "lstm" => new Lstm(InputSize, Hidden, batchFirst: true, random: random),
            "gru" => new Gru(InputSize, Hidden, batchFirst: true, random: random),
            _ => new Rnn(InputSize, Hidden, batchFirst: true, random: random),
        };
        var head = new Linear(Hidden, 1, random: random);
        Tensor[] parameters = [.. layer.Parameters(), .. head.Parameters()];
        Tensor x = Tensor.RandomNormal([Batch, Steps, InputSize], seed: 4);
        Tensor y = Tensor.RandomNormal([Batch, 1], seed: 5);
        void Step()
        {
            using TensorScope? scope = scoped ? TensorScope.Open() : null;
            Tensor loss = Losses.Mse(head.Forward(layer.Forward(x).Select(1, -1)), y);
            loss.Backward();
            foreach (Tensor p in parameters)
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p.Grad!.Data, -0.05f, p.Data, p.Data);
                p.ZeroGrad();
            }
        }

        Step();
        Step();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        const int measured = 5;
        for (int i = 0; i < measured; i++)
        {
            Step();
        }

        double bytesPerStep = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)measured;
        return (parameters.Select(p => (float[])p.Data.Clone()).ToArray(), bytesPerStep);
    }
}
