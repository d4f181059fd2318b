using MiniNet.Autograd;

namespace MiniNet.Layers;

/// <summary>A fully connected (Dense) layer, y = x·Wᵀ + b, with PyTorch's layout and initialization.</summary>
/// <remarks>
/// <c>weight</c> is [out, in] and <c>bias</c> is [out], as in <c>torch.nn.Linear</c>. Both start from
/// U(−1/√in, 1/√in): for the weight that is PyTorch's Kaiming-uniform with a = √5. Input [..., in] gives
/// output [..., out]; the whole batch is one GEMM (<see cref="Tensor.Linear"/>).
/// </remarks>
public sealed class Linear : Module, ILayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inFeatures">Size of each input vector.</param>
    /// <param name="outFeatures">Size of each output vector.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    /// <param name="random">The generator for initialization; <see cref="Initializers.Generator"/> when null.</param>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        random ??= Initializers.Generator;
        Weight = AddParameter("weight", Tensor.Zeros([outFeatures, inFeatures], requiresGrad: true));
        Initializers.KaimingUniform(Weight, a: MathF.Sqrt(5f), random: random);
        if (bias)
        {
            float bound = 1f / MathF.Sqrt(inFeatures);
            Bias = AddParameter("bias", Tensor.Zeros([outFeatures], requiresGrad: true));
            Initializers.Uniform(Bias, -bound, bound, random);
        }
    }

    /// <summary>Size of each input vector.</summary>
    public int InFeatures { get; }

    /// <summary>Size of each output vector.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight, [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, [out], or null when created without one.</summary>
    public Tensor? Bias { get; }

    /// <summary>y = x·Wᵀ + b.</summary>
    /// <param name="input">Shape [..., in].</param>
    /// <returns>Shape [..., out].</returns>
    public Tensor Forward(Tensor input)
    {
        LayerInput.RequireLastDimension(input, InFeatures, nameof(Linear), $"[..., {InFeatures}]");
        return Tensor.Linear(input, Weight, Bias);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is null ? "False" : "True")}";
}
