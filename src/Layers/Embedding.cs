using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>A lookup table of learned vectors: token k maps to row k of <c>weight</c> (PyTorch's <c>nn.Embedding</c>).</summary>
/// <remarks>
/// out[..., :] = W[token, :]; ∂L/∂W[k, :] = Σ over positions holding k of ∂L/∂out[pos, :] (IndexSelect's backward).
/// The weight starts from N(0, 1), as in PyTorch. With a padding index p, row p starts at zeros and gets no gradient:
/// positions holding p read the row as a constant, so padding never learns (PyTorch's <c>padding_idx</c>).
/// </remarks>
public sealed class Embedding : Module
{
    /// <summary>Creates the table.</summary>
    /// <param name="numEmbeddings">The vocabulary size.</param>
    /// <param name="embeddingDim">The size of each vector.</param>
    /// <param name="random">The generator for initialization; <see cref="Initializers.Generator"/> when null.</param>
    /// <param name="paddingIdx">The padding token, whose row stays zero-initialized and gets no gradient; negative counts
    /// from the end (−1 is the last token), as in PyTorch; null for none.</param>
    public Embedding(int numEmbeddings, int embeddingDim, Random? random = null, int? paddingIdx = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEmbeddings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingDim);
        if (paddingIdx is int p && (p >= numEmbeddings || p < -numEmbeddings))
        {
            throw new ArgumentOutOfRangeException(nameof(paddingIdx), p, $"Embedding paddingIdx must be in [{-numEmbeddings}, {numEmbeddings - 1}] for {numEmbeddings} embeddings.");
        }

        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIdx = paddingIdx is int q && q < 0 ? q + numEmbeddings : paddingIdx;
        Weight = AddParameter("weight", Tensor.RandomNormal([numEmbeddings, embeddingDim], random ?? Initializers.Generator, requiresGrad: true));
        if (PaddingIdx is int row)
        {
            Array.Clear(Weight.Data, row * embeddingDim, embeddingDim);
        }
    }

    /// <summary>The padding token (made non-negative), or null.</summary>
    public int? PaddingIdx { get; }

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

        Tensor vectors = Weight.IndexSelect(0, tokens);
        if (PaddingIdx is int pad && tokens.Contains(pad))
        {
            // out = W[token] where token ≠ p, and the row W[p] as a constant where token = p: no gradient reaches row p.
            var keep = new float[tokens.Count];
            for (int i = 0; i < keep.Length; i++)
            {
                keep[i] = tokens[i] == pad ? 0f : 1f;
            }

            Tensor mask = Tensor.FromArray(keep, [tokens.Count, 1]);
            Tensor padRow = Weight.Detach().Select(0, pad).Reshape([1, EmbeddingDim]);
            vectors = (vectors * mask) + (padRow * (1f - mask));
        }

        return vectors.Reshape([.. shape, EmbeddingDim]);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}{(PaddingIdx is int p ? $", padding_idx={p}" : string.Empty)}";
}
