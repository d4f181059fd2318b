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
            LayerFixtures.AssertClose(layer.Output.Select(1, t), state.H, 1e-6f, 1e-7f, $"h at step {t}");
        }

        LayerFixtures.AssertClose(layer.CN.Select(0, 0), state!.C, 1e-6f, 1e-7f, "final c");
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
            LayerFixtures.AssertClose(layer.Output.Select(0, t), h, 1e-6f, 1e-7f, $"h at step {t}");
        }
    }

    /// <summary>
    /// Hidden sizes 5 (scalar lanes only), 37 (two 16-lane vectors and a tail on AVX-512 machines) and 100 (a layer above
    /// the first then has 201 columns in [X | H_prev | 1], past those whose weight gradient is computed transposed, except
    /// for an RNN, whose δ, 100 wide, is narrower than that and is computed transposed at any width).
    /// </summary>
    public static TheoryData<string, bool, int, bool, int> FusedCases() => new()
    {
        { "lstm", true, 1, false, 5 }, { "lstm", false, 2, true, 5 }, { "lstm", true, 3, true, 5 }, { "lstm", true, 2, true, 37 },
        { "rnn-tanh", true, 1, false, 5 }, { "rnn-tanh", false, 2, true, 5 }, { "rnn-relu", true, 2, true, 5 }, { "rnn-tanh", false, 1, true, 37 },
        { "gru", true, 1, false, 5 }, { "gru", false, 2, true, 5 }, { "gru", true, 3, true, 5 }, { "gru", true, 2, true, 37 },
        { "gru-nobias", false, 1, true, 37 }, { "lstm", true, 2, true, 100 }, { "gru", false, 2, true, 100 }, { "rnn-tanh", true, 2, false, 100 },

        // gates·H whole panels at both widths (32 = 4·8, 96 = 3·32, 32), so the weight gradients read δ in place
        { "lstm", true, 2, true, 8 }, { "gru", false, 1, true, 32 }, { "rnn-tanh", true, 1, true, 32 },
    };

    [Theory]
    [MemberData(nameof(FusedCases))]
    public void Fused_layer_equals_the_composed_reference_in_outputs_states_and_every_gradient(string kind, bool batchFirst, int layers, bool withState, int hidden)
    {
        (RecurrentLayer fused, RecurrentLayer composed) = (Make(kind, batchFirst, layers, hidden), Make(kind, batchFirst, layers, hidden));
        StateDictTests.CopyParameters(fused, composed);
        composed.Fused = false;
        Tensor x = Tensor.RandomNormal(batchFirst ? [3, 7, 4] : [7, 3, 4], seed: 21);

        (Tensor[] fusedOut, Tensor[] fusedInputs) = RunWithGradients(fused, x, withState, layers, hidden);
        (Tensor[] composedOut, Tensor[] composedInputs) = RunWithGradients(composed, x, withState, layers, hidden);

        for (int i = 0; i < fusedOut.Length; i++)
        {
            LayerFixtures.AssertClose(fusedOut[i], composedOut[i], 1e-5f, 1e-6f, $"{kind} output {i}");
        }

        foreach (((string name, Tensor a), Tensor b) in fused.NamedParameters().Zip(composed.Parameters()))
        {
            LayerFixtures.AssertClose(a.Grad!, b.Grad!, 1e-4f, 1e-6f, $"{kind} gradient of {name}");
        }

        for (int i = 0; i < fusedInputs.Length; i++)
        {
            LayerFixtures.AssertClose(fusedInputs[i].Grad!, composedInputs[i].Grad!, 1e-4f, 1e-6f, $"{kind} gradient of input {i}");
        }
    }

    [Fact]
    public void Fused_Lstm_gradients_match_finite_differences_when_only_the_final_state_is_used()
    {
        var lstm = new Lstm(2, 3, batchFirst: true, random: new MathNet.Numerics.Random.MersenneTwister(30));
        Tensor x = Tensor.RandomNormal([2, 4, 2], seed: 31, requiresGrad: true);
        Tensor h0 = Tensor.RandomNormal([1, 2, 3], seed: 32, requiresGrad: true);
        Tensor c0 = Tensor.RandomNormal([1, 2, 3], seed: 33, requiresGrad: true);
        GradCheckResult result = GradCheck.Check(v => lstm.Forward(v[0], new LstmState(v[1], v[2])).CN, [x, h0, c0, .. lstm.Parameters()]);
        result.Passed.Should().BeTrue(result.ToString());
    }

    [Fact]
    public void Fused_Gru_gradients_match_finite_differences_when_only_the_final_state_is_used()
    {
        var gru = new Gru(2, 3, batchFirst: true, random: new MathNet.Numerics.Random.MersenneTwister(34));
        Tensor x = Tensor.RandomNormal([2, 4, 2], seed: 35, requiresGrad: true);
        Tensor h0 = Tensor.RandomNormal([1, 2, 3], seed: 36, requiresGrad: true);
        GradCheckResult result = GradCheck.Check(v => gru.Forward(v[0], v[1]).HN, [x, h0, .. gru.Parameters()]);
        result.Passed.Should().BeTrue(result.ToString());
    }

    [Fact]
    public void The_Gru_cell_passes_gradcheck_and_equals_one_step_of_the_layer()
    {
        var cell = new GruCell(3, 4, random: new MathNet.Numerics.Random.MersenneTwister(37));
        Tensor x = Tensor.RandomNormal([2, 3], seed: 38, requiresGrad: true);
        Tensor h = Tensor.RandomNormal([2, 4], seed: 39, requiresGrad: true);
        GradCheckResult result = GradCheck.Check(v => cell.Forward(v[0], v[1]), [x, h, .. cell.Parameters()]);
        result.Passed.Should().BeTrue(result.ToString());

        var layer = new Gru(3, 4, batchFirst: true);
        foreach (((string _, Tensor to), (string _, Tensor from)) in layer.NamedParameters().Zip(cell.NamedParameters()))
        {
            from.Data.CopyTo(to.Data, 0);
        }

        Tensor step = layer.Forward(x.Reshape([2, 1, 3]), h.Reshape([1, 2, 4])).Output.Reshape([2, 4]);
        LayerFixtures.AssertClose(step, cell.Forward(x, h), 1e-6f, 1e-7f, "one fused step equals the cell");
    }

    private static RecurrentLayer Make(string kind, bool batchFirst, int layers, int hidden = 5) => kind switch
    {
        "lstm" => new Lstm(4, hidden, numLayers: layers, batchFirst: batchFirst, random: new MathNet.Numerics.Random.MersenneTwister(20)),
        "gru" or "gru-nobias" => new Gru(4, hidden, numLayers: layers, bias: kind == "gru", batchFirst: batchFirst, random: new MathNet.Numerics.Random.MersenneTwister(20)),
        _ => new Rnn(4, hidden, numLayers: layers, nonlinearity: kind == "rnn-relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh,
            batchFirst: batchFirst, random: new MathNet.Numerics.Random.MersenneTwister(20)),
    };

    /// <summary>Runs the layer, back-propagates a weighted sum of every output, returns outputs and the inputs that got gradients.</summary>
    private static (Tensor[] Outputs, Tensor[] Inputs) RunWithGradients(RecurrentLayer layer, Tensor x, bool withState, int layers, int hidden)
    {
        Tensor input = Tensor.FromArray(x.Data, x.Shape, requiresGrad: true);
        Tensor h0 = Tensor.RandomNormal([layers, 3, hidden], seed: 22, requiresGrad: true);
        Tensor c0 = Tensor.RandomNormal([layers, 3, hidden], seed: 23, requiresGrad: true);
        Tensor[] outputs = layer switch
        {
            Lstm lstm when lstm.Forward(input, withState ? new LstmState(h0, c0) : null) is var o => [o.Output, o.HN, o.CN],
            Rnn rnn when rnn.Forward(input, withState ? h0 : null) is var o => [o.Output, o.HN],
            Gru gru when gru.Forward(input, withState ? h0 : null) is var o => [o.Output, o.HN],
            _ => throw new InvalidOperationException(),
        };
        Tensor loss = Tensor.Scalar(0f);
        for (int i = 0; i < outputs.Length; i++)
        {
            loss = loss + (outputs[i] * Tensor.RandomUniform(outputs[i].Shape, seed: 40 + i, low: -1f, high: 1f)).Sum();
        }

        loss.Backward();
        Tensor[] inputs = withState ? (layer is Lstm ? [input, h0, c0] : [input, h0]) : [input];
        return (outputs, inputs);
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
