using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>Input checks shared by layers: errors name the layer, the expected and the actual shape.</summary>
internal static class LayerInput
{
    public static void RequireLastDimension(Tensor input, int size, string layer, string expected)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Shape[^1] != size)
        {
            throw new ArgumentException(
                $"{layer} expects input of shape {expected} (last dimension {size}), but got {Format(input.Shape)}.", nameof(input));
        }
    }

    public static void RequireShape(Tensor input, IReadOnlyList<int> expected, string layer, string what)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!input.Shape.SequenceEqual(expected))
        {
            throw new ArgumentException($"{layer} expects {what} of shape {Format(expected)}, but got {Format(input.Shape)}.", what);
        }
    }

    public static string Format(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";
}
