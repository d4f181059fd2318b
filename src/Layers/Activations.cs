using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>tanh as a layer, for <see cref="Sequential"/> (PyTorch's <c>nn.Tanh</c>).</summary>
public sealed class Tanh : Module, ILayer
{
    /// <summary>Applies tanh elementwise.</summary>
    /// <param name="input">Any shape.</param>
    /// <returns>tanh(input).</returns>
    public Tensor Forward(Tensor input) => NotNull(input).Tanh();

    internal static Tensor NotNull(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input;
    }
}

/// <summary>The logistic sigmoid as a layer (PyTorch's <c>nn.Sigmoid</c>).</summary>
public sealed class Sigmoid : Module, ILayer
{
    /// <summary>Applies σ elementwise.</summary>
    /// <param name="input">Any shape.</param>
    /// <returns>σ(input).</returns>
    public Tensor Forward(Tensor input) => Tanh.NotNull(input).Sigmoid();
}

/// <summary>ReLU as a layer (PyTorch's <c>nn.ReLU</c>).</summary>
public sealed class Relu : Module, ILayer
{
    /// <summary>Applies max(x, 0) elementwise.</summary>
    /// <param name="input">Any shape.</param>
    /// <returns>max(input, 0).</returns>
    public Tensor Forward(Tensor input) => Tanh.NotNull(input).Relu();
}
