using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>Layers applied one after another; sub-modules are named 0, 1, 2, … as in PyTorch's <c>nn.Sequential</c>.</summary>
public sealed class Sequential : Module, ILayer
{
    private readonly ILayer[] _layers;

    /// <summary>Creates the chain.</summary>
    /// <param name="layers">The layers, each a <see cref="Module"/> implementing <see cref="ILayer"/>.</param>
    public Sequential(params ILayer[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = layers;
        for (int i = 0; i < layers.Length; i++)
        {
            if (layers[i] is not Module module)
            {
                throw new ArgumentException($"Sequential layer {i} ({layers[i]?.GetType().Name ?? "null"}) must be a Module.", nameof(layers));
            }

            AddModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        }
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<ILayer> Layers => _layers;

    /// <summary>Feeds the input through every layer.</summary>
    /// <param name="input">The first layer's input.</param>
    /// <returns>The last layer's output.</returns>
    public Tensor Forward(Tensor input)
    {
        Tensor x = input;
        foreach (ILayer layer in _layers)
        {
            x = layer.Forward(x);
        }

        return x;
    }
}
