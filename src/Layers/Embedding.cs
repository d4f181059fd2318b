using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>A lookup table of learned vectors: token k maps to row k of <c>weight</c> (PyTorch's <c>nn.Embedding</c>).</summary>
/// <remarks>
/// out[..., :] = W[token, :]; ∂L/∂W[k, :] = Σ over positions holding k of ∂L/∂out[pos, :] (IndexSelect's backward).
/// The weight starts from N(0, 1), as in PyTorch.
/// </remarks>
public sealed class Embedding : Module
{
    /// <summary>Creates the table.</summary>
    /// <param name="numEmbeddings">The vocabulary size.</param>
    /// <param name="embeddingDim">The size of each vector.</param>
    /// <param name="random">The generator for initialization; <see cref="Initializers.Generator"/> when null.</param>
    public Embedding(int numEmbeddings, int embeddingDim, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEmbeddings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingDim);
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        Weight = AddParameter("weight", Tensor.RandomNormal([numEmbeddings, embeddingDim], random ?? Initializers.Generator, requiresGrad: true));
    }

    /// <summary>The vocabulary size.</summary>
    public int NumEmbeddings { get; }

    /// <summary>The size of each vector.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The table, [numEmbeddings, embeddingDim].</summary>
    public Tensor Weight { get; }

    /// <summary>Looks up every token.</summary>
    /// <param name="tokens">Token ids, row-major, each in [0, numEmbeddings).</param>
    /// <param name="shape">The shape of the token array, such as [batch, steps].</param>
    /// <returns>The vectors, of shape [..shape, embeddingDim].</returns>
    public Tensor Forward(IReadOnlyList<int> tokens, IReadOnlyList<int> shape)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(shape);
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (shape.Any(d => d <= 0) || count != tokens.Count)
        {
            throw new ArgumentException(
                $"Embedding got {tokens.Count} tokens for shape {LayerInput.Format(shape)}; the shape's product must equal the token count.", nameof(shape));
        }

        for (int i = 0; i < tokens.Count; i++)
        {
            if ((uint)tokens[i] >= (uint)NumEmbeddings)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(tokens), $"Embedding token {tokens[i]} at position {i} is outside the vocabulary [0, {NumEmbeddings - 1}].");
            }
        }

        return Weight.IndexSelect(0, tokens).Reshape([.. shape, EmbeddingDim]);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}";
}
