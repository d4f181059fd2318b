using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>Inverted dropout: in training mode zeroes each element with probability p and scales the rest by 1/(1 − p).</summary>
/// <remarks>
/// out = x ⊙ m / (1 − p), mᵢ ~ Bernoulli(1 − p), so E[out] = x; ∂out/∂x = m / (1 − p). In evaluation mode,
/// or with p = 0, it is the identity (Srivastava et al. 2014; PyTorch's <c>nn.Dropout</c>).
/// </remarks>
public sealed class Dropout : Module, ILayer
{
    private readonly Random _random;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">The probability of zeroing an element, in [0, 1).</param>
    /// <param name="random">The generator for masks; <see cref="Initializers.Generator"/> when null.</param>
    public Dropout(float p = 0.5f, Random? random = null)
    {
        if (!(p >= 0f && p < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability p must be in [0, 1).");
        }

        P = p;
        _random = random ?? Initializers.Generator;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public float P { get; }

    /// <summary>Applies dropout in training mode; the identity in evaluation mode.</summary>
    /// <param name="input">Any shape.</param>
    /// <returns>The masked, rescaled input.</returns>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return IsTraining ? Apply(input, P, _random) : input;
    }

    /// <summary>Inverted dropout with probability <paramref name="p"/> (no mode check).</summary>
    internal static Tensor Apply(Tensor input, float p, Random random)
    {
        if (p == 0f)
        {
            return input;
        }

        float scale = 1f / (1f - p);
        var mask = new float[input.Length];
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = random.NextDouble() >= p ? scale : 0f;
        }

        return input * Tensor.FromArray(mask, input.Shape);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"p={P}";
}
