using FluentAssertions;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>
/// A gradient that fades back through a long sequence is flushed to zero once it falls below 2⁻¹²⁶, rather than running
/// on through the subnormals (where each multiply costs a microcode assist): δ stops at the first step it would be
/// subnormal, so the input gradient dx = δ·W_ih is subnormal only where the last normal δ meets the small weights
/// (at most 7 steps here, against 30 without the flush), exactly zero before, and untouched late in the sequence.
/// </summary>
public sealed class FusedSubnormalTests
{
    private const int Steps = 400, Hidden = 16, InputSize = 3;

    [Fact]
    public void Lstm_backward_through_a_long_sequence_writes_no_subnormal()
    {
        Tensor x = Input();
        LstmSequenceResult result = FusedLstm.Run(x, Weight(4, InputSize, 1), Weight(4, Hidden, 2), null, null, null, null, batchFirst: true);
        result.HN.Sum().Backward();
        ShouldFadeToExactZero(x.Grad!.Data);
    }

    [Fact]
    public void Gru_backward_through_a_long_sequence_writes_no_subnormal()
    {
        Tensor x = Input();
        (_, Tensor hn) = FusedGru.Run(x, Weight(3, InputSize, 1), Weight(3, Hidden, 2), null, null, null, batchFirst: true);
        hn.Sum().Backward();
        ShouldFadeToExactZero(x.Grad!.Data);
    }

    [Fact]
    public void Rnn_backward_through_a_long_sequence_writes_no_subnormal()
    {
        Tensor x = Input();
        (_, Tensor hn) = FusedRnn.Run(x, Weight(1, InputSize, 1), Weight(1, Hidden, 2), null, null, null, relu: false, batchFirst: true);
        hn.Sum().Backward();
        ShouldFadeToExactZero(x.Grad!.Data);
    }

    private static Tensor Input() => Tensor.RandomNormal([1, Steps, InputSize], seed: 3, requiresGrad: true);

    /// <summary>Small weights: every step back multiplies the gradient by well under 1 (a forget or update gate near ½).</summary>
    private static Tensor Weight(int gates, int columns, int seed) => Tensor.RandomNormal([gates * Hidden, columns], seed: seed, std: 0.05f);

    private static void ShouldFadeToExactZero(float[] inputGradient)
    {
        int subnormal = inputGradient.Count(v => v != 0 && MathF.Abs(v) < 1.17549435e-38f);
        subnormal.Should().BeLessThanOrEqualTo(8 * InputSize,
            "only the few steps where dx = δ·W_ih turns the last normal δ into a subnormal are left (unflushed, 30 steps fade through them)");
        inputGradient.Take(InputSize * 10).Should().OnlyContain(v => v == 0f, "400 steps back the gradient has faded below 2⁻¹²⁶");
        inputGradient.Skip((Steps - 1) * InputSize).Should().Contain(v => MathF.Abs(v) > 1e-3f, "the last step's gradient is an ordinary number");
    }
}
