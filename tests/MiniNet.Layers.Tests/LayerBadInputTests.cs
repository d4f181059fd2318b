using FluentAssertions;
using MiniNet.Autograd;
using MiniNet.Layers;
using Xunit;

namespace MiniNet.Layers.Tests;

/// <summary>A wrong input names the layer, the expected and the actual shape.</summary>
public sealed class LayerBadInputTests
{
    [Fact]
    public void Linear_with_the_wrong_feature_size()
    {
        Action act = () => new Linear(4, 2).Forward(Tensor.Zeros([3, 5]));
        act.Should().Throw<ArgumentException>().WithMessage("Linear expects input of shape [..., 4] (last dimension 4), but got [3, 5].*");
    }

    [Fact]
    public void Lstm_with_the_wrong_rank_or_feature_size_names_the_layout()
    {
        Action rank = () => new Lstm(2, 3, batchFirst: true).Forward(Tensor.Zeros([4, 2]));
        rank.Should().Throw<ArgumentException>().WithMessage("Lstm expects input of shape [batch, steps, 2] (batchFirst), but got [4, 2].*");
        Action features = () => new Rnn(2, 3).Forward(Tensor.Zeros([5, 4, 3]));
        features.Should().Throw<ArgumentException>().WithMessage("Rnn expects input of shape [steps, batch, 2] (batchFirst: false), but got [5, 4, 3].*");
    }

    [Fact]
    public void Initial_states_of_the_wrong_shape_are_named()
    {
        Tensor x = Tensor.Zeros([4, 6, 2]);
        Action h0 = () => new Lstm(2, 3, numLayers: 2, batchFirst: true).Forward(x, new LstmState(Tensor.Zeros([1, 4, 3]), Tensor.Zeros([2, 4, 3])));
        h0.Should().Throw<ArgumentException>().WithMessage("Lstm expects h0 of shape [2, 4, 3], but got [1, 4, 3].*");
        Action cell = () => new LstmCell(2, 3).Forward(Tensor.Zeros([4, 2]), new LstmState(Tensor.Zeros([4, 3]), Tensor.Zeros([4, 2])));
        cell.Should().Throw<ArgumentException>().WithMessage("LstmCell expects c of shape [4, 3], but got [4, 2].*");
    }

    [Fact]
    public void Embedding_token_outside_the_vocabulary()
    {
        Action act = () => new Embedding(10, 4).Forward([1, 10], [2]);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Embedding token 10 at position 1 is outside the vocabulary [0, 9].*");
    }

    [Fact]
    public void Losses_explain_shape_and_target_problems()
    {
        Action mse = () => Losses.Mse(Tensor.Zeros([4, 1]), Tensor.Zeros([4]));
        mse.Should().Throw<ArgumentException>().WithMessage("Mse needs the prediction and target in one shape, but the prediction is [4, 1] and the target is [4]*");
        Action classes = () => Losses.CrossEntropy(Tensor.Zeros([2, 3]), [0, 3]);
        classes.Should().Throw<ArgumentOutOfRangeException>().WithMessage("CrossEntropy target 3 at position 1 is not a class index in [0, 2]*");
        Action rank = () => Losses.CrossEntropy(Tensor.Zeros([2, 5, 3]), [0, 1]);
        rank.Should().Throw<ArgumentException>().WithMessage("*reshape [batch, steps, classes] to [batch·steps, classes]*");
        Action allIgnored = () => Losses.CrossEntropy(Tensor.Zeros([2, 3]), [-100, -100]);
        allIgnored.Should().Throw<ArgumentException>().WithMessage("*every target equals the ignore index -100*");
    }

    [Fact]
    public void Out_of_range_options_are_rejected()
    {
        Action dropout = () => _ = new Dropout(1f);
        dropout.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Dropout probability p must be in [0, 1).*");
        Action hidden = () => _ = new Lstm(2, 0);
        hidden.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*hiddenSize*");
    }
}

/// <summary>Embedding's padding row: zero-initialized, never learning, and a clear error for an index outside the table.</summary>
public sealed class EmbeddingPaddingTests
{
    [Fact]
    public void The_padding_row_starts_at_zero_and_gets_no_gradient()
    {
        var embedding = new Embedding(5, 3, paddingIdx: -2);
        embedding.PaddingIdx.Should().Be(3);
        embedding.Weight.Data.Skip(9).Take(3).Should().OnlyContain(v => v == 0f);
        embedding.Forward([3, 1, 3], [3]).Sum().Backward();
        embedding.Weight.Grad!.Data.Skip(9).Take(3).Should().OnlyContain(v => v == 0f, "padding never learns");
        embedding.Weight.Grad.Data.Skip(3).Take(3).Should().OnlyContain(v => v == 1f);
    }

    [Fact]
    public void A_padding_index_outside_the_table_is_refused()
    {
        Action act = () => _ = new Embedding(5, 3, paddingIdx: 5);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Embedding paddingIdx must be in [-5, 4] for 5 embeddings.*");
    }
}
