using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>A module with one tensor in and one tensor out, so it can be a step of a <see cref="Sequential"/>.</summary>
public interface ILayer
{
    /// <summary>Computes the layer's output, recording the graph when gradients are on.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The output.</returns>
    Tensor Forward(Tensor input);
}
