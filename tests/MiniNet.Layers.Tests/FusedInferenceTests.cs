using FluentAssertions;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>
/// Under <see cref="NoGrad"/> the fused LSTM and GRU keep only the running state, a chunk of projected gates and the
/// output (nothing will run backward through them), and compute the same bits as a pass that records the graph — over
/// a sequence long enough to be projected in several chunks, the last one partial, in both layouts.
/// </summary>
public sealed class FusedInferenceTests
{
    private const int Batch = 8, Steps = 300, Hidden = 64, InputSize = 5;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Lstm_inference_streams_and_gives_the_same_bits(bool batchFirst)
    {
        (Tensor x, Tensor weightIh, Tensor weightHh, Tensor bias, Tensor h0) = Inputs(4, batchFirst);
        Tensor c0 = Tensor.RandomNormal([Batch, Hidden], seed: 6);
        LstmSequenceResult recorded = FusedLstm.Run(x, weightIh, weightHh, bias, bias, h0, c0, batchFirst);
        LstmSequenceResult streamed;
        using (NoGrad.Scope())
        {
            streamed = FusedLstm.Run(x, weightIh, weightHh, bias, bias, h0, c0, batchFirst);
        }

        streamed.Output.Shape.Should().Equal(recorded.Output.Shape);
        streamed.Output.Data.Should().Equal(recorded.Output.Data);
        streamed.HN.Data.Should().Equal(recorded.HN.Data);
        streamed.CN.Data.Should().Equal(recorded.CN.Data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gru_inference_streams_and_gives_the_same_bits(bool batchFirst)
    {
        (Tensor x, Tensor weightIh, Tensor weightHh, Tensor bias, Tensor h0) = Inputs(3, batchFirst);
        (Tensor output, Tensor hn) = FusedGru.Run(x, weightIh, weightHh, bias, bias, h0, batchFirst);
        Tensor streamedOutput, streamedHn;
        using (NoGrad.Scope())
        {
            (streamedOutput, streamedHn) = FusedGru.Run(x, weightIh, weightHh, bias, bias, h0, batchFirst);
        }

        streamedOutput.Data.Should().Equal(output.Data);
        streamedHn.Data.Should().Equal(hn.Data);
    }

    private static (Tensor X, Tensor WeightIh, Tensor WeightHh, Tensor Bias, Tensor H0) Inputs(int gates, bool batchFirst) =>
        (Tensor.RandomNormal(batchFirst ? [Batch, Steps, InputSize] : [Steps, Batch, InputSize], seed: 1, requiresGrad: true),
         Tensor.RandomNormal([gates * Hidden, InputSize], seed: 2, std: 0.3f, requiresGrad: true),
         Tensor.RandomNormal([gates * Hidden, Hidden], seed: 3, std: 0.1f, requiresGrad: true),
         Tensor.RandomNormal([gates * Hidden], seed: 4, std: 0.1f),
         Tensor.RandomNormal([Batch, Hidden], seed: 5));
}
