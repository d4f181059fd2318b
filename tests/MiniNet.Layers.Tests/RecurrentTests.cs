using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Layers;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>Finite-difference checks of the cells and layers, and the layers held equal to stepping the cells.</summary>
public sealed class RecurrentTests
{
    [Fact]
    public void LstmCell_gradients_match_finite_differences_for_inputs_state_and_every_parameter()
    {
        var cell = new LstmCell(3, 4, random: new MathNet.Numerics.Random.MersenneTwister(1));
        Tensor x = Tensor.RandomNormal([2, 3], seed: 2, requiresGrad: true);
        Tensor h = Tensor.RandomNormal([2, 4], seed: 3, requiresGrad: true);
        Tensor c = Tensor.RandomNormal([2, 4], seed: 4, requiresGrad: true);
        GradCheckResult result = GradCheck.Check(
            v =>
            {
                LstmState next = cell.Forward(v[0], new LstmState(v[1], v[2]));
                return Tensor.Concat([next.H, next.C], 1);
            },
            [x, h, c, .. cell.Parameters()]);
        result.Passed.Should().BeTrue(result.ToString());
        result.Inputs.Should().HaveCount(7);
    }

    [Theory]
    [InlineData(RnnNonlinearity.Tanh)]
    [InlineData(RnnNonlinearity.Relu)]
    public void RnnCell_gradients_match_finite_differences(RnnNonlinearity nonlinearity)
    {
        var cell = new RnnCell(3, 4, nonlinearity: nonlinearity, random: new MathNet.Numerics.Random.MersenneTwister(5));
        Tensor x = Tensor.RandomNormal([2, 3], seed: 6, requiresGrad: true);
        Tensor h = Tensor.RandomNormal([2, 4], seed: 7, requiresGrad: true);
        GradCheckResult result = GradCheck.Check(v => cell.Forward(v[0], v[1]), [x, h, .. cell.Parameters()]);
        result.Passed.Should().BeTrue(result.ToString());
    }

    [Fact]
    public void Two_layer_Lstm_gradients_match_finite_differences_through_time()
    {
        var lstm = new Lstm(2, 3, numLayers: 2, batchFirst: true, random: new MathNet.Numerics.Random.MersenneTwister(8));
        Tensor x = Tensor.RandomNormal([2, 5, 2], seed: 9, requiresGrad: true);
        GradCheckResult result = GradCheck.Check(v => lstm.Forward(v[0], null).Output, [x, .. lstm.Parameters()]);
        result.Passed.Should().BeTrue(result.ToString());
    }

    [Fact]
    public void Lstm_layer_equals_stepping_the_LstmCell_with_the_same_weights()
    {
        var lstm = new Lstm(3, 5, batchFirst: true, random: new MathNet.Numerics.Random.MersenneTwister(10));
        var cell = new LstmCell(3, 5);
        for (int i = 0; i < 4; i++)
        {
            lstm.Parameters()[i].Data.CopyTo(cell.Parameters()[i].Data, 0);
        }

        Tensor x = Tensor.RandomNormal([2, 6, 3], seed: 11);
        LstmOutput layer = lstm.Forward(x, null);
        LstmState? state = null;
        for (int t = 0; t < 6; t++)
        {
            state = cell.Forward(x.Select(1, t), state);
            layer.Output.Select(1, t).Data.Should().Equal(state.H.Data);
        }

        layer.CN.Select(0, 0).Data.Should().Equal(state!.C.Data);
    }

    [Fact]
    public void Rnn_layer_equals_stepping_the_RnnCell_with_the_same_weights()
    {
        var rnn = new Rnn(3, 4, random: new MathNet.Numerics.Random.MersenneTwister(12));
        var cell = new RnnCell(3, 4);
        for (int i = 0; i < 4; i++)
        {
            rnn.Parameters()[i].Data.CopyTo(cell.Parameters()[i].Data, 0);
        }

        Tensor x = Tensor.RandomNormal([5, 2, 3], seed: 13); // sequence-first, PyTorch's default layout
        RnnOutput layer = rnn.Forward(x, null);
        Tensor? h = null;
        for (int t = 0; t < 5; t++)
        {
            h = cell.Forward(x.Select(0, t), h);
            layer.Output.Select(0, t).Data.Should().Equal(h.Data);
        }
    }

    [Fact]
    public void Dropout_between_layers_acts_only_in_training_mode()
    {
        var lstm = new Lstm(2, 8, numLayers: 2, batchFirst: true, dropout: 0.5f, random: new MathNet.Numerics.Random.MersenneTwister(14));
        Tensor x = Tensor.RandomNormal([3, 4, 2], seed: 15);
        Tensor train1 = lstm.Forward(x);
        Tensor train2 = lstm.Forward(x);
        train1.Data.Should().NotEqual(train2.Data, "masks differ between calls in training mode");

        lstm.Eval();
        lstm.Forward(x).Data.Should().Equal(lstm.Forward(x).Data);
        var noDropout = new Lstm(2, 8, numLayers: 2, batchFirst: true);
        StateDictTests.CopyParameters(lstm, noDropout);
        lstm.Forward(x).Data.Should().Equal(noDropout.Forward(x).Data, "evaluation mode is dropout-free");
    }

    [Fact]
    public void Forget_bias_option_sets_the_forget_gate_total_bias_like_Keras()
    {
        var lstm = new Lstm(2, 3, numLayers: 2, forgetBias: 1f);
        for (int k = 0; k < 2; k++)
        {
            float[] ih = lstm.BiasesIh[k]!.Data;
            float[] hh = lstm.BiasesHh[k]!.Data;
            for (int j = 3; j < 6; j++)
            {
                (ih[j] + hh[j]).Should().Be(1f);
            }

            ih.Take(3).Should().OnlyContain(v => MathF.Abs(v) <= 1f / MathF.Sqrt(3f), "other gates keep PyTorch's initialization");
        }

        Action noBias = () => _ = new Lstm(2, 3, bias: false, forgetBias: 1f);
        noBias.Should().Throw<ArgumentException>().WithMessage("forgetBias needs bias: true*");
    }
}
