using FluentAssertions;
using MiniNet.Autograd;
using Xunit;

namespace MiniNet.Autograd.Tests;

/// <summary>Bad input throws an ArgumentException or InvalidOperationException that names the shapes or axis and the fix.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void MatMul_shape_mismatch_names_both_shapes_and_the_rule()
    {
        Action act = () => Tensor.Zeros([3, 4]).MatMul(Tensor.Zeros([5, 2]));
        act.Should().Throw<ArgumentException>()
            .WithMessage("MatMul shapes must agree: left is [3, 4], right is [5, 2]; the left's last dimension must equal the right's first dimension.");
    }

    [Fact]
    public void MatMul_unsupported_rank_says_how_to_reshape()
    {
        Action act = () => Tensor.Zeros([4]).MatMul(Tensor.Zeros([4, 2]));
        act.Should().Throw<ArgumentException>().WithMessage("*got left [4], right [4, 2]*Reshape a vector to [1, k]*");
    }

    [Fact]
    public void Broadcast_mismatch_names_both_shapes_and_the_rule()
    {
        Action act = () => _ = Tensor.Zeros([3, 4]) + Tensor.Zeros([3]);
        act.Should().Throw<ArgumentException>()
            .WithMessage("Add shapes cannot be broadcast together: left is [3, 4], right is [3]; counted from the last dimension, each pair of sizes must be equal or one of them 1.");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-3)]
    public void Bad_axis_names_the_axis_the_shape_and_the_valid_range(int axis)
    {
        Action act = () => Tensor.Zeros([3, 4]).Sum(axis);
        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"Sum axis {axis} is out of range for a tensor of shape [3, 4] (rank 2); valid axes are [-2, 1].*");
    }

    [Fact]
    public void Bad_axis_is_reported_by_every_axis_op()
    {
        Tensor x = Tensor.Zeros([2, 3]);
        foreach (Action act in new Action[]
        {
            () => x.Mean(5), () => x.Max(5), () => x.Softmax(5), () => x.LogSoftmax(5), () => x.Transpose(0, 5),
            () => Tensor.Concat([x, x], 5), () => Tensor.Stack([x, x], 5), () => x.Slice(5, 0, 1), () => x.Select(5, 0),
            () => x.IndexSelect(5, [0]), () => x.Gather(5, [0], [1]),
        })
        {
            act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*axis 5 is out of range for a tensor of shape [2, 3]*");
        }
    }

    [Fact]
    public void Backward_on_a_non_scalar_says_to_reduce_first()
    {
        Tensor x = Tensor.Ones([2, 3], requiresGrad: true);
        Action act = () => (x * 2f).Backward();
        act.Should().Throw<InvalidOperationException>()
            .WithMessage("Backward needs a scalar (one-element) tensor, but this tensor has shape [2, 3]; reduce it to a loss first, for example with Sum() or Mean().");
    }

    [Fact]
    public void Backward_on_a_tensor_that_needs_no_gradient_says_how_to_fix_it()
    {
        Action act = () => Tensor.Ones([2]).Sum().Backward();
        act.Should().Throw<InvalidOperationException>().WithMessage("*does not require a gradient*requiresGrad: true*");
    }

    [Fact]
    public void Backward_twice_through_one_graph_says_to_run_forward_again()
    {
        Tensor x = Tensor.Ones([2], requiresGrad: true);
        Tensor loss = (x * x).Sum();
        loss.Backward();
        Action act = () => loss.Backward();
        act.Should().Throw<InvalidOperationException>().WithMessage("*second time*run the forward pass again*");
    }

    [Fact]
    public void Data_length_that_does_not_match_the_shape_names_both()
    {
        Action act = () => Tensor.FromArray([1f, 2f, 3f], [2, 2]);
        act.Should().Throw<ArgumentException>()
            .WithMessage("FromArray got 3 values for shape [2, 2], which holds 4; pass exactly as many values as the product of the shape.*");
    }

    [Fact]
    public void Non_positive_dimension_is_named()
    {
        Action act = () => Tensor.Zeros([2, 0]);
        act.Should().Throw<ArgumentException>().WithMessage("Tensor dimensions must be positive, but dimension 1 of shape [2, 0] is 0.*");
    }

    [Fact]
    public void Reshape_to_a_different_size_names_both_shapes()
    {
        Action act = () => Tensor.Zeros([2, 3]).Reshape(4, 2);
        act.Should().Throw<ArgumentException>().WithMessage("Cannot reshape a tensor of shape [2, 3] (6 elements) to [4, 2]*");
        Action twoInferred = () => Tensor.Zeros([2, 3]).Reshape(-1, -1);
        twoInferred.Should().Throw<ArgumentException>().WithMessage("*only one dimension can be -1*");
    }

    [Fact]
    public void Concat_and_Stack_name_the_mismatched_tensor()
    {
        Action concat = () => Tensor.Concat([Tensor.Zeros([2, 3]), Tensor.Zeros([3, 3])], 1);
        concat.Should().Throw<ArgumentException>().WithMessage("Concat along axis 1: tensor 1 has shape [3, 3] but tensor 0 has [2, 3]*");
        Action stack = () => Tensor.Stack([Tensor.Zeros([2]), Tensor.Zeros([3])], 0);
        stack.Should().Throw<ArgumentException>().WithMessage("Stack needs tensors of one shape: tensor 0 is [2], tensor 1 is [3].*");
    }

    [Fact]
    public void Index_ops_name_the_bad_index_and_the_valid_range()
    {
        Tensor x = Tensor.Zeros([5, 3]);
        Action select = () => x.IndexSelect(0, [1, 5]);
        select.Should().Throw<ArgumentOutOfRangeException>().WithMessage("IndexSelect index 5 (position 1) is out of range for axis 0 of size 5*[0, 4]*");
        Action gather = () => x.Gather(1, [0, 1, 2, 3, 0], [5, 1]);
        gather.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Gather index 3 (position 3) is out of range for axis 1 of size 3*");
        Action gatherShape = () => x.Gather(1, [0, 1], [2, 1]);
        gatherShape.Should().Throw<ArgumentException>().WithMessage("*index shape [2, 1]*input's shape [5, 3]*");
        Action slice = () => x.Slice(0, 3, 9);
        slice.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Slice [3, 9) along axis 0 of a tensor of shape [5, 3] is empty or out of range*");
        Action element = () => _ = x[5, 0];
        element.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Index 5 is out of range for dimension 0 of size 5 (shape [5, 3]).*");
    }

    [Fact]
    public void Permute_that_is_not_a_permutation_is_rejected()
    {
        Action act = () => Tensor.Zeros([2, 3]).Permute(0, 0);
        act.Should().Throw<ArgumentException>().WithMessage("Permute needs each axis of a rank-2 tensor (shape [2, 3]) exactly once; got [0, 0].*");
    }

    [Fact]
    public void Gradient_of_the_wrong_shape_is_rejected_naming_the_parameter()
    {
        Tensor w = Tensor.Zeros([2, 3], requiresGrad: true);
        w.Name = "fc.weight";
        Action act = () => w.Grad = Tensor.Zeros([3, 2]);
        act.Should().Throw<ArgumentException>().WithMessage("A gradient must have the tensor's shape: the tensor 'fc.weight' is [2, 3], the gradient is [3, 2].*");
    }

    [Fact]
    public void Item_on_many_elements_and_bad_clamp_bounds_are_explained()
    {
        Action item = () => Tensor.Zeros([2]).Item();
        item.Should().Throw<InvalidOperationException>().WithMessage("Item() needs a one-element tensor, but this tensor has shape [2]*");
        Action clamp = () => Tensor.Zeros([2]).Clamp(1f, 0f);
        clamp.Should().Throw<ArgumentException>().WithMessage("Clamp needs min ≤ max*");
        Action normal = () => Tensor.RandomNormal([2], seed: 1, std: -1f);
        normal.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*positive, finite std*");
    }
}
